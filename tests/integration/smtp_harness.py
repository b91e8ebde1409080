"""Starts mailfountaind on loopback for the SMTP integration tests, on a data directory
holding MA SOCIETE (DEMO.md) loaded with mfctl.

Binaries come from the environment (set by ctest): MFCTL, MAILFOUNTAIND, MAILBOX_DUMP (a
test tool printing an account's messages as JSON). The daemon listens on ephemeral ports
(`--listen ROLE=127.0.0.1:0`) and prints "listening: ROLE ADDRESS:PORT" lines, then
"ready"; the harness reads them to know where to connect.
"""

import json
import os
import signal
import smtplib
import ssl
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from mfctl_harness import DataDir, DOMAIN, PEOPLE, addr, password_of  # noqa: E402

MAILFOUNTAIND = os.environ.get("MAILFOUNTAIND", "")
MAILBOX_DUMP = os.environ.get("MAILBOX_DUMP", "")


class Daemon:
    """One mailfountaind process on `data` (a DataDir) with an optional TOML config."""

    def __init__(self, data, config_text=None, roles=("smtp", "submission", "submissions")):
        self.data = data
        self.config_path = None
        if config_text is not None:
            self.config_path = os.path.join(data.root, "mailfountaind.toml")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        self.roles = roles
        self.proc = None
        self.ports = {}
        self.log_lines = []
        self._log_thread = None

    def start(self, timeout=60):
        argv = [MAILFOUNTAIND, "--data", self.data.path]
        if self.config_path:
            argv += ["--config", self.config_path]
        for role in self.roles:
            argv += ["--listen", f"{role}=127.0.0.1:0"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self._log_thread = threading.Thread(target=self._read_log, daemon=True)
        self._log_thread.start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            line = line.strip()
            if line.startswith("listening:"):
                role, where = line.split()[1:3]
                self.ports[role] = int(where.rsplit(":", 1)[1])
            if line == "ready":
                return self
        self.proc.kill()
        raise AssertionError(f"mailfountaind did not start: {self.log()}")

    def _read_log(self):
        for line in self.proc.stderr:
            self.log_lines.append(line.rstrip("\n"))

    def log(self):
        time.sleep(0.1)
        return "\n".join(self.log_lines)

    def wait_for_log(self, fragment, timeout=30):
        """The first log line containing `fragment`, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.log_lines):
                if fragment in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no log line with {fragment!r} within {timeout}s:\n{self.log()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    # ---- clients ----

    def smtp(self):
        return smtplib.SMTP("127.0.0.1", self.ports["smtp"], local_hostname="client.example",
                            timeout=30)

    def submission(self, login=None, password=None):
        s = smtplib.SMTP("127.0.0.1", self.ports["submission"], local_hostname="client.example",
                         timeout=30)
        s.starttls(context=client_tls_context())
        if login:
            s.login(login, password)
        return s

    def submissions(self, login=None, password=None):
        s = smtplib.SMTP_SSL("127.0.0.1", self.ports["submissions"],
                             local_hostname="client.example", timeout=30,
                             context=client_tls_context())
        if login:
            s.login(login, password)
        return s


def client_tls_context():
    """The daemon's certificate is self-signed: the tests check the TLS, not the chain."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def mailbox(data, account):
    """{folder: [message dict]} of `account`, read from the store by MAILBOX_DUMP."""
    out = subprocess.run([MAILBOX_DUMP, data.path, account], capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"mailbox_dump failed: {out.stderr}")
    return json.loads(out.stdout)


def inbox_texts(data, account):
    return [m["text"] for m in mailbox(data, account)["INBOX"]]


def message(sender, to, subject, body="Bonjour.\r\n", extra=""):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n{extra}\r\n{body}")


class DaemonTestCase(unittest.TestCase):
    """A test class with one daemon on a copy of the demo data directory.

    CONFIG is the TOML configuration text (None: no file); ROLES the listeners."""

    CONFIG = None
    ROLES = ("smtp", "submission", "submissions")

    @classmethod
    def setUpClass(cls):
        for name, path in (("MFCTL", os.environ.get("MFCTL", "")),
                           ("MAILFOUNTAIND", MAILFOUNTAIND), ("MAILBOX_DUMP", MAILBOX_DUMP)):
            if not path or not os.access(path, os.X_OK):
                # A failure, not a skip: under ctest a skipped class would pass unseen.
                raise AssertionError(f"set {name} to its binary (got {path!r})")
        cls.data = DataDir.fresh(cls.addClassCleanup)
        cls.data.load_demo()
        cls.daemon = Daemon(cls.data, cls.CONFIG, cls.ROLES).start()
        cls.addClassCleanup(cls.daemon.kill)

    def wait_for_log(self, fragment, timeout=30):
        return self.daemon.wait_for_log(fragment, timeout)

    def assertDelivered(self, account, count, *fragments):
        texts = inbox_texts(self.data, addr(account) if "@" not in account else account)
        matching = [t for t in texts if all(f in t for f in fragments)]
        self.assertEqual(len(matching), count,
                         f"{account}: expected {count} message(s) with {fragments}, "
                         f"inbox has {len(texts)}:\n" + "\n----\n".join(texts)[:4000])
        return matching
