#!/usr/bin/python3
"""Outbound delivery through the real daemon: mail accepted for a remote address is queued,
routed by MX records from a test DNS server (tests/dns/test_dns_server.py), sent to a real
peer (Postfix's smtp-sink) on a loopback port, and its result recorded and logged
Postfix-style. Mail from a local domain arrives DKIM-signed and verifies with python3-dkim
against the record `mfctl dns records` prints."""
import email
import email.policy
import os
import sys
import time
import unittest
import uuid

import dkim

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns"))
from smtp_harness import (Daemon, DataDir, addr, inbox_texts, message,  # noqa: E402
                          password_of)
from test_dns_server import TestDnsServer  # noqa: E402
from test_outbound_connection import Sink, free_port  # noqa: E402

ZONE = """$TTL 300
$ORIGIN test.
@        3600 IN SOA ns.test. hostmaster.test. 1 7200 3600 1209600 60
$ORIGIN client.test.
@        IN MX 10 mx
mx       IN A 127.0.0.1
$ORIGIN refuse.test.
@        IN MX 10 mx
mx       IN A 127.0.0.1
$ORIGIN mort.test.
@        IN MX 10 mx
mx       IN A 127.0.0.2
$ORIGIN pas-de-mail.test.
@        IN MX 0 .
"""


def tag():
    return uuid.uuid4().hex[:12]


