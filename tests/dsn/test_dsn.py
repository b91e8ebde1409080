#!/usr/bin/python3
"""Delivery status notifications (libmailfountain/mta/dsn.h) read by Python's email package.

dsn_tool (path in the DSN_TOOL environment variable) builds a DSN from a JSON description,
its MAIL and RCPT parameters going through the server's own parsers; each test parses the
result with email (policy.default) and checks what a mail reader or a bounce processor
relies on: the multipart/report structure (RFC 6522), the per-message and per-recipient
fields (RFC 3464), RET, ENVID and ORCPT (xtext-decoded), NOTIFY filtering, and the
RFC 6533 global variants for SMTPUTF8 originals.
"""
import email
import email.parser
import email.policy
import json
import os
import subprocess
import unittest

TOOL = os.environ.get("DSN_TOOL", "")

HEADER = ("From: Jean Dupont <jean@ma-societe.fr>\r\nTo: client@example.net\r\n"
          "Subject: Devis mars\r\nMessage-ID: <orig.1@ma-societe.fr>\r\n\r\n")
BODY = "Bonjour,\r\nvoici le devis.\r\n"


def failed(address, status="5.1.1", params=""):
    return {"address": address, "rcpt_params": params, "action": "failed", "status": status,
            "remote_mta": "mx.example.net", "last_attempt": 1796000000,
            "diagnostic": f"550 {status} <{address}>: Recipient address rejected: User unknown"}


def run_tool(description):
    """Returns (exit status, DSN bytes)."""
    if not TOOL:
        raise AssertionError("DSN_TOOL is not set")
    base = {"reporting_mta": "mail.ma-societe.fr", "mail_from": "jean@ma-societe.fr",
            "arrival_date": 1795996400, "header": HEADER, "body": BODY, "chunk": 5}
    base.update(description)
    proc = subprocess.run([TOOL], input=json.dumps(base).encode(), capture_output=True,
                          timeout=30, check=False)
    if proc.returncode not in (0, 3):
        raise AssertionError(f"dsn_tool failed: {proc.stderr.decode(errors='replace')}")
    return proc.returncode, proc.stdout


def status_blocks(raw, msg):
    """The blocks of the report's second part, each as an email.message.Message, read from
    the raw bytes so the global variant (which email does not split) reads the same."""
    boundary = msg.get_boundary().encode()
    parts = raw.split(b"\r\n--" + boundary)
    second = parts[2]  # parts[0] is the message header, parts[1] the text part
    body = second.split(b"\r\n\r\n", 1)[1].decode("utf-8")
    parser = email.parser.HeaderParser(policy=email.policy.default)
    return [parser.parsestr(block + "\r\n") for block in body.split("\r\n\r\n") if block.strip()]


class DsnCase(unittest.TestCase):
    def build(self, description, utf8=False):
        code, raw = run_tool(description)
        self.assertEqual(code, 0)
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""), "bare LF in the DSN")
        # email reads 8-bit header bytes as undecodable; an SMTPUTF8 DSN is parsed as text.
        if utf8:
            msg = email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
        else:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg.defects, [])
        return raw, msg


class DsnStructureTest(DsnCase):
    def test_failure_report(self):
        raw, msg = self.build({"recipients": [failed("client@example.net"),
                                              failed("autre@example.net", "5.2.2")]})
        self.assertEqual(msg.get_content_type(), "multipart/report")
        self.assertEqual(msg.get_param("report-type"), "delivery-status")
        self.assertEqual(msg["To"].addresses[0].addr_spec, "jean@ma-societe.fr")
        self.assertEqual(msg["From"].addresses[0].username, "MAILER-DAEMON")
        self.assertEqual(str(msg["Auto-Submitted"]), "auto-replied")
        self.assertIn("Undelivered Mail", str(msg["Subject"]))
        parts = msg.get_payload()
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "message/delivery-status", "message/rfc822"])

        text = parts[0].get_content()
        self.assertIn("Your message could not be delivered", text)
        self.assertIn("Votre message n'a pas pu être remis", text)
        self.assertIn("la boîte aux lettres est pleine", text)
        self.assertIn("The server mx.example.net answered: 550 5.1.1 <client@example.net>", text)

        # email splits message/delivery-status into blocks itself.
        blocks = parts[1].get_payload()
        self.assertEqual(len(blocks), 3)
        self.assertEqual(blocks[0]["Reporting-MTA"], "dns; mail.ma-societe.fr")
        self.assertIsNotNone(blocks[0]["Arrival-Date"])
        first = blocks[1]
        self.assertEqual(first["Final-Recipient"], "rfc822; client@example.net")
        self.assertEqual(first["Action"], "failed")
        self.assertEqual(first["Status"], "5.1.1")
        self.assertEqual(first["Remote-MTA"], "dns; mx.example.net")
        self.assertEqual(" ".join(first["Diagnostic-Code"].split()),
                         "smtp; 550 5.1.1 <client@example.net>: Recipient address rejected: "
                         "User unknown")
        self.assertIsNotNone(first["Last-Attempt-Date"])
        self.assertEqual(blocks[2]["Status"], "5.2.2")

        returned = parts[2].get_payload()[0]
        self.assertEqual(str(returned["Subject"]), "Devis mars")
        self.assertEqual(returned.get_content().replace("\r\n", "\n"),
                         "Bonjour,\nvoici le devis.\n")


