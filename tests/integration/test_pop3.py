"""POP3 against the running daemon: the MA SOCIETE accounts receive mail through the MTA
and read it with Python's poplib over STLS (110) and implicit TLS (995), with fetchmail
and with curl, on ephemeral loopback ports. The maildrop is the account's IMAP INBOX:
deletions at QUIT reach an open IMAP session as EXPUNGE.
"""

import imaplib
import os
import poplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from mfctl_harness import ADMIN_PASSWORD  # noqa: E402
from smtp_harness import (DaemonTestCase, addr, client_tls_context, message,  # noqa: E402
                          password_of)


class Pop3TestCase(DaemonTestCase):
    """A daemon with SMTP, POP3, POP3S and IMAPS listeners on the demo data."""

    ROLES = ("smtp", "pop3", "pop3s", "imaps")

    def pop3s(self, who=None):
        p = poplib.POP3_SSL("127.0.0.1", self.daemon.ports["pop3s"],
                            context=client_tls_context(), timeout=30)
        self.addCleanup(self._close, p)
        if who:
            p.user(addr(who))
            p.pass_(password_of(who))
        return p

    def pop3_stls(self, who=None):
        p = poplib.POP3("127.0.0.1", self.daemon.ports["pop3"], timeout=30)
        self.addCleanup(self._close, p)
        p.stls(context=client_tls_context())
        if who:
            p.user(addr(who))
            p.pass_(password_of(who))
        return p

    @staticmethod
    def _close(p):
        try:
            p.close()
        except Exception:
            pass

    def deliver(self, who, subject, body="Bonjour.\r\n"):
        s = self.daemon.smtp()
        s.sendmail("client@example.net", [addr(who)],
                   message("client@example.net", addr(who), subject, body).encode())
        s.quit()

    def login_when_released(self, connect, who, timeout=30):
        """`connect(who)` again until the previous session's lock is gone."""
        deadline = time.time() + timeout
        while True:
            try:
                return connect(who)
            except poplib.error_proto as e:
                if b"[IN-USE]" not in e.args[0] or time.time() > deadline:
                    raise
                time.sleep(0.05)

    def empty_maildrop(self, who):
        p = self.pop3s(who)
        count, _ = p.stat()
        for n in range(1, count + 1):
            p.dele(n)
        p.quit()

    def assertErr(self, call, fragment):
        with self.assertRaises(poplib.error_proto) as caught:
            call()
        self.assertIn(fragment, caught.exception.args[0].decode())


class Pop3LoginTest(Pop3TestCase):
    def test_plaintext_port_offers_login_only_after_stls(self):
        p = poplib.POP3("127.0.0.1", self.daemon.ports["pop3"], timeout=30)
        self.addCleanup(self._close, p)
        self.assertTrue(p.getwelcome().startswith(b"+OK"))
        caps = p.capa()
        self.assertIn("STLS", caps)
        self.assertIn("UIDL", caps)
        self.assertNotIn("USER", caps)
        self.assertNotIn("SASL", caps)
        self.assertErr(lambda: p.user(addr("luc.petit")), "[AUTH] Plaintext authentication")
        p.stls(context=client_tls_context())
        caps = p.capa()
        self.assertIn("USER", caps)
        self.assertEqual(caps["SASL"], ["PLAIN"])
        self.assertNotIn("STLS", caps)
        p.user(addr("luc.petit"))
        self.assertTrue(p.pass_(password_of("luc.petit")).startswith(b"+OK Logged in"))
        p.quit()

    def test_implicit_tls_port_logs_in_with_user_pass_and_auth_plain(self):
        p = self.pop3s("luc.petit")
        p.quit()
        p = self.pop3s()
        import base64
        token = base64.b64encode(
            f"\0{addr('luc.petit')}\0{password_of('luc.petit')}".encode()).decode()
        self.assertTrue(p._shortcmd(f"AUTH PLAIN {token}").startswith(b"+OK"))
        self.assertTrue(p.stat()[0] >= 0)
        p.quit()

    def test_wrong_password_administrator_and_unknown_are_refused_alike(self):
        for login, password in ((addr("emma.durand"), "wrong-password"),
                                ("admin", ADMIN_PASSWORD),
                                (addr("nobody"), "whatever-1")):
            p = self.pop3s()
            p.user(login)
            self.assertErr(lambda: p.pass_(password), "[AUTH] Authentication failed")
            p.quit()

    def test_pipelined_plaintext_after_stls_is_discarded(self):
        with socket.create_connection(("127.0.0.1", self.daemon.ports["pop3"]), 30) as raw:
            f = raw.makefile("rb")
            self.assertTrue(f.readline().startswith(b"+OK"))
            # USER sent in the clear after STLS, in the same packet: the server must not
            # act on it once TLS is up.
            raw.sendall(b"STLS\r\nUSER injected@example.net\r\n")
            self.assertTrue(f.readline().startswith(b"+OK Begin TLS"))
            tls = client_tls_context().wrap_socket(raw, server_hostname="localhost")
            tf = tls.makefile("rb")
            tls.sendall(b"PASS anything\r\n")
            # No USER was received: PASS comes without one.
            reply = tf.readline()
            self.assertTrue(reply.startswith(b"-ERR"), reply)
            self.assertIn("discarded", self.wait_for_log("plaintext pipelined after STARTTLS"))
            tls.sendall(b"QUIT\r\n")
            tf.readline()


