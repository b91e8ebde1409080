"""Integration tests of `mfctl queue list|show|hold|release|delete|flush|counts` against a
running mailfountaind (docs/mfctl.md, "Queue administration").

Run by ctest with MFCTL, MAILFOUNTAIND and QUEUE_FILL set. queue_fill (a test tool) fills
the queue of a fresh data directory with synthetic messages before the daemon starts (it
writes body files, which only the process owning deliveries may do); every mfctl command
then goes through the daemon's control socket while it runs.
"""

import json
import os
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mfctl_harness import DataDir  # noqa: E402
from smtp_harness import Daemon  # noqa: E402

QUEUE_FILL = os.environ.get("QUEUE_FILL", "")
MARKER = "QUEUE-FILL-BODY-MARKER"
DOMAINS = ("a.test", "b.test", "c.test")
MESSAGES = 6
RECIPIENTS = 3
EXIT_USAGE, EXIT_NOT_FOUND, EXIT_NOT_RUNNING = 2, 3, 6
CONFIG = "[outbound]\nenabled = false\n"


def fill(data, *extra):
    argv = [QUEUE_FILL, "--data", data.path, "--messages", str(MESSAGES), "--recipients",
            str(RECIPIENTS), "--batch", "2"]
    for d in DOMAINS:
        argv += ["--domain", d]
    out = subprocess.run(argv + list(extra), capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"queue_fill failed: {out.stderr}")
    return json.loads(out.stdout)


class QueueDaemonTestCase(unittest.TestCase):
    """One daemon on a queue of 6 deferred messages with 3 recipients each (ids 1 to 6)."""

    @classmethod
    def setUpClass(cls):
        for name, path in (("MFCTL", os.environ.get("MFCTL", "")),
                           ("MAILFOUNTAIND", os.environ.get("MAILFOUNTAIND", "")),
                           ("QUEUE_FILL", QUEUE_FILL)):
            if not path or not os.access(path, os.X_OK):
                raise AssertionError(f"set {name} to its binary (got {path!r})")
        cls.data = DataDir.fresh(cls.addClassCleanup)
        cls.data.init()
        cls.filled = fill(cls.data, "--deferred")
        # Nothing is sent: the states the tests check are theirs alone.
        cls.daemon = Daemon(cls.data, CONFIG, roles=("smtp",)).start()
        cls.addClassCleanup(cls.daemon.kill)

    @classmethod
    def tearDownClass(cls):
        # Whatever the tests did through the daemon left the queue's tables consistent.
        if cls.daemon.stop() != 0:
            raise AssertionError(f"mailfountaind did not stop cleanly: {cls.daemon.log()}")
        check = subprocess.run([QUEUE_FILL, "--data", cls.data.path, "--check"],
                               capture_output=True, text=True, timeout=120)
        if check.returncode != 0 or check.stdout != "queue consistent\n":
            raise AssertionError(f"queue check failed: {check.stdout}{check.stderr}")

    def mfctl(self, *args, code=0, json_output=False):
        result = self.data.run("queue", *args, json_output=json_output)
        self.assertEqual(result.code, code, result)
        return result

    def listing(self, *args):
        return self.mfctl("list", *args, json_output=True).json()

    def message(self, ident):
        return self.mfctl("show", str(ident), json_output=True).json()["message"]


