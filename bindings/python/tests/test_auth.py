"""Logins, principals, password resets, notices and the audit log through the binding."""

import unittest

import mailfountain as mf
from support import ADMIN, ADMIN_PASSWORD, DOMAIN, EMMA, JEAN, LUC, DemoTestCase


class AuthenticateTest(DemoTestCase):

    def test_administrator_logs_in_through_the_admin_service(self):
        who = self.ctx.authenticate(ADMIN, ADMIN_PASSWORD, service=mf.Service.ADMIN,
                                    origin="web 192.0.2.7")
        self.assertTrue(who.is_administrator)
        self.assertEqual(who.name, ADMIN)
        self.assertEqual(who.origin, "web 192.0.2.7")

    def test_administrator_is_not_a_mailbox(self):
        for service in (mf.Service.SMTP, mf.Service.IMAP, mf.Service.POP3):
            with self.subTest(service=service), self.assertRaises(mf.Unauthenticated):
                self.ctx.authenticate(ADMIN, ADMIN_PASSWORD, service=service)

    def test_account_logs_in_with_its_address_or_an_alias(self):
        emma = self.login(EMMA, mf.Service.SMTP)
        self.assertFalse(emma.is_administrator)
        self.assertEqual(emma.name, EMMA)
        jean = self.ctx.authenticate("direction@" + DOMAIN, "jean-password-1",
                                     service=mf.Service.IMAP)
        self.assertEqual(jean.name, JEAN)

    def test_wrong_password_and_unknown_login_give_the_same_error(self):
        with self.assertRaises(mf.Unauthenticated) as wrong:
            self.ctx.authenticate(EMMA, "wrong-password", service=mf.Service.IMAP)
        with self.assertRaises(mf.Unauthenticated) as unknown:
            self.ctx.authenticate("nobody@" + DOMAIN, "wrong-password", service=mf.Service.IMAP)
        self.assertEqual(wrong.exception.message, unknown.exception.message)

    def test_disabled_account_is_refused_after_its_password_is_checked(self):
        self.dir.set_account_state(self.admin, LUC, mf.AccountState.DISABLED)
        with self.assertRaises(mf.FailedPrecondition):
            self.login(LUC)
        with self.assertRaises(mf.Unauthenticated):
            self.ctx.authenticate(LUC, "wrong-password", service=mf.Service.IMAP)

    def test_admin_password_can_be_changed_by_the_administrator_only(self):
        with self.assertRaises(mf.PermissionDenied):
            self.ctx.set_admin_password(self.login(JEAN), "jean-is-admin-now")
        self.ctx.set_admin_password(self.admin, "admin-password-2")
        self.ctx.authenticate(ADMIN, "admin-password-2", service=mf.Service.ADMIN)
        with self.assertRaises(mf.Unauthenticated):
            self.ctx.authenticate(ADMIN, ADMIN_PASSWORD, service=mf.Service.ADMIN)


class ResetAndAuditTest(DemoTestCase):

    def test_password_reset_by_a_manager_is_announced_to_the_account(self):
        jean = self.login(JEAN)
        self.dir.set_password(jean, LUC, "luc-password-2")
        luc = self.ctx.authenticate(LUC, "luc-password-2", service=mf.Service.IMAP)
        notices = self.dir.pending_notices(luc)
        self.assertGreaterEqual(len(notices), 1)
        self.assertTrue(notices[0].subject)
        self.assertEqual(self.dir.pending_notices(jean), [])

    def test_audit_log_records_privileged_actions_for_the_administrator_only(self):
        entries = self.dir.list_audit(self.admin)
        self.assertTrue(entries)
        seqs = [e.seq for e in entries]
        self.assertEqual(seqs, sorted(set(seqs)))
        adds = [e for e in entries if e.action == "domain.add" and e.target == DOMAIN]
        self.assertEqual(len(adds), 1)
        self.assertEqual((adds[0].actor, adds[0].origin), (ADMIN, "python tests"))
        later = self.dir.list_audit(self.admin, after=seqs[0], limit=1)
        self.assertEqual([e.seq for e in later], seqs[1:2])
        with self.assertRaises(mf.PermissionDenied):
            self.dir.list_audit(self.login(JEAN))


if __name__ == "__main__":
    unittest.main()
