#!/usr/bin/python3
"""Forwarding and SRS through the real daemon: mail from a remote sender to a redirection of
ma-societe.fr with an external member leaves with an SRS0 envelope sender of ma-societe.fr;
a bounce (MAIL FROM:<>) to that address, received on port 25 from an untrusted client, is
queued to the original sender and reaches its MX (an smtp-sink found through the test DNS
server) with the null sender; forged, altered, expired and non-bounce mail to SRS addresses
is refused at RCPT with 550. SRS addresses are also computed here with Python's hmac module
from DATA/srs/secret (libsrs2's form), which checks the daemon against an independent
implementation."""
import base64
import hashlib
import hmac
import os
import re
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns"))
from smtp_harness import Daemon, DataDir, addr, inbox_texts, message  # noqa: E402
from test_dns_server import TestDnsServer  # noqa: E402
from test_outbound_connection import Sink  # noqa: E402

ZONE = """$TTL 300
$ORIGIN test.
@        3600 IN SOA ns.test. hostmaster.test. 1 7200 3600 1209600 60
$ORIGIN dest.test.
@        IN MX 10 mx
mx       IN A 127.0.0.1
$ORIGIN sender.test.
@        IN MX 10 mx
mx       IN A 127.0.0.1
"""

FORWARD = addr("renvoi")        # redirection of ma-societe.fr to an external address
EXTERNAL = "jean.perso@dest.test"
SENDER = "a@sender.test"
SRS_SENDER = re.compile(r"X-Mail-Args: <(SRS0=[^>]+@ma-societe\.fr)>")
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def tag():
    return uuid.uuid4().hex[:12]


