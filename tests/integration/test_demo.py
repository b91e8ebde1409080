"""scripts/demo, run as a newcomer would run it: twice in a row, on a fresh directory.

The script is given the already built mfctl and mailfountaind (MFCTL, MAILFOUNTAIND), a
temporary data directory (MF_DEMO_VAR) and free ports (MF_DEMO_PORTS), so it skips the
build. Both runs must succeed; afterwards the data directory holds MA SOCIETE exactly as
DEMO.md describes it, and the daemon the script started takes mail as the printed swaks
commands send it.
"""

import imaplib
import poplib
import json
import os
import re
import smtplib
import ssl
import subprocess
import tempfile
import unittest
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "scripts", "demo")
MFCTL = os.environ["MFCTL"]
MAILFOUNTAIND = os.environ["MAILFOUNTAIND"]
D = "ma-societe.fr"

EXPECTED = {
    "jean.martin": ["jean.martin"],
    "direction": ["jean.martin"],
    "sophie.bernard": ["sophie.bernard"],
    "accueil": ["sophie.bernard"],
    "compta": ["sophie.bernard"],
    "luc.petit": ["luc.petit"],
    "emma.durand": ["emma.durand"],
    "commercial": ["emma.durand"],
    "support": ["emma.durand", "luc.petit"],
    "contact": ["jean.martin", "sophie.bernard"],
    "abuse": ["abuse"],
    "postmaster": ["postmaster"],
}


class DemoTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mf-demo-")
        self.var = os.path.join(self.tmp.name, "var")
        self.env = dict(os.environ, MFCTL=MFCTL, MAILFOUNTAIND=MAILFOUNTAIND,
                        MF_DEMO_VAR=self.var, MF_DEMO_PORTS="0 0 0 0 0 0 0 0")

    def tearDown(self):
        subprocess.run([DEMO, "stop"], env=self.env, capture_output=True, timeout=60)
        self.tmp.cleanup()

    def run_demo(self):
        p = subprocess.run([DEMO], env=self.env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout

    def mfctl(self, *args):
        p = subprocess.run([MFCTL, "--data", os.path.join(self.var, "data"), *args],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        return p

    def test_runs_twice_and_loads_the_demo_organisation(self):
        first = self.run_demo()
        second = self.run_demo()  # stops the first run's daemon and starts another
        for out in (first, second):
            self.assertIn("support@" + D, out)
            self.assertIn("contact@" + D, out)
        # The administrator's password was generated once and kept private.
        pw_file = os.path.join(self.var, "admin-password")
        self.assertEqual(os.stat(pw_file).st_mode & 0o777, 0o600)

        addresses = [local + "@" + D for local in EXPECTED]
        p = self.mfctl("--json", "resolve", *addresses, "luc.petit+news@" + D)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        got = {r["address"]: r for r in doc["resolutions"]}
        for local, boxes in EXPECTED.items():
            self.assertEqual(got[local + "@" + D]["mailboxes"], [b + "@" + D for b in boxes], local)
        tagged = got["luc.petit+news@" + D]
        self.assertEqual(tagged["mailboxes"], ["luc.petit@" + D])
        self.assertEqual(tagged["tag"], "news")

        # The people log in with the passwords the README gives.
        p = subprocess.run([MFCTL, "--data", os.path.join(self.var, "data"), "--as",
                            "jean.martin@" + D, "user", "list", D],
                           input="jean-demo-2026\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("emma.durand@" + D, p.stdout)

        # Jean manages the domain; nobody else does.
        p = self.mfctl("--json", "manager", "list", D)
        self.assertEqual(p.returncode, 0, p.stderr)
        managers = json.loads(p.stdout)
        self.assertIn("jean.martin@" + D, json.dumps(managers))
        self.assertNotIn("sophie.bernard@" + D, json.dumps(managers))

        # The daemon runs: one line per listener, then the swaks commands.
        ports = dict(re.findall(
            r"^  (SMTP|Submission|Submissions|IMAP|IMAPS|POP3|POP3S|HTTP) +127\.0\.0\.1:(\d+)$",
            second, re.M))
        self.assertEqual(set(ports), {"SMTP", "Submission", "Submissions", "IMAP", "IMAPS",
                                      "POP3", "POP3S", "HTTP"}, second)
        # The demo accounts' passwords are printed with the listeners.
        self.assertRegex(second, r"luc\.petit@ma-societe\.fr +luc-demo-2026")
        self.assertIn("swaks --server 127.0.0.1:%s --from someone@example.org --to support@%s"
                      % (ports["SMTP"], D), second)
        with smtplib.SMTP("127.0.0.1", int(ports["SMTP"]), timeout=30) as s:
            self.assertEqual(s.sendmail("someone@example.org", ["support@" + D],
                                        "Subject: demo\r\n\r\nhello\r\n"), {})
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", int(ports["Submission"]), timeout=30) as s:
            s.starttls(context=ctx)
            s.login("emma.durand@" + D, "emma-demo-2026")
            self.assertEqual(s.sendmail("emma.durand@" + D, ["jean.martin@" + D],
                                        "From: emma.durand@%s\r\nSubject: hi\r\n\r\nx\r\n" % D),
                             {})
            # To an external address: queued, and listed by mfctl queue list.
            self.assertEqual(s.sendmail("emma.durand@" + D, ["client@example.net"],
                                        "From: emma.durand@%s\r\nSubject: out\r\n\r\nx\r\n" % D),
                             {})
        self.assertIn("queue list", second)
        # Jean Martin reads Emma's message over IMAPS and over IMAP with STARTTLS.
        with imaplib.IMAP4_SSL("127.0.0.1", int(ports["IMAPS"]), ssl_context=ctx) as m:
            m.login("jean.martin@" + D, "jean-demo-2026")
            typ, data = m.select("INBOX")
            self.assertEqual(typ, "OK", data)
            typ, data = m.search(None, "FROM", "emma.durand")
            self.assertEqual(typ, "OK", data)
            self.assertTrue(data[0].split(), data)
        with imaplib.IMAP4("127.0.0.1", int(ports["IMAP"])) as m:
            m.starttls(ssl_context=ctx)
            m.login("luc.petit@" + D, "luc-demo-2026")
            self.assertEqual(m.select("INBOX")[0], "OK")
        # Luc Petit lists his maildrop over POP3S and over POP3 with STLS (support@ reached
        # him).
        p3 = poplib.POP3_SSL("127.0.0.1", int(ports["POP3S"]), context=ctx, timeout=30)
        p3.user("luc.petit@" + D)
        p3.pass_("luc-demo-2026")
        self.assertGreaterEqual(p3.stat()[0], 1)
        p3.quit()
        p3 = poplib.POP3("127.0.0.1", int(ports["POP3"]), timeout=30)
        p3.stls(context=ctx)
        p3.user("luc.petit@" + D)
        p3.pass_("luc-demo-2026")
        self.assertGreaterEqual(p3.stat()[0], 1)
        p3.quit()
        self.assertIn("pop3s://127.0.0.1:%s/" % ports["POP3S"], second)
        # The printed autoconfiguration URL answers (docs/autoconfig.md).
        (url,) = re.findall(r"curl '(http://127\.0\.0\.1:\d+/mail/config-v1\.1\.xml\?[^']+)'",
                            second)
        with urllib.request.urlopen(url, timeout=30) as r:
            self.assertIn(b"<clientConfig", r.read())
        p = self.mfctl("--json", "status")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(json.loads(p.stdout)["messages_accepted"], 3, p.stdout)
        p = self.mfctl("queue", "list")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("client@example.net", p.stdout)
        self.assertIn("emma.durand@" + D, p.stdout)

        stop = subprocess.run([DEMO, "stop"], env=self.env, capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertIn("Stopped mailfountaind", stop.stdout)
        self.assertNotEqual(self.mfctl("status").returncode, 0)


if __name__ == "__main__":
    unittest.main()
