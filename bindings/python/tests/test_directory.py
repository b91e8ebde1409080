"""Directory operations through the binding: records, lists, quotas, forwarding,
redirections, removals and the rights of managers and users."""

import unittest

import mailfountain as mf
from support import DOMAIN, EMMA, JEAN, LUC, OTHER_DOMAIN, SOPHIE, DemoTestCase


class RecordsTest(DemoTestCase):

    def test_domains_are_listed_sorted_with_their_counts(self):
        self.dir.add_domain(self.admin, OTHER_DOMAIN)
        domains = self.dir.list_domains(self.admin)
        self.assertEqual([d.name for d in domains], [OTHER_DOMAIN, DOMAIN])
        demo = domains[1]
        self.assertEqual(demo, self.dir.show_domain(self.admin, DOMAIN))
        self.assertEqual(demo.unicode_name, DOMAIN)
        self.assertEqual((demo.accounts, demo.aliases, demo.redirections), (6, 4, 2))
        self.assertEqual(demo.managers, (JEAN,))
        self.assertIsNone(demo.default_quota_bytes)
        self.assertGreater(demo.created_at, 0)

    def test_international_domain_is_stored_as_a_label(self):
        self.dir.add_domain(self.admin, "café.fr")
        d = self.dir.show_domain(self.admin, "café.fr")
        self.assertEqual(d.name, "xn--caf-dma.fr")
        self.assertEqual(d.unicode_name, "café.fr")

    def test_accounts_include_the_two_builtin_ones(self):
        accounts = self.dir.list_accounts(self.admin, DOMAIN)
        self.assertEqual(len(accounts), 6)
        builtin = sorted(a.address for a in accounts if a.builtin)
        self.assertEqual(builtin, ["abuse@" + DOMAIN, "postmaster@" + DOMAIN])

    def test_account_record_shows_aliases_and_managed_domains(self):
        jean = self.dir.show_account(self.admin, JEAN)
        self.assertEqual(jean.address, JEAN)
        self.assertEqual(jean.display_name, "Jean Martin")
        self.assertEqual(jean.state, mf.AccountState.ENABLED)
        self.assertFalse(jean.builtin)
        self.assertEqual(jean.aliases, ("direction@" + DOMAIN,))
        self.assertEqual(jean.manages, (DOMAIN,))
        self.assertEqual(jean.forward_to, ())
        self.assertIsNone(jean.quota_bytes)

    def test_aliases_and_redirections_are_listed(self):
        aliases = self.dir.list_aliases(self.admin, DOMAIN)
        self.assertEqual(aliases[0], mf.Alias(address="accueil@" + DOMAIN, account=SOPHIE))
        self.assertEqual([a.address.split("@")[0] for a in aliases],
                         ["accueil", "commercial", "compta", "direction"])
        redirections = self.dir.list_redirections(self.admin, DOMAIN)
        self.assertEqual(redirections, [
            mf.Redirection("contact@" + DOMAIN, (JEAN, SOPHIE), mf.SendAs.MEMBERS_MAY_SEND),
            mf.Redirection("support@" + DOMAIN, (LUC, EMMA), mf.SendAs.MEMBERS_MAY_SEND),
        ])

    def test_manager_grants_are_listed_and_revoked(self):
        self.dir.add_domain(self.admin, OTHER_DOMAIN)
        self.assertEqual(self.dir.list_managers(self.admin),
                         [mf.ManagerGrant(account=JEAN, domain=DOMAIN)])
        self.assertEqual(self.dir.list_managers(self.admin, OTHER_DOMAIN), [])
        self.dir.revoke_manager(self.admin, JEAN, DOMAIN)
        self.assertEqual(self.dir.list_managers(self.admin, DOMAIN), [])
        with self.assertRaises(mf.NotFound):
            self.dir.list_managers(self.admin, "unknown.fr")


