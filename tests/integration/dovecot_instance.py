"""A private Dovecot IMAP server on a loopback port, for tests that use it as a reference.

Debian's dovecot-imapd runs from a throwaway configuration in a temporary directory
(base_dir, state_dir, the log, the maildirs); the system's Dovecot service and
/etc/dovecot are never used. One user, `oracle`, password `oracle-Secret-1`, with a
passwd-file passdb and a static userdb, mail in maildir:TMP/mail/oracle. No TLS
(ssl = no; plaintext LOGIN is allowed on loopback).

Dovecot refuses mail processes with uid 0, so as root the mail belongs to the `dovecot`
system user (its own internal user; dovenull runs the login processes); otherwise
everything runs as the current user. The temporary directory is made world-readable
so that the unprivileged login processes reach their sockets in base_dir.
The process runs in the foreground (`dovecot -F`) with TZ=UTC, so that internal dates and
date searches use the same day boundaries as MailFountain's sessions (UTC by default).
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

DOVECOT = shutil.which("dovecot", path="/usr/sbin:/usr/bin:/sbin:/bin") or "/usr/sbin/dovecot"

USER = "oracle"
PASSWORD = "oracle-Secret-1"


def free_port():
    """A loopback port that was free a moment ago (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One Dovecot instance; `start()` returns once it accepts IMAP connections on `port`.
    `cleanups` is a test's or class's addCleanup, which removes the directory."""

    def __init__(self, cleanups):
        if not os.access(DOVECOT, os.X_OK):
            raise AssertionError(f"dovecot not found ({DOVECOT}): install dovecot-imapd")
        self.root = tempfile.mkdtemp(prefix="dovecot-oracle-")
        cleanups(shutil.rmtree, self.root, True)
        os.chmod(self.root, 0o755)
        self.port = None
        self.proc = None
        self.conf = os.path.join(self.root, "dovecot.conf")
        self.log_path = os.path.join(self.root, "dovecot.log")

    def _users(self):
        """(internal user, login user, mail uid, mail gid)."""
        if os.getuid() == 0:
            internal = pwd.getpwnam("dovecot")
            return "dovecot", "dovenull", internal.pw_uid, internal.pw_gid
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid

    def _write_config(self):
        internal, login, uid, gid = self._users()
        for sub in ("mail", "home"):
            path = os.path.join(self.root, sub)
            os.makedirs(path, exist_ok=True)
            os.chown(path, uid, gid)
        with open(os.path.join(self.root, "passwd"), "w") as f:
            f.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        r = self.root
        with open(self.conf, "w") as f:
            f.write(f"""# throwaway configuration written by tests/integration/dovecot_instance.py
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{r}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {r}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")

    def start(self, timeout=20):
        last = None
        for _ in range(3):  # the port picked may be taken before Dovecot binds it
            self.port = free_port()
            self._write_config()
            env = dict(os.environ, TZ="UTC")
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf], env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                        if s.recv(100).startswith(b"* OK"):
                            return self
                except OSError as e:
                    last = e
                time.sleep(0.05)
            self.stop()
        raise AssertionError(f"dovecot did not start ({last}):\n{self.log()}")

    def log(self):
        out = ""
        if self.proc and self.proc.stdout and self.proc.poll() is not None:
            out = self.proc.stdout.read().decode("utf-8", "replace")
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                out += f.read()
        except OSError:
            pass
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
