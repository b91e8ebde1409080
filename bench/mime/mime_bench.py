#!/usr/bin/python3
"""mime_bench.py — the Python side of the MIME parse benchmark: the same two measures as
mime_bench.cpp over the same inputs, with the standard library's email package
(email.message_from_bytes, policy=email.policy.default). Run by bench/mime/run.

Usage: mime_bench.py [--min-seconds S] [--measure parse|decode|all] PATH...

Every PATH is a message file or a directory of message files (not starting with a dot,
read in name order), all read into memory first; only the parsing is timed, in CPU time
(user and system, as mime_bench: other load on a shared machine does not count). Measures:
  parse   message_from_bytes, then walk() every part (into message/rfc822 parts too) and
          read its content type with get_content_type(), which under policy.default builds
          the structured ContentTypeHeader (type and parameters parsed) from the raw field,
          so that every part's Content-Type is parsed as the C++ and GMime parsers do.
  decode  the same, then every leaf's content: get_content() for text/* (transfer decoding
          and conversion to str), get_payload(decode=True) for the others. An unknown
          charset is counted and the decoded bytes kept, as mime_bench does.
Output: one RESULT line per measure, in mime_bench's format, with impl=python-email.
"""
import argparse
import email
import email.policy
import os
import sys
import time


def load(paths):
    messages = []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if not n.startswith('.')
                           and os.path.isfile(os.path.join(path, n)))
            files = [os.path.join(path, n) for n in names]
        else:
            files = [path]
        for f in files:
            with open(f, 'rb') as fh:
                messages.append(fh.read())
    return messages


def process(data, decode, counts):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        counts[0] += 1
        # With policy.default, get() builds a ContentTypeHeader from the raw value each
        # time: the full structured parse of the field, parameters included.
        ctype = part.get_content_type()
        counts[2] += len(ctype)
        if not decode or part.is_multipart():
            continue
        if ctype.startswith('text/'):
            try:
                counts[2] += len(part.get_content())
                continue
            except LookupError:  # an unknown charset
                counts[1] += 1
        payload = part.get_payload(decode=True)
        counts[2] += len(payload) if payload is not None else 0


def run(messages, total_bytes, measure, min_seconds):
    decode = measure == 'decode'
    warm = [0, 0, 0]
    for data in messages[:100]:
        process(data, decode, warm)
    passes = 0
    elapsed = 0.0  # CPU seconds, as mime_bench
    wall = 0.0
    counts = [0, 0, 0]  # parts, errors, sink
    while passes == 0 or elapsed < min_seconds:  # at least one pass
        counts = [0, 0, 0]
        start, wall_start = time.process_time(), time.perf_counter()
        for data in messages:
            process(data, decode, counts)
        elapsed += time.process_time() - start
        wall += time.perf_counter() - wall_start
        passes += 1
    print(f'RESULT impl=python-email measure={measure} messages={len(messages)} '
          f'bytes={total_bytes} passes={passes} seconds={elapsed:.6f} wall={wall:.6f} '
          f'parts={counts[0]} errors={counts[1]}', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--min-seconds', type=float, default=2.0)
    parser.add_argument('--measure', choices=['parse', 'decode', 'all'], default='all')
    parser.add_argument('paths', nargs='+')
    args = parser.parse_args()
    messages = load(args.paths)
    if not messages:
        parser.error('no message files')
    total = sum(len(m) for m in messages)
    for measure in ('parse', 'decode'):
        if args.measure in (measure, 'all'):
            run(messages, total, measure, args.min_seconds)
    return 0


if __name__ == '__main__':
    sys.exit(main())