class ChangesTest(DemoTestCase):

    def test_quota_comes_from_the_account_or_the_domain_default(self):
        self.assertEqual(self.dir.show_quota(self.admin, LUC),
                         mf.Quota(limit_bytes=None, source=mf.QuotaSource.UNLIMITED))
        self.dir.set_domain_default_quota(self.admin, DOMAIN, 1_000_000)
        self.assertEqual(self.dir.show_quota(self.admin, LUC),
                         mf.Quota(1_000_000, mf.QuotaSource.DOMAIN_DEFAULT))
        self.dir.set_account_quota(self.admin, LUC, 5_000_000)
        self.assertEqual(self.dir.show_quota(self.admin, LUC),
                         mf.Quota(5_000_000, mf.QuotaSource.ACCOUNT))
        self.assertEqual(self.dir.show_account(self.admin, LUC).quota_bytes, 5_000_000)
        self.dir.set_account_quota(self.admin, LUC, None)
        self.dir.set_domain_default_quota(self.admin, DOMAIN, None)
        self.assertIsNone(self.dir.show_quota(self.admin, LUC).limit_bytes)

    def test_new_account_with_its_own_quota(self):
        self.dir.add_account(self.admin, "stagiaire@" + DOMAIN, display_name="Stagiaire",
                             quota_bytes=42)
        self.assertEqual(self.dir.show_account(self.admin, "stagiaire@" + DOMAIN).quota_bytes,
                         42)

    def test_forwarding_abuse_to_a_person(self):
        self.dir.set_forwarding(self.admin, "abuse@" + DOMAIN, [JEAN], mf.KeepCopy.NO)
        self.assertEqual(self.dir.resolve("abuse@" + DOMAIN).mailboxes, (JEAN,))
        abuse = self.dir.show_account(self.admin, "abuse@" + DOMAIN)
        self.assertEqual(abuse.forward_to, (JEAN,))
        self.assertEqual(abuse.keep_copy, mf.KeepCopy.NO)
        self.dir.set_forwarding(self.admin, "abuse@" + DOMAIN, [])
        self.assertEqual(self.dir.resolve("abuse@" + DOMAIN).mailboxes, ("abuse@" + DOMAIN,))

    def test_builtin_accounts_cannot_be_removed(self):
        with self.assertRaises(mf.FailedPrecondition):
            self.dir.remove_account(self.admin, "postmaster@" + DOMAIN, mf.Removal.FORCE)

    def test_account_listed_by_a_redirection_is_removed_only_by_force(self):
        with self.assertRaises(mf.FailedPrecondition):
            self.dir.remove_account(self.admin, LUC)
        self.dir.remove_account(self.admin, LUC, mf.Removal.FORCE)
        self.assertEqual(self.dir.resolve("support@" + DOMAIN).mailboxes, (EMMA,))

    def test_alias_can_be_removed(self):
        self.dir.remove_alias(self.admin, "compta@" + DOMAIN)
        with self.assertRaises(mf.NotFound):
            self.dir.resolve("compta@" + DOMAIN)
        self.assertEqual(self.dir.show_account(self.admin, SOPHIE).aliases,
                         ("accueil@" + DOMAIN,))

    def test_redirection_in_use_is_removed_only_by_force(self):
        self.dir.add_redirection(self.admin, "news@" + DOMAIN, ["support@" + DOMAIN])
        with self.assertRaises(mf.FailedPrecondition):
            self.dir.remove_redirection(self.admin, "support@" + DOMAIN)
        self.dir.remove_redirection(self.admin, "support@" + DOMAIN, mf.Removal.FORCE)
        with self.assertRaises(mf.NotFound):
            self.dir.resolve("support@" + DOMAIN)

    def test_domain_in_use_is_removed_only_by_force(self):
        self.dir.add_domain(self.admin, OTHER_DOMAIN)
        self.dir.add_account(self.admin, "paul@" + OTHER_DOMAIN, "Paul", "paul-password-1")
        with self.assertRaises(mf.FailedPrecondition):
            self.dir.remove_domain(self.admin, OTHER_DOMAIN)
        self.dir.remove_domain(self.admin, OTHER_DOMAIN, mf.Removal.FORCE)
        with self.assertRaises(mf.NotFound):
            self.dir.resolve("paul@" + OTHER_DOMAIN)
        self.assertEqual([d.name for d in self.dir.list_domains(self.admin)], [DOMAIN])

    def test_taken_names_and_addresses_raise_already_exists(self):
        with self.assertRaises(mf.AlreadyExists):
            self.dir.add_domain(self.admin, DOMAIN)
        with self.assertRaises(mf.AlreadyExists):
            self.dir.add_account(self.admin, LUC, "Luc Again", "another-password")
        with self.assertRaises(mf.AlreadyExists):
            self.dir.add_alias(self.admin, "support@" + DOMAIN, LUC)
        with self.assertRaises(mf.AlreadyExists):
            self.dir.add_redirection(self.admin, "Direction@" + DOMAIN, [JEAN])


class RightsTest(DemoTestCase):

    def test_manager_acts_on_own_domain_only(self):
        self.dir.add_domain(self.admin, OTHER_DOMAIN)
        jean = self.login(JEAN)
        self.dir.add_account(jean, "stagiaire@" + DOMAIN, "Stagiaire")
        with self.assertRaises(mf.PermissionDenied) as caught:
            self.dir.add_account(jean, "paul@" + OTHER_DOMAIN, "Paul", "paul-password-1")
        self.assertIn(OTHER_DOMAIN, str(caught.exception))
        with self.assertRaises(mf.PermissionDenied):
            self.dir.add_domain(jean, "jean.fr")
        with self.assertRaises(mf.PermissionDenied):
            self.dir.grant_manager(jean, LUC, DOMAIN)
        self.assertEqual([d.name for d in self.dir.list_domains(jean)], [DOMAIN])

    def test_standard_user_changes_only_own_display_name_and_password(self):
        sophie = self.login(SOPHIE)
        self.dir.set_display_name(sophie, SOPHIE, "Sophie B.")
        self.assertEqual(self.dir.show_account(sophie, SOPHIE).display_name, "Sophie B.")
        self.dir.set_password(sophie, SOPHIE, "sophie-password-2")
        # A password change ends every login made with the old password, this one too.
        with self.assertRaises(mf.Unauthenticated):
            self.dir.show_account(sophie, SOPHIE)
        sophie = self.ctx.authenticate(SOPHIE, "sophie-password-2", service=mf.Service.IMAP)
        with self.assertRaises(mf.PermissionDenied):
            self.dir.set_display_name(sophie, LUC, "Luc")
        with self.assertRaises(mf.PermissionDenied):
            self.dir.add_alias(sophie, "sophie@" + DOMAIN, SOPHIE)
        with self.assertRaises(mf.PermissionDenied):
            self.dir.show_account(sophie, LUC)


if __name__ == "__main__":
    unittest.main()