class OutboundTestCase(unittest.TestCase):
    """One DNS server, two smtp-sinks (one accepting, one refusing every RCPT with 550) and a
    daemon whose outbound side points at them, with RETRY's retry settings."""

    RETRY = "retry_initial_seconds = 60\n"

    @classmethod
    def setUpClass(cls):
        cls.dns = TestDnsServer(ZONE).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.sink = Sink()
        cls.addClassCleanup(cls.sink.close)
        cls.refusing = Sink(options=("-f", "RCPT"))
        cls.addClassCleanup(cls.refusing.close)
        dead_port = free_port("127.0.0.2")
        config = f"""trusted_networks = ["127.0.0.0/8"]
[outbound]
dns_servers = ["127.0.0.1:{cls.dns.port}"]
port = {cls.sink.port}
{cls.RETRY}[outbound.ports]
"refuse.test" = {cls.refusing.port}
"mort.test" = {dead_port}
"""
        cls.data = DataDir.fresh(cls.addClassCleanup)
        cls.data.load_demo()
        cls.daemon = Daemon(cls.data, config).start()
        cls.addClassCleanup(cls.daemon.kill)

    def relay(self, to, subject, sender="a@example.org"):
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail(sender)
            code, text = s.rcpt(to)
            self.assertEqual(code, 250, text)
            code, text = s.data(message(sender, to, subject))
            self.assertEqual(code, 250, text)
        return text.decode().split()[-1]

    def inbox_with(self, account, fragment, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [t for t in inbox_texts(self.data, addr(account)) if fragment in t]
            if found:
                return found
            time.sleep(0.1)
        self.fail(f"no message with {fragment!r} for {account}:\n{self.daemon.log()}")

    def sink_messages_with(self, sink, fragment, count=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [m for m in sink.messages() if fragment in m]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        self.fail(f"{fragment!r} did not reach the sink: {sink.messages()!r}\n"
                  f"{self.daemon.log()}")


class DeliveryTest(OutboundTestCase):

    def test_relayed_mail_reaches_the_mx_and_is_logged_sent(self):
        t = tag()
        qid = self.relay("bob@client.test", t)
        (text,) = self.sink_messages_with(self.sink, t)
        self.assertIn("Subject: " + t, text)
        line = self.daemon.wait_for_log(f"{qid}: to=<bob@client.test>, relay=mx.client.test"
                                        f"[127.0.0.1]:{self.sink.port}")
        self.assertIn("dsn=2.0.0, status=sent (250", line)

    def test_a_5xx_recipient_is_bounced_with_the_peers_reply(self):
        t = tag()
        qid = self.relay("nobody@refuse.test", t)
        line = self.daemon.wait_for_log(f"{qid}: to=<nobody@refuse.test>, relay=")
        self.assertIn("status=bounced (5", line)
        self.assertEqual(self.refusing.messages(), [])

    def test_an_unreachable_destination_is_deferred_with_the_connect_error(self):
        qid = self.relay("jo@mort.test", tag())
        line = self.daemon.wait_for_log(f"{qid}: to=<jo@mort.test>, relay=")
        self.assertIn("status=deferred", line)
        self.assertIn("next attempt in", line)

    def test_a_null_mx_bounces_at_once(self):
        qid = self.relay("jo@pas-de-mail.test", tag())
        line = self.daemon.wait_for_log(f"{qid}: to=<jo@pas-de-mail.test>, relay=")
        self.assertIn("relay=none", line)
        self.assertIn("status=bounced", line)


class BounceTest(OutboundTestCase):

    def test_a_refused_recipient_comes_back_to_a_local_sender_as_a_dsn(self):
        t = tag()
        sender = addr("emma.durand")
        with self.daemon.submission(sender, password_of("emma.durand")) as s:
            s.sendmail(sender, ["nobody@refuse.test"], message(sender, "nobody@refuse.test", t))
        (text,) = self.inbox_with("emma.durand", t)
        self.assertTrue(text.startswith("Return-Path: <>\r\n"), text[:200])
        dsn = email.message_from_string(text, policy=email.policy.default)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        self.assertEqual(dsn.get_param("report-type"), "delivery-status")
        parts = list(dsn.iter_parts())
        self.assertEqual(parts[1].get_content_type(), "message/delivery-status")
        status = parts[1].as_string()
        self.assertIn("Final-Recipient: rfc822; nobody@refuse.test", status)
        self.assertIn("Action: failed", status)
        self.assertIn("Status: 5.", status)
        self.daemon.wait_for_log("sender non-delivery notification")

    def test_a_bounce_of_a_remote_senders_mail_is_queued_to_it_with_the_null_sender(self):
        t = tag()
        qid = self.relay("nobody@refuse.test", t, sender="someone@client.test")
        self.daemon.wait_for_log(f"{qid}: sender non-delivery notification")
        (dsn,) = self.sink_messages_with(self.sink, t)  # the DSN returns the message
        self.assertIn("X-Mail-Args: <>", dsn)
        self.assertIn("report-type=delivery-status", dsn)


class DelayNoticeTest(OutboundTestCase):
    """Retries every second or two, and a delay notice two seconds after arrival."""

    RETRY = ("retry_initial_seconds = 1\nretry_max_seconds = 2\n"
             "delay_notice_seconds = 2\n")

    def test_mail_still_deferred_gets_one_delay_notice_and_stays_queued(self):
        t = tag()
        sender = addr("emma.durand")
        with self.daemon.submission(sender, password_of("emma.durand")) as s:
            s.sendmail(sender, ["jo@mort.test"], message(sender, "jo@mort.test", t))
        line = self.daemon.wait_for_log("sender delay notification", timeout=60)
        qid = line.split("sender delay")[0].split()[-1].rstrip(":")
        (text,) = self.inbox_with("emma.durand", t, timeout=30)
        self.assertTrue(text.startswith("Return-Path: <>\r\n"), text[:200])
        dsn = email.message_from_string(text, policy=email.policy.default)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        parts = list(dsn.iter_parts())
        status = parts[1].as_string()
        self.assertIn("Final-Recipient: rfc822; jo@mort.test", status)
        self.assertIn("Action: delayed", status)
        self.assertIn("Status: 4.", status)
        self.assertIn("Will-Retry-Until:", status)
        # Only the header comes back with a delay notice: the message is not lost.
        self.assertEqual(parts[2].get_content_type(), "text/rfc822-headers")
        # It is still queued and tried again; no second notice follows.
        listed = self.data.run("queue", "list", json_output=True).json()
        self.assertIn(qid, [m["queue_id"] for m in listed["messages"]])
        tries = f"{qid}: to=<jo@mort.test>, relay="
        first = self.daemon.log().count(tries)
        deadline = time.time() + 60
        while self.daemon.log().count(tries) < first + 2 and time.time() < deadline:
            time.sleep(0.2)
        self.assertGreaterEqual(self.daemon.log().count(tries), first + 2, self.daemon.log())
        self.assertEqual(len([x for x in inbox_texts(self.data, sender) if t in x]), 1)
        self.assertEqual(self.daemon.log().count(f"{qid}: sender delay notification"), 1)


class SigningTest(OutboundTestCase):

    def test_submitted_mail_from_a_local_domain_arrives_signed_and_verifies(self):
        t = tag()
        sender = addr("emma.durand")
        with self.daemon.submission(sender, password_of("emma.durand")) as s:
            s.sendmail(sender, ["client@client.test"], message(sender, "client@client.test", t))
        (text,) = self.sink_messages_with(self.sink, t)
        raw = text.encode()
        # smtp-sink's dump starts with its own trace lines before the message.
        start = raw.find(b"DKIM-Signature:")
        self.assertNotEqual(start, -1, text[:2000])
        signed = raw[start:]
        records = self.data.run("dns", "records", "ma-societe.fr", "--host", "mail.test",
                                json_output=True).json()["records"]
        (txt,) = [r for r in records if "._domainkey." in r["name"]]
        record = "".join(txt["strings"]).encode()

        def dnsfunc(name, timeout=5):
            return record if name.decode().rstrip(".") == txt["name"].rstrip(".") else None

        self.assertTrue(dkim.verify(signed, dnsfunc=dnsfunc), signed[:3000])
        self.assertFalse(dkim.verify(signed.replace(b"Bonjour.", b"Bonsoir."), dnsfunc=dnsfunc))


if __name__ == "__main__":
    unittest.main()
