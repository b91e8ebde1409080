"""Integration tests of `mfctl dkim show|rotate` and `mfctl dns records` (docs/dkim.md).

Run by ctest with MFCTL set to the mfctl binary and DKIM_SIGN_TOOL to tests/dkim's
sign_tool: a message signed with the key file mfctl made verifies with dkimpy against the
TXT record `mfctl dns records --json` prints, which checks the key, the record and its
255-octet strings end to end.
"""

import os
import re
import stat
import subprocess
import sys
import unittest

import dkim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mfctl_harness import DOMAIN, MfctlTestCase, addr  # noqa: E402

SIGN_TOOL = os.environ.get("DKIM_SIGN_TOOL", "")
SELECTOR_RE = re.compile(r"^mf\d{6}[b-z]?$")


class DkimKeysTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)

    def keys(self):
        return self.data.run("dkim", "show", DOMAIN, json_output=True).json()["keys"]

    def test_domain_add_makes_a_private_2048_bit_key(self):
        (key,) = self.keys()
        self.assertRegex(key["selector"], SELECTOR_RE)
        self.assertTrue(key["active"])
        self.assertEqual(key["bits"], 2048)
        self.assertEqual(key["path"], os.path.join(self.data.path, "dkim", DOMAIN,
                                                   key["selector"] + ".key"))
        self.assertEqual(stat.S_IMODE(os.stat(key["path"]).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(key["path"])).st_mode), 0o700)
        self.assertEqual(key["dns_name"], f"{key['selector']}._domainkey.{DOMAIN}.")
        self.assertTrue(all(len(s) <= 255 for s in key["txt"]))
        self.assertEqual("".join(key["txt"]), "v=DKIM1; k=rsa; p=" + key["public_key"])

    def test_show_prints_the_keys_and_the_txt_record(self):
        (key,) = self.keys()
        out = self.ok("dkim", "show", DOMAIN).out
        self.assertIn(key["selector"], out)
        self.assertIn("active", out)
        self.assertIn(f"{key['selector']}._domainkey.{DOMAIN}.\tIN\tTXT\t\"v=DKIM1; k=rsa; p=",
                      out)

    def test_rotate_makes_a_new_active_key_and_keeps_the_old(self):
        (first,) = self.keys()
        result = self.data.run("dkim", "rotate", DOMAIN, json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "dkim rotate", "target": DOMAIN})
        keys = self.keys()
        self.assertEqual(len(keys), 2)
        self.assertTrue(keys[0]["active"])
        self.assertNotEqual(keys[0]["selector"], first["selector"])
        self.assertNotEqual(keys[0]["public_key"], first["public_key"])
        self.assertEqual(keys[1]["selector"], first["selector"])
        self.assertFalse(keys[1]["active"])
        human = self.ok("dkim", "rotate", DOMAIN).out
        self.assertIn(f"previous key {keys[0]['selector']} is kept", human)
        self.assertEqual(len(self.keys()), 3)

    def test_domain_add_without_key_then_rotate(self):
        self.ok("domain", "add", "autre.fr", "--no-dkim-key")
        self.assertJsonError(self.data.run("dkim", "show", "autre.fr", json_output=True), 3,
                             "not_found", "mfctl dkim rotate")
        self.ok("dkim", "rotate", "autre.fr")
        self.assertEqual(len(self.data.run("dkim", "show", "autre.fr",
                                           json_output=True).json()["keys"]), 1)

    def test_unknown_domain_is_not_found(self):
        self.assertExit(self.data.run("dkim", "show", "nowhere.fr"), 3, "nowhere.fr")
        self.assertExit(self.data.run("dkim", "rotate", "nowhere.fr"), 3, "nowhere.fr")

    def test_only_an_administrator_rotates(self):
        self.ok("user", "add", addr("jean.martin"), stdin="jean-Secret-1\n")
        self.ok("manager", "grant", addr("jean.martin"), DOMAIN)
        result = self.data.run("dkim", "rotate", DOMAIN, as_=addr("jean.martin"),
                               as_password="jean-Secret-1")
        self.assertExit(result, 4, "only an administrator")
        self.assertEqual(len(self.keys()), 1)
        # A manager may look at the keys of the domain.
        shown = self.data.run("dkim", "show", DOMAIN, as_=addr("jean.martin"),
                              as_password="jean-Secret-1")
        self.assertEqual(shown.code, 0, shown)


class DnsRecordsTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)

    def records(self, *extra):
        doc = self.data.run("dns", "records", DOMAIN, "--host", "mail.example.net",
                            *extra, json_output=True).json()
        return doc["records"]

    def test_zone_file_lists_every_record(self):
        out = self.ok("dns", "records", DOMAIN, "--host", "mail.example.net",
                      "--ipv4", "192.0.2.25").out
        d = DOMAIN + "."
        for line in [f"{d}\tIN\tMX\t10 mail.example.net.",
                     "mail.example.net.\tIN\tA\t192.0.2.25",
                     f"{d}\tIN\tTXT\t\"v=spf1 mx -all\"",
                     f"_dmarc.{d}\tIN\tTXT\t\"v=DMARC1; p=quarantine; rua=mailto:postmaster@{DOMAIN}\"",
                     f"_submissions._tcp.{d}\tIN\tSRV\t0 1 465 mail.example.net.",
                     f"_submission._tcp.{d}\tIN\tSRV\t1 1 587 mail.example.net.",
                     f"_imaps._tcp.{d}\tIN\tSRV\t0 1 993 mail.example.net.",
                     f"_imap._tcp.{d}\tIN\tSRV\t1 1 143 mail.example.net.",
                     f"_pop3s._tcp.{d}\tIN\tSRV\t10 1 995 mail.example.net.",
                     f"_pop3._tcp.{d}\tIN\tSRV\t11 1 110 mail.example.net.",
                     f"autoconfig.{d}\tIN\tCNAME\tmail.example.net.",
                     f"autodiscover.{d}\tIN\tCNAME\tmail.example.net."]:
            self.assertIn(line + "\n", out)
        self.assertRegex(out, r"mf\d{6}\._domainkey\." + re.escape(d) +
                         r'\tIN\tTXT\t"v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+" "[A-Za-z0-9+/=]+"\n')
        for line in out.splitlines():
            self.assertTrue(line.startswith(";") or "\tIN\t" in line, line)

    def test_without_an_address_the_a_record_is_a_commented_placeholder(self):
        out = self.ok("dns", "records", DOMAIN, "--host", "mail.example.net").out
        self.assertIn("; mail.example.net.\tIN\tA\t<", out)
        (a,) = [r for r in self.records() if r["type"] == "A"]
        self.assertTrue(a["placeholder"])

    def test_json_records_are_structured(self):
        records = self.records("--ipv4", "192.0.2.25", "--ipv6", "2001:db8::25")
        types = [r["type"] for r in records]
        self.assertEqual(types, ["MX", "A", "AAAA", "TXT", "TXT", "TXT", "SRV", "SRV", "SRV",
                                 "SRV", "SRV", "SRV", "CNAME", "CNAME"])
        (dkim_txt,) = [r for r in records if "._domainkey." in r["name"]]
        self.assertEqual(len(dkim_txt["strings"]), 2)
        self.assertTrue(all(len(s) <= 255 for s in dkim_txt["strings"]))
        self.assertTrue(all(set(r) >= {"name", "type", "value", "comment", "placeholder"}
                            for r in records))

    def test_rotated_keys_are_all_published(self):
        self.ok("dkim", "rotate", DOMAIN)
        names = [r["name"] for r in self.records() if "._domainkey." in r["name"]]
        self.assertEqual(len(names), 2)

    @unittest.skipUnless(SIGN_TOOL, "DKIM_SIGN_TOOL is not set")
    def test_mail_signed_with_the_key_verifies_against_the_printed_record(self):
        (key,) = self.data.run("dkim", "show", DOMAIN, json_output=True).json()["keys"]
        (txt,) = [r for r in self.records() if "._domainkey." in r["name"]]
        message = (f"From: jean.martin@{DOMAIN}\r\nTo: client@example.net\r\n"
                   "Subject: Bonjour\r\n\r\nUn message.\r\n").encode()
        signed = subprocess.run([SIGN_TOOL, "--key", key["path"], "--domain", DOMAIN,
                                 "--selector", key["selector"]],
                                input=message, capture_output=True, check=True,
                                timeout=30).stdout
        record = "".join(txt["strings"]).encode()

        def dnsfunc(name, timeout=5):
            return record if name.decode() == txt["name"] else None

        self.assertTrue(dkim.verify(signed, dnsfunc=dnsfunc))
        self.assertFalse(dkim.verify(signed.replace(b"Un message", b"Un autre"),
                                     dnsfunc=dnsfunc))


if __name__ == "__main__":
    unittest.main()