class DsnReturnTest(DsnCase):
    def returned_type(self, mail_params, **extra):
        description = {"mail_params": mail_params, "recipients": [failed("c@example.net")]}
        description.update(extra)
        _, msg = self.build(description)
        return msg.get_payload()[2]

    def test_ret_full_returns_the_message(self):
        part = self.returned_type("RET=FULL")
        self.assertEqual(part.get_content_type(), "message/rfc822")
        self.assertIn("voici le devis", part.get_payload()[0].get_content())

    def test_ret_hdrs_returns_the_header_only(self):
        part = self.returned_type("RET=HDRS")
        self.assertEqual(part.get_content_type(), "text/rfc822-headers")
        self.assertIn("Subject: Devis mars", part.get_content())
        self.assertNotIn("voici le devis", part.get_content())

    def test_no_ret_returns_a_large_message_as_header_only(self):
        self.assertEqual(self.returned_type("").get_content_type(), "message/rfc822")
        part = self.returned_type("", body="x" * 500 + "\r\n", full_return_limit=300)
        self.assertEqual(part.get_content_type(), "text/rfc822-headers")

    def test_delay_notice_returns_headers_and_retry_date(self):
        rcpt = failed("lent@example.net", "4.4.1")
        rcpt["action"] = "delayed"
        rcpt["will_retry_until"] = 1796400000
        raw, msg = self.build({"mail_params": "RET=FULL", "recipients": [rcpt]})
        self.assertIn("Delayed Mail", str(msg["Subject"]))
        parts = msg.get_payload()
        self.assertEqual(parts[2].get_content_type(), "text/rfc822-headers")
        block = parts[1].get_payload()[1]
        self.assertEqual(block["Action"], "delayed")
        self.assertIsNotNone(block["Will-Retry-Until"])


class DsnEnvelopeParamsTest(DsnCase):
    def test_envid_and_orcpt_are_xtext_decoded(self):
        raw, msg = self.build({
            "mail_params": "ENVID=QQ+2B314+3D1",
            "recipients": [failed("client@example.net",
                                  params="ORCPT=rfc822;Client+2BTag@Example.NET")]})
        blocks = msg.get_payload()[1].get_payload()
        self.assertEqual(blocks[0]["Original-Envelope-Id"], "QQ+314=1")
        self.assertEqual(blocks[1]["Original-Recipient"], "rfc822; Client+Tag@Example.NET")
        self.assertEqual(blocks[1]["Final-Recipient"], "rfc822; client@example.net")


class DsnNotifyTest(DsnCase):
    def test_notify_filters_recipients(self):
        recipients = [failed("never@example.net", params="NOTIFY=NEVER"),
                      failed("success@example.net", params="NOTIFY=SUCCESS"),
                      failed("failure@example.net", params="NOTIFY=FAILURE,DELAY"),
                      failed("absent@example.net")]
        raw, msg = self.build({"recipients": recipients})
        finals = [b["Final-Recipient"] for b in msg.get_payload()[1].get_payload()[1:]]
        self.assertEqual(finals, ["rfc822; failure@example.net", "rfc822; absent@example.net"])

    def test_nothing_to_send(self):
        code, raw = run_tool({"recipients": [failed("never@example.net", params="NOTIFY=NEVER"),
                                             failed("s@example.net", params="NOTIFY=SUCCESS")]})
        self.assertEqual(code, 3)
        self.assertEqual(raw, b"")


class DsnGlobalTest(DsnCase):
    def test_smtputf8_original_gets_global_types(self):
        header = "From: Jérôme <jérôme@société.fr>\r\nSubject: Devis été\r\n\r\n"
        raw, msg = self.build({
            "mail_from": "jérôme@société.fr", "mail_params": "SMTPUTF8", "header": header,
            "recipients": [failed("élise@exemple.fr", params="ORCPT=utf-8;élise@exemple.fr")]},
            utf8=True)
        self.assertEqual(msg.get_content_type(), "multipart/report")
        self.assertEqual(msg.get_param("report-type"), "global-delivery-status")
        self.assertEqual(msg["To"].addresses[0].addr_spec, "jérôme@société.fr")
        parts = msg.get_payload()
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "message/global-delivery-status", "message/global"])
        blocks = status_blocks(raw, msg)
        self.assertEqual(blocks[1]["Original-Recipient"], "utf-8; élise@exemple.fr")
        self.assertEqual(blocks[1]["Final-Recipient"], "utf-8; élise@exemple.fr")
        self.assertEqual(blocks[1]["Action"], "failed")

    def test_hdrs_gives_global_headers(self):
        header = "From: Jérôme <jérôme@société.fr>\r\nSubject: Devis\r\n\r\n"
        _, msg = self.build({"mail_from": "jérôme@société.fr", "mail_params": "SMTPUTF8 RET=HDRS",
                             "header": header, "recipients": [failed("élise@exemple.fr")]},
                            utf8=True)
        self.assertEqual(msg.get_payload()[2].get_content_type(), "message/global-headers")


if __name__ == "__main__":
    unittest.main()
