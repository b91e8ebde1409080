"""mfctl backup and restore against the real daemon: a backup taken while mail keeps
arriving, restored into a new data directory, serves every message delivered before the
backup started, byte for byte, and none acknowledged after it ended; the restored daemon
takes new mail; restore refuses to touch a directory a daemon runs on.

Binaries from the environment (set by ctest): MFCTL, MAILFOUNTAIND, MAILBOX_DUMP."""

import os
import re
import smtplib
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import (MAILBOX_DUMP, MAILFOUNTAIND, Daemon, DataDir, addr,  # noqa: E402
                          mailbox, message)

SUBJECT = re.compile(r"^Subject: (\S+)\r$", re.M)


def tree_bytes(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for here, _, files in os.walk(root):
        for name in files:
            path = os.path.join(here, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


class Sender(threading.Thread):
    """Sends to `recipients` in turn until stopped; records acknowledged subjects in order."""

    def __init__(self, port, recipients, prefix):
        super().__init__(daemon=True)
        self.port = port
        self.recipients = recipients
        self.prefix = prefix
        self.acked = []  # (subject, recipient)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.error = None

    def run(self):
        n = 0
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
                while not self.stop.is_set():
                    rcpt = self.recipients[n % len(self.recipients)]
                    subject = f"{self.prefix}-{n}"
                    n += 1
                    s.sendmail("load@example.org", [rcpt],
                               message("load@example.org", rcpt, subject, "x" * (n * 37 % 2000)))
                    with self.lock:
                        self.acked.append((subject, rcpt))
        except (OSError, smtplib.SMTPException) as e:
            self.error = e

    def acked_so_far(self):
        with self.lock:
            return list(self.acked)

    def wait_for(self, count, timeout=60):
        deadline = time.time() + timeout
        while len(self.acked_so_far()) < count:
            if time.time() > deadline or self.error:
                raise AssertionError(f"sender stalled: {self.error}")
            time.sleep(0.01)


def subjects(data, account):
    """Subjects of the messages in the account's INBOX."""
    found = set()
    for m in mailbox(data, account)["INBOX"]:
        match = SUBJECT.search(m["text"])
        if match:
            found.add(match.group(1))
    return found


class BackupRestoreTest(unittest.TestCase):
    ACCOUNTS = [addr("emma.durand"), addr("luc.petit")]

    @classmethod
    def setUpClass(cls):
        for name, path in (("MFCTL", os.environ.get("MFCTL", "")),
                           ("MAILFOUNTAIND", MAILFOUNTAIND), ("MAILBOX_DUMP", MAILBOX_DUMP)):
            if not path or not os.access(path, os.X_OK):
                raise AssertionError(f"set {name} to its binary (got {path!r})")

    def start_daemon(self, data):
        daemon = Daemon(data).start()
        self.addCleanup(daemon.kill)
        return daemon

    def test_a_backup_taken_while_mail_arrives_restores_the_same_mail(self):
        tag = uuid.uuid4().hex[:8]
        data = DataDir.fresh(self.addCleanup)
        data.load_demo()
        daemon = self.start_daemon(data)

        # Mail for two accounts, and once for both through the support@ redirection.
        with daemon.smtp() as s:
            for i in range(10):
                rcpt = self.ACCOUNTS[i % 2]
                s.sendmail("a@example.org", [rcpt], message("a@example.org", rcpt, f"{tag}-{i}"))
            eight_bit = message("a@example.org", addr("support"), f"{tag}-both",
                                "8-bit body: \u00e9t\u00e9\r\n",
                                extra="Content-Type: text/plain; charset=utf-8\r\n")
            s.sendmail("a@example.org", [addr("support")], eight_bit.encode("utf-8"),
                       mail_options=["BODY=8BITMIME"])
        before = {a: mailbox(data, a) for a in self.ACCOUNTS}
        self.assertEqual(len(before[addr("emma.durand")]["INBOX"]), 6)

        # The backup runs while a sender keeps delivering to the same two accounts.
        sender = Sender(daemon.ports["smtp"], self.ACCOUNTS, f"load{tag}")
        sender.start()
        self.addCleanup(sender.stop.set)
        sender.wait_for(20)
        acked_before = sender.acked_so_far()
        dest = os.path.join(data.root, "backup")
        run = data.run("backup", dest, json_output=True)
        acked_during = sender.acked_so_far()
        sender.wait_for(len(acked_during) + 20)
        sender.stop.set()
        sender.join(timeout=60)
        self.assertIsNone(sender.error)
        self.assertEqual(run.code, 0, run)
        report = run.json()["backup"]
        self.assertEqual(report["path"], dest)
        self.assertGreaterEqual(report["bodies"], 11 + len(acked_before))
        self.assertLessEqual(report["bodies"], 11 + len(acked_during))
        self.assertGreaterEqual(report["other_files"], 2)  # the self-signed certificate and key
        self.assertTrue(os.path.exists(os.path.join(dest, "manifest")))
        self.assertFalse(os.path.exists(dest + ".partial"))

        # DEST is now a backup: another one into it is refused.
        again = data.run("backup", dest)
        self.assertEqual(again.code, 5, again)
        self.assertIn("not empty", again.err)

        # The daemon runs: restoring over its directory is refused, even with --force.
        busy = data.run("restore", dest, "--force")
        self.assertEqual(busy.code, 1, busy)
        self.assertIn("running", busy.err)
        self.assertEqual(daemon.stop(), 0)

        restored = DataDir.fresh(self.addCleanup)
        run = restored.run("restore", dest, json_output=True)
        self.assertEqual(run.code, 0, run)
        self.assertEqual(run.json()["restore"]["bodies"], report["bodies"])
        self.assertIsNone(run.json()["restore"]["moved_aside"])
        with open(os.path.join(data.path, "tls", "self-signed.key"), "rb") as f:
            original_key = f.read()
        with open(os.path.join(restored.path, "tls", "self-signed.key"), "rb") as f:
            self.assertEqual(f.read(), original_key)
        # The domain's DKIM keys too (made by `domain add`): the restored server signs with
        # the keys published in DNS.
        self.assertEqual(tree_bytes(os.path.join(restored.path, "dkim")),
                         tree_bytes(os.path.join(data.path, "dkim")))
        self.assertTrue(tree_bytes(os.path.join(data.path, "dkim")))

        second = self.start_daemon(restored)
        after = {a: mailbox(restored, a) for a in self.ACCOUNTS}
        for account in self.ACCOUNTS:
            # Every message delivered before the backup, with the same UID and bytes.
            restored_by_uid = {m["uid"]: m for m in after[account]["INBOX"]}
            for m in before[account]["INBOX"]:
                self.assertEqual(restored_by_uid.get(m["uid"]), m, account)
            got = subjects(restored, account)
            for subject, rcpt in acked_before:
                if rcpt == account:
                    self.assertIn(subject, got, f"{account}: acknowledged before the backup")
            # Nothing acknowledged after the backup ended is in it.
            for subject, rcpt in sender.acked_so_far()[len(acked_during):]:
                self.assertNotIn(subject, got)

        # The restored daemon takes new mail, after what was restored.
        with second.smtp() as s:
            self.assertEqual(
                s.sendmail("a@example.org", [addr("luc.petit")],
                           message("a@example.org", addr("luc.petit"), f"{tag}-new")), {})
        luc = mailbox(restored, addr("luc.petit"))["INBOX"]
        self.assertIn(f"{tag}-new", luc[-1]["text"])
        self.assertGreater(luc[-1]["uid"], max(m["uid"] for m in after[addr("luc.petit")]["INBOX"]))

        # Restoring over the directory the restored daemon runs on is refused too.
        busy = restored.run("restore", dest, "--force", json_output=True)
        self.assertEqual(busy.code, 1, busy)
        self.assertEqual(busy.json()["error"]["code"], "failed_precondition")
        self.assertEqual(second.stop(), 0)

    def test_restore_refuses_a_non_empty_directory_unless_forced_and_keeps_its_contents(self):
        data = DataDir.fresh(self.addCleanup)
        data.load_demo()
        dest = os.path.join(data.root, "backup")
        run = data.run("backup", dest)
        self.assertEqual(run.code, 0, run)
        self.assertIn("Bodies", run.out)

        other = DataDir.fresh(self.addCleanup)
        other.init()
        refused = other.run("restore", dest)
        self.assertEqual(refused.code, 5, refused)
        self.assertIn("--force", refused.err)
        forced = other.run("restore", dest, "--force", json_output=True)
        self.assertEqual(forced.code, 0, forced)
        aside = forced.json()["restore"]["moved_aside"]
        self.assertTrue(aside.startswith(other.path + ".before-restore-"), aside)
        self.assertTrue(os.path.exists(os.path.join(aside, "store", "data.mdb")))
        # The restored directory is the demo's: its accounts are there.
        self.assertIn("luc.petit", other.ok("user", "list").out)

        # Not a backup: the data directory itself.
        bad = other.run("restore", data.path, json_output=True)
        self.assertEqual(bad.code, 2, bad)
        self.assertEqual(bad.json()["error"]["code"], "invalid_argument")


if __name__ == "__main__":
    unittest.main()
