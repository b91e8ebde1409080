"""Shared pieces of the outbound delivery tests through the real daemon
(test_outbound_scheduling.py, test_outbound_crash.py):

- zone(domains): a zone for tests/dns/test_dns_server.py where each test domain has
  MX 10 mx.DOMAIN and mx.DOMAIN A 127.0.0.1 (each destination then gets its own port
  through [outbound.ports]);
- Peer: a small threaded SMTP server that records what smtp-sink cannot show: when each
  connection opened and closed (so the number of simultaneous connections at any moment),
  when each transaction's MAIL and final dot arrived, and its recipients. It can answer
  every new connection with a 421 greeting, and a MAIL on an open one with 421 (throttle),
  and delay its reply to the final dot.
- max_overlap(intervals): the largest number of intervals open at one moment.
- relay(daemon, to, subject): one message relayed from a trusted network; its queue ID.
"""
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns"))
from smtp_harness import message  # noqa: E402
from test_outbound_connection import free_port  # noqa: E402


def zone(domains):
    lines = ["$TTL 300", "$ORIGIN test.",
             "@        3600 IN SOA ns.test. hostmaster.test. 1 7200 3600 1209600 60"]
    for d in domains:
        lines += [f"$ORIGIN {d}.", "@        IN MX 10 mx", "mx       IN A 127.0.0.1"]
    return "\n".join(lines) + "\n"


def relay(daemon, to, subject, sender="a@example.org", smtp=None):
    """Relays one message to `to` (the client comes from 127.0.0.1, a trusted network);
    returns its queue ID. `smtp`: an open smtplib connection to reuse."""
    def one(s):
        s.mail(sender)
        code, text = s.rcpt(to)
        if code != 250:
            raise AssertionError(f"RCPT {to}: {code} {text}")
        code, text = s.data(message(sender, to, subject))
        if code != 250:
            raise AssertionError(f"DATA for {to}: {code} {text}")
        return text.decode().split()[-1]

    if smtp is not None:
        return one(smtp)
    with daemon.smtp() as s:
        s.ehlo()
        return one(s)


def max_overlap(intervals):
    """The most intervals (start, end) open at one moment; an end equal to a start does
    not overlap it."""
    points = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals],
                    key=lambda p: (p[0], p[1]))
    best = now = 0
    for _, step in points:
        now += step
        best = max(best, now)
    return best


class Transaction:
    def __init__(self, conn, mail_at, helo=None, client=None):
        self.conn = conn
        self.mail_at = mail_at
        self.helo = helo  # the name the client gave in EHLO/HELO
        self.client = client  # the client's IP address
        self.done_at = None
        self.recipients = []
        self.data = b""


class Peer:
    """A threaded SMTP server on 127.0.0.1. `throttle = True` makes it greet every new
    connection with 421 and close it (and answer MAIL with 421 on those already open);
    `dot_delay` (seconds) delays the reply to the final dot. Times are time.monotonic()."""

    def __init__(self, host="127.0.0.1", dot_delay=0.0):
        self.host = host
        self.dot_delay = dot_delay
        self.throttle = False
        self.lock = threading.Lock()
        self.connections = []  # [opened, closed or None, throttled]
        self.transactions = []  # completed (dot answered 250), in order
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(128)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closed = True
        self.sock.close()

    def _accept(self):
        while not self.closed:
            try:
                conn, address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, address[0]),
                             daemon=True).start()

    def _serve(self, conn, client):
        with self.lock:
            record = [time.monotonic(), None, self.throttle]
            self.connections.append(record)
        try:
            with conn:
                if record[2]:
                    conn.sendall(b"421 4.7.0 peer.test busy, try again later\r\n")
                    return
                self._session(conn, conn.makefile("rb"), record, client)
        except OSError:
            pass
        finally:
            with self.lock:
                record[1] = time.monotonic()

    def _session(self, conn, f, record, client):
        conn.sendall(b"220 peer.test ESMTP\r\n")
        tx = None
        helo = None
        while True:
            line = f.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                helo = line[5:].strip().decode(errors="replace")
                conn.sendall(b"250-peer.test\r\n250 8BITMIME\r\n" if verb == b"EHLO"
                             else b"250 peer.test\r\n")
            elif verb == b"MAIL" and self.throttle:
                # A connection opened before the throttle is pushed back too.
                record[2] = True
                conn.sendall(b"421 4.7.0 peer.test busy, try again later\r\n")
                return
            elif verb == b"MAIL":
                tx = Transaction(record, time.monotonic(), helo, client)
                conn.sendall(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT" and tx is not None:
                arg = line.split(b":", 1)[1].strip()
                tx.recipients.append(arg.split(b">")[0].lstrip(b"<").decode())
                conn.sendall(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA" and tx is not None:
                conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                chunks = []
                while True:
                    line = f.readline()
                    if not line:
                        return
                    if line == b".\r\n":
                        break
                    chunks.append(line)
                tx.data = b"".join(chunks)
                if self.dot_delay:
                    time.sleep(self.dot_delay)
                tx.done_at = time.monotonic()
                with self.lock:
                    self.transactions.append(tx)
                conn.sendall(b"250 2.0.0 Ok: queued\r\n")
                tx = None
            elif verb == b"RSET":
                tx = None
                conn.sendall(b"250 2.0.0 Ok\r\n")
            elif verb == b"NOOP":
                conn.sendall(b"250 2.0.0 Ok\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 2.0.0 Bye\r\n")
                return
            else:
                conn.sendall(b"503 5.5.1 Error: bad sequence\r\n")

    # ---- what it saw ----

    def with_fragment(self, fragment):
        with self.lock:
            return [t for t in self.transactions if fragment.encode() in t.data]

    def wait_for(self, fragment, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.with_fragment(fragment)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.with_fragment(fragment)

    def intervals(self, since=0.0, until=None):
        """(opened, closed) of the connections that were open at some time in
        [since, until]; a connection still open ends now."""
        now = time.monotonic()
        until = now if until is None else until
        with self.lock:
            spans = [(o, c if c is not None else now) for o, c, _ in self.connections]
        return [(o, c) for o, c in spans if c >= since and o <= until]

    def connection_count(self, throttled=None):
        with self.lock:
            return sum(1 for _, _, t in self.connections if throttled is None or t == throttled)


__all__ = ["zone", "relay", "max_overlap", "Peer", "free_port"]