class Pop3ReadingTest(Pop3TestCase):
    def test_stat_list_uidl_retr_and_top_describe_the_delivered_mail(self):
        self.empty_maildrop("luc.petit")
        bodies = ["Premier message.\r\n",
                  ".Une ligne qui commence par un point.\r\n..deux points\r\n.\r\nfin\r\n",
                  "Troisieme.\r\n" + "ligne\r\n" * 20]
        for i, body in enumerate(bodies):
            self.deliver("luc.petit", f"Lecture POP3 {i}", body)
        p = self.pop3s("luc.petit")
        count, octets = p.stat()
        self.assertEqual(count, 3)
        _, listing, _ = p.list()
        sizes = [int(line.split()[1]) for line in listing]
        self.assertEqual(sum(sizes), octets)
        _, uidls, _ = p.uidl()
        self.assertEqual(len({u.split()[1] for u in uidls}), 3)
        for n, body in enumerate(bodies, start=1):
            _, lines, size = p.retr(n)
            text = b"\r\n".join(lines) + b"\r\n"
            # What RETR gives, un-stuffed, is the stored message: LIST's size exactly.
            self.assertEqual(len(text), sizes[n - 1])
            self.assertTrue(text.endswith(body.encode()), text[-200:])
            self.assertIn(f"Subject: Lecture POP3 {n - 1}".encode(), text)
        _, top, _ = p.top(3, 2)
        self.assertEqual(top[-2:], [b"Troisieme.", b"ligne"])
        self.assertIn(b"Subject: Lecture POP3 2", top)
        p.quit()

    def test_deletions_apply_at_quit_only_and_uidls_stay_stable(self):
        self.empty_maildrop("jean.martin")
        for i in range(4):
            self.deliver("jean.martin", f"Suppression {i}")
        p = self.pop3s("jean.martin")
        _, before, _ = p.uidl()
        before = [u.split()[1] for u in before]
        p.dele(2)
        self.assertErr(lambda: p.retr(2), "deleted")
        p.rset()
        p.dele(1)
        p.dele(3)
        # The connection drops without QUIT: nothing is deleted. The server releases the
        # maildrop when it sees the connection close, which may come after the next login.
        p.sock.shutdown(socket.SHUT_RDWR)  # close() alone waits for poplib's file
        p.sock.close()
        p = self.login_when_released(self.pop3_stls, "jean.martin")
        _, again, _ = p.uidl()
        self.assertEqual([u.split()[1] for u in again], before)
        p.dele(1)
        p.dele(3)
        self.assertIn(b"2 messages deleted", p.quit())
        p = self.pop3s("jean.martin")
        _, after, _ = p.uidl()
        # The survivors keep their UIDL, renumbered from 1.
        self.assertEqual([u.split()[1] for u in after], [before[1], before[3]])
        self.assertEqual([u.split()[0] for u in after], [b"1", b"2"])
        p.quit()


