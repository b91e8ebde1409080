"""The two servers under test, each on a loopback IMAPS port with the same certificate and
the same yescrypt password hash: mailfountaind on a fresh data directory, and a private
Dovecot (its own configuration, base_dir and maildirs under the scratch directory; the
system's service and /etc/dovecot are never used)."""

import os
import pwd
import re
import signal
import socket
import subprocess
import time

USER = "bench@ma-societe.fr"
PASSWORD = "bench-User-pw-1"


def make_certificate(directory):
    """A self-signed RSA-2048 pair (openssl req), served by both servers."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                    "-days", "30", "-subj", "/CN=imap.bench.test", "-keyout", key,
                    "-out", cert], check=True, capture_output=True)
    os.chmod(key, 0o644)  # Dovecot's config process reads it as root; nothing secret here
    return cert, key


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pss_kb(pid):
    """Proportional set size of one process, KB (smaps_rollup)."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Pss for {pid}")


def descendants(root):
    """root and every process below it."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def tree_pss_kb(root):
    """(sum of Pss over root's process tree in KB, number of processes)."""
    total, count = 0, 0
    for pid in descendants(root):
        try:
            total += pss_kb(pid)
            count += 1
        except (OSError, RuntimeError):
            pass  # exited meanwhile
    return total, count


class MailFountain:
    name = "MailFountain"

    def __init__(self, mailfountaind, mfctl, scratch, cert, key):
        self.bin, self.mfctl = mailfountaind, mfctl
        self.dir = os.path.join(scratch, "mailfountain")
        self.data = os.path.join(self.dir, "data")
        self.cert, self.key = cert, key
        self.proc = None
        self.port = None

    def setup(self):
        """Data directory with one account (the default yescrypt cost: the daemon would
        rehash a cheaper hash at the first login). Returns the stored hash."""
        os.makedirs(self.dir)
        run = lambda *a, stdin="": subprocess.run(  # noqa: E731
            [self.mfctl, "--data", self.data, *a], input=stdin, text=True, check=True,
            capture_output=True)
        run("--password-cost", "1", "init", "--admin", "admin", stdin="bench-Admin-pw-1\n")
        run("domain", "add", "ma-societe.fr")
        run("user", "add", USER, "--name", "Bench", stdin=PASSWORD + "\n")
        return self.stored_hash()

    def stored_hash(self):
        """The account's yescrypt hash, read from the LMDB files with mdb_dump."""
        hashes = set()
        for root, _, files in os.walk(self.data):
            if "data.mdb" not in files:
                continue
            dump = subprocess.run(["mdb_dump", "-a", "-p", root], capture_output=True,
                                  check=False).stdout
            hashes.update(re.findall(rb"\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}",
                                     dump))
        if len(hashes) != 2:  # the administrator's (cost 1) and the account's (cost 5)
            raise RuntimeError(f"expected two yescrypt hashes in {self.data}, found {hashes}")
        account = [h for h in hashes if h.startswith(b"$y$j9T$")]
        if len(account) != 1:
            raise RuntimeError(f"no cost-5 yescrypt hash among {hashes}")
        return account[0].decode()

    def start(self):
        conf = os.path.join(self.dir, "mailfountaind.toml")
        with open(conf, "w") as f:
            f.write(f"""[limits]
max_connections = 20000
max_connections_per_address = 20000
[imap]
max_connections_per_address = 20000
[tls]
cert_file = "{self.cert}"
key_file = "{self.key}"
""")
        self.out = open(os.path.join(self.dir, "mf.out"), "w+")
        self.log = open(os.path.join(self.dir, "mf.log"), "w")
        self.proc = subprocess.Popen([self.bin, "--data", self.data, "--config", conf,
                                      "--listen", "imaps=127.0.0.1:0"],
                                     stdout=self.out, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            self.out.seek(0)
            text = self.out.read()
            if "\nready" in "\n" + text:
                self.port = int(re.search(r"listening: imaps \S+:(\d+)", text).group(1))
                return
            time.sleep(0.1)
        raise RuntimeError(f"mailfountaind did not start; see {self.dir}/mf.log")

    def pss(self):
        """(Pss KB, processes)."""
        return pss_kb(self.proc.pid), 1

    def pids(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Dovecot:
    name = "Dovecot"

    def __init__(self, scratch, cert, key, stored_hash):
        self.dir = os.path.join(scratch, "dovecot")
        self.cert, self.key, self.hash = cert, key, stored_hash
        self.proc = None
        self.port = None

    def _write_config(self):
        r = self.dir
        if os.getuid() == 0:  # Dovecot refuses mail processes with uid 0
            internal, login = "dovecot", "dovenull"
            uid, gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
        else:
            me = pwd.getpwuid(os.getuid())
            internal = login = me.pw_name
            uid, gid = me.pw_uid, me.pw_gid
        for sub in ("mail", "home"):
            os.makedirs(os.path.join(r, sub), exist_ok=True)
            os.chown(os.path.join(r, sub), uid, gid)
        with open(os.path.join(r, "passwd"), "w") as f:
            f.write(f"{USER}:{{CRYPT}}{self.hash}\n")
        with open(os.path.join(r, "dovecot.conf"), "w") as f:
            f.write(f"""# written by bench/imap/servers.py
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = yes
auth_mechanisms = plain
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
default_client_limit = 5000
default_process_limit = 2000
mail_location = maildir:{r}/mail/%u
passdb {{
  driver = passwd-file
  args = {r}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={r}/home/%u
}}
protocol imap {{
  mail_max_userip_connections = 5000
}}
# High-performance login mode: login processes serve many connections each.
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
    ssl = yes
  }}
  service_count = 0
  process_min_avail = 2
}}
""")

    def setup(self):
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)

    def start(self):
        for _ in range(3):  # the port picked may be taken before Dovecot binds it
            self.port = free_port()
            self._write_config()
            self.proc = subprocess.Popen(["dovecot", "-F", "-c",
                                          os.path.join(self.dir, "dovecot.conf")],
                                         env=dict(os.environ, TZ="UTC"),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                        time.sleep(0.5)  # let process_min_avail's logins come up
                        return
                except OSError:
                    time.sleep(0.1)
            self.stop()
        raise RuntimeError(f"dovecot did not start; see {self.dir}/dovecot.log")

    def pss(self):
        return tree_pss_kb(self.proc.pid)

    def pids(self):
        return descendants(self.proc.pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def version(binary):
    return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
