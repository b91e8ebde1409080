#!/usr/bin/python3
"""DKIM signatures made by MailFountain (libmailfountain/dkim/), verified by dkimpy.

sign_tool (path in DKIM_SIGN_TOOL) generates an RSA-2048 key with the library's key
generation and signs messages with it; dkim.verify() from Debian's python3-dkim checks
them, its DNS lookup (dnsfunc=) answered with a TXT record built from the public key as
OpenSSL derives it from the private key file, not as our code does. Covered: plain,
multipart, 8-bit text after the 7-bit downgrade, long folded headers, a body without a
final CRLF, bodies fed in small chunks, and tampered messages that must fail.
"""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import dkim

TOOL = os.environ.get("DKIM_SIGN_TOOL", "")
DOMAIN = "ma-societe.fr"
SELECTOR = "mf202611"
# dkimpy refuses a t= in the future: sign "now", one fixed value so repeated runs compare.
NOW = str(int(time.time()) - 60)

PLAIN = (b"From: Jean Dupont <jean@ma-societe.fr>\r\n"
         b"To: client@example.net\r\n"
         b"Subject: Votre devis\r\n"
         b"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
         b"Message-ID: <devis-42@ma-societe.fr>\r\n"
         b"MIME-Version: 1.0\r\n"
         b"Content-Type: text/plain; charset=us-ascii\r\n"
         b"\r\n"
         b"Bonjour,\r\n\r\nVoici le devis.  Cordialement,\t\r\n-- \r\nJean\r\n\r\n\r\n")

MULTIPART = (b"From: jean@ma-societe.fr\r\n"
             b"To: a@example.net, b@example.net\r\n"
             b"Cc: c@example.net\r\n"
             b"Subject: Rapport\r\n"
             b"MIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"=_b1\"\r\n"
             b"List-Unsubscribe: <mailto:unsubscribe@ma-societe.fr?subject=42>,\r\n"
             b" <https://ma-societe.fr/u/42>\r\n"
             b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
             b"\r\n"
             b"preamble\r\n"
             b"--=_b1\r\n"
             b"Content-Type: text/plain\r\n"
             b"\r\n"
             b"Le rapport est joint.\r\n"
             b"--=_b1\r\n"
             b"Content-Type: application/octet-stream; name=\"r.bin\"\r\n"
             b"Content-Transfer-Encoding: base64\r\n"
             b"\r\n"
             b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"
             b"--=_b1--\r\n")

EIGHT_BIT = ("From: jean@ma-societe.fr\r\n"
             "To: client@example.net\r\n"
             "Subject: Caf\u00e9 cr\u00e8me\r\n"
             "MIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n"
             "\r\n"
             "Une facture \u00e0 r\u00e9gler avant le 30 \u2014 merci.\r\n").encode("utf-8")

LONG_HEADERS = (b"From: \"A very long display name that goes on and on\"\r\n"
                b"  <jean@ma-societe.fr>\r\n"
                b"To: " + b", ".join(b"recipient%02d@example.net" % i for i in range(12)) + b"\r\n"
                b"Subject: A subject that is long enough to be folded over several\r\n"
                b"\tlines,   with   odd   spacing\t\tand tabs   \r\n"
                b"References: " + b"\r\n ".join(b"<ref%02d@ma-societe.fr>" % i for i in range(20)) +
                b"\r\n"
                b"In-Reply-To: <ref19@ma-societe.fr>\r\n"
                b"Reply-To: facturation@ma-societe.fr\r\n"
                b"\r\n"
                b"Short body.\r\n")

NO_FINAL_CRLF = (b"From: jean@ma-societe.fr\r\n"
                 b"To: client@example.net\r\n"
                 b"Subject: no final line end\r\n"
                 b"\r\n"
                 b"first line\r\nlast line without CRLF   ")

EMPTY_BODY = b"From: jean@ma-societe.fr\r\nTo: client@example.net\r\nSubject: empty\r\n\r\n"


