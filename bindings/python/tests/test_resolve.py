"""Address resolution of the MA SOCIETE directory through the binding."""

import unittest

import mailfountain as mf
from support import DOMAIN, EMMA, JEAN, LUC, SOPHIE, DemoTestCase


class ResolveTest(DemoTestCase):

    def test_support_redirection_reaches_luc_and_emma(self):
        r = self.dir.resolve("support@" + DOMAIN)
        self.assertEqual(r, mf.Resolution(address="support@" + DOMAIN,
                                          matched="support@" + DOMAIN,
                                          kind=mf.AddressKind.REDIRECTION, tag="",
                                          mailboxes=(EMMA, LUC), external=()))

    def test_contact_redirection_reaches_jean_and_sophie(self):
        r = self.dir.resolve("contact@" + DOMAIN)
        self.assertEqual(r.kind, mf.AddressKind.REDIRECTION)
        self.assertEqual(r.mailboxes, (JEAN, SOPHIE))

    def test_aliases_resolve_to_their_account(self):
        for alias, account in [("direction@", JEAN), ("accueil@", SOPHIE),
                               ("compta@", SOPHIE), ("commercial@", EMMA)]:
            with self.subTest(alias=alias):
                r = self.dir.resolve(alias + DOMAIN)
                self.assertEqual(r.kind, mf.AddressKind.ALIAS)
                self.assertEqual(r.matched, alias + DOMAIN)
                self.assertEqual(r.mailboxes, (account,))

    def test_accounts_and_default_accounts_resolve_to_themselves(self):
        for address in [JEAN, SOPHIE, LUC, EMMA, "abuse@" + DOMAIN, "postmaster@" + DOMAIN]:
            with self.subTest(address=address):
                r = self.dir.resolve(address)
                self.assertEqual(r.kind, mf.AddressKind.ACCOUNT)
                self.assertEqual(r.mailboxes, (address,))

    def test_subaddress_resolves_to_the_account_and_keeps_the_tag(self):
        r = self.dir.resolve("luc.petit+news@" + DOMAIN)
        self.assertEqual(r.matched, LUC)
        self.assertEqual(r.tag, "news")
        self.assertEqual(r.mailboxes, (LUC,))

    def test_matching_is_case_insensitive_and_answers_the_canonical_address(self):
        r = self.dir.resolve("Support@MA-Societe.FR")
        self.assertEqual(r.address, "support@" + DOMAIN)
        self.assertEqual(r.mailboxes, (EMMA, LUC))

    def test_unknown_address_raises_not_found_naming_it(self):
        with self.assertRaises(mf.NotFound) as caught:
            self.dir.resolve("nobody@" + DOMAIN)
        self.assertEqual(caught.exception.code, mf.Code.NOT_FOUND)
        self.assertIn("nobody@" + DOMAIN, caught.exception.message)
        with self.assertRaises(mf.NotFound):
            self.dir.resolve("someone@example.org")

    def test_disabled_account_receives_no_mail(self):
        self.dir.set_account_state(self.admin, EMMA, mf.AccountState.DISABLED)
        with self.assertRaises(mf.FailedPrecondition):
            self.dir.resolve(EMMA)
        self.dir.set_account_state(self.admin, EMMA, mf.AccountState.ENABLED)
        self.assertEqual(self.dir.resolve(EMMA).mailboxes, (EMMA,))

    def test_nested_redirection_and_external_targets(self):
        self.dir.add_redirection(self.admin, "news@" + DOMAIN,
                                 ["support@" + DOMAIN, "partner@example.org"])
        r = self.dir.resolve("news@" + DOMAIN)
        self.assertEqual(r.mailboxes, (EMMA, LUC))
        self.assertEqual(r.external, ("partner@example.org",))

    def test_members_may_send_as_their_redirection_only(self):
        self.assertTrue(self.dir.may_send_as(LUC, "support@" + DOMAIN))
        self.assertFalse(self.dir.may_send_as(LUC, "contact@" + DOMAIN))
        self.assertTrue(self.dir.may_send_as(SOPHIE, "compta@" + DOMAIN))
        self.assertFalse(self.dir.may_send_as(SOPHIE, "direction@" + DOMAIN))

    def test_send_as_can_be_forbidden_by_the_redirection(self):
        self.dir.set_redirection(self.admin, "support@" + DOMAIN, [LUC, EMMA],
                                 send_as=mf.SendAs.MEMBERS_MAY_NOT_SEND)
        self.assertFalse(self.dir.may_send_as(LUC, "support@" + DOMAIN))

    def test_local_domains_are_known(self):
        self.assertTrue(self.dir.is_local_domain(DOMAIN))
        self.assertFalse(self.dir.is_local_domain("example.org"))


if __name__ == "__main__":
    unittest.main()
