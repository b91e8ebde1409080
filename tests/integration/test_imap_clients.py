"""Real IMAP clients against mailfountaind: isync's mbsync and curl.

mbsync (isync 1.4) syncs luc.petit's INBOX over imaps with a Maildir in a temporary
directory, from a throwaway configuration file (`mbsync -c FILE`), trusting the daemon's
self-signed certificate through CertificateFile: mail delivered over SMTP comes down,
a message added and a flag set in the Maildir go up, and a sync with nothing changed
transfers nothing. curl lists folders and fetches a message over imaps and over imap with
STARTTLS, and a wrong password is refused with curl's "login denied" (exit code 67).

Binaries come from the environment as in smtp_harness.py (MFCTL, MAILFOUNTAIND,
MAILBOX_DUMP).
"""

import glob
import imaplib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import DaemonTestCase, addr, client_tls_context, message, password_of  # noqa

LOGIN = addr("luc.petit")
PASSWORD = password_of("luc.petit")


def tool(name):
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin")
    if not path:
        # A failure, not a skip: under ctest a skipped class would pass unseen.
        raise AssertionError(f"{name} not found: run scripts/bootstrap")
    return path


class ImapClientTestCase(DaemonTestCase):
    """A daemon on the demo data listening for SMTP (to deliver), imap (STARTTLS) and
    imaps."""

    ROLES = ("smtp", "imap", "imaps")

    def imaps(self):
        """An imaplib client logged in as luc.petit over imaps."""
        client = imaplib.IMAP4_SSL("127.0.0.1", self.daemon.ports["imaps"],
                                   ssl_context=client_tls_context(), timeout=30)
        self.addCleanup(client.logout)
        client.login(LOGIN, PASSWORD)
        return client

    def deliver(self, subject, body="Bonjour.\r\n"):
        with self.daemon.smtp() as s:
            s.sendmail(addr("emma.durand"), [LOGIN],
                       message(addr("emma.durand"), LOGIN, subject, body))


class MbsyncTest(ImapClientTestCase):

    def setUp(self):
        self.mbsync = tool("mbsync")
        self.dir = tempfile.mkdtemp(prefix="mbsync-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.maildir = os.path.join(self.dir, "mail")
        os.makedirs(self.maildir)
        self.config = os.path.join(self.dir, "mbsyncrc")
        cert = os.path.join(self.data.path, "tls", "self-signed.crt")
        self.assertTrue(os.path.exists(cert), cert)
        with open(self.config, "w") as f:
            f.write(f"""IMAPAccount mailfountain
Host 127.0.0.1
Port {self.daemon.ports["imaps"]}
User {LOGIN}
Pass {PASSWORD}
SSLType IMAPS
SystemCertificates no
CertificateFile {cert}
AuthMechs PLAIN

IMAPStore far
Account mailfountain

MaildirStore near
Path {self.maildir}/
Inbox {self.maildir}/INBOX
SubFolders Verbatim

Channel inbox
Far :far:
Near :near:
Patterns INBOX
Create Both
Sync All
Expunge None
SyncState *
CopyArrivalDate yes
""")

    def sync(self):
        """Runs `mbsync -V -Dn inbox` (verbose, with the IMAP trace); returns its output
        (stdout and stderr together)."""
        run = subprocess.run([self.mbsync, "-c", self.config, "-V", "-Dn", "inbox"],
                             capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, HOME=self.dir))
        output = run.stdout + run.stderr
        self.assertEqual(run.returncode, 0, f"mbsync failed:\n{output}\n{self.daemon.log()}")
        return output

    def local_files(self):
        return sorted(glob.glob(os.path.join(self.maildir, "INBOX", "cur", "*"))
                      + glob.glob(os.path.join(self.maildir, "INBOX", "new", "*")))

    def local_texts(self):
        texts = []
        for path in self.local_files():
            with open(path, "rb") as f:
                texts.append(f.read().decode("utf-8", "replace"))
        return texts

    def server_messages(self):
        """{subject: flags} of luc.petit's INBOX, read over imaps."""
        client = self.imaps()
        typ, data = client.select("INBOX", readonly=True)
        if int(data[0]) == 0:
            return {}
        typ, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK", data)
        out = {}
        for entry in data:
            if not isinstance(entry, tuple):
                continue
            flags = re.search(rb"FLAGS \(([^)]*)\)", entry[0]).group(1).decode().split()
            subject = entry[1].decode().strip().removeprefix("Subject: ").strip()
            out[subject] = sorted(flags)
        return out

    @staticmethod
    def commands(output):
        """The IMAP commands mbsync sent (its -Dn trace: `>>> TAG COMMAND ...`), tags removed."""
        return re.findall(r">>> \d+ (.*)", output)

    def transfers(self, output):
        """The commands of a sync that move messages or flags."""
        return [c for c in self.commands(output)
                if re.match(r"(APPEND|UID STORE|STORE|UID EXPUNGE|EXPUNGE|UID MOVE|UID COPY)\b", c)
                or re.search(r"BODY(\.PEEK)?\[\]", c)]

    def test_mail_goes_down_then_local_changes_go_up_then_nothing_moves(self):
        for i in range(3):
            self.deliver(f"mbsync test {i}", f"Message number {i}.\r\n")
        deadline = time.monotonic() + 30
        while len(self.server_messages()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)

        first = self.sync()
        self.assertEqual(len([c for c in self.transfers(first) if "BODY.PEEK[]" in c]), 3,
                         first)
        texts = self.local_texts()
        self.assertEqual(len(texts), 3, first)
        for i in range(3):
            self.assertTrue(any(f"Subject: mbsync test {i}" in t for t in texts), texts)

        # A new message written into the Maildir, and \Flagged on one already synced.
        new_name = os.path.join(self.maildir, "INBOX", "new", "1800000000.M1P1.test")
        with open(new_name, "wb") as f:
            f.write(b"From: luc.petit@ma-societe.fr\r\nTo: luc.petit@ma-societe.fr\r\n"
                    b"Subject: written locally\r\nDate: Sun, 29 Nov 2026 10:00:00 +0100\r\n"
                    b"\r\nA draft kept on the laptop.\r\n")
        flagged = next(p for p, t in zip(self.local_files(), self.local_texts())
                       if "Subject: mbsync test 1" in t)
        base, _, info = os.path.basename(flagged).partition(":2,")
        letters = "".join(sorted(set(info) | {"F"}))
        os.rename(flagged, os.path.join(os.path.dirname(flagged), f"{base}:2,{letters}"))

        second = self.sync()
        self.assertEqual(sorted(c.split()[0] for c in self.transfers(second)),
                         ["APPEND", "UID"], second)
        self.assertTrue(any(re.match(r"UID STORE \d+ \+FLAGS\.SILENT \(\\Flagged\)", c)
                            for c in self.transfers(second)), second)
        server = self.server_messages()
        self.assertEqual(len(server), 4, f"{server}\n{second}")
        self.assertIn("written locally", server)
        self.assertIn("\\Flagged", server["mbsync test 1"], server)
        self.assertNotIn("\\Flagged", server["mbsync test 0"], server)
        self.assertEqual(len(self.local_files()), 4)

        before = self.local_files()
        third = self.sync()
        self.assertEqual(self.local_files(), before, third)
        self.assertEqual(self.server_messages(), server, third)
        self.assertTrue(any(c.startswith("UID FETCH") for c in self.commands(third)), third)
        self.assertEqual(self.transfers(third), [], third)


