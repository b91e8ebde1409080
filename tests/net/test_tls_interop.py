#!/usr/bin/python3
"""Interoperability of libmailfountain's TLS glue (net/) with real TLS stacks.

Drives tests/net/tls_echo_server (path in the TLS_ECHO_SERVER environment variable) with
Python's ssl module and `openssl s_client` (both OpenSSL 3 on Debian 12), and with
and, by hand (class TestsslScan, see below), with testssl.sh:
  - TLS 1.2 is negotiated; TLS 1.0 and 1.1 are refused (our minimum is 1.2);
  - the strict profile negotiates an AEAD suite and refuses CBC-only clients; the MX
    profile accepts them;
  - STARTTLS: plaintext pipelined after the command is never echoed inside TLS.
"""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

SERVER = os.environ.get("TLS_ECHO_SERVER", "")


class EchoServer:
    """One tls_echo_server process, its port and its stderr."""

    def __init__(self, mode, profile="strict"):
        self.dir = tempfile.mkdtemp(prefix="mf-tls-")
        self.errpath = os.path.join(self.dir, "stderr")
        self.err = open(self.errpath, "w")
        self.proc = subprocess.Popen(
            [SERVER, "--mode", mode, "--profile", profile, "--dir", self.dir],
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        self.proc.stdout.close()
        if not line:
            raise RuntimeError("tls_echo_server did not start: " + self.stderr())
        self.port = int(line)

    def stderr(self):
        self.err.flush()
        with open(self.errpath) as f:
            return f.read()

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.err.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def client_context(maximum=ssl.TLSVersion.TLSv1_2, minimum=ssl.TLSVersion.TLSv1,
                   ciphers="DEFAULT:@SECLEVEL=0"):
    """A client that would accept anything we might wrongly offer: OpenSSL 3's default
    security level forbids TLS 1.0/1.1 locally, so it is lowered to 0 to test our side."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = minimum
    ctx.maximum_version = maximum
    ctx.set_ciphers(ciphers)
    return ctx


def read_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


class ServerCase(unittest.TestCase):
    mode = "implicit"
    profile = "strict"

    def setUp(self):
        self.server = EchoServer(self.mode, self.profile)

    def tearDown(self):
        self.server.close()

    def tls_connect(self, ctx):
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        return ctx.wrap_socket(raw, server_hostname="localhost")


class StrictImplicitTest(ServerCase):
    def test_tls12_aead_and_echo(self):
        with self.tls_connect(client_context()) as s:
            self.assertEqual(s.version(), "TLSv1.2")
            name, _, _ = s.cipher()
            self.assertTrue("GCM" in name or "CHACHA20" in name, name)
            self.assertTrue(name.startswith("ECDHE-"), name)
            s.sendall(b"hello over tls\r\n")
            self.assertEqual(read_line(s), b"hello over tls\r\n")
            big = os.urandom(300000).hex().encode() + b"\r\n"
            s.sendall(big)
            got = b""
            while len(got) < len(big):
                chunk = s.recv(65536)
                self.assertTrue(chunk, "connection closed early")
                got += chunk
            self.assertEqual(got, big)

    def test_tls10_and_tls11_refused(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.subTest(version=version):
                ctx = client_context(maximum=version, minimum=version)
                with self.assertRaises((ssl.SSLError, ConnectionError)):
                    self.tls_connect(ctx).close()

    def test_cbc_only_client_refused(self):
        ctx = client_context(ciphers="ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:"
                                     "ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0")
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            self.tls_connect(ctx).close()

    def test_openssl_s_client(self):
        # s_client ends the session when its input ends, so the echo is awaited before that.
        proc = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}", "-brief",
             "-crlf", "-servername", "localhost"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            proc.stdin.write("echo me\n")
            proc.stdin.flush()
            self.assertEqual(proc.stdout.readline(), "echo me\n")
            proc.stdin.close()
            proc.wait(timeout=30)
            text = proc.stderr.read()
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.assertIn("Protocol version: TLSv1.2", text)
        self.assertIn("Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384", text)
        self.assertIn("sni=localhost", self.server.stderr())

    def test_openssl_s_client_tls11_refused(self):
        out = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.server.port}", "-brief",
             "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
            input="", capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("Protocol version", out.stdout + out.stderr)


class MxImplicitTest(ServerCase):
    profile = "mx"

    def test_cbc_only_client_accepted(self):
        ctx = client_context(ciphers="ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0")
        with self.tls_connect(ctx) as s:
            self.assertEqual(s.version(), "TLSv1.2")
            self.assertEqual(s.cipher()[0], "ECDHE-ECDSA-AES128-SHA256")
            s.sendall(b"cbc\r\n")
            self.assertEqual(read_line(s), b"cbc\r\n")

    def test_tls11_still_refused(self):
        ctx = client_context(maximum=ssl.TLSVersion.TLSv1_1)
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            self.tls_connect(ctx).close()


class StartTlsTest(ServerCase):
    mode = "starttls"

    def test_plaintext_pipelined_after_starttls_is_discarded(self):
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        raw.sendall(b"before\r\n")
        self.assertEqual(read_line(raw), b"before\r\n")
        # The injection: a command sent in the same segment as STARTTLS.
        raw.sendall(b"STARTTLS\r\nINJECTED\r\n")
        self.assertEqual(read_line(raw), b"220 go ahead\r\n")
        with client_context().wrap_socket(raw, server_hostname="localhost") as s:
            self.assertEqual(s.version(), "TLSv1.2")
            s.sendall(b"inside\r\n")
            self.assertEqual(read_line(s), b"inside\r\n")  # not INJECTED first
        self.assertIn("starttls: discarded 10 bytes", self.server.stderr())


# Run by hand, not by ctest (the class name does not end in "Test"): testssl.sh spends one
# to two minutes on this 2-core machine, mostly probing which service the port speaks.
#   TLS_ECHO_SERVER=build/tests/net/tls_echo_server python3 tests/net/test_tls_interop.py -v TestsslScan
@unittest.skipUnless(shutil.which("testssl"), "testssl.sh is not installed")
class TestsslScan(ServerCase):
    def test_no_protocol_below_tls12(self):
        start = time.monotonic()
        try:
            out = subprocess.run(
                ["testssl", "--protocols", "--quiet", "--color", "0", "--warnings", "off",
                 "--fast", f"127.0.0.1:{self.server.port}"],
                capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            self.fail("testssl.sh needed more than 10 minutes")
        print(f"testssl.sh --protocols: {time.monotonic() - start:.1f} s")
        text = out.stdout
        for proto in ("SSLv2", "SSLv3", "TLS 1 ", "TLS 1.1"):
            line = next((l for l in text.splitlines() if l.strip().startswith(proto)), "")
            self.assertIn("not offered", line, f"{proto}: {line!r}\n{text}")
        line = next((l for l in text.splitlines() if l.strip().startswith("TLS 1.2")), "")
        self.assertIn("offered", line)
        self.assertNotIn("not offered", line)


if __name__ == "__main__":
    if not SERVER:
        raise SystemExit("set TLS_ECHO_SERVER to the tls_echo_server binary")
    unittest.main()
