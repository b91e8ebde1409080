"""The outbound SMTP connection (libmailfountain/outbound/smtp_connection.h) against real
peers on loopback, through the test tool outbound_send (OUTBOUND_SEND in the environment):

- Postfix's smtp-sink (Debian package postfix): messages arrive with their bytes, several
  messages over one connection, 4xx and 5xx answers to RCPT, a refused first address,
  a 5xx greeting, the 7-bit downgrade for a peer without 8BITMIME;
- a small asyncio SMTP server of this file (PeerServer) where smtp-sink cannot do the job:
  PIPELINING observed on the wire, STARTTLS with a self-signed certificate made by
  `openssl req`, the STARTTLS injection class (bytes after "220 ready to start TLS" in
  the same packet are discarded), a broken TLS handshake (opportunistic TLS retries in
  plain text), a server that never greets (the greeting timeout).
"""

import asyncio
import glob
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

OUTBOUND_SEND = os.environ.get("OUTBOUND_SEND", "")
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"

MESSAGE = (
    "From: a@client.test\r\n"
    "To: b@peer.test\r\n"
    "Subject: outbound connection test\r\n"
    "Message-ID: <1@client.test>\r\n"
    "\r\n"
    "first line\r\n"
    ".a line starting with a dot\r\n"
    "last line\r\n"
)


def free_port(host="127.0.0.1"):
    """A port nothing listens on (for now) on `host`."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def send(args, message=MESSAGE, timeout=60):
    """Runs outbound_send; returns (results, connection summary, stderr)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".eml", delete=False) as f:
        f.write(message.encode("utf-8") if isinstance(message, str) else message)
        path = f.name
    try:
        p = subprocess.run([OUTBOUND_SEND] + args + [path], capture_output=True, text=True,
                           timeout=timeout)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        raise AssertionError(f"outbound_send exited {p.returncode}: {p.stderr}")
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    results = [x for x in lines if x["event"] == "result"]
    conns = [x for x in lines if x["event"] == "connection"]
    if len(conns) != 1:
        raise AssertionError(f"expected one connection line: {p.stdout}")
    return results, conns[0], p.stderr


