"""A minimal IMAP client over TLS for the benchmark: no parsing beyond what timing needs,
so that the client's own cost stays small next to the server's. Both servers are driven
by exactly this code."""

import asyncio
import socket
import ssl


def tls_context():
    """TLS 1.2 at most: mbedTLS 2.28 (MailFountain) speaks nothing newer, so Dovecot
    (OpenSSL 3) is held to the same version; no verification (self-signed), no session
    reuse (each connection makes a full handshake, as the benchmark wants)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class ImapError(Exception):
    pass


class Client:
    """One IMAPS connection. `command()` sends a command and returns the response bytes up
    to and including the tagged line; it raises ImapError unless that line says OK."""

    def __init__(self, port, ctx, host="127.0.0.1", timeout=120):
        raw = socket.create_connection((host, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = ctx.wrap_socket(raw)
        self.buf = bytearray()
        self.n = 0
        self.greeting = self._line()
        if not self.greeting.startswith(b"* OK"):
            raise ImapError(f"greeting: {self.greeting!r}")

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ImapError("connection closed by the server")
        self.buf += data

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end + 2])
                del self.buf[:end + 2]
                return line
            self._fill()

    def _tag(self):
        self.n += 1
        return f"Q{self.n}x".encode()

    def _until_tagged(self, tag):
        """Reads until a line starting with `tag ` ends the buffer. Literal contents are not
        parsed: a literal would have to end with a line starting with this tag to fool it,
        and the tags (Q<n>x) appear in no message."""
        prefix = tag + b" "
        while True:
            if self.buf.endswith(b"\r\n"):
                start = self.buf.rfind(b"\r\n", 0, len(self.buf) - 2)
                start = start + 2 if start >= 0 else 0
                if self.buf.startswith(prefix, start):
                    out = bytes(self.buf)
                    self.buf.clear()
                    status = out[start + len(prefix):start + len(prefix) + 3]
                    if status != b"OK ":
                        raise ImapError(out[start:].decode("utf-8", "replace").strip())
                    return out
            self._fill()

    def command(self, text):
        tag = self._tag()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        return self._until_tagged(tag)

    def append(self, mailbox, message):
        """APPEND with a synchronizing literal, as most clients send it."""
        tag = self._tag()
        self.sock.sendall(tag + f" APPEND {mailbox} {{{len(message)}}}\r\n".encode())
        line = self._line()
        if not line.startswith(b"+"):
            raise ImapError(f"APPEND literal refused: {line!r}")
        self.sock.sendall(message + b"\r\n")
        return self._until_tagged(tag)

    def login(self, user, password):
        return self.command(f'LOGIN "{user}" "{password}"')

    def logout(self):
        tag = self._tag()
        try:
            self.sock.sendall(tag + b" LOGOUT\r\n")
            self._until_tagged(tag)
        finally:
            self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


async def open_idle(port, ctx, user, password, host="127.0.0.1", select=None):
    """An asyncio IMAPS connection logged in (and with `select` selected, if given), for
    holding idle: returns (reader, writer)."""
    reader, writer = await asyncio.open_connection(host, port, ssl=ctx)
    greeting = await reader.readline()
    if not greeting.startswith(b"* OK"):
        raise ImapError(f"greeting: {greeting!r}")
    await async_command(reader, writer, b"L", f'LOGIN "{user}" "{password}"')
    if select:
        await async_command(reader, writer, b"S", f"SELECT {select}")
    return reader, writer


async def async_command(reader, writer, tag, text):
    writer.write(tag + b" " + text.encode() + b"\r\n")
    await writer.drain()
    while True:
        line = await reader.readline()
        if not line:
            raise ImapError("connection closed by the server")
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise ImapError(line.decode("utf-8", "replace").strip())
            return
