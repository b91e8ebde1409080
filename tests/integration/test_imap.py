"""IMAP against the running daemon (issue 6's tests): the MA SOCIETE accounts receive mail
through the MTA and read it with Python's imaplib over STARTTLS (143) and implicit TLS
(993), on ephemeral loopback ports.

Concurrency checks use two sessions of one account; IDLE waits with a generous timeout and
asserts no timing.
"""

import email
import imaplib
import os
import re
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from mfctl_harness import ADMIN_PASSWORD  # noqa: E402
from smtp_harness import (DaemonTestCase, addr, client_tls_context, message,  # noqa: E402
                          password_of)


def multipart_mixed(sender, to, subject):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            "Date: Mon, 16 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\n"
            "Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"
            "--b2\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            "Le devis est pr=C3=AAt pour la soci=C3=A9t=C3=A9.\r\n"
            "--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            "<p>Le devis est pr\u00eat.</p>\r\n"
            "--b2--\r\n"
            "--b1\r\n"
            "Content-Type: application/pdf; name=\"devis.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"devis.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            "JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n"
            "--b1\r\n"
            "Content-Type: message/rfc822\r\n\r\n"
            "From: client@example.net\r\nTo: emma.durand@ma-societe.fr\r\n"
            "Subject: Demande de devis\r\n\r\nBonjour, un devis svp.\r\n"
            "--b1--\r\n")


