#!/usr/bin/python3
"""email_oracle.py FILE — Python's email package's view of a message, as one JSON object.

The oracle of the MIME cross-check (tests/mime/crosscheck.py): it parses FILE with
email.message_from_bytes(policy=email.policy.default) and prints the JSON object that
tests/mime/mime_dump prints for libmailfountain's parser (format: tests/mime/README.md),
UTF-8, keys sorted. It reads FILE and writes stdout, nothing else.

Every value comes from the documented EmailMessage API a Python program would call
(get_content_type, get_content_charset, get_content_disposition, get_filename,
get_payload(decode=True), get_content, the header objects' addresses and datetime), so a
difference with mime_dump is a difference with Python, not with this script. Where Python
gives no value the format needs, the choice made here is commented at the spot:
  - strings holding undecodable bytes (surrogate escapes) are made UTF-8 with U+FFFD, as
    email.utils does for header values;
  - a date without a usable zone (-0000, none) is read as UTC (Python returns a naive
    datetime);
  - the text of a part whose charset Python does not know is its bytes read as ASCII with
    U+FFFD, as Message.get_payload() does in that case (get_content() raises);
  - a message/* leaf Python parsed into header blocks (message/delivery-status and other
    subtypes that are not rfc822 or global) has no body bytes in Python's tree; its
    sha256 is over the body as Python's generator writes it back.
"""
import email
import email.generator
import email.policy
import hashlib
import io
import json
import re
import sys
from datetime import timezone

POLICY = email.policy.default

# The encapsulated-message types the format recurses into; other message/* are leaves.
MESSAGE_TYPES = ('message/rfc822', 'message/global')


def utf8(text):
    """Returns text with surrogate-escaped bytes decoded as UTF-8 (U+FFFD if invalid)."""
    try:
        return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return text.encode('utf-8', 'replace').decode('utf-8')


def guarded(compute):
    """Runs compute(); a Python exception becomes a string that shows in the diff."""
    try:
        return compute()
    except Exception as e:  # noqa: BLE001 — the oracle must report, not stop
        return 'python raised %s: %s' % (type(e).__name__, e)


def addresses(msg, field):
    header = msg[field]
    if header is None:
        return []
    # .addresses flattens groups; an empty group has no address, so it is absent.
    return [{'name': utf8(a.display_name), 'address': utf8(a.addr_spec)}
            for a in header.addresses]


def date(msg):
    header = msg['date']
    if header is None or header.datetime is None:
        return None
    dt = header.datetime
    if dt.tzinfo is None:  # -0000 or no zone: the instant is read as UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def message_id(msg):
    header = msg['message-id']
    if header is None:
        return None
    # Python keeps the field as written; the id is what the first <...> holds.
    value = str(header)
    found = re.search(r'<([^<>]*)>', value)
    text = found.group(1) if found else value.strip()
    return utf8(text) if text else None


def regenerated_body(part, linesep):
    """The body of a part Python split into header blocks, as its generator writes it."""
    out = io.BytesIO()
    email.generator.BytesGenerator(out, policy=POLICY.clone(linesep=linesep)).flatten(part)
    blank = (linesep * 2).encode('ascii')
    head, found, body = out.getvalue().partition(blank)
    return body


def text_of(part, payload):
    try:
        text = part.get_content()
    except LookupError:  # unknown charset: Message.get_payload()'s own fallback
        text = payload.decode('ascii', 'replace')
    return utf8(text).replace('\r\n', '\n')


def part_object(part, linesep):
    content_type = part.get_content_type()
    cte = part.get('content-transfer-encoding')
    filename = guarded(part.get_filename)
    out = {
        'content_type': content_type,
        'charset': guarded(part.get_content_charset),
        'cte': str(cte).strip().lower() if cte is not None else '7bit',
        'disposition': guarded(part.get_content_disposition),
        'filename': utf8(filename) if filename is not None else None,
    }
    if part.is_multipart() and part.get_content_maintype() == 'multipart':
        out['parts'] = [part_object(p, linesep) for p in part.get_payload()]
        return out
    if part.is_multipart() and content_type in MESSAGE_TYPES:
        out['message'] = message_object(part.get_payload(0), linesep)
        return out
    if part.is_multipart():
        payload = regenerated_body(part, linesep)
    else:
        payload = part.get_payload(decode=True)
    out['sha256'] = hashlib.sha256(payload).hexdigest()
    if part.get_content_maintype() == 'text':
        out['text'] = guarded(lambda: text_of(part, payload))
    return out


def message_object(msg, linesep):
    return {
        'from': guarded(lambda: addresses(msg, 'from')),
        'to': guarded(lambda: addresses(msg, 'to')),
        'cc': guarded(lambda: addresses(msg, 'cc')),
        'reply_to': guarded(lambda: addresses(msg, 'reply-to')),
        'subject': guarded(lambda: utf8(str(msg['subject'])) if 'subject' in msg else None),
        'date': guarded(lambda: date(msg)),
        'message_id': guarded(lambda: message_id(msg)),
        'body': part_object(msg, linesep),
    }


def oracle(data):
    """Returns the JSON-ready object for the message bytes `data`."""
    # Python's tree keeps no line ends; regenerated bodies use the message's own.
    linesep = '\r\n' if b'\r\n' in data else '\n'
    return message_object(email.message_from_bytes(data, policy=POLICY), linesep)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: email_oracle.py FILE\n')
        return 2
    with open(argv[1], 'rb') as f:
        data = f.read()
    text = json.dumps(oracle(data), sort_keys=True, ensure_ascii=False, indent=1)
    sys.stdout.buffer.write(text.encode('utf-8') + b'\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
