"""mailfountaind receiving and submission, driven by real clients: Python's smtplib and
swaks, against the daemon started on loopback with MA SOCIETE loaded (smtp_harness.py)."""

import os
import shutil
import smtplib
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import (DaemonTestCase, addr, client_tls_context, inbox_texts,  # noqa: E402
                          mailbox, message, password_of)


def tag():
    return uuid.uuid4().hex[:12]


class ReceivingTest(DaemonTestCase):
    """Port 25: mail for local addresses, from anyone; nothing relayed."""

    def test_mail_to_an_account_is_delivered_with_its_trace_fields(self):
        t = tag()
        with self.daemon.smtp() as s:
            refused = s.sendmail("jean@example.org", [addr("emma.durand")],
                                 message("jean@example.org", addr("emma.durand"), t))
        self.assertEqual(refused, {})
        (text,) = self.assertDelivered("emma.durand", 1, t)
        self.assertTrue(text.startswith("Return-Path: <jean@example.org>\r\n"
                                        f"Delivered-To: {addr('emma.durand')}\r\nReceived: from "
                                        "client.example ([127.0.0.1])\r\n"), text[:300])
        self.assertIn("with ESMTP id", text)
        self.assertIn(f"for <{addr('emma.durand')}>;", text)
        self.assertTrue(text.endswith("\r\nBonjour.\r\n"))

    def test_mail_to_an_alias_reaches_its_account(self):
        t = tag()
        with self.daemon.smtp() as s:
            s.sendmail("a@example.org", [addr("commercial")], message("a@example.org", "x", t))
        (text,) = self.assertDelivered("emma.durand", 1, t)
        self.assertIn(f"Delivered-To: {addr('commercial')}\r\n", text)

    def test_a_redirection_delivers_once_to_each_member(self):
        t = tag()
        with self.daemon.smtp() as s:
            # support@ reaches luc and emma; emma is also named directly: one copy each.
            s.sendmail("a@example.org", [addr("support"), addr("emma.durand"), addr("support")],
                       message("a@example.org", "x", t))
        self.assertDelivered("luc.petit", 1, t)
        self.assertDelivered("emma.durand", 1, t)
        self.assertDelivered("jean.martin", 0, t)

    def test_unknown_recipient_is_refused_at_rcpt(self):
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("a@example.org")
            code, text = s.rcpt(addr("nobody"))
            self.assertEqual(code, 550)
            self.assertIn(b"5.1.1", text)

    def test_postmaster_without_a_domain_is_accepted(self):
        t = tag()
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("a@example.org")
            self.assertEqual(s.rcpt("Postmaster")[0], 250)
            code, _ = s.data(message("a@example.org", "postmaster", t).encode())
            self.assertEqual(code, 250)

    def test_relaying_is_denied_and_the_classic_tricks_stay_local(self):
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("a@example.org")
            for rcpt in ["victim@example.com", "victim@EXAMPLE.com", "victim@[192.0.2.1]",
                         "@ma-societe.fr:victim@example.com"]:
                code, text = s.rcpt(rcpt)
                self.assertEqual((code, text[:5]), (554, b"5.7.1"), rcpt)
            # Percent hack, bang path, quoted @: local addresses that do not exist.
            for rcpt in ["victim%example.com@ma-societe.fr", "example.com!victim@ma-societe.fr",
                         '"victim@example.com"@ma-societe.fr']:
                code, text = s.rcpt(rcpt)
                self.assertEqual(code, 550, rcpt)
            # A trailing dot is refused outright.
            self.assertEqual(s.rcpt("victim@example.com.")[0], 501)
            # Upper case is still the local domain.
            self.assertEqual(s.rcpt("EMMA.DURAND@MA-SOCIETE.FR")[0], 250)

    def test_a_disabled_account_is_refused(self):
        self.data.ok("user", "disable", addr("sophie.bernard"))
        self.addCleanup(self.data.ok, "user", "enable", addr("sophie.bernard"))
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("a@example.org")
            code, text = s.rcpt(addr("sophie.bernard"))
            self.assertEqual((code, text[:5]), (550, b"5.2.1"))

    def test_a_message_over_the_size_limit_is_refused(self):
        with self.daemon.smtp() as s:
            s.ehlo()
            code, text = s.mail("a@example.org", ["SIZE=999999999"])
            self.assertEqual((code, text[:5]), (552, b"5.3.4"))

    def test_a_mail_loop_is_refused(self):
        loop = "".join(f"Received: from hop{i}.example by x; Sun, 29 Nov 2026 10:00:00 +0000\r\n"
                       for i in range(51))
        with self.daemon.smtp() as s:
            with self.assertRaises(smtplib.SMTPDataError) as e:
                s.sendmail("a@example.org", [addr("luc.petit")], loop + message("a", "b", tag()))
            self.assertEqual(e.exception.smtp_code, 554)
            self.assertIn(b"5.4.6", e.exception.smtp_error)

    def test_auth_is_not_offered_on_port_25(self):
        with self.daemon.smtp() as s:
            s.ehlo()
            self.assertFalse(s.has_extn("auth"))
            self.assertTrue(s.has_extn("starttls"))
            for ext in ("pipelining", "8bitmime", "smtputf8", "size", "chunking",
                        "enhancedstatuscodes", "dsn"):
                self.assertTrue(s.has_extn(ext), ext)

    def test_starttls_on_port_25_then_delivery(self):
        t = tag()
        with self.daemon.smtp() as s:
            s.starttls(context=client_tls_context())
            s.sendmail("a@example.org", [addr("luc.petit")], message("a@example.org", "x", t))
        (text,) = self.assertDelivered("luc.petit", 1, t)
        self.assertIn("with ESMTPS id", text)
        self.assertIn("(using TLSv1.2 with cipher", text)

    @unittest.skipUnless(shutil.which("swaks"), "swaks is not installed")
    def test_swaks_sends_with_pipelining(self):
        t = tag()
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.daemon.ports["smtp"]),
             "--from", "a@example.org", "--to", addr("support"), "--pipeline",
             "--header", f"Subject: {t}", "--body", "swaks body"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertDelivered("luc.petit", 1, t)
        self.assertDelivered("emma.durand", 1, t)


