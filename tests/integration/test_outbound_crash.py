#!/usr/bin/python3
"""kill -9 at random moments while the daemon delivers a full queue to smtp-sink, at least
20 times, then a last start that empties the queue: every queued message reaches the sink
at least once, and duplicates (the SMTP at-least-once rule: a kill between the peer's 250
and the recording of the result, docs/outbound.md) are counted, printed and few.

The queue is filled by queue_fill (QUEUE_FILL in the environment; it runs while the daemon
is stopped): message i has the one recipient user<i>-0@sink.test, which smtp-sink writes
in its dump file (X-Rcpt-Args), so each file names the message it holds. A rate limit on
the destination stretches the delivery over the kill loop, so that the kills fall while
mail is being sent. MF_CRASH_SEED fixes the random kill times.
"""
import collections
import glob
import os
import random
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns"))
from outbound_harness import zone  # noqa: E402
from smtp_harness import MAILFOUNTAIND, Daemon, DataDir  # noqa: E402
from test_dns_server import TestDnsServer  # noqa: E402
from test_outbound_connection import Sink  # noqa: E402

QUEUE_FILL = os.environ.get("QUEUE_FILL", "")
MARKER = b"QUEUE-FILL-BODY-MARKER"
RCPT = re.compile(rb"^X-Rcpt-Args: <user(\d+)-0@sink\.test>", re.M)
SENT = re.compile(r": to=<user(\d+)-0@sink\.test>, .*status=sent")


class OutboundCrashTest(unittest.TestCase):
    MESSAGES = 2000
    KILLS = 20
    MAX_CONNECTIONS = 10  # to sink.test: at most this many transactions at once
    PER_MINUTE = 4800  # 80 a second: 25 s of delivery, more than the kill loop's ~16 s

    def setUp(self):
        for name, path in (("MFCTL", os.environ.get("MFCTL", "")),
                           ("MAILFOUNTAIND", MAILFOUNTAIND), ("QUEUE_FILL", QUEUE_FILL)):
            if not path or not os.access(path, os.X_OK):
                raise AssertionError(f"set {name} to its binary (got {path!r})")
        self.dns = TestDnsServer(zone(("sink.test",))).start()
        self.addCleanup(self.dns.stop)
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.data = DataDir.fresh(self.addCleanup)
        self.data.init()
        self.config = f"""[outbound]
dns_servers = ["127.0.0.1:{self.dns.port}"]
port = {self.sink.port}
retry_initial_seconds = 1
[outbound.limits.destination."sink.test"]
initial_connections = {self.MAX_CONNECTIONS}
max_connections = {self.MAX_CONNECTIONS}
messages_per_minute = {self.PER_MINUTE}
"""
        self.log_lines = []

    def fill(self):
        out = subprocess.run([QUEUE_FILL, "--data", self.data.path, "--messages",
                              str(self.MESSAGES), "--recipients", "1", "--domain", "sink.test"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)

    def start(self):
        daemon = Daemon(self.data, self.config, roles=("smtp",)).start()
        self.addCleanup(daemon.kill)
        return daemon

    def finished(self, daemon):
        """Keeps the log of a daemon that has exited."""
        daemon._log_thread.join(timeout=5)
        self.log_lines += daemon.log_lines
        for pipe in (daemon.proc.stdout, daemon.proc.stderr):
            pipe.close()

    def sink_tally(self):
        """(Counter of message numbers over complete dump files, incomplete file count)."""
        tally = collections.Counter()
        incomplete = 0
        for path in glob.glob(os.path.join(self.sink.dir, "m.*")):
            try:
                with open(path, "rb") as f:
                    text = f.read()
            except FileNotFoundError:  # smtp-sink removes the file of an aborted transaction
                continue
            if MARKER not in text:
                incomplete += 1
                continue
            for number in RCPT.findall(text):
                tally[int(number)] += 1
        return tally, incomplete

    def queued_recipients(self):
        doc = self.data.run("queue", "counts", json_output=True).json()
        return doc["counts"]["recipients"]

    def test_every_message_arrives_after_repeated_kill_9_with_few_duplicates(self):
        self.fill()
        seed = int(os.environ.get("MF_CRASH_SEED", str(time.time_ns() % 1_000_000)))
        rng = random.Random(seed)
        print(f"seed {seed} (MF_CRASH_SEED)", file=sys.stderr)
        began = time.monotonic()
        for i in range(self.KILLS):
            daemon = self.start()
            time.sleep(rng.uniform(0.1, 1.5))
            daemon.kill()
            self.finished(daemon)
            if i % 5 == 4:
                arrived = len(self.sink_tally()[0])
                print(f"after kill {i + 1}: {arrived} of {self.MESSAGES} arrived",
                      file=sys.stderr)
        arrived_before_last = len(self.sink_tally()[0])
        self.assertLess(arrived_before_last, self.MESSAGES,
                        "all mail was delivered before the last kill: the kills did not fall "
                        "during delivery (raise MESSAGES or lower PER_MINUTE)")

        daemon = self.start()
        deadline = time.monotonic() + 120
        left = self.queued_recipients()
        while left > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            left = self.queued_recipients()
        self.assertEqual(left, 0, f"the queue did not empty:\n{daemon.log()[-5000:]}")
        time.sleep(0.5)  # smtp-sink finishes writing its last files
        self.assertEqual(daemon.stop(), 0)
        self.finished(daemon)
        took = time.monotonic() - began

        tally, incomplete = self.sink_tally()
        missing = sorted(set(range(self.MESSAGES)) - set(tally))
        duplicates = sum(n - 1 for n in tally.values() if n > 1)
        print(f"duplicates: {duplicates} of {self.MESSAGES} ({self.KILLS} kills, "
              f"{incomplete} incomplete transactions at the sink, {took:.1f}s)",
              file=sys.stderr)
        self.assertEqual(missing, [], f"{len(missing)} messages never reached the sink")
        self.assertLessEqual(duplicates, self.KILLS * self.MAX_CONNECTIONS,
                             "more duplicates than transactions a kill can interrupt")
        # A result is logged only once recorded, and a recorded delivery is never sent
        # again: no recipient is logged "sent" twice.
        logged = collections.Counter(int(m.group(1)) for line in self.log_lines
                                     if (m := SENT.search(line)))
        twice = {n: c for n, c in logged.items() if c > 1}
        self.assertEqual(twice, {}, "recipients logged sent more than once")

        check = subprocess.run([QUEUE_FILL, "--data", self.data.path, "--check"],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("queue consistent", check.stdout)


if __name__ == "__main__":
    unittest.main()