class Pop3StoreSharingTest(Pop3TestCase):
    def test_a_second_session_is_refused_while_the_maildrop_is_held(self):
        first = self.pop3s("emma.durand")
        second = self.pop3s()
        second.user(addr("emma.durand"))
        self.assertErr(lambda: second.pass_(password_of("emma.durand")), "[IN-USE]")
        first.quit()
        third = self.pop3s("emma.durand")
        third.quit()

    def test_a_pop3_deletion_reaches_an_open_imap_session_as_expunge(self):
        self.empty_maildrop("sophie.bernard")
        for i in range(3):
            self.deliver("sophie.bernard", f"Partage {i}")
        m = imaplib.IMAP4_SSL("127.0.0.1", self.daemon.ports["imaps"],
                              ssl_context=client_tls_context(), timeout=30)
        self.addCleanup(m.logout)
        m.login(addr("sophie.bernard"), password_of("sophie.bernard"))
        typ, data = m.select("INBOX")
        self.assertEqual(data, [b"3"])
        p = self.pop3s("sophie.bernard")
        p.dele(2)
        p.quit()
        expunged = []
        deadline = time.time() + 30
        while not expunged and time.time() < deadline:
            m.noop()
            expunged = m.untagged_responses.pop("EXPUNGE", [])
        self.assertEqual(expunged, [b"2"])
        _, data = m.search(None, "ALL")
        self.assertEqual(data, [b"1 2"])
        _, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = b"".join(part[1] for part in data if isinstance(part, tuple))
        self.assertIn(b"Partage 0", subjects)
        self.assertIn(b"Partage 2", subjects)
        self.assertNotIn(b"Partage 1", subjects)


class FetchmailTest(Pop3TestCase):
    def fetchmail(self, home, out_dir):
        rc = os.path.join(home, ".fetchmailrc")
        with open(rc, "w") as f:
            f.write(f'poll 127.0.0.1 protocol POP3 port {self.daemon.ports["pop3s"]} uidl\n'
                    f'  user "{addr("luc.petit")}" password "{password_of("luc.petit")}"\n'
                    f'  ssl no sslcertck keep\n'
                    f'  mda "/bin/sh -c \'cat > {out_dir}/msg.$$.$(date +%s%N)\'"\n')
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=home, FETCHMAILHOME=home)
        return subprocess.run(["fetchmail", "-f", rc, "--nosyslog", "--nodetach", "-v"],
                              capture_output=True, text=True, env=env, timeout=120)

    def test_fetchmail_keeps_mail_and_fetches_only_new_messages_by_uidl(self):
        self.empty_maildrop("luc.petit")
        for i in range(3):
            self.deliver("luc.petit", f"Fetchmail {i}", f"Corps {i}.\r\n")
        home = tempfile.mkdtemp(prefix="mf-fetchmail-")
        out_dir = os.path.join(home, "out")
        os.mkdir(out_dir)
        first = self.fetchmail(home, out_dir)
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        got = sorted(os.listdir(out_dir))
        self.assertEqual(len(got), 3, first.stdout + first.stderr)
        texts = [open(os.path.join(out_dir, g), "rb").read() for g in got]
        for i in range(3):
            self.assertTrue(any(f"Subject: Fetchmail {i}".encode() in t for t in texts))
        # keep: the messages stay on the server.
        p = self.pop3s("luc.petit")
        self.assertEqual(p.stat()[0], 3)
        p.quit()
        # The second run knows the UIDLs: nothing new to fetch (fetchmail exits 1, "no mail").
        second = self.fetchmail(home, out_dir)
        self.assertEqual(second.returncode, 1, second.stdout + second.stderr)
        self.assertEqual(len(os.listdir(out_dir)), 3)
        # A new message is fetched alone.
        self.deliver("luc.petit", "Fetchmail nouveau")
        third = self.fetchmail(home, out_dir)
        self.assertEqual(third.returncode, 0, third.stdout + third.stderr)
        self.assertEqual(len(os.listdir(out_dir)), 4)


class CurlPop3Test(Pop3TestCase):
    def curl(self, *args):
        out = subprocess.run(["curl", "-sS", "-k", "--max-time", "60", *args],
                             capture_output=True, timeout=90)
        return out.returncode, out.stdout, out.stderr.decode()

    def test_curl_lists_and_retrieves_over_pop3s(self):
        self.empty_maildrop("emma.durand")
        self.deliver("emma.durand", "Curl POP3", "Lu par curl.\r\n")
        url = f"pop3s://127.0.0.1:{self.daemon.ports['pop3s']}"
        user = f"{addr('emma.durand')}:{password_of('emma.durand')}"
        code, out, err = self.curl("--user", user, f"{url}/")
        self.assertEqual(code, 0, err)
        self.assertRegex(out.decode(), r"^1 \d+\r\n$")
        code, out, err = self.curl("--user", user, f"{url}/1")
        self.assertEqual(code, 0, err)
        self.assertIn(b"Subject: Curl POP3", out)
        self.assertTrue(out.endswith(b"Lu par curl.\r\n"), out[-100:])
        code, out, err = self.curl("--user", f"{addr('emma.durand')}:wrong", f"{url}/1")
        self.assertEqual(code, 67, err)  # CURLE_LOGIN_DENIED


if __name__ == "__main__":
    unittest.main()