class SrsTest(unittest.TestCase):
    """One DNS server, an smtp-sink for the forwarding destination (dest.test) and one for
    the original sender's domain (sender.test); the SMTP client is not trusted (no
    trusted_networks), as a remote MX is."""

    @classmethod
    def setUpClass(cls):
        cls.dns = TestDnsServer(ZONE).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.dest = Sink()
        cls.addClassCleanup(cls.dest.close)
        cls.origin = Sink()
        cls.addClassCleanup(cls.origin.close)
        config = f"""[outbound]
dns_servers = ["127.0.0.1:{cls.dns.port}"]
retry_initial_seconds = 60
[outbound.ports]
"dest.test" = {cls.dest.port}
"sender.test" = {cls.origin.port}
"""
        cls.data = DataDir.fresh(cls.addClassCleanup)
        cls.data.load_demo()
        cls.data.ok("redirect", "add", FORWARD, EXTERNAL)
        cls.daemon = Daemon(cls.data, config).start()
        cls.addClassCleanup(cls.daemon.kill)
        with open(os.path.join(cls.data.path, "srs", "secret"), "rb") as f:
            cls.secret = f.read().strip()

    # ---- helpers ----

    def srs0(self, local, domain, days_ago=0):
        """libsrs2's SRS0 address of local@domain, forwarded through ma-societe.fr."""
        day = (int(time.time()) // 86400 - days_ago) % 1024
        stamp = BASE32[day >> 5] + BASE32[day & 31]
        digest = hmac.new(self.secret, (stamp + domain + local).lower().encode(),
                          hashlib.sha1).digest()
        return f"SRS0={base64.b64encode(digest).decode()[:4]}={stamp}={domain}={local}@ma-societe.fr"

    def sink_messages_with(self, sink, fragment, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [m for m in sink.messages() if fragment in m]
            if found:
                return found
            time.sleep(0.1)
        self.fail(f"{fragment!r} did not reach the sink: {sink.messages()!r}\n"
                  f"{self.daemon.log()}")

    def send(self, sender, to, subject):
        """One message on port 25; returns the queue ID of the 250 reply."""
        with self.daemon.smtp() as s:
            s.ehlo()
            code, text = s.mail(sender)
            self.assertEqual(code, 250, text)
            code, text = s.rcpt(to)
            self.assertEqual(code, 250, text)
            code, text = s.data(message(sender or "MAILER-DAEMON@dest.test", to, subject))
            self.assertEqual(code, 250, text)
        return text.decode().split()[-1]

    def refused_rcpt(self, sender, to):
        with self.daemon.smtp() as s:
            s.ehlo()
            code, text = s.mail(sender)
            self.assertEqual(code, 250, text)
            code, text = s.rcpt(to)
            s.rset()
        return code, text.decode()

    def forwarded_sender(self):
        """Forwards a message from SENDER through FORWARD; the SRS sender it left with."""
        t = tag()
        self.send(SENDER, FORWARD, t)
        (dump,) = self.sink_messages_with(self.dest, t)
        self.assertIn(f"X-Rcpt-Args: <{EXTERNAL}>", dump)
        match = SRS_SENDER.search(dump)
        self.assertIsNotNone(match, dump[:2000])
        return match.group(1)

    # ---- tests ----

    def test_forwarded_mail_leaves_with_an_srs0_sender_of_the_forwarding_domain(self):
        srs = self.forwarded_sender()
        self.assertTrue(srs.startswith("SRS0="), srs)
        self.assertTrue(srs.endswith("=sender.test=a@ma-societe.fr"), srs)
        # The same address as libsrs2 would make with the data directory's secret (the day
        # may have turned between the send and now: then yesterday's).
        self.assertIn(srs, (self.srs0("a", "sender.test"), self.srs0("a", "sender.test", 1)))

    def test_a_bounce_to_the_srs_sender_reaches_the_original_sender_with_the_null_sender(self):
        srs = self.forwarded_sender()
        t = tag()
        qid = self.send("", srs, t)
        line = self.daemon.wait_for_log(f"{qid}: to=<{SENDER}>, relay=mx.sender.test")
        self.assertIn("status=sent (250", line)
        (dump,) = self.sink_messages_with(self.origin, t)
        self.assertIn("X-Mail-Args: <>", dump)
        self.assertIn(f"X-Rcpt-Args: <{SENDER}>", dump)
        self.assertEqual([m for m in self.dest.messages() if t in m], [])

    def test_a_bounce_to_an_srs_address_over_64_octets_reaches_the_original_sender(self):
        original = "jean-christophe.de.la.fontaine-durand.contact@sender.test"
        srs = self.srs0(original.split("@")[0], "sender.test")
        self.assertGreater(len(srs.split("@")[0]), 64)
        t = tag()
        qid = self.send("", srs, t)
        line = self.daemon.wait_for_log(f"{qid}: to=<{original}>, relay=mx.sender.test")
        self.assertIn("status=sent (250", line)

    def test_an_srs_address_whose_original_domain_is_local_is_delivered_locally(self):
        t = tag()
        self.send("", self.srs0("emma.durand", "ma-societe.fr"), t)
        deadline = time.time() + 20
        while time.time() < deadline:
            if any(t in text for text in inbox_texts(self.data, addr("emma.durand"))):
                break
            time.sleep(0.1)
        else:
            self.fail(f"the bounce did not reach emma.durand:\n{self.daemon.log()}")
        self.assertEqual([m for m in self.origin.messages() if t in m], [])

    def test_an_srs_address_with_an_altered_hash_is_refused_as_forged(self):
        srs = self.srs0("a", "sender.test")
        first = srs[5]
        forged = srs[:5] + ("B" if first in "Aa" else "A") + srs[6:]
        code, text = self.refused_rcpt("", forged)
        self.assertEqual(code, 550, text)
        self.assertIn("5.7.1", text)
        self.assertIn("Hash invalid in SRS address", text)

    def test_an_srs_address_naming_another_original_sender_is_refused(self):
        srs = self.srs0("a", "sender.test").replace("=sender.test=", "=victim.test=")
        code, text = self.refused_rcpt("", srs)
        self.assertEqual(code, 550, text)
        self.assertIn("5.7.1", text)

    def test_an_expired_srs_address_is_refused_with_user_unknown(self):
        code, text = self.refused_rcpt("", self.srs0("a", "sender.test", days_ago=30))
        self.assertEqual(code, 550, text)
        self.assertIn("5.1.1", text)
        self.assertIn("Time stamp out of date", text)

    def test_mail_with_a_sender_to_an_srs_address_is_refused(self):
        code, text = self.refused_rcpt("spam@elsewhere.test", self.srs0("a", "sender.test"))
        self.assertEqual(code, 550, text)
        self.assertIn("5.7.1", text)
        self.assertIn("bounces only", text)


if __name__ == "__main__":
    unittest.main()
