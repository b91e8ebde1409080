"""Durability of mailfountaind: kill -9 at random moments while several clients send, many
times over, then a restart. Every message that got its 250 must be in each of its
mailboxes exactly once; a message whose 250 was lost may be there (once) or not.
"""

import os
import random
import re
import smtplib
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import (MAILBOX_DUMP, MAILFOUNTAIND, Daemon, DataDir, addr,  # noqa: E402
                          mailbox)

KILLS = 20
SENDERS = 4
SUBJECT = re.compile(r"^Subject: (crash-[0-9a-f]+-\d+)\r$", re.M)


class Sender(threading.Thread):
    """Sends messages to one recipient until told to stop or the server goes away; records
    the subjects that were acknowledged with 250."""

    def __init__(self, port, recipient, prefix):
        super().__init__(daemon=True)
        self.port = port
        self.recipient = recipient
        self.prefix = prefix
        self.acked = []
        self.stop = threading.Event()

    def run(self):
        n = 0
        while not self.stop.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
                    while not self.stop.is_set():
                        subject = f"{self.prefix}-{n}"
                        n += 1
                        s.sendmail("load@example.org", [self.recipient],
                                   f"Subject: {subject}\r\n\r\n{'x' * random.randint(10, 3000)}\r\n")
                        self.acked.append(subject)
            except (OSError, smtplib.SMTPException):
                time.sleep(0.02)  # the daemon was killed: try again until stopped


class CrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for name, path in (("MFCTL", os.environ.get("MFCTL", "")),
                           ("MAILFOUNTAIND", MAILFOUNTAIND), ("MAILBOX_DUMP", MAILBOX_DUMP)):
            if not path or not os.access(path, os.X_OK):
                raise AssertionError(f"set {name} to its binary (got {path!r})")

    def test_kill_9_loses_no_acknowledged_message(self):
        data = DataDir.fresh(self.addCleanup)
        data.load_demo()
        rng = random.Random(int(os.environ.get("MF_CRASH_SEED", "4242")))
        # Luc alone, and support@ (Luc and Emma): a fan-out is one commit for both.
        targets = {addr("luc.petit"): [addr("luc.petit")],
                   addr("support"): [addr("luc.petit"), addr("emma.durand")]}
        acked = {}  # subject -> mailboxes it must be in
        for round_ in range(KILLS):
            daemon = Daemon(data, roles=("smtp",)).start()
            self.addCleanup(daemon.kill)
            senders = []
            for i in range(SENDERS):
                rcpt = list(targets)[i % len(targets)]
                prefix = f"crash-{uuid.uuid4().hex[:8]}"
                senders.append((Sender(daemon.ports["smtp"], rcpt, prefix), rcpt))
            for s, _ in senders:
                s.start()
            time.sleep(rng.uniform(0.05, 0.6))
            daemon.kill()  # SIGKILL, mid-transaction for some senders
            for s, rcpt in senders:
                s.stop.set()
                s.join(timeout=30)
                for subject in s.acked:
                    acked[subject] = targets[rcpt]
        self.assertGreater(len(acked), KILLS, "too few messages were acknowledged to test")

        # A restart: orphans from the kills are cleaned up, and the daemon serves again.
        daemon = Daemon(data, roles=("smtp",)).start()
        with smtplib.SMTP("127.0.0.1", daemon.ports["smtp"], timeout=30) as s:
            s.sendmail("a@example.org", [addr("luc.petit")], "Subject: after\r\n\r\nok\r\n")
        self.assertEqual(daemon.stop(), 0)

        for box in (addr("luc.petit"), addr("emma.durand")):
            seen = {}
            for m in mailbox(data, box)["INBOX"]:
                match = SUBJECT.search(m["text"])
                if match:
                    seen[match.group(1)] = seen.get(match.group(1), 0) + 1
            twice = [s for s, n in seen.items() if n > 1]
            self.assertEqual(twice, [], f"{box}: delivered more than once")
            missing = [s for s, boxes in acked.items() if box in boxes and s not in seen]
            self.assertEqual(missing, [], f"{box}: acknowledged but lost")
        print(f"{KILLS} kills, {len(acked)} acknowledged messages, none lost or doubled",
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