class TrustedNetworkTest(DaemonTestCase):
    """A client in the trusted networks may relay: the remote recipients are queued for
    delivery in the same commit as the local copies, before the 250."""

    CONFIG = 'trusted_networks = ["127.0.0.0/8"]\n'

    def test_relay_from_a_trusted_network_is_queued(self):
        t = tag()
        with self.daemon.smtp() as s:
            s.ehlo()
            s.mail("a@example.org")
            self.assertEqual(s.rcpt("Someone@Example.COM")[0], 250)
            self.assertEqual(s.rcpt(addr("luc.petit"))[0], 250)
            code, text = s.data(message("a@example.org", "someone@example.com", t))
            self.assertEqual(code, 250, text)
        qid = text.decode().split()[-1]
        self.assertDelivered("luc.petit", 1, t)
        self.wait_for_log(f"{qid}: to=<Someone@example.com>, status=queued "
                          "(for delivery to example.com)")


class SubmissionTest(DaemonTestCase):
    """Ports 587 (STARTTLS) and 465 (TLS): AUTH, then mail from the user's own addresses."""

    CONFIG = """
[auth_throttle]
delay_step_ms = 10
max_delay_ms = 50
lockout_after = 3
lockout_seconds = 600

[sending.account."jean.martin@ma-societe.fr"]
messages_per_hour = 2
recipients_per_hour = 100
"""

    def test_auth_needs_starttls_first(self):
        import smtplib as sl
        s = sl.SMTP("127.0.0.1", self.daemon.ports["submission"], timeout=30)
        try:
            s.ehlo()
            self.assertFalse(s.has_extn("auth"))
            code, text = s.mail(addr("emma.durand"))
            self.assertEqual((code, text[:5]), (530, b"5.7.0"))
        finally:
            s.close()

    def test_submission_with_starttls_and_auth_delivers_and_completes_the_header(self):
        t = tag()
        with self.daemon.submission(addr("emma.durand"), password_of("emma.durand")) as s:
            s.sendmail(addr("emma.durand"), [addr("luc.petit")],
                       f"From: {addr('emma.durand')}\r\nSubject: {t}\r\n\r\nhello\r\n")
        (text,) = self.assertDelivered("luc.petit", 1, t)
        self.assertIn("with ESMTPSA id", text)
        self.assertIn("\r\nDate: ", text)
        self.assertIn("\r\nMessage-ID: <", text)

    def test_submissions_port_465_with_implicit_tls(self):
        t = tag()
        with self.daemon.submissions(addr("luc.petit"), password_of("luc.petit")) as s:
            s.sendmail(addr("luc.petit"), [addr("emma.durand")],
                       message(addr("luc.petit"), addr("emma.durand"), t))
        self.assertDelivered("emma.durand", 1, t)

    def test_an_alias_logs_in_as_its_account(self):
        with self.daemon.submission(addr("commercial"), password_of("emma.durand")) as s:
            code, _ = s.mail(addr("commercial"))
            self.assertEqual(code, 250)

    def test_a_sender_the_user_does_not_own_is_refused(self):
        with self.daemon.submission(addr("emma.durand"), password_of("emma.durand")) as s:
            code, text = s.mail(addr("jean.martin"))
            self.assertEqual((code, text[:5]), (553, b"5.7.1"))
            code, text = s.mail("")
            self.assertEqual(code, 553)

    def test_a_from_header_the_user_does_not_own_is_refused(self):
        with self.daemon.submission(addr("emma.durand"), password_of("emma.durand")) as s:
            with self.assertRaises(smtplib.SMTPDataError) as e:
                s.sendmail(addr("emma.durand"), [addr("luc.petit")],
                           message(addr("jean.martin"), addr("luc.petit"), tag()))
            self.assertEqual(e.exception.smtp_code, 550)
            self.assertIn(b"5.7.1", e.exception.smtp_error)

    def test_a_member_of_a_redirection_may_send_as_it(self):
        t = tag()
        with self.daemon.submission(addr("luc.petit"), password_of("luc.petit")) as s:
            s.sendmail(addr("support"), [addr("jean.martin")],
                       message(addr("support"), addr("jean.martin"), t))
        self.assertDelivered("jean.martin", 1, t)

    def test_a_wrong_password_is_refused_then_the_pair_is_locked(self):
        import smtplib as sl
        login = addr("sophie.bernard")
        codes = []
        for _ in range(4):
            with self.daemon.submission() as s:
                # One mechanism per attempt (login() would retry with LOGIN after PLAIN).
                s.ehlo()
                s.user, s.password = login, "wrong-password"
                try:
                    codes.append(s.auth("PLAIN", s.auth_plain)[0])
                except sl.SMTPAuthenticationError as e:
                    codes.append(e.smtp_code)
        self.assertEqual(codes[:3], [535, 535, 535])
        self.assertEqual(codes[3], 454)
        # Another account from the same address is not locked.
        with self.daemon.submission(addr("emma.durand"), password_of("emma.durand")):
            pass
        self.assertIn("AUTH failed for " + login, self.daemon.log())

    def test_the_sending_limit_of_an_account(self):
        with self.daemon.submission(addr("jean.martin"), password_of("jean.martin")) as s:
            for _ in range(2):
                s.sendmail(addr("jean.martin"), [addr("luc.petit")],
                           message(addr("jean.martin"), addr("luc.petit"), tag()))
            code, text = s.mail(addr("jean.martin"))
            self.assertEqual((code, text[:5]), (451, b"4.7.1"), text)

    @unittest.skipUnless(shutil.which("swaks"), "swaks is not installed")
    def test_swaks_submits_with_starttls_and_auth(self):
        t = tag()
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.daemon.ports["submission"]),
             "--tls", "--auth", "PLAIN", "--auth-user", addr("emma.durand"),
             "--auth-password", password_of("emma.durand"), "--from", addr("emma.durand"),
             "--to", addr("jean.martin"), "--header", f"Subject: {t}"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertDelivered("jean.martin", 1, t)


if __name__ == "__main__":
    unittest.main()