class QueueTest(QueueDaemonTestCase):
    """Each test changes its own message, so the order of the tests does not matter."""

    # ---- list ----

    def test_fill_made_the_expected_messages(self):
        self.assertEqual(self.filled, {"messages": MESSAGES, "recipients": MESSAGES * RECIPIENTS,
                                       "first_id": 1, "last_id": MESSAGES})

    def test_list_json_gives_every_message_with_its_recipients(self):
        doc = self.listing()
        self.assertFalse(doc["more"])
        ids = [m["id"] for m in doc["messages"]]
        self.assertEqual(ids, sorted(ids))
        self.assertTrue(set(ids) >= {1, 2, 3, 5, 6}, ids)  # 4 may be deleted already
        first = doc["messages"][0]
        self.assertRegex(first["queue_id"], r"^[0-9A-Z]{12}$")
        self.assertEqual(first["sender"], "sender@queue-fill.test")
        self.assertEqual(first["counts"]["recipients"], RECIPIENTS)
        self.assertEqual([r["domain"] for r in first["recipients"]], list(DOMAINS))
        self.assertEqual(first["recipients"][0]["address"], "user0-0@a.test")

    def test_list_human_is_like_mailq(self):
        doc = self.listing("--limit", "6")
        out = self.mfctl("list").out
        lines = out.splitlines()
        self.assertIn("-Queue ID-", lines[0])
        for m in doc["messages"]:
            self.assertIn(m["queue_id"], out)
            for r in m["recipients"]:
                self.assertIn(r["address"], out)
        self.assertIn("451 4.7.1 queue_fill: synthetic deferral", out)
        self.assertRegex(lines[-1], r"^-- \d+ Kbytes in \d+ messages?, \d+ recipients?\.$")

    def test_list_pages_and_filters_by_domain(self):
        page = self.listing("--limit", "2")
        self.assertEqual(len(page["messages"]), 2)
        self.assertTrue(page["more"])
        rest = self.listing("--after", str(page["next_after"]), "--limit", "1000")
        self.assertTrue(all(m["id"] > page["next_after"] for m in rest["messages"]))
        only_b = self.listing("--domain", "b.test", "--recipients", "5")
        self.assertTrue(only_b["messages"])
        for m in only_b["messages"]:
            self.assertEqual([r["domain"] for r in m["recipients"]], ["b.test"])
        self.assertEqual(self.listing("--domain", "nowhere.test")["messages"], [])

    # ---- show ----

    def test_show_prints_envelope_and_header_never_the_body(self):
        queue_id = self.message(1)["queue_id"]
        result = self.mfctl("show", queue_id)
        self.assertIn(f"Queue ID:", result.out)
        self.assertIn(queue_id, result.out)
        self.assertIn("sender@queue-fill.test", result.out)
        self.assertIn("user0-1@b.test", result.out)
        self.assertIn("Subject: queue_fill message batch 0", result.out)
        self.assertIn("Message-ID: <queue-fill-", result.out)
        self.assertNotIn(MARKER, result.out)
        self.assertNotIn("made by queue_fill", result.out)

        doc = self.mfctl("show", queue_id, json_output=True).json()
        names = [f["name"] for f in doc["header"]]
        for name in ("From", "To", "Subject", "Date", "Message-ID"):
            self.assertIn(name, names)
        self.assertFalse(doc["header_truncated"])
        self.assertNotIn(MARKER, json.dumps(doc))
        self.assertEqual(doc["message"]["id"], 1)
        recipient = doc["message"]["recipients"][0]
        self.assertEqual(recipient["state"], "deferred")
        self.assertEqual(recipient["attempts"], 1)
        self.assertGreater(recipient["next_attempt"], time.time())

    def test_show_accepts_the_numeric_id_and_the_queue_id_alike(self):
        by_number = self.message(5)
        self.assertEqual(self.message(by_number["queue_id"]), by_number)

    # ---- hold, release ----

    def test_hold_then_release(self):
        result = self.mfctl("hold", "2", json_output=True).json()
        self.assertEqual(result["recipients"], RECIPIENTS)
        self.assertEqual({r["state"] for r in self.message(2)["recipients"]}, {"held"})
        self.assertIn(self.message(2)["queue_id"] + "!", self.mfctl("list").out)

        out = self.mfctl("release", "2").out
        self.assertIn(f"released {RECIPIENTS} recipients", out)
        self.assertEqual({r["state"] for r in self.message(2)["recipients"]}, {"deferred"})

    # ---- flush ----

    def test_flush_one_message_makes_it_due_now(self):
        before = time.time()
        result = self.mfctl("flush", "3", json_output=True).json()
        self.assertEqual(result["recipients"], RECIPIENTS)
        for r in self.message(3)["recipients"]:
            self.assertLessEqual(r["next_attempt"], time.time() + 1)
            self.assertGreaterEqual(r["next_attempt"], int(before) - 1)

    # ---- delete ----

    def test_delete_removes_the_message(self):
        queue_id = self.message(4)["queue_id"]
        result = self.mfctl("delete", queue_id, json_output=True).json()
        self.assertEqual(result, {"ok": True, "command": "queue delete", "target": queue_id,
                                  "id": 4, "queue_id": queue_id, "recipients": RECIPIENTS})
        gone = self.mfctl("show", queue_id, code=EXIT_NOT_FOUND)
        self.assertIn(f"no queued message with queue ID {queue_id}", gone.err)
        self.assertNotIn(4, [m["id"] for m in self.listing()["messages"]])

    # ---- errors ----

    def test_unknown_ids_are_not_found(self):
        result = self.mfctl("show", "999999", code=EXIT_NOT_FOUND)
        self.assertIn("no queued message with id 999999", result.err)
        doc = self.mfctl("hold", "ZZZZZZZZZZZZ", code=EXIT_NOT_FOUND, json_output=True).json()
        self.assertEqual(doc["error"]["code"], "not_found")
        bad = self.mfctl("delete", "not-an-id", code=EXIT_USAGE)
        self.assertIn("neither a queue ID", bad.err)

    def test_the_daemon_refuses_unknown_options_naming_them(self):
        reply = self.raw("queue list --bogus 1")
        self.assertEqual(reply["code"], "invalid_argument")
        self.assertIn("'--bogus'", reply["error"])
        self.assertIn("unknown verb 'purge'", self.raw("queue purge")["error"])
        self.assertIn("unexpected argument 'x'", self.raw("queue counts x")["error"])

    def raw(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(os.path.join(self.data.path, "control.sock"))
            s.sendall(line.encode() + b"\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return json.loads(data)

    # ---- counts ----

    def test_counts_add_up(self):
        doc = self.mfctl("counts", json_output=True).json()
        total = doc["counts"]
        self.assertEqual(total["messages"], len(self.listing()["messages"]))
        self.assertEqual(total["recipients"], total["active"] + total["deferred"] +
                         total["held"] + total["report"])
        self.assertEqual([d["domain"] for d in doc["domains"]], list(DOMAINS))
        self.assertEqual(sum(d["recipients"] for d in doc["domains"]), total["recipients"])
        out = self.mfctl("counts").out
        self.assertIn("Deferred:", out)
        self.assertIn("b.test", out)


class FlushAllTest(QueueDaemonTestCase):
    """A flush of the whole queue, on a queue of its own (it changes every message)."""

    def test_flush_everything(self):
        self.mfctl("hold", "6")
        doc = self.mfctl("flush", json_output=True).json()
        # 6 messages of 3, one held: every other recipient was deferred until later.
        self.assertEqual(doc, {"ok": True, "command": "queue flush", "target": None,
                               "recipients": (MESSAGES - 1) * RECIPIENTS})
        self.assertEqual(self.mfctl("flush").out, "0 recipients made due now\n")
        for m in self.listing()["messages"]:
            for r in m["recipients"]:
                if r["state"] == "deferred":
                    self.assertLessEqual(r["next_attempt"], time.time() + 1)
        # Held recipients are not flushed.
        held = self.message(6)["recipients"]
        self.assertEqual({r["state"] for r in held}, {"held"})
        self.assertGreater(held[0]["next_attempt"], time.time())
        self.mfctl("release", "6")


class NotRunningTest(unittest.TestCase):
    """Without a daemon, queue commands say so and exit 6; queue_fill refuses to run
    beside a daemon that owns deliveries."""

    def test_queue_commands_need_the_daemon(self):
        data = DataDir.fresh(self.addCleanup)
        data.init()
        result = data.run("queue", "list")
        self.assertEqual(result.code, EXIT_NOT_RUNNING, result)
        self.assertIn("mailfountaind is not running", result.err)
        doc = data.run("queue", "counts", json_output=True)
        self.assertEqual(doc.json()["error"]["code"], "not_running")

    def test_queue_fill_refuses_while_the_daemon_runs(self):
        data = DataDir.fresh(self.addCleanup)
        data.init()
        daemon = Daemon(data, roles=("smtp",)).start()
        self.addCleanup(daemon.kill)
        out = subprocess.run([QUEUE_FILL, "--data", data.path, "--messages", "1",
                              "--recipients", "1", "--domain", "a.test"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1, out)
        self.assertIn("owns deliveries", out.stderr)


if __name__ == "__main__":
    unittest.main()
