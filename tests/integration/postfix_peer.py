"""A private Postfix instance for the integration tests: a real MTA as mailfountaind's peer.

Each instance has its own configuration directory, queue, log file and loopback port under
a temporary directory, started with `postfix -c DIR start`; the system's Postfix (installed
by scripts/bootstrap with debconf's "No configuration") is never configured or started.
Postfix's master runs as root and drops to the `postfix` user, so this needs root.

Postfix's commands print their errors only to a terminal (otherwise to the mail log), so
they run under `script` to get them on a pseudo-terminal, and a failure shows the reason.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostfixPeer:
    """Postfix on 127.0.0.1:`port`, relaying to the `routes` given as {domain: "host:port"}.

    Mail for other domains is refused by the `error` transport, so the instance never looks
    anything up in the DNS (bounces to outside senders fail at once instead of waiting)."""

    def __init__(self, routes, tls="may", extra_main_cf=""):
        if os.geteuid() != 0:
            raise RuntimeError("a private Postfix instance needs root (its master runs as root)")
        if not shutil.which("postfix"):
            raise RuntimeError("postfix is missing: run scripts/bootstrap")
        self.root = tempfile.mkdtemp(prefix="mf-postfix-")
        os.chmod(self.root, 0o755)  # the postfix user reaches its queue through it
        self.etc = os.path.join(self.root, "etc")
        self.queue = os.path.join(self.root, "spool")
        self.data = os.path.join(self.root, "data")
        self.logfile = os.path.join(self.root, "postfix.log")
        for d in (self.etc, self.queue, self.data):
            os.makedirs(d)
        shutil.chown(self.data, "postfix")
        self.port = free_port()
        self._write_master_cf()
        with open(os.path.join(self.etc, "transport"), "w") as f:
            for domain, where in routes.items():
                host, port = where.rsplit(":", 1)
                f.write(f"{domain} smtp:[{host}]:{port}\n")
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = peer.postfix.test
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_recipient_restrictions = permit_mynetworks, reject
transport_maps = texthash:{self.etc}/transport
default_transport = error:outside the test network
smtp_tls_security_level = {tls}
smtp_tls_loglevel = 1
maillog_file = {self.logfile}
maillog_file_prefixes = {self.root}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
{extra_main_cf}
""")
        self.started = False

    def _write_master_cf(self):
        # Debian's master.cf, with smtpd on our port instead of 25 and no chroot (the
        # chroot would need a copy of /etc files inside the private queue directory).
        lines = []
        with open("/etc/postfix/master.cf") as f:
            for line in f:
                if re.match(r"^smtp\s+inet\s", line):
                    line = f"127.0.0.1:{self.port} inet n - n - - smtpd\n"
                else:
                    line = re.sub(r"^([a-z]+\s+(unix|inet|fifo|pass|unix-dgram)\s+\S+\s+\S+)\s+\S+",
                                  r"\1 n", line)
                lines.append(line)
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.writelines(lines)

    def _postfix(self, *args):
        cmd = " ".join(["postfix", "-c", self.etc, *args])
        out = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {out.stdout.strip()} {self.log()[-2000:]}")
        return out.stdout

    def start(self):
        self._postfix("check")
        self._postfix("start")
        self.started = True
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Postfix did not listen on {self.port}: {self.log()[-2000:]}")

    def stop(self):
        if self.started:
            try:
                self._postfix("stop")
            finally:
                self.started = False

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=120):
        """Waits until the mail log has a line matching `pattern`; returns the match."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.log(), re.MULTILINE)
            if m:
                return m
            time.sleep(0.2)
        raise AssertionError(f"no log line matching {pattern!r} in {timeout} s:\n"
                             + self.log()[-4000:])

    def queue_ids_of(self, message_id):
        """Postfix queue IDs of the message with this Message-ID (cleanup logs them)."""
        return re.findall(r"\b([0-9A-F]{6,}): message-id=<" + re.escape(message_id) + ">",
                          self.log())