class Sink:
    """smtp-sink on host:port dumping each message into its own file under a directory."""

    def __init__(self, host="127.0.0.1", port=None, options=(), dump=True):
        self.host = host
        self.port = port or free_port(host)
        self.dir = tempfile.mkdtemp(prefix="sink-")
        os.chmod(self.dir, 0o777)  # smtp-sink writes as nobody
        cmd = [SMTP_SINK]
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]
        if dump:
            cmd += ["-d", os.path.join(self.dir, "m.")]
        cmd += [*options, f"{host}:{self.port}", "100"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                socket.create_connection((host, self.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("smtp-sink did not start")
        # The probe connection above is one session; wait until smtp-sink is done with it.
        time.sleep(0.1)

    def messages(self):
        """The dumped transactions, as text, once smtp-sink has finished writing them."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.dir, "m.*"))):
            with open(path, "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        return out

    def wait_for(self, count, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages()
            if len(msgs) >= count:
                return msgs
            time.sleep(0.05)
        return self.messages()

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class PeerServer:
    """A small SMTP server on a thread of its own, for what smtp-sink cannot show.

    It records each session: the chunks read (to see pipelining), the commands, whether
    TLS was on, and the transactions (sender, recipients, data)."""

    def __init__(self, host="127.0.0.1", pipelining=True, starttls=None, inject=b"",
                 broken_tls=False, greet=True):
        self.host = host
        self.port = free_port(host)
        self.pipelining = pipelining
        self.starttls = starttls  # an ssl.SSLContext offering STARTTLS, or None
        self.inject = inject  # bytes sent with "220 ready to start TLS", in one write
        self.broken_tls = broken_tls  # answer the ClientHello with garbage
        self.greet = greet
        self.sessions = []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait(5)

    def _run(self, started):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._session, self.host, self.port))
        started.set()
        self.loop.run_forever()

    async def _session(self, reader, writer):
        s = {"chunks": [], "commands": [], "tls": False, "transactions": []}
        self.sessions.append(s)
        if not self.greet:
            await reader.read()  # silent until the client gives up
            writer.close()
            return
        writer.write(b"220 peer.test ESMTP\r\n")
        buf = b""
        txn = None
        try:
            while True:
                while b"\r\n" not in buf:
                    chunk = await reader.read(65536)
                    if not chunk:
                        return
                    s["chunks"].append(chunk)
                    buf += chunk
                line, buf = buf.split(b"\r\n", 1)
                cmd = line.decode("utf-8", "replace")
                s["commands"].append(cmd)
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    caps = ["250-peer.test", "250-8BITMIME", "250-ENHANCEDSTATUSCODES"]
                    if self.pipelining:
                        caps.append("250-PIPELINING")
                    if self.starttls is not None and not s["tls"]:
                        caps.append("250-STARTTLS")
                    caps.append("250 SIZE 10000000")
                    writer.write(("\r\n".join(caps) + "\r\n").encode())
                elif verb == "STARTTLS":
                    if self.broken_tls:
                        writer.write(b"220 2.0.0 ready to start TLS\r\n")
                        await writer.drain()
                        await reader.read(65536)  # the ClientHello
                        writer.write(b"this is not a TLS record\r\n" * 4)
                        await writer.drain()
                        writer.close()
                        return
                    writer.write(b"220 2.0.0 ready to start TLS\r\n" + self.inject)
                    await writer.drain()
                    buf = b""  # RFC 3207: nothing pipelined after STARTTLS is kept
                    await writer.start_tls(self.starttls)
                    s["tls"] = True
                    s["cipher"] = writer.get_extra_info("cipher")
                elif verb == "MAIL":
                    txn = {"from": cmd, "rcpt": [], "data": b""}
                    writer.write(b"250 2.1.0 Ok\r\n")
                elif verb == "RCPT":
                    txn["rcpt"].append(cmd)
                    writer.write(b"250 2.1.5 Ok\r\n")
                elif verb == "DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    await writer.drain()
                    while b"\r\n.\r\n" not in b"\r\n" + buf:
                        chunk = await reader.read(65536)
                        if not chunk:
                            return
                        buf += chunk
                    data, buf = (b"\r\n" + buf).split(b"\r\n.\r\n", 1)
                    lines = data[2:].split(b"\r\n") if data else []
                    # Dot-stuffing undone (RFC 5321 §4.5.2).
                    txn["data"] = b"".join((x[1:] if x.startswith(b".") else x) + b"\r\n"
                                           for x in lines)
                    s["transactions"].append(txn)
                    writer.write(b"250 2.0.0 Ok: queued\r\n")
                elif verb == "RSET":
                    writer.write(b"250 2.0.0 Ok\r\n")
                elif verb == "QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    await writer.drain()
                    writer.close()
                    return
                else:
                    writer.write(b"502 5.5.2 Error: command not recognized\r\n")
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            return

    def close(self):
        async def stop():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()
        asyncio.run_coroutine_threadsafe(stop(), self.loop)
        self.thread.join(5)
        self.loop.close()


def hostargs(sink_or_server, name=None):
    h = sink_or_server.host if name is None else f"{name}={sink_or_server.host}"
    return ["--host", h, "--port", str(sink_or_server.port)]


ENVELOPE = ["--from", "a@client.test", "--to", "b@peer.test"]


class SinkDeliveryTest(unittest.TestCase):
    """Plain deliveries to smtp-sink."""

    def setUp(self):
        self.sink = Sink()

    def tearDown(self):
        self.sink.close()

    def test_message_arrives_with_its_bytes(self):
        results, conn, _ = send(hostargs(self.sink, "mx.peer.test") + ENVELOPE +
                                ["--to", "c@peer.test"])
        relay = f"mx.peer.test[127.0.0.1]:{self.sink.port}"
        self.assertEqual([(r["to"], r["delivery"], r["code"], r["stage"], r["relay"])
                          for r in results],
                         [("b@peer.test", "delivered", 250, "data-end", relay),
                          ("c@peer.test", "delivered", 250, "data-end", relay)])
        self.assertTrue(conn["connected"])
        self.assertEqual(conn["relay"], relay)
        self.assertEqual(conn["transactions"], 1)
        self.assertIsNone(conn["failure"])
        self.assertIsNone(conn["tls"])
        [dump] = self.sink.wait_for(1)
        self.assertIn("X-Mail-Args: <a@client.test>", dump)
        self.assertIn("X-Rcpt-Args: <b@peer.test>", dump)
        self.assertIn("X-Rcpt-Args: <c@peer.test>", dump)
        # The message as sent, dot-stuffing undone by the peer (smtp-sink writes LF).
        self.assertIn(MESSAGE.replace("\r\n", "\n"), dump)

    def test_several_messages_go_over_one_connection(self):
        # -n 2: smtp-sink serves the probe and one more session, then exits; five
        # messages delivered means they shared the connection.
        self.sink.close()
        self.sink = Sink(options=["-n", "2"])
        results, conn, _ = send(hostargs(self.sink) + ENVELOPE + ["--messages", "5"])
        self.assertEqual([r["message"] for r in results], [1, 2, 3, 4, 5])
        self.assertTrue(all(r["delivery"] == "delivered" for r in results), results)
        self.assertEqual(conn["transactions"], 5)
        self.assertEqual(conn["attempts"], [])
        self.assertEqual(len(self.sink.wait_for(5)), 5)

    def test_large_message_arrives_whole(self):
        body = "".join(f"line {i:07d} " + "x" * 60 + "\r\n" for i in range(80000))  # ~6 MB
        message = MESSAGE.split("\r\n\r\n")[0] + "\r\n\r\n" + body
        results, conn, _ = send(hostargs(self.sink) + ENVELOPE, message=message)
        self.assertEqual(results[0]["delivery"], "delivered", results)
        [dump] = self.sink.wait_for(1)
        self.assertIn(body.replace("\r\n", "\n"), dump)

    def test_8bit_message_is_downgraded_for_a_peer_without_8bitmime(self):
        self.sink.close()
        self.sink = Sink(options=["-8"])
        message = MESSAGE.replace("Subject: outbound connection test\r\n",
                                  "Subject: test\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                  "Content-Transfer-Encoding: 8bit\r\n")
        message = message.replace("first line", "premi\u00e8re ligne")
        results, conn, _ = send(hostargs(self.sink) + ENVELOPE, message=message)
        self.assertEqual(results[0]["delivery"], "delivered", results)
        self.assertTrue(results[0]["downgraded"])
        [dump] = self.sink.wait_for(1)
        self.assertNotIn("BODY=8BITMIME", dump)
        self.assertIn("Content-Transfer-Encoding: quoted-printable", dump)
        self.assertIn("premi=C3=A8re ligne", dump)


class SinkRefusalTest(unittest.TestCase):
    """Refusals: results per recipient, or the next address for the connection."""

    def test_4xx_to_rcpt_defers_with_the_reply(self):
        sink = Sink(options=["-r", "RCPT"])
        try:
            results, conn, _ = send(hostargs(sink) + ENVELOPE)
        finally:
            sink.close()
        [r] = results
        self.assertEqual((r["delivery"], r["code"], r["enhanced"], r["stage"], r["remote"]),
                         ("deferred", 450, "4.3.0", "rcpt", True))
        self.assertIn("Error: command failed", r["text"])
        self.assertIsNone(conn["failure"])

    def test_5xx_to_rcpt_bounces_with_the_reply(self):
        sink = Sink(options=["-f", "RCPT"])
        try:
            results, conn, _ = send(hostargs(sink) + ENVELOPE + ["--to", "c@peer.test"])
        finally:
            sink.close()
        self.assertEqual([(r["delivery"], r["code"], r["enhanced"], r["stage"]) for r in results],
                         [("bounced", 500, "5.3.0", "rcpt")] * 2)
        self.assertIn("Error: command failed", results[0]["text"])

    def test_refused_first_address_sends_to_the_second_host(self):
        # 127.0.0.1:PORT has nothing listening; the sink listens on 127.0.0.2:PORT.
        sink = Sink(host="127.0.0.2")
        try:
            results, conn, _ = send(["--host", "mx1.peer.test=127.0.0.1",
                                     "--host", "mx2.peer.test=127.0.0.2",
                                     "--port", str(sink.port)] + ENVELOPE)
            self.assertEqual(len(sink.wait_for(1)), 1)
        finally:
            sink.close()
        self.assertEqual(results[0]["delivery"], "delivered")
        self.assertEqual(results[0]["relay"], f"mx2.peer.test[127.0.0.2]:{sink.port}")
        [attempt] = conn["attempts"]
        self.assertEqual(attempt["phase"], "connect")
        self.assertEqual(attempt["relay"], f"mx1.peer.test[127.0.0.1]:{sink.port}")
        self.assertIn("Connection refused", attempt["text"])
        self.assertEqual(attempt["enhanced"], "4.4.1")

    def test_5xx_greeting_moves_to_the_next_address(self):
        port = free_port("127.0.0.2")
        bad = Sink(host="127.0.0.1", port=port, options=["-f", "CONNECT"])
        good = Sink(host="127.0.0.2", port=port)
        try:
            results, conn, _ = send(["--host", "127.0.0.1,127.0.0.2", "--port", str(port)] +
                                    ENVELOPE)
        finally:
            bad.close()
            good.close()
        self.assertEqual(results[0]["delivery"], "delivered")
        [attempt] = conn["attempts"]
        self.assertEqual((attempt["phase"], attempt["code"], attempt["permanent"],
                          attempt["remote"]), ("greeting", 500, True, True))

    def test_every_address_failing_is_a_connection_failure(self):
        port = free_port("127.0.0.2")
        results, conn, _ = send(["--host", "127.0.0.1", "--host", "127.0.0.2",
                                 "--port", str(port)] + ENVELOPE)
        self.assertEqual(results, [])  # no transaction: the engine keeps the message
        self.assertFalse(conn["connected"])
        self.assertEqual(len(conn["attempts"]), 2)
        self.assertEqual(conn["failure"], conn["attempts"][-1])
        self.assertEqual(conn["failure"]["relay"], f"127.0.0.2[127.0.0.2]:{port}")
        self.assertFalse(conn["failure"]["permanent"])

    def test_peer_that_never_greets_times_out(self):
        silent = PeerServer(greet=False)
        try:
            t0 = time.time()
            results, conn, err = send(hostargs(silent) + ENVELOPE + ["--timeout", "1"])
            elapsed = time.time() - t0
        finally:
            silent.close()
        self.assertEqual(results, [])
        self.assertEqual(conn["failure"]["phase"], "greeting")
        self.assertIn("timed out", conn["failure"]["text"])
        self.assertLess(elapsed, 10)


class SinkMidConversationTest(unittest.TestCase):
    """Failures after a transaction started: the recipients wait, no other address is
    tried (the engine schedules the message again)."""

    def test_timeout_waiting_for_the_end_of_data_defers(self):
        sink = Sink(options=["-W", ".:4"])  # 4 s before answering the final "."
        try:
            results, conn, _ = send(hostargs(sink) + ["--host", "127.0.0.2"] + ENVELOPE +
                                    ["--timeout", "1"])
        finally:
            sink.close()
        [r] = results
        self.assertEqual((r["delivery"], r["stage"], r["enhanced"]),
                         ("deferred", "connection", "4.4.2"))
        self.assertIn("timed out in phase data-done", r["text"])
        self.assertEqual(conn["failure"]["phase"], "data-done")
        self.assertEqual(conn["attempts"], [])  # 127.0.0.2 was not tried
        self.assertEqual(conn["transactions"], 1)

    def test_421_to_rcpt_defers_and_ends_the_connection(self):
        sink = Sink(options=["-Q", "RCPT"])
        try:
            results, conn, _ = send(hostargs(sink) + ENVELOPE + ["--messages", "3"])
        finally:
            sink.close()
        self.assertEqual([(r["message"], r["delivery"], r["code"]) for r in results],
                         [(1, "deferred", 421)])
        self.assertEqual((conn["failure"]["code"], conn["failure"]["remote"]), (421, True))

    def test_cancel_during_data_defers_the_open_transaction(self):
        sink = Sink(options=["-w", "3"])  # 3 s before answering DATA
        try:
            t0 = time.time()
            results, conn, _ = send(hostargs(sink) + ENVELOPE + ["--cancel-ms", "500"])
            elapsed = time.time() - t0
        finally:
            sink.close()
        [r] = results
        self.assertEqual((r["delivery"], r["stage"]), ("deferred", "connection"))
        self.assertIn("closed locally", r["text"])
        self.assertTrue(conn["cancelled"])
        self.assertLess(elapsed, 2.5)

    def test_a_50_mb_message_never_sits_in_memory(self):
        sink = Sink(dump=False)
        path = tempfile.mktemp(suffix=".eml")
        try:
            with open(path, "wb") as f:
                f.write(MESSAGE.split("\r\n\r\n")[0].encode() + b"\r\n\r\n")
                line = b"y" * 78 + b"\r\n"
                for _ in range(50 * 1024 * 1024 // len(line)):
                    f.write(line)
            p = subprocess.run([OUTBOUND_SEND] + hostargs(sink) + ENVELOPE + [path],
                               capture_output=True, timeout=120)
        finally:
            sink.close()
            os.unlink(path)
        lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
        self.assertEqual(lines[0]["delivery"], "delivered", lines)
        # The message is 50 MB; the connection buffers about 256 KB of it. The tool's peak
        # RSS (KiB) is mostly its libraries.
        self.assertLess(lines[-1]["vm_hwm_kb"], 20 * 1024)


class PipeliningTest(unittest.TestCase):
    def test_mail_rcpt_and_data_travel_together_when_pipelining_is_offered(self):
        peer = PeerServer(pipelining=True)
        try:
            results, _, _ = send(hostargs(peer) + ENVELOPE + ["--to", "c@peer.test"])
        finally:
            peer.close()
        self.assertTrue(all(r["delivery"] == "delivered" for r in results), results)
        [session] = peer.sessions
        group = [c for c in session["chunks"] if c.startswith(b"MAIL FROM")]
        self.assertEqual(group, [b"MAIL FROM:<a@client.test> SIZE=%d\r\n"
                                 b"RCPT TO:<b@peer.test>\r\nRCPT TO:<c@peer.test>\r\nDATA\r\n"
                                 % len(MESSAGE.encode())])

    def test_commands_wait_for_replies_without_pipelining(self):
        peer = PeerServer(pipelining=False)
        try:
            results, _, _ = send(hostargs(peer) + ENVELOPE + ["--to", "c@peer.test"])
        finally:
            peer.close()
        self.assertTrue(all(r["delivery"] == "delivered" for r in results), results)
        chunks = peer.sessions[0]["chunks"]
        self.assertIn(b"RCPT TO:<b@peer.test>\r\n", chunks)
        self.assertIn(b"DATA\r\n", chunks)


class StartTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        cls.key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=mx.peer.test", "-addext", "subjectAltName=DNS:mx.peer.test",
                        "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def test_opportunistic_tls_is_used_and_reported(self):
        peer = PeerServer(starttls=self.context())
        try:
            results, conn, err = send(hostargs(peer, "mx.peer.test") + ENVELOPE +
                                      ["--tls", "may", "--messages", "2"])
        finally:
            peer.close()
        self.assertEqual([r["delivery"] for r in results], ["delivered"] * 2, results)
        for r in results:
            self.assertEqual(r["tls"]["version"], "TLSv1.2")
            self.assertTrue(r["tls"]["cipher"])
            self.assertEqual(r["tls"]["server_name"], "mx.peer.test")
        self.assertEqual(conn["tls"]["version"], "TLSv1.2")
        self.assertEqual(conn["tls_discarded_bytes"], 0)
        [session] = peer.sessions
        self.assertTrue(session["tls"])
        # EHLO again after TLS (RFC 3207 §4.2), then the transactions, all inside TLS.
        verbs = [c.split(" ")[0] for c in session["commands"]]
        self.assertEqual(verbs[:3], ["EHLO", "STARTTLS", "EHLO"])
        self.assertEqual(len(session["transactions"]), 2)
        self.assertEqual(session["transactions"][0]["data"], MESSAGE.encode())
        self.assertIn("TLS connection established", err)

    def test_a_large_message_arrives_whole_over_tls(self):
        body = "".join(f"line {i:07d} " + "z" * 60 + "\r\n" for i in range(40000))  # ~3 MB
        message = MESSAGE.split("\r\n\r\n")[0] + "\r\n\r\n" + body
        peer = PeerServer(starttls=self.context())
        try:
            results, _, _ = send(hostargs(peer, "mx.peer.test") + ENVELOPE + ["--tls", "require"],
                                 message=message)
        finally:
            peer.close()
        self.assertEqual(results[0]["delivery"], "delivered", results)
        self.assertEqual(peer.sessions[0]["transactions"][0]["data"], message.encode())

    def test_verified_tls_with_the_peer_certificate_as_ca(self):
        peer = PeerServer(starttls=self.context())
        try:
            results, conn, _ = send(hostargs(peer, "mx.peer.test") + ENVELOPE +
                                    ["--tls", "require", "--verify", "require", "--ca", self.cert])
        finally:
            peer.close()
        self.assertEqual(results[0]["delivery"], "delivered", results)
        self.assertTrue(results[0]["tls"]["peer_verified"])

    def test_bytes_injected_after_the_220_are_discarded(self):
        injected = b"250 2.1.0 Ok (injected)\r\n"
        peer = PeerServer(starttls=self.context(), inject=injected)
        try:
            results, conn, err = send(hostargs(peer, "mx.peer.test") + ENVELOPE + ["--tls", "may"])
        finally:
            peer.close()
        # The injected reply was never read as one: the delivery went on inside TLS.
        self.assertEqual(results[0]["delivery"], "delivered", results)
        self.assertEqual(results[0]["tls"]["version"], "TLSv1.2")
        self.assertEqual(conn["tls_discarded_bytes"], len(injected))
        self.assertIn(f"discarded {len(injected)} bytes", err)

    def test_required_tls_without_starttls_fails_every_address(self):
        peer = PeerServer(starttls=None)
        try:
            results, conn, _ = send(hostargs(peer) + ENVELOPE + ["--tls", "require"])
        finally:
            peer.close()
        self.assertEqual(results, [])
        self.assertEqual(conn["failure"]["phase"], "ehlo")
        self.assertEqual(conn["failure"]["enhanced"], "4.7.4")
        self.assertEqual(peer.sessions[0]["transactions"], [])

    def test_broken_handshake_with_opportunistic_tls_retries_in_plain_text(self):
        peer = PeerServer(starttls=self.context(), broken_tls=True)
        try:
            results, conn, _ = send(hostargs(peer) + ENVELOPE + ["--tls", "may"])
        finally:
            peer.close()
        self.assertEqual(results[0]["delivery"], "delivered", results)
        self.assertIsNone(results[0]["tls"])
        [attempt] = conn["attempts"]
        self.assertEqual(attempt["phase"], "tls-handshake")
        self.assertEqual(len(peer.sessions), 2)
        self.assertNotIn("STARTTLS", peer.sessions[1]["commands"])

    def test_broken_handshake_with_required_tls_fails(self):
        peer = PeerServer(starttls=self.context(), broken_tls=True)
        try:
            results, conn, _ = send(hostargs(peer) + ENVELOPE + ["--tls", "require"])
        finally:
            peer.close()
        self.assertEqual(results, [])
        self.assertEqual(conn["failure"]["phase"], "tls-handshake")
        self.assertEqual(len(peer.sessions), 1)


class CancelAndIdleTest(unittest.TestCase):
    def test_cancel_quits_after_the_current_message(self):
        sink = Sink()
        try:
            results, conn, _ = send(hostargs(sink) + ENVELOPE +
                                    ["--messages", "5", "--cancel-after", "2"])
            self.assertEqual(len(sink.wait_for(2)), 2)
        finally:
            sink.close()
        self.assertEqual([r["message"] for r in results], [1, 2])
        self.assertTrue(conn["cancelled"])
        self.assertIsNone(conn["failure"])

    def test_wake_sends_new_messages_over_the_idle_connection(self):
        sink = Sink(options=["-n", "2"])  # the probe and one session
        try:
            t0 = time.time()
            results, conn, _ = send(hostargs(sink) + ENVELOPE +
                                    ["--messages", "3", "--idle", "5", "--wake-ms", "300"])
            elapsed = time.time() - t0
        finally:
            sink.close()
        self.assertEqual([(r["message"], r["delivery"]) for r in results],
                         [(1, "delivered"), (2, "delivered"), (3, "delivered")])
        # Without wake() the held messages would never go: after the 5 s idle limit the
        # connection QUITs. With it, they go at once, then the idle limit runs once more.
        self.assertEqual(conn["attempts"], [])
        self.assertEqual(conn["transactions"], 3)
        self.assertLess(elapsed, 9)

    def test_idle_connection_waits_before_quit(self):
        sink = Sink()
        try:
            t0 = time.time()
            results, conn, _ = send(hostargs(sink) + ENVELOPE + ["--idle", "1"])
            elapsed = time.time() - t0
        finally:
            sink.close()
        self.assertEqual(results[0]["delivery"], "delivered")
        self.assertIsNone(conn["failure"])
        self.assertGreaterEqual(elapsed, 1.0)


if __name__ == "__main__":
    unittest.main()