class ImapTestCase(DaemonTestCase):
    """A daemon with SMTP, IMAP and IMAPS listeners on the demo data."""

    ROLES = ("smtp", "imap", "imaps")

    def imaps(self, who=None):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.daemon.ports["imaps"],
                              ssl_context=client_tls_context(), timeout=30)
        if who:
            m.login(addr(who), password_of(who))
        self.addCleanup(self._logout, m)
        return m

    def imap_starttls(self, who=None):
        m = imaplib.IMAP4("127.0.0.1", self.daemon.ports["imap"], timeout=30)
        m.starttls(ssl_context=client_tls_context())
        if who:
            m.login(addr(who), password_of(who))
        self.addCleanup(self._logout, m)
        return m

    @staticmethod
    def _logout(m):
        try:
            m.logout()
        except Exception:
            pass

    def deliver(self, who, subject, body="Bonjour.\r\n", raw=None):
        s = self.daemon.smtp()
        s.sendmail("client@example.net", [addr(who)],
                   (raw or message("client@example.net", addr(who), subject, body)).encode())
        s.quit()

    def wait_for_messages(self, m, mailbox, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            typ, data = m.status(mailbox, "(MESSAGES)")
            n = int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
            if n >= count:
                return n
            time.sleep(0.1)
        self.fail(f"{mailbox} did not reach {count} messages")

    def ok(self, result):
        typ, data = result
        self.assertEqual(typ, "OK", data)
        return data


class LoginTest(ImapTestCase):
    def test_plaintext_port_hides_login_until_starttls(self):
        m = imaplib.IMAP4("127.0.0.1", self.daemon.ports["imap"], timeout=30)
        self.addCleanup(self._logout, m)
        self.assertIn("LOGINDISABLED", m.capabilities)
        self.assertIn("STARTTLS", m.capabilities)
        self.assertNotIn("AUTH=PLAIN", m.capabilities)
        with self.assertRaisesRegex(imaplib.IMAP4.error, "PRIVACYREQUIRED"):
            m.login(addr("luc.petit"), password_of("luc.petit"))
        m.starttls(ssl_context=client_tls_context())
        self.assertIn("AUTH=PLAIN", m.capabilities)
        self.ok(m.login(addr("luc.petit"), password_of("luc.petit")))

    def test_implicit_tls_login_and_authenticate_plain(self):
        m = self.imaps()
        self.ok(m.login(addr("emma.durand"), password_of("emma.durand")))
        m2 = self.imaps()
        plain = f"\0{addr('sophie.bernard')}\0{password_of('sophie.bernard')}".encode()
        self.ok(m2.authenticate("PLAIN", lambda _: plain))
        self.ok(m2.select("INBOX"))

    def test_administrator_and_wrong_password_fail_alike(self):
        for login, password in (("admin", ADMIN_PASSWORD), (addr("luc.petit"), "nope"),
                                ("nobody@ma-societe.fr", "x")):
            m = self.imaps()
            with self.assertRaisesRegex(imaplib.IMAP4.error, r"\[AUTHENTICATIONFAILED\]"):
                m.login(login, password)
        self.wait_for_log("imap login failed: user=<admin>")

    def test_manager_cannot_act_as_another_account(self):
        # Jean Martin manages ma-societe.fr: he reads his own mail, never Luc's.
        m = self.imaps()
        plain = f"{addr('luc.petit')}\0{addr('jean.martin')}\0{password_of('jean.martin')}"
        with self.assertRaisesRegex(imaplib.IMAP4.error, r"\[AUTHENTICATIONFAILED\]"):
            m.authenticate("PLAIN", lambda _: plain.encode())
        m2 = self.imaps("jean.martin")
        self.ok(m2.select("INBOX"))

    def test_bad_commands_get_bad_and_the_session_goes_on(self):
        m = self.imaps("luc.petit")
        for line in (b"a1 FROB\r\n", b"a2 FETCH 1:x FLAGS\r\n", b"a3 SELECT\r\n"):
            m.send(line)
            reply = m.readline()
            self.assertTrue(reply.startswith(line.split()[0] + b" BAD "), reply)
        self.ok(m.noop())
        m.send(b"a4 FETCH 1 FLAGS\r\n")
        self.assertIn(b"No mailbox selected", m.readline())


class ReadingTest(ImapTestCase):
    def test_delivered_mail_is_read_with_flags_and_partial_fetch(self):
        self.deliver("luc.petit", "Lecture du courrier", "Corps du message.\r\n")
        m = self.imaps("luc.petit")
        self.wait_for_messages(m, "INBOX", 1)
        data = self.ok(m.select("INBOX"))
        n = int(data[0])
        data = self.ok(m.fetch(str(n), "(FLAGS ENVELOPE RFC822.SIZE)"))
        self.assertIn(b"Lecture du courrier", data[0])
        self.assertIn(b"FLAGS ()", data[0])
        data = self.ok(m.fetch(str(n), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
        self.assertEqual(data[0][1], b"Subject: Lecture du courrier\r\n\r\n")
        data = self.ok(m.fetch(str(n), "(BODY.PEEK[TEXT]<6.4>)"))
        self.assertIn(b"BODY[TEXT]<6>", data[0][0])
        self.assertEqual(data[0][1], b"du m")
        data = self.ok(m.fetch(str(n), "(FLAGS)"))
        self.assertNotIn(b"\\Seen", data[0])  # PEEK leaves it unread
        data = self.ok(m.fetch(str(n), "(BODY[])"))
        parsed = email.message_from_bytes(data[0][1])
        self.assertEqual(parsed["Subject"], "Lecture du courrier")
        self.assertIn(b"\\Seen", b"".join(x if isinstance(x, bytes) else x[0] for x in data))
        self.ok(m.store(str(n), "+FLAGS", "(\\Flagged $Important)"))
        data = self.ok(m.fetch(str(n), "(FLAGS)"))
        self.assertIn(b"\\Flagged", data[0])
        self.assertIn(b"$Important", data[0])

    def test_bodystructure_of_mixed_alternative_and_attached_message(self):
        self.deliver("emma.durand", None,
                     raw=multipart_mixed("client@example.net", addr("emma.durand"), "Devis"))
        m = self.imaps("emma.durand")
        self.wait_for_messages(m, "INBOX", 1)
        self.ok(m.select("INBOX", readonly=True))
        uids = self.ok(m.uid("SEARCH", "SUBJECT", "Devis"))[0].split()
        self.assertTrue(uids)
        data = self.ok(m.uid("FETCH", uids[-1], "(BODYSTRUCTURE)"))
        bs = data[0] if isinstance(data[0], bytes) else b"".join(data[0])
        self.assertIn(b'"text" "plain" ("charset" "utf-8")', bs)
        self.assertIn(b'"alternative"', bs)
        self.assertIn(b'"application" "pdf"', bs)
        self.assertIn(b'"message" "rfc822"', bs)
        self.assertIn(b'"mixed"', bs)
        self.assertIn(b'"Demande de devis"', bs)  # the attached message's envelope
        data = self.ok(m.uid("FETCH", uids[-1], "(BINARY.PEEK[2])"))
        self.assertTrue(data[0][1].startswith(b"%PDF-1.4"))
        data = self.ok(m.uid("FETCH", uids[-1], "(BODY.PEEK[3.HEADER.FIELDS (SUBJECT)])"))
        self.assertEqual(data[0][1], b"Subject: Demande de devis\r\n\r\n")

    def test_a_large_message_and_a_large_mailbox_arrive_whole(self):
        # 3 MB of body, and enough messages that FETCH runs in several slices.
        line = "".join(chr(ord("a") + i % 26) for i in range(76)) + "\r\n"
        big = line * (3 * 1024 * 1024 // len(line))
        self.deliver("jean.martin", "Grand message", big)
        for i in range(200):
            self.deliver("jean.martin", f"Petit {i}")
        m = self.imaps("jean.martin")
        self.wait_for_messages(m, "INBOX", 201)
        self.ok(m.select("INBOX", readonly=True))
        uid = self.ok(m.uid("SEARCH", "SUBJECT", "Grand"))[0].split()[-1]
        data = self.ok(m.uid("FETCH", uid, "(BODY.PEEK[TEXT])"))
        self.assertEqual(data[0][1], big.encode())
        data = self.ok(m.fetch("1:*", "(UID ENVELOPE BODY.PEEK[HEADER])"))
        subjects = [x[0] for x in data if isinstance(x, tuple)]
        self.assertGreaterEqual(len(subjects), 201)
        self.assertEqual(sum(1 for x in subjects if b"Petit " in x), 200)

    def test_search_by_header_and_by_decoded_utf8_body(self):
        self.deliver("sophie.bernard", None,
                     raw=multipart_mixed("client@example.net", addr("sophie.bernard"),
                                         "Devis recherche"))
        self.deliver("sophie.bernard", "Autre sujet", "Rien à voir.\r\n")
        m = self.imaps("sophie.bernard")
        self.wait_for_messages(m, "INBOX", 2)
        self.ok(m.select("INBOX"))
        hits = self.ok(m.search(None, "SUBJECT", "recherche"))[0].split()
        self.assertEqual(len(hits), 1)
        # "société" is quoted-printable UTF-8 in the message: the search decodes it.
        m.literal = "société".encode()
        hits_utf8 = self.ok(m.search("UTF-8", "BODY"))[0].split()
        self.assertEqual(hits_utf8, hits)
        none = self.ok(m.search(None, "BODY", "introuvable"))[0].split()
        self.assertEqual(none, [])
        typ, data = m.search("KOI8-R", "BODY", "x")
        self.assertEqual(typ, "NO")
        self.assertIn(b"BADCHARSET", data[0])


class FolderTest(ImapTestCase):
    def test_create_rename_delete_subscribe_and_list(self):
        m = self.imaps("jean.martin")
        self.ok(m.create("Projets/2026"))
        self.ok(m.create("Projets/2027/"))  # a trailing delimiter is dropped
        self.ok(m.subscribe("Projets/2026"))
        names = b"\n".join(self.ok(m.list('""', "Projets/*")))
        self.assertIn(b'"Projets/2026"', names.replace(b"Projets/2026", b'"Projets/2026"'))
        listing = self.ok(m.list('""', "*"))
        self.assertTrue(any(b"\\Sent" in line and b"Sent" in line for line in listing))
        # "Projets" exists only as the level above Projets/2026: listed under "%" as such.
        top = [line for line in self.ok(m.list('""', "%")) if line and b"Projets" in line]
        self.assertEqual(len(top), 1, top)
        self.assertTrue(b"\\NonExistent" in top[0] or b"\\Noselect" in top[0], top)
        self.assertIn(b"\\HasChildren", top[0])
        self.ok(m.rename("Projets/2026", '"Archives 2026"'))
        listing = b"\n".join(self.ok(m.list('""', "*")))
        self.assertIn(b'"Archives 2026"', listing)
        self.assertNotIn(b"Projets/2026", listing)
        subs = b"\n".join(x for x in self.ok(m.lsub('""', "*")) if x)
        self.assertIn(b"Archives 2026", subs)
        typ, data = m.create('"Archives 2026"')
        self.assertEqual(typ, "NO")
        self.assertIn(b"ALREADYEXISTS", data[0])
        self.ok(m.delete('"Archives 2026"'))
        typ, data = m.select('"Archives 2026"')
        self.assertEqual(typ, "NO")
        self.assertIn(b"NONEXISTENT", data[0])
        typ, data = m.delete("INBOX")
        self.assertEqual(typ, "NO")

    def test_utf8_folder_names_travel_as_modified_utf7(self):
        m = self.imaps("luc.petit")
        self.ok(m.create("&AMk-t&AOk-"))  # "Été" in modified UTF-7
        listing = b"\n".join(self.ok(m.list('""', "*")))
        self.assertIn(b"&AMk-t&AOk-", listing)
        self.ok(m._simple_command("ENABLE", "UTF8=ACCEPT"))
        m._mode_utf8()
        listing = b"\n".join(self.ok(m.list('""', "*")))
        self.assertIn("Été".encode(), listing)

    def test_append_with_flags_and_date_then_move_with_copyuid(self):
        m = self.imaps("emma.durand")
        self.ok(m.create("Clients"))
        typ, data = m.append("Clients", "(\\Seen $Client)",
                             imaplib.Time2Internaldate(time.mktime((2026, 3, 1, 9, 30, 0, 0, 0, -1))),
                             b"From: a@example.net\r\nSubject: Ajout\r\n\r\nTexte.\r\n")
        self.assertEqual(typ, "OK")
        appenduid = re.search(rb"APPENDUID (\d+) (\d+)", data[0])
        self.assertIsNotNone(appenduid, data)
        self.ok(m.select("Clients"))
        data = self.ok(m.uid("FETCH", appenduid.group(2), "(FLAGS INTERNALDATE)"))
        self.assertIn(b"\\Seen", data[0])
        self.assertIn(b"$Client", data[0])
        self.assertIn(b"-Mar-2026", data[0])
        typ, data = m._simple_command("UID", "MOVE", appenduid.group(2).decode(), "Archive")
        self.assertEqual(typ, "OK")
        untagged = b"\n".join(x for x in m.untagged_responses.get("OK", []) if x)
        self.assertIn(b"COPYUID", untagged)
        self.assertEqual(self.ok(m.status("Clients", "(MESSAGES)"))[0].count(b"MESSAGES 0"), 1)
        self.assertIn(b"MESSAGES 1", self.ok(m.status("Archive", "(MESSAGES)"))[0])
        typ, data = m.append("Nowhere", None, None, b"Subject: x\r\n\r\ny\r\n")
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])

    def test_quota_root_reports_usage(self):
        m = self.imaps("luc.petit")
        typ, data = m.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        self.assertTrue(any(b"INBOX" in x for x in data[0]))


class ConcurrencyTest(ImapTestCase):
    def test_two_sessions_see_each_others_changes_at_allowed_moments(self):
        for i in range(3):
            self.deliver("luc.petit", f"Concurrent {i}")
        a = self.imaps("luc.petit")
        self.wait_for_messages(a, "INBOX", 3)
        b = self.imaps("luc.petit")
        n = int(self.ok(a.select("INBOX"))[0])
        self.assertEqual(int(self.ok(b.select("INBOX"))[0]), n)
        # A flags the last message: B hears of it at its next NOOP.
        self.ok(a.store(str(n), "+FLAGS", "(\\Flagged)"))
        b.untagged_responses.clear()
        self.ok(b.noop())
        fetches = b.untagged_responses.get("FETCH", [])
        self.assertTrue(any(b"\\Flagged" in f for f in fetches), fetches)
        # A expunges it: B's FETCH by sequence number must not carry EXPUNGE ...
        self.ok(a.store(str(n), "+FLAGS", "(\\Deleted)"))
        self.ok(a.expunge())
        b.untagged_responses.clear()
        self.ok(b.fetch("1", "(FLAGS)"))
        self.assertNotIn("EXPUNGE", b.untagged_responses)
        # ... and its NOOP does.
        b.untagged_responses.clear()
        self.ok(b.noop())
        self.assertEqual(b.untagged_responses.get("EXPUNGE"), [str(n).encode()])
        # A message delivered now is announced as EXISTS.
        self.deliver("luc.petit", "Concurrent late")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            b.untagged_responses.clear()
            self.ok(b.noop())
            if "EXISTS" in b.untagged_responses:
                break
            time.sleep(0.1)
        self.assertEqual(b.untagged_responses.get("EXISTS"), [str(n).encode()])

    def test_idle_is_woken_by_a_delivery(self):
        m = self.imaps("sophie.bernard")
        count = int(self.ok(m.select("INBOX"))[0])
        tag = m._new_tag()
        m.send(tag + b" IDLE\r\n")
        self.assertTrue(m.readline().startswith(b"+"))
        self.deliver("sophie.bernard", "Pendant IDLE")
        m.sock.settimeout(60)  # generous: no timing is asserted
        line = m.readline()
        self.assertEqual(line.strip(), f"* {count + 1} EXISTS".encode())
        m.send(b"DONE\r\n")
        while True:
            line = m.readline()
            if line.startswith(tag):
                break
        self.assertIn(b"OK", line)
        self.ok(m.noop())


class ResyncTest(ImapTestCase):
    def test_condstore_and_qresync_resync_after_changes(self):
        for i in range(4):
            self.deliver("emma.durand", f"Resync {i}")
        m = self.imaps("emma.durand")
        self.wait_for_messages(m, "INBOX", 4)
        self.ok(m._simple_command("ENABLE", "QRESYNC"))
        m.untagged_responses.clear()
        self.ok(m.select("INBOX"))
        validity = int(m.untagged_responses["UIDVALIDITY"][0])
        modseq = int(re.search(rb"(\d+)", m.untagged_responses["HIGHESTMODSEQ"][0]).group(1))
        uids = [int(u) for u in self.ok(m.uid("SEARCH", "ALL"))[0].split()]
        m.logout()
        # Another session changes flags and expunges one message.
        other = self.imaps("emma.durand")
        self.ok(other.select("INBOX"))
        self.ok(other.uid("STORE", str(uids[0]), "+FLAGS", "(\\Seen)"))
        self.ok(other.uid("STORE", str(uids[1]), "+FLAGS", "(\\Deleted)"))
        self.ok(other.expunge())
        # The first client comes back with what it knew.
        again = self.imaps("emma.durand")
        self.ok(again._simple_command("ENABLE", "QRESYNC"))
        again.untagged_responses.clear()
        typ, data = again._simple_command(
            "SELECT", "INBOX", f"(QRESYNC ({validity} {modseq} {uids[0]}:{uids[-1]}))")
        self.assertEqual(typ, "OK", data)
        again.state = "SELECTED"  # imaplib does not know SELECT with parameters
        vanished = again.untagged_responses.get("VANISHED", [])
        self.assertEqual(vanished, [f"(EARLIER) {uids[1]}".encode()])
        fetches = b" ".join(again.untagged_responses.get("FETCH", []))
        self.assertIn(f"UID {uids[0]} FLAGS (\\Seen)".encode(), fetches)
        self.assertIn(b"MODSEQ", fetches)
        # CHANGEDSINCE gives only what changed.
        again.untagged_responses.clear()
        data = self.ok(again.uid("FETCH", "1:*", f"(FLAGS) (CHANGEDSINCE {modseq})"))
        self.assertEqual(len([d for d in data if d]), 1, data)
        self.assertIn(f"UID {uids[0]} ".encode(), data[0])


if __name__ == "__main__":
    unittest.main()
