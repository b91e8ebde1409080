"""A small IMAP client for tests that compare servers answer by answer.

imaplib hands back responses as loosely split byte strings; the comparison tests need the
values themselves. `Wire` sends commands (with synchronizing literals) and returns the raw
untagged responses; `parse_response` turns one into Python values:

- NIL -> None; a quoted string, a literal and a literal8 -> bytes (IMAP's string forms are
  interchangeable, RFC 9051 §4.3, so a server choosing `{0}` where another writes `""` is
  not a difference);
- a number -> int; any other atom -> str, a FETCH item name such as
  `BODY[HEADER.FIELDS (FROM)]<0>` included, brackets and all;
- a parenthesised list -> list.

`fetch_items` makes a dict of one FETCH response, item names upper-cased (field names in
HEADER.FIELDS are case-insensitive: Dovecot upper-cases them, others echo the client).
"""

import re
import socket

_LITERAL_END = re.compile(rb"~?\{(\d+)\+?\}\r\n$")


class ImapError(AssertionError):
    pass


class Wire:
    """One IMAP connection. Not thread-safe; every call blocks up to `timeout` seconds."""

    def __init__(self, host, port, tls_context=None, timeout=30):
        sock = socket.create_connection((host, port), timeout=timeout)
        if tls_context is not None:
            sock = tls_context.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.buf = b""
        self.counter = 0
        self.greeting = self._read_response()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # ---- reading ----

    def _read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ImapError(f"connection closed; pending {self.buf[:200]!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def _read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ImapError("connection closed inside a literal")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_response(self):
        """One whole response: a line and every literal it announces, as on the wire."""
        out = self._read_line()
        while True:
            m = _LITERAL_END.search(out)
            if not m:
                return out
            out += self._read_exact(int(m.group(1)))
            out += self._read_line()

    # ---- commands ----

    def command(self, *parts):
        """Sends one command made of `parts`: str/bytes pieces written as they are, and
        `Literal` pieces sent as synchronizing literals. Returns (untagged responses as
        raw bytes, tagged status word, tagged text)."""
        self.counter += 1
        tag = f"t{self.counter}".encode()
        pending = tag + b" "
        untagged = []
        for part in parts:
            if isinstance(part, Literal):
                self.sock.sendall(pending + b"{%d}\r\n" % len(part.data))
                pending = b""
                while True:
                    resp = self._read_response()
                    if resp.startswith(b"+"):
                        break
                    if resp.startswith(tag + b" "):
                        status = resp.split(b" ", 2)
                        return untagged, status[1].decode(), resp
                    untagged.append(resp)
                self.sock.sendall(part.data)
            else:
                pending += part.encode() if isinstance(part, str) else part
        self.sock.sendall(pending + b"\r\n")
        while True:
            resp = self._read_response()
            if resp.startswith(tag + b" "):
                status = resp.split(b" ", 2)
                return untagged, status[1].decode(), resp
            untagged.append(resp)

    def ok(self, *parts):
        """command(), raising unless the answer is OK; returns the untagged responses."""
        untagged, status, text = self.command(*parts)
        if status != "OK":
            raise ImapError(f"{parts!r} -> {text!r}")
        return untagged

    def login(self, user, password):
        self.ok("LOGIN ", quoted(user), " ", quoted(password))


class Literal:
    def __init__(self, data):
        self.data = data if isinstance(data, bytes) else data.encode()


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- parsing ----


class _Cursor:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def peek(self):
        return self.data[self.pos:self.pos + 1]

    def eat_spaces(self):
        while self.peek() == b" ":
            self.pos += 1


def _parse_value(c):
    ch = c.peek()
    if ch == b"(":
        c.pos += 1
        items = []
        while True:
            c.eat_spaces()
            if c.peek() == b")":
                c.pos += 1
                return items
            if c.peek() in (b"", b"\r", b"\n"):
                raise ImapError(f"unterminated list at {c.pos}: {c.data[:300]!r}")
            items.append(_parse_value(c))
    if ch == b'"':
        c.pos += 1
        out = bytearray()
        while True:
            b = c.data[c.pos:c.pos + 1]
            if b == b"":
                raise ImapError("unterminated quoted string")
            c.pos += 1
            if b == b"\\":
                out += c.data[c.pos:c.pos + 1]
                c.pos += 1
            elif b == b'"':
                return bytes(out)
            else:
                out += b
    m = re.compile(rb"~?\{(\d+)\+?\}\r\n").match(c.data, c.pos)
    if m:
        n = int(m.group(1))
        start = m.end()
        c.pos = start + n
        return c.data[start:start + n]
    # an atom, with [...] taken whole (FETCH item names)
    start = c.pos
    while c.pos < len(c.data):
        b = c.data[c.pos:c.pos + 1]
        if b == b"[":
            end = c.data.index(b"]", c.pos)
            c.pos = end + 1
            continue
        if b in (b" ", b"(", b")", b"\r", b"\n"):
            break
        c.pos += 1
    atom = c.data[start:c.pos].decode("utf-8", "replace")
    if atom == "":
        raise ImapError(f"unexpected byte at {c.pos}: {c.data[:300]!r}")
    if atom.upper() == "NIL":
        return None
    if atom.isdigit():
        return int(atom)
    return atom


def parse_response(raw):
    """The values of one untagged response after `* `, as a list."""
    if not raw.startswith(b"* "):
        raise ImapError(f"not an untagged response: {raw[:200]!r}")
    c = _Cursor(raw)
    c.pos = 2
    values = []
    while c.pos < len(raw):
        c.eat_spaces()
        if c.data[c.pos:c.pos + 2] == b"\r\n" or c.pos >= len(raw):
            break
        values.append(_parse_value(c))
    return values


def fetch_items(raw):
    """(sequence number, {ITEM NAME: value}) of one `* n FETCH (...)` response."""
    values = parse_response(raw)
    if len(values) != 3 or values[1] != "FETCH" or not isinstance(values[2], list):
        raise ImapError(f"not a FETCH response: {raw[:200]!r}")
    pairs = values[2]
    return values[0], {str(pairs[i]).upper(): pairs[i + 1] for i in range(0, len(pairs), 2)}


def search_result(untagged):
    """The numbers of the `* SEARCH` responses among `untagged`, as a set."""
    found = set()
    for raw in untagged:
        values = parse_response(raw)
        if values and values[0] == "SEARCH":
            found.update(v for v in values[1:] if isinstance(v, int))
    return found