class CurlTest(ImapClientTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.curl = tool("curl")

    def run_curl(self, *args):
        run = subprocess.run([self.curl, "-sS", "-k", "--max-time", "30", *args],
                             capture_output=True, timeout=60)
        return run.returncode, run.stdout.decode("utf-8", "replace"), \
            run.stderr.decode("utf-8", "replace")

    def imaps_url(self, path=""):
        return f"imaps://127.0.0.1:{self.daemon.ports['imaps']}/{path}"

    def deliver_one(self, subject):
        self.deliver(subject, "Fetched by curl.\r\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            client = imaplib.IMAP4_SSL("127.0.0.1", self.daemon.ports["imaps"],
                                       ssl_context=client_tls_context(), timeout=30)
            client.login(LOGIN, PASSWORD)
            client.select("INBOX", readonly=True)
            typ, data = client.uid("SEARCH", None, "SUBJECT", f'"{subject}"')
            client.logout()
            if data[0]:
                return int(data[0].split()[-1])
            time.sleep(0.1)
        self.fail(f"{subject!r} not delivered:\n{self.daemon.log()}")

    def test_lists_the_folders_over_imaps(self):
        code, out, err = self.run_curl("--user", f"{LOGIN}:{PASSWORD}", self.imaps_url())
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r'(?m)^\* LIST \([^)]*\) "/" "?INBOX"?\r?$', out)

    def test_fetches_a_message_by_uid_over_imaps(self):
        uid = self.deliver_one("fetched over imaps")
        code, out, err = self.run_curl("--user", f"{LOGIN}:{PASSWORD}",
                                       self.imaps_url(f"INBOX;UID={uid}"))
        self.assertEqual(code, 0, err)
        self.assertIn("Subject: fetched over imaps", out)
        self.assertIn("Fetched by curl.", out)

    def test_fetches_a_message_over_imap_with_starttls(self):
        uid = self.deliver_one("fetched after starttls")
        url = f"imap://127.0.0.1:{self.daemon.ports['imap']}/INBOX;UID={uid}"
        code, out, err = self.run_curl("--ssl-reqd", "--user", f"{LOGIN}:{PASSWORD}", url)
        self.assertEqual(code, 0, err)
        self.assertIn("Subject: fetched after starttls", out)

    def test_wrong_password_is_login_denied(self):
        code, out, err = self.run_curl("--user", f"{LOGIN}:wrong-password", self.imaps_url())
        self.assertEqual(code, 67, f"{out}\n{err}")

    def test_no_login_without_tls(self):
        url = f"imap://127.0.0.1:{self.daemon.ports['imap']}/"
        code, out, err = self.run_curl("--user", f"{LOGIN}:{PASSWORD}", url)
        self.assertNotEqual(code, 0, out)
        self.assertNotIn("INBOX", out)


if __name__ == "__main__":
    unittest.main()
