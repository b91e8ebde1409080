"""Quotas end to end against the running daemon: limits set with `mfctl quota set` while it
runs, refusals at RCPT (452 4.2.2, with and without SIZE=), a message accepted for the
recipients with room and bounced (a DSN to the sender) for the one over quota, the whole
DATA refused when every mailbox is full, the 90 % warning written once into the INBOX, and
IMAP APPEND over quota refused with NO [OVERQUOTA].

Each test makes its own accounts (mfctl user add), so the tests share the daemon but not
their usage.
"""

import email
import email.header
import email.policy
import imaplib
import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import (DaemonTestCase, addr, client_tls_context, inbox_texts,  # noqa: E402
                          message)

PASSWORD = "quota-Secret-1"


def tag():
    return uuid.uuid4().hex[:12]


def padded(sender, to, subject, size):
    """A message of about `size` octets (a body of 76-character lines)."""
    line = "x" * 74 + "\r\n"
    return message(sender, to, subject, body=line * max(1, size // len(line)))


class QuotaTestCase(DaemonTestCase):
    ROLES = ("smtp", "imaps")

    def account(self, quota=None):
        """A new account of the demo domain, with `quota` (mfctl's forms: "64K", "1") if
        given. Returns its address."""
        address = addr(f"quota-{tag()}")
        self.data.ok("user", "add", address, "--name", "Quota Test", stdin=PASSWORD + "\n")
        if quota is not None:
            self.data.ok("quota", "set", address, quota)
        return address

    def imap(self, address):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.daemon.ports["imaps"],
                              ssl_context=client_tls_context(), timeout=30)
        m.login(address, PASSWORD)
        self.addCleanup(m.logout)
        return m

    def inbox_with(self, address, fragment, count=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [t for t in inbox_texts(self.data, address) if fragment in t]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        self.fail(f"no message with {fragment!r} for {address}:\n{self.daemon.log()[-3000:]}")

    def warnings_in_inbox(self, address):
        """The (From, decoded Subject) of the INBOX messages from a postmaster, over IMAP."""
        m = self.imap(address)
        typ, _ = m.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        typ, data = m.uid("SEARCH", None, "FROM", "postmaster")
        self.assertEqual(typ, "OK")
        out = []
        for uid in data[0].split():
            typ, fetched = m.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])")
            self.assertEqual(typ, "OK")
            header = email.message_from_bytes(fetched[0][1], policy=email.policy.default)
            out.append((str(header["From"]), str(header["Subject"])))
        return out


class RcptTest(QuotaTestCase):

    def test_size_over_the_room_left_is_refused_at_rcpt_and_the_others_are_not(self):
        full = self.account("64K")
        roomy = self.account()
        with self.daemon.smtp() as s:
            s.ehlo()
            code, text = s.mail("client@example.net", ["SIZE=100000"])
            self.assertEqual(code, 250, text)
            code, text = s.rcpt(full)
            self.assertEqual(code, 452, text)
            self.assertIn(b"4.2.2", text)
            self.assertIn(b"Mailbox full", text)
            code, text = s.rcpt(roomy)
            self.assertEqual(code, 250, text)
            code, text = s.data(padded("client@example.net", roomy, "grand", 90000))
            self.assertEqual(code, 250, text)

    def test_without_size_an_account_over_its_limit_is_refused_at_rcpt(self):
        address = self.account()
        t = tag()
        with self.daemon.smtp() as s:
            s.sendmail("client@example.net", [address], message("client@example.net",
                                                                address, t).encode())
        self.inbox_with(address, t)
        self.data.ok("quota", "set", address, "1")  # below what it holds already
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("client@example.net")
            code, text = s.rcpt(address)
            self.assertEqual(code, 452, text)
            self.assertIn(b"4.2.2", text)

    def test_without_size_an_account_with_room_is_accepted(self):
        address = self.account("64K")
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("client@example.net")
            code, text = s.rcpt(address)
            self.assertEqual(code, 250, text)


class AfterDataTest(QuotaTestCase):

    def test_the_recipient_over_quota_is_bounced_and_the_other_receives_the_message(self):
        sender = self.account()
        small = self.account("4K")
        roomy = self.account()
        t = tag()
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail(sender)  # no SIZE: both recipients pass RCPT
            for to in (small, roomy):
                code, text = s.rcpt(to)
                self.assertEqual(code, 250, text)
            code, text = s.data(padded(sender, f"{small}, {roomy}", t, 8000))
            self.assertEqual(code, 250, text)
            qid = text.decode().split()[-1]
        self.inbox_with(roomy, t)
        self.assertEqual([x for x in inbox_texts(self.data, small) if t in x], [])
        line = self.daemon.wait_for_log(f"{qid}: to=<{small}>")
        self.assertIn("status=bounced (552 5.2.2", line)
        # The DSN: from the null sender, about the full mailbox only, the message attached.
        (text,) = self.inbox_with(sender, "multipart/report")
        self.assertTrue(text.startswith("Return-Path: <>\r\n"), text[:200])
        dsn = email.message_from_string(text, policy=email.policy.default)
        self.assertEqual(dsn.get_param("report-type"), "delivery-status")
        status = list(dsn.iter_parts())[1].as_string()
        self.assertIn(f"Final-Recipient: rfc822; {small}", status)
        self.assertIn("Action: failed", status)
        self.assertIn("Status: 5.2.2", status)
        self.assertNotIn(roomy, status)
        self.assertIn(t, text)
        self.daemon.wait_for_log(f"{qid}: sender non-delivery notification")

    def test_a_message_no_mailbox_can_take_is_refused_whole_with_452(self):
        small = self.account("4K")
        t = tag()
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("client@example.net")
            code, text = s.rcpt(small)
            self.assertEqual(code, 250, text)
            code, text = s.data(padded("client@example.net", small, t, 8000))
            self.assertEqual(code, 452, text)
            self.assertIn(b"4.2.2", text)
        self.assertEqual([x for x in inbox_texts(self.data, small) if t in x], [])


class WarningTest(QuotaTestCase):

    def test_the_90_percent_warning_arrives_once_in_the_inbox(self):
        address = self.account("100000")
        tags = []
        for size in (30000, 30000, 30500, 1000, 1000):
            t = tag()
            tags.append(t)
            with self.daemon.smtp() as s:
                s.sendmail("client@example.net", [address],
                           padded("client@example.net", address, t, size).encode())
            self.inbox_with(address, t)
        self.daemon.wait_for_log(f"to=<{address}>, relay=local, status=sent (quota warning")
        time.sleep(0.5)  # a second warning, if there were one, would be stored by now
        warnings = self.warnings_in_inbox(address)
        self.assertEqual(len(warnings), 1, warnings)
        sender, subject = warnings[0]
        self.assertIn("postmaster@ma-societe.fr", sender)
        self.assertIn("presque pleine", subject)
        self.assertIn("almost full", subject)
        (text,) = self.inbox_with(address, "Auto-Submitted: auto-generated")
        body = email.message_from_string(text, policy=email.policy.default).get_content()
        self.assertIn(f"Votre boîte aux lettres {address} est presque pleine", body)
        self.assertIn(f"Your mailbox {address} is almost full", body)
        self.assertIn("97,7 Ko", body)  # the limit, 100000 octets


class ImapAppendTest(QuotaTestCase):

    def test_append_over_quota_is_refused_with_overquota(self):
        address = self.account("4K")
        m = self.imap(address)
        typ, data = m.append("INBOX", None, None,
                             padded(address, address, tag(), 8000).encode())
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"[OVERQUOTA]", data[0])


if __name__ == "__main__":
    unittest.main()
