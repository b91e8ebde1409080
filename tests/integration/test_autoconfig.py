"""Mail-client autoconfiguration against the running daemon (docs/autoconfig.md): the http
listener answers Mozilla autoconfig, Outlook Autodiscover (POX) and Apple .mobileconfig
requests for MA SOCIETE addresses, with the ports the daemon's listeners are bound to.

The documents are read the way the clients read them: xml.etree.ElementTree for
Thunderbird's clientConfig (server types, ports, socket types, authentication methods,
username form) and Outlook's POX answer, plistlib for the Apple profile. Bad requests get
4xx answers and the daemon keeps serving.
"""

import http.client
import os
import plistlib
import socket
import sys
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from smtp_harness import DOMAIN, DaemonTestCase, addr  # noqa: E402

HOSTNAME = "mail.ma-societe.fr"
ROLES = ("smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "http")
CONFIG = f'hostname = "{HOSTNAME}"\n'

AD_RESPONSE = "{http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006}"
AD_OUTLOOK = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
AD_REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"


def pox_request(address):
    return (f'<?xml version="1.0" encoding="utf-8"?>\r\n'
            f'<Autodiscover xmlns="{AD_REQUEST_NS}">\r\n'
            f"  <Request>\r\n"
            f"    <EMailAddress>{address}</EMailAddress>\r\n"
            f"    <AcceptableResponseSchema>{AD_OUTLOOK[1:-1]}</AcceptableResponseSchema>\r\n"
            f"  </Request>\r\n"
            f"</Autodiscover>\r\n").encode()


class HttpTestCase(DaemonTestCase):
    CONFIG = CONFIG
    ROLES = ROLES

    def request(self, method, path, body=None, host=None, headers=None):
        """(status, headers, body bytes) of one request on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.ports["http"], timeout=30)
        try:
            h = dict(headers or {})
            if host:
                h["Host"] = host
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def assertServing(self):
        """The daemon still answers a good request."""
        path = f"/mail/config-v1.1.xml?emailaddress={addr('luc.petit')}"
        status, _, _ = self.request("GET", path)
        self.assertEqual(status, 200)


class MozillaAutoconfigTest(HttpTestCase):

    def config(self, path, host):
        status, headers, body = self.request("GET", path, host=host)
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("text/xml"), headers["Content-Type"])
        return ET.fromstring(body)

    def test_thunderbird_reads_imap_pop3_and_smtp_with_the_bound_ports(self):
        address = addr("jean.martin")
        root = self.config(f"/mail/config-v1.1.xml?emailaddress={address}",
                           host=f"autoconfig.{DOMAIN}")
        self.assertEqual(root.tag, "clientConfig")
        self.assertEqual(root.get("version"), "1.1")
        provider = root.find("emailProvider")
        self.assertEqual(provider.get("id"), DOMAIN)
        self.assertEqual([d.text for d in provider.findall("domain")], [DOMAIN])

        def servers(tag):
            out = []
            for s in provider.findall(tag):
                self.assertEqual(s.findtext("hostname"), HOSTNAME)
                self.assertEqual([a.text for a in s.findall("authentication")],
                                 ["password-cleartext"])
                self.assertEqual(s.findtext("username"), "%EMAILADDRESS%")
                out.append((s.get("type"), int(s.findtext("port")), s.findtext("socketType")))
            return out

        p = self.daemon.ports
        self.assertEqual(servers("incomingServer"), [
            ("imap", p["imaps"], "SSL"), ("imap", p["imap"], "STARTTLS"),
            ("pop3", p["pop3s"], "SSL"), ("pop3", p["pop3"], "STARTTLS")])
        self.assertEqual(servers("outgoingServer"), [
            ("smtp", p["submissions"], "SSL"), ("smtp", p["submission"], "STARTTLS")])
        # Port 25 is for other servers, never advertised to clients.
        self.assertNotIn(str(p["smtp"]), [s.findtext("port") for s in provider.iter()
                                          if s.tag.endswith("Server")])

    def test_well_known_path_takes_the_domain_from_the_host(self):
        root = self.config("/.well-known/autoconfig/mail/config-v1.1.xml", host=DOMAIN)
        self.assertEqual(root.find("emailProvider").get("id"), DOMAIN)
        root = self.config("/mail/config-v1.1.xml", host=f"autoconfig.{DOMAIN}:80")
        self.assertEqual(root.find("emailProvider").get("id"), DOMAIN)

    def test_a_domain_the_directory_does_not_know_gets_404_with_the_reason(self):
        status, _, body = self.request("GET", "/mail/config-v1.1.xml?emailaddress=a@example.org")
        self.assertEqual(status, 404)
        self.assertIn(b"example.org is not a mail domain of this server", body)
        status, _, _ = self.request("GET", "/mail/config-v1.1.xml", host="autoconfig.example.org")
        self.assertEqual(status, 404)
        self.assertServing()

    def test_requests_are_logged(self):
        self.request("GET", f"/mail/config-v1.1.xml?emailaddress={addr('emma.durand')}")
        self.wait_for_log("http: GET /mail/config-v1.1.xml from [127.0.0.1]: 200")


class AutodiscoverTest(HttpTestCase):

    def protocols(self, body):
        root = ET.fromstring(body)
        self.assertEqual(root.tag, AD_RESPONSE + "Autodiscover")
        account = root.find(f"{AD_OUTLOOK}Response/{AD_OUTLOOK}Account")
        self.assertEqual(account.findtext(AD_OUTLOOK + "AccountType"), "email")
        self.assertEqual(account.findtext(AD_OUTLOOK + "Action"), "settings")
        out = {}
        for proto in account.findall(AD_OUTLOOK + "Protocol"):
            fields = {child.tag[len(AD_OUTLOOK):]: child.text for child in proto}
            out[fields.pop("Type")] = fields
        return out

    def test_outlook_gets_imap_pop3_and_smtp_with_the_address_as_login(self):
        address = addr("sophie.bernard")
        for path in ("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"):
            status, headers, body = self.request("POST", path, body=pox_request(address),
                                                 host=f"autodiscover.{DOMAIN}",
                                                 headers={"Content-Type": "text/xml"})
            self.assertEqual(status, 200, body)
            self.assertTrue(headers["Content-Type"].startswith("text/xml"))
            protocols = self.protocols(body)
            self.assertEqual(sorted(protocols), ["IMAP", "POP3", "SMTP"])
            p = self.daemon.ports
            for kind, port in (("IMAP", p["imaps"]), ("POP3", p["pop3s"]),
                               ("SMTP", p["submissions"])):
                self.assertEqual(protocols[kind], {
                    "Server": HOSTNAME, "Port": str(port), "DomainRequired": "off",
                    "LoginName": address, "SPA": "off", "SSL": "on", "AuthRequired": "on",
                    "Encryption": "SSL"}, kind)

    def error_code(self, body):
        root = ET.fromstring(body)
        error = root.find(f"{AD_RESPONSE}Response/{AD_RESPONSE}Error")
        self.assertIsNotNone(error, body)
        return error.findtext(AD_RESPONSE + "ErrorCode")

    def test_bad_requests_get_4xx_with_an_error_element_and_the_server_keeps_serving(self):
        path = "/autodiscover/autodiscover.xml"
        cases = [
            (b"<Autodiscover><Request>", 400, "600"),
            (b"not xml at all", 400, "600"),
            (b'<!DOCTYPE x [<!ENTITY a "b">]><Autodiscover/>', 400, "600"),
            (pox_request("no-at-sign"), 400, "600"),
            (b"<Autodiscover><Request></Request></Autodiscover>", 400, "600"),
            (pox_request("someone@example.org"), 404, "500"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                got, _, answer = self.request("POST", path, body=body)
                self.assertEqual(got, status, answer)
                self.assertEqual(self.error_code(answer), code)
        got, headers, _ = self.request("GET", path)
        self.assertEqual(got, 405)
        self.assertEqual(headers["Allow"], "POST")
        got, _, body = self.request("POST", path, body=pox_request(addr("luc.petit")))
        self.assertEqual(got, 200)
        self.assertIn("IMAP", self.protocols(body))


class AppleProfileTest(HttpTestCase):

    def profile(self, address):
        status, headers, body = self.request("GET", f"/mobileconfig?emailaddress={address}")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "application/x-apple-aspen-config")
        self.assertIn("attachment", headers["Content-Disposition"])
        return plistlib.loads(body)

    def test_the_profile_configures_imap_and_submission_over_tls(self):
        address = addr("emma.durand")
        doc = self.profile(address)
        self.assertEqual(doc["PayloadType"], "Configuration")
        self.assertEqual(doc["PayloadVersion"], 1)
        (mail,) = doc["PayloadContent"]
        p = self.daemon.ports
        expected = {
            "PayloadType": "com.apple.mail.managed",
            "EmailAccountType": "EmailTypeIMAP",
            "EmailAddress": address,
            "IncomingMailServerHostName": HOSTNAME,
            "IncomingMailServerPortNumber": p["imaps"],
            "IncomingMailServerUseSSL": True,
            "IncomingMailServerUsername": address,
            "IncomingMailServerAuthentication": "EmailAuthPassword",
            "OutgoingMailServerHostName": HOSTNAME,
            "OutgoingMailServerPortNumber": p["submissions"],
            "OutgoingMailServerUseSSL": True,
            "OutgoingMailServerUsername": address,
            "OutgoingMailServerAuthentication": "EmailAuthPassword",
            "OutgoingPasswordSameAsIncomingPassword": True,
        }
        self.assertEqual({k: mail.get(k) for k in expected}, expected)

    def test_uuids_are_stable_per_address_and_distinct_between_addresses(self):
        first = self.profile(addr("jean.martin"))
        again = self.profile(addr("jean.martin"))
        other = self.profile(addr("luc.petit"))
        uuids = [first["PayloadUUID"], first["PayloadContent"][0]["PayloadUUID"]]
        self.assertEqual(uuids, [again["PayloadUUID"], again["PayloadContent"][0]["PayloadUUID"]])
        self.assertNotIn(other["PayloadUUID"], uuids)
        self.assertNotEqual(uuids[0], uuids[1])
        for u in uuids:
            self.assertEqual(uuid.UUID(u).version, 5)

    def test_unknown_domains_and_missing_addresses_are_refused(self):
        status, _, _ = self.request("GET", "/mobileconfig?emailaddress=a@example.org")
        self.assertEqual(status, 404)
        status, _, _ = self.request("GET", "/mobileconfig")
        self.assertEqual(status, 400)
        self.assertServing()


class HttpLimitsTest(HttpTestCase):

    def test_a_body_over_64_kib_gets_413(self):
        body = pox_request(addr("jean.martin")) + b" " * (65 * 1024)
        status, _, _ = self.request("POST", "/autodiscover/autodiscover.xml", body=body)
        self.assertEqual(status, 413)
        self.assertServing()

    def test_oversized_headers_get_400(self):
        status, _, _ = self.request("GET", "/mail/config-v1.1.xml",
                                    headers={"X-Filler": "x" * (16 * 1024)})
        self.assertEqual(status, 400)
        self.assertServing()

    def test_garbage_and_unknown_paths_get_4xx(self):
        with socket.create_connection(("127.0.0.1", self.daemon.ports["http"]), timeout=30) as s:
            s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            answer = s.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer)
        status, _, _ = self.request("GET", "/etc/passwd")
        self.assertEqual(status, 404)
        status, _, _ = self.request("DELETE", "/mail/config-v1.1.xml")
        self.assertEqual(status, 405)
        self.assertServing()

    def test_status_lists_the_http_listener(self):
        self.wait_for_log(f"listening: http 127.0.0.1:{self.daemon.ports['http']}")


class HttpShutdownTest(HttpTestCase):

    def test_an_idle_keep_alive_connection_does_not_hold_up_shutdown(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.ports["http"], timeout=30)
        conn.request("GET", f"/mail/config-v1.1.xml?emailaddress={addr('jean.martin')}")
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        self.assertFalse(r.will_close)
        started = time.monotonic()
        self.assertEqual(self.daemon.stop(), 0)
        self.assertLess(time.monotonic() - started, 10)
        conn.close()


if __name__ == "__main__":
    unittest.main()