class DkimCase(unittest.TestCase):
    """Base: one key per test class. Not collected as a ctest test itself."""

    @classmethod
    def setUpClass(cls):
        if not TOOL:
            raise AssertionError("DKIM_SIGN_TOOL is not set")
        cls.dir = tempfile.mkdtemp(prefix="mf-dkim-")
        cls.key = os.path.join(cls.dir, "test.key")
        subprocess.run([TOOL, "--generate", cls.key], check=True, timeout=60)
        # The public key as OpenSSL derives it: an independent check of our DER encoding.
        der = subprocess.run(["openssl", "rsa", "-in", cls.key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True, timeout=30).stdout
        import base64
        cls.public_key = base64.b64encode(der).decode("ascii")
        cls.txt = ("v=DKIM1; k=rsa; p=%s" % cls.public_key).encode("ascii")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def dnsfunc(self, name, timeout=5):
        if name == b"%s._domainkey.%s." % (SELECTOR.encode(), DOMAIN.encode()):
            return self.txt
        return None

    def sign(self, message, *extra):
        proc = subprocess.run([TOOL, "--key", self.key, "--domain", DOMAIN, "--selector",
                               SELECTOR, "--time", NOW] + list(extra),
                              input=message, capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        return proc.stdout

    def assert_verifies(self, signed):
        self.assertTrue(dkim.verify(signed, dnsfunc=self.dnsfunc),
                        "dkimpy rejects:\n" + signed.decode("utf-8", "replace"))

    def assert_fails(self, signed):
        self.assertFalse(dkim.verify(signed, dnsfunc=self.dnsfunc))

    def signature_field(self, signed):
        return signed[:signed.index(b"\r\n", signed.index(b"b=", signed.index(b"bh=") + 3))]

    def tag(self, signed, name):
        field = self.signature_field(signed).replace(b"\r\n", b"").replace(b" ", b"")
        for t in field.split(b":", 1)[1].split(b";"):
            k, _, v = t.partition(b"=")
            if k == name:
                return v
        return None


class SignedMessagesVerifyTest(DkimCase):
    def test_plain_text_message(self):
        self.assert_verifies(self.sign(PLAIN))

    def test_multipart_with_list_unsubscribe(self):
        signed = self.sign(MULTIPART)
        self.assert_verifies(signed)
        h = self.tag(signed, b"h").split(b":")
        self.assertIn(b"list-unsubscribe", h)
        self.assertIn(b"list-unsubscribe-post", h)
        self.assertEqual(h.count(b"from"), 2)

    def test_eight_bit_message_after_the_seven_bit_downgrade(self):
        signed = self.sign(EIGHT_BIT, "--downgrade")
        self.assertTrue(all(b < 0x80 for b in signed), "the downgrade left 8-bit bytes")
        self.assertIn(b"quoted-printable", signed)
        self.assert_verifies(signed)

    def test_long_folded_headers(self):
        signed = self.sign(LONG_HEADERS)
        for line in self.signature_field(signed).split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
        self.assert_verifies(signed)

    def test_body_without_final_crlf(self):
        self.assert_verifies(self.sign(NO_FINAL_CRLF))

    def test_empty_body(self):
        signed = self.sign(EMPTY_BODY)
        self.assertEqual(self.tag(signed, b"bh"), b"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        self.assert_verifies(signed)

    def test_body_fed_in_small_chunks_signs_the_same(self):
        whole = self.sign(PLAIN)
        for size in ("1", "2", "3", "7"):
            self.assertEqual(self.sign(PLAIN, "--chunk", size), whole)

    def test_lf_only_input_is_signed_as_sent_with_crlf(self):
        self.assert_verifies(self.sign(PLAIN.replace(b"\r\n", b"\n")))


class TamperedMessagesFailTest(DkimCase):
    def test_changed_body_fails(self):
        signed = self.sign(PLAIN)
        self.assert_verifies(signed)
        self.assert_fails(signed.replace(b"Voici le devis.", b"Voici la facture."))

    def test_changed_signed_header_fails(self):
        signed = self.sign(MULTIPART)
        self.assert_fails(signed.replace(b"Subject: Rapport", b"Subject: Rapport urgent"))
        self.assert_fails(signed.replace(b"https://ma-societe.fr/u/42", b"https://evil.example/"))

    def test_added_from_fails_because_from_is_over_signed(self):
        signed = self.sign(PLAIN)
        field_end = len(self.signature_field(signed)) + 2
        forged = signed[:field_end] + b"From: ceo@ma-societe.fr\r\n" + signed[field_end:]
        self.assert_fails(forged)

    def test_appended_body_fails(self):
        self.assert_fails(self.sign(PLAIN) + b"P.S. pay to another account\r\n")

    def test_wrong_public_key_fails(self):
        signed = self.sign(PLAIN)
        other = os.path.join(self.dir, "other.key")
        if not os.path.exists(other):
            subprocess.run([TOOL, "--generate", other], check=True, timeout=60)
        pub = subprocess.run([TOOL, "--public-key", other], check=True, capture_output=True,
                             timeout=30).stdout.strip()
        txt = b"v=DKIM1; k=rsa; p=" + pub
        self.assertFalse(dkim.verify(signed, dnsfunc=lambda name, timeout=5: txt))

    def test_relaxed_whitespace_changes_still_verify(self):
        signed = self.sign(PLAIN)
        rewrapped = signed.replace(b"Subject: Votre devis", b"Subject:  Votre\r\n\t devis")
        self.assert_verifies(rewrapped)


class PublicKeyTest(DkimCase):
    def test_our_public_key_equals_openssls(self):
        pub = subprocess.run([TOOL, "--public-key", self.key], check=True, capture_output=True,
                             timeout=30).stdout.decode().strip()
        self.assertEqual(pub, self.public_key)

    def test_generated_key_is_private_to_its_owner(self):
        self.assertEqual(os.stat(self.key).st_mode & 0o777, 0o600)


if __name__ == "__main__":
    unittest.main()
