"""Postfix (Debian's) as a real peer delivering into mailfountaind.

A private Postfix instance (postfix_peer.py) routes ma-societe.fr to the daemon's port 25
listener through its transport map, with opportunistic STARTTLS as on the Internet. Mail is
handed to Postfix with smtplib, and the test follows it through Postfix's log into the
mailboxes: Postfix's own SMTP client (pipelining, STARTTLS, 8BITMIME) is the peer, not a
test stand-in."""

import os
import re
import smtplib
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from postfix_peer import PostfixPeer  # noqa: E402
from smtp_harness import DaemonTestCase, addr, inbox_texts  # noqa: E402


def tag():
    return uuid.uuid4().hex[:12]


class PostfixRelaysIntoMailfountainTest(DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.peer = PostfixPeer({"ma-societe.fr": f"127.0.0.1:{cls.daemon.ports['smtp']}"})
        cls.addClassCleanup(cls.peer.cleanup)
        cls.peer.start()

    def send_through_postfix(self, rcpts, subject, body="Bonjour.\r\n", headers=""):
        message_id = f"{tag()}@client.example"
        text = (f"From: jean@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n"
                f"Message-ID: <{message_id}>\r\n{headers}\r\n{body}")
        with smtplib.SMTP("127.0.0.1", self.peer.port, local_hostname="client.example",
                          timeout=30) as s:
            refused = s.sendmail("jean@example.org", rcpts, text.encode())
        self.assertEqual(refused, {})
        return message_id

    def outcome(self, message_id, rcpt):
        """Postfix's final delivery log line (sent or bounced) for this message and recipient."""
        self.peer.wait_log(r": message-id=<" + re.escape(message_id) + ">")
        ids = "|".join(self.peer.queue_ids_of(message_id))
        return self.peer.wait_log(r"^.*\b(?:" + ids + r"): to=<" + re.escape(rcpt)
                                  + r">.*status=(?:sent|bounced).*$").group(0)

    def test_postfix_delivers_over_starttls_and_the_mail_reaches_the_mailbox(self):
        subject = f"via postfix {tag()}"
        mid = self.send_through_postfix([addr("emma.durand")], subject)
        line = self.outcome(mid, addr("emma.durand"))
        port = self.daemon.ports["smtp"]
        self.assertRegex(line, rf"relay=127\.0\.0\.1\[127\.0\.0\.1\]:{port},.*dsn=2\.0\.0, "
                               r"status=sent \(250 2\.0\.0 ")
        # Postfix negotiated TLS 1.2 with the daemon's self-signed certificate.
        self.assertRegex(self.peer.log(), rf"TLS connection established to 127\.0\.0\.1\[127\.0"
                                          rf"\.0\.1\]:{port}: TLSv1\.2 with cipher")
        texts = [t for t in inbox_texts(self.data, addr("emma.durand")) if subject in t]
        self.assertEqual(len(texts), 1)
        # The daemon's trace field names Postfix and the protocol with TLS (RFC 3848).
        self.assertRegex(texts[0], r"Received: from peer\.postfix\.test \(\[127\.0\.0\.1\]\)\r\n"
                                   r"\tby \S+ \(MailFountain\) with ESMTPS id ")
        self.assertIn(f"Message-ID: <{mid}>", texts[0])

    def test_one_pipelined_transaction_fans_out_and_an_unknown_recipient_bounces(self):
        subject = f"fan-out {tag()}"
        rcpts = [addr("luc.petit"), addr("support"), addr("nobody")]
        body = "Voilà le devis, à très bientôt.\r\n"
        mid = self.send_through_postfix(
            rcpts, subject, body,
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n")
        for r in rcpts[:2]:
            self.assertIn("status=sent (250 2.0.0", self.outcome(mid, r))
        bounced = self.outcome(mid, addr("nobody"))
        self.assertRegex(bounced, r"status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: "
                                  r"550 5\.1\.1 ")
        # support@ reaches luc and emma; luc is named directly too: one copy each.
        for who in ("luc.petit", "emma.durand"):
            texts = [t for t in inbox_texts(self.data, addr(who)) if subject in t]
            self.assertEqual(len(texts), 1, who)
            # 8-bit text arrived intact (mailbox_dump shows each byte as one character).
            self.assertIn(body.encode().decode("latin-1"), texts[0])


if __name__ == "__main__":
    unittest.main()
