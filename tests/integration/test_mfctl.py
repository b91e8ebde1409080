"""Integration tests of mfctl: the command line, exit codes, --json output, rights with
--as, the MA SOCIETE demo of DEMO.md and the audit log.

Run by ctest (label "integration") with MFCTL set to the mfctl binary; by hand:
    MFCTL=build/daemons/mfctl/mfctl /usr/bin/python3 tests/integration/test_mfctl.py -v
"""

import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import termios
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mfctl_harness import (ADMIN, ADMIN_PASSWORD, DOMAIN, MFCTL, PEOPLE,  # noqa: E402
                           MfctlTestCase, addr, password_of)

JEAN = addr("jean.martin")
SOPHIE = addr("sophie.bernard")
LUC = addr("luc.petit")
EMMA = addr("emma.durand")

ACCOUNT_FIELDS = {"address", "display_name", "state", "builtin", "quota_bytes", "aliases",
                  "manages", "forward_to", "keep_copy", "created_at", "password_changed_at"}
DOMAIN_FIELDS = {"name", "unicode_name", "default_quota_bytes", "created_at", "accounts",
                 "aliases", "redirections", "managers"}
RESOLUTION_FIELDS = {"address", "matched", "kind", "tag", "mailboxes", "external"}
AUDIT_FIELDS = {"seq", "time", "actor", "origin", "action", "target", "detail"}
DONE_FIELDS = {"ok", "command", "target"}


def table_rows(text):
    """Splits a human table into rows of cells (cells are separated by 2+ spaces)."""
    return [re.split(r" {2,}", line) for line in text.splitlines() if line.strip()]


class CommandLineTest(MfctlTestCase):
    """Parsing, help, version and the errors that come before any data is touched."""

    def test_help_documents_exit_codes_and_nouns(self):
        result = self.data.run("--help", data=False)
        self.assertEqual(result.code, 0, result)
        for line in ["0  success", "2  usage", "3  not found", "4  permission denied",
                     "5  conflict", "6  not running", "1  any other failure"]:
            self.assertIn(line, result.out)
        for noun in ["init", "domain", "user", "alias", "redirect", "manager", "quota",
                     "resolve", "address", "audit", "status"]:
            self.assertRegex(result.out, rf"\n  {noun}\b")
        self.assertNotIn("--password-cost", result.out)  # a hidden option, for tests

    def test_version_names_the_program_and_version(self):
        result = self.data.run("--version", data=False)
        self.assertEqual(result.code, 0, result)
        self.assertRegex(result.out, r"^mfctl \(MailFountain\) \d+\.\d+\.\d+\n$")

    def test_unknown_noun_is_a_usage_error(self):
        self.assertExit(self.data.run("frobnicate"), 2, "mfctl: ", "--help")

    def test_missing_verb_is_a_usage_error(self):
        self.assertExit(self.data.run("domain"), 2, "mfctl: ", "mfctl domain --help")

    def test_missing_argument_is_a_usage_error_naming_it(self):
        self.assertExit(self.data.run("user", "add"), 2, "ADDRESS", "mfctl user add --help")

    def test_usage_error_in_json_mode_is_a_json_error(self):
        result = self.data.run("domain", "add", json_output=True)
        self.assertJsonError(result, 2, "usage", "NAME")
        self.assertEqual(result.err, "")

    def test_password_options_do_not_exist(self):
        # Passwords are never taken from argv: there is no option to pass one.
        for args in (["init", "--password", "x"], ["user", "passwd", LUC, "--password=x"]):
            self.assertExit(self.data.run(*args), 2, "--password")

    def test_global_options_are_accepted_after_the_verb(self):
        self.data.init()
        result = self.data.run("domain", "list", "--json", data=False,
                               env=dict(self.data.env(), MAILFOUNTAIN_DATA=self.data.path))
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.json(), {"domains": []})


class InitTest(MfctlTestCase):

    def test_init_creates_the_data_directory(self):
        result = self.data.run("init", stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(result.code, 0, result)
        self.assertIn("administrator login admin", result.out)
        self.assertTrue(os.path.isdir(self.data.path))
        self.ok("domain", "list")

    def test_init_in_json_mode_reports_the_directory(self):
        result = self.data.run("init", "--admin", "root-admin", stdin=ADMIN_PASSWORD + "\n",
                               json_output=True)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(result.json(), {"ok": True, "command": "init", "target": self.data.path})
        # The chosen administrator name logs in with --as.
        self.ok("domain", "list", as_="root-admin", as_password=ADMIN_PASSWORD)

    def test_init_twice_is_a_conflict(self):
        self.data.init()
        result = self.data.run("init", stdin=ADMIN_PASSWORD + "\n")
        self.assertExit(result, 5, "already")

    def test_init_without_a_password_on_stdin_is_a_usage_error(self):
        result = self.data.run("init")
        self.assertExit(result, 2, "standard input")
        self.assertFalse(os.path.exists(os.path.join(self.data.path, "store")))

    def test_init_refuses_a_short_password(self):
        self.assertExit(self.data.run("init", stdin="short\n"), 2, "8")

    def test_init_refuses_a_bad_administrator_name(self):
        self.assertExit(self.data.run("init", "--admin", "ad@min", stdin=ADMIN_PASSWORD + "\n"),
                        2)

    def test_init_refuses_as(self):
        result = self.data.run("init", as_="admin", as_password=ADMIN_PASSWORD,
                               stdin=ADMIN_PASSWORD + "\n")
        self.assertExit(result, 2, "--as")

    def test_init_uses_an_existing_empty_directory(self):
        os.mkdir(self.data.path)
        self.ok("init", stdin=ADMIN_PASSWORD + "\n")
        self.ok("domain", "list")

    def test_data_path_that_is_a_file_is_a_usage_error(self):
        with open(self.data.path, "w") as f:
            f.write("not a directory")
        self.assertExit(self.data.run("domain", "list"), 2, "not a directory", "--data")

    def test_missing_data_directory_says_how_to_create_it(self):
        result = self.data.run("domain", "list")
        self.assertExit(result, 3, f"mfctl --data {self.data.path} init")

    def test_uninitialised_data_directory_says_how_to_initialise_it(self):
        os.mkdir(self.data.path)
        result = self.data.run("domain", "list")
        self.assertExit(result, 3, "not a MailFountain data directory",
                        f"mfctl --data {self.data.path} init")

    def test_data_directory_comes_from_the_environment(self):
        env = dict(self.data.env(), MAILFOUNTAIN_DATA=self.data.path)
        result = self.data.run("init", stdin=ADMIN_PASSWORD + "\n", data=False, env=env)
        self.assertEqual(result.code, 0, result)
        self.assertTrue(os.path.isdir(self.data.path))
        self.ok("domain", "add", DOMAIN, data=False, env=env)
        self.assertEqual([d["name"] for d in self.data.run("domain", "list", json_output=True)
                          .json()["domains"]], [DOMAIN])


class DemoTest(MfctlTestCase):
    """The MA SOCIETE organisation of DEMO.md, loaded with mfctl only."""

    DEMO = True

    def resolve(self, address):
        result = self.data.run("resolve", address, json_output=True)
        self.assertEqual(result.code, 0, result)
        (entry,) = result.json()["resolutions"]
        self.assertEqual(set(entry), RESOLUTION_FIELDS)
        return entry

    def test_support_reaches_luc_and_emma(self):
        entry = self.resolve(addr("support"))
        self.assertEqual(entry["kind"], "redirection")
        self.assertEqual(entry["mailboxes"], [EMMA, LUC])
        self.assertEqual(entry["external"], [])
        self.assertIsNone(entry["tag"])

    def test_contact_reaches_jean_and_sophie(self):
        entry = self.resolve(addr("contact"))
        self.assertEqual(entry["kind"], "redirection")
        self.assertEqual(entry["mailboxes"], [JEAN, SOPHIE])

    def test_direction_is_an_alias_of_jean(self):
        entry = self.resolve(addr("direction"))
        self.assertEqual(entry["kind"], "alias")
        self.assertEqual(entry["mailboxes"], [JEAN])

    def test_aliases_of_sophie_and_emma(self):
        self.assertEqual(self.resolve(addr("accueil"))["mailboxes"], [SOPHIE])
        self.assertEqual(self.resolve(addr("compta"))["mailboxes"], [SOPHIE])
        self.assertEqual(self.resolve(addr("commercial"))["mailboxes"], [EMMA])

    def test_subaddress_reaches_the_account_with_its_tag(self):
        entry = self.resolve("luc.petit+news@ma-societe.fr")
        self.assertEqual(entry, {
            "address": "luc.petit+news@ma-societe.fr",
            "matched": LUC,
            "kind": "account",
            "tag": "news",
            "mailboxes": [LUC],
            "external": [],
        })

    def test_default_accounts_exist(self):
        self.assertEqual(self.resolve(addr("abuse"))["kind"], "account")
        self.assertEqual(self.resolve(addr("postmaster"))["mailboxes"], [addr("postmaster")])

    def test_resolution_is_case_insensitive(self):
        self.assertEqual(self.resolve("Support@MA-SOCIETE.FR")["mailboxes"], [EMMA, LUC])

    def test_unknown_address_is_not_found(self):
        result = self.data.run("resolve", addr("nobody"))
        self.assertExit(result, 3, addr("nobody"))
        self.assertEqual(result.out, "")

    def test_unknown_address_among_others_human(self):
        result = self.data.run("resolve", addr("support"), addr("nobody"), addr("personne"))
        self.assertExit(result, 3, f"mfctl: no such address: {addr('nobody')}\n",
                        addr("personne"))
        rows = table_rows(result.out)
        self.assertEqual([row[0] for row in rows], ["ADDRESS", addr("support")])

    def test_unknown_address_among_others_reports_all(self):
        result = self.data.run("resolve", addr("support"), addr("nobody"), json_output=True)
        self.assertEqual(result.code, 3, result)
        document = result.json()
        self.assertEqual(set(document), {"resolutions", "error"})
        ok, missing = document["resolutions"]
        self.assertEqual(ok["mailboxes"], [EMMA, LUC])
        self.assertEqual(set(missing), {"address", "error"})
        self.assertEqual(missing["error"]["code"], "not_found")
        self.assertEqual(document["error"], missing["error"])

    def test_resolve_prints_a_table_of_every_address(self):
        result = self.ok("resolve", addr("support"), addr("contact"),
                              addr("direction"), "luc.petit+news@ma-societe.fr")
        rows = table_rows(result.out)
        self.assertEqual(rows[0], ["ADDRESS", "KIND", "MAILBOXES", "EXTERNAL", "TAG"])
        self.assertEqual(rows[1:], [
            [addr("support"), "redirection", f"{EMMA}, {LUC}", "-", "-"],
            [addr("contact"), "redirection", f"{JEAN}, {SOPHIE}", "-", "-"],
            [addr("direction"), "alias", JEAN, "-", "-"],
            ["luc.petit+news@ma-societe.fr", "account", LUC, "-", "news"],
        ])

    def test_table_columns_are_aligned(self):
        lines = self.ok("address", "list").out.splitlines()
        header = lines[0]
        kind_col = header.index("KIND")
        name_col = header.index("NAME")
        for line in lines[1:]:
            self.assertRegex(line[kind_col:], r"^(account|alias|redirection) ", line)
            self.assertEqual(line[name_col - 2:name_col], "  ", line)
        self.assertFalse(any(line.endswith(" ") for line in lines))

    def test_address_list_shows_every_address(self):
        result = self.ok("address", "list", DOMAIN)
        rows = table_rows(result.out)
        self.assertEqual(rows[0], ["ADDRESS", "KIND", "NAME", "DELIVERS TO"])
        by_address = {row[0]: row for row in rows[1:]}
        self.assertEqual(sorted(by_address), sorted([
            addr("abuse"), addr("accueil"), addr("commercial"), addr("compta"),
            addr("contact"), addr("direction"), EMMA, JEAN, LUC, addr("postmaster"),
            SOPHIE, addr("support")]))
        self.assertEqual(by_address[JEAN], [JEAN, "account", "Jean Martin", "own mailbox"])
        self.assertEqual(by_address[addr("direction")], [addr("direction"), "alias", "-", JEAN])
        self.assertEqual(by_address[addr("support")],
                         [addr("support"), "redirection", "-", f"{LUC}, {EMMA}"])

    def test_address_list_json(self):
        document = self.data.run("address", "list", json_output=True).json()
        entries = {e["address"]: e for e in document["addresses"]}
        self.assertEqual(len(entries), 12)
        self.assertEqual(entries[LUC], {"address": LUC, "kind": "account",
                                        "display_name": "Luc Petit", "state": "enabled",
                                        "forward_to": [], "keep_copy": True})
        self.assertEqual(entries[addr("compta")],
                         {"address": addr("compta"), "kind": "alias", "account": SOPHIE})
        self.assertEqual(entries[addr("contact")],
                         {"address": addr("contact"), "kind": "redirection",
                          "targets": [JEAN, SOPHIE], "members_may_send_as": True})

    def test_domain_list_counts_the_demo(self):
        document = self.data.run("domain", "list", json_output=True).json()
        (domain,) = document["domains"]
        self.assertEqual(set(domain), DOMAIN_FIELDS)
        self.assertEqual(domain["name"], DOMAIN)
        self.assertEqual(domain["unicode_name"], DOMAIN)
        self.assertEqual(domain["accounts"], 6)  # four people, abuse@ and postmaster@
        self.assertEqual(domain["aliases"], 4)
        self.assertEqual(domain["redirections"], 2)
        self.assertEqual(domain["managers"], [JEAN])
        self.assertIsNone(domain["default_quota_bytes"])
        self.assertGreater(domain["created_at"], 1_600_000_000)

    def test_domain_list_table(self):
        rows = table_rows(self.ok("domain", "list").out)
        self.assertEqual(rows, [
            ["DOMAIN", "ACCOUNTS", "ALIASES", "REDIRECTIONS", "DEFAULT QUOTA", "MANAGERS"],
            [DOMAIN, "6", "4", "2", "none", JEAN],
        ])

    def test_user_list_shows_people_and_default_accounts(self):
        document = self.data.run("user", "list", json_output=True).json()
        accounts = {a["address"]: a for a in document["accounts"]}
        self.assertEqual(sorted(accounts), sorted([addr("abuse"), addr("postmaster"), JEAN,
                                                   SOPHIE, LUC, EMMA]))
        for a in accounts.values():
            self.assertEqual(set(a), ACCOUNT_FIELDS)
        self.assertTrue(accounts[addr("abuse")]["builtin"])
        self.assertFalse(accounts[JEAN]["builtin"])
        self.assertEqual(accounts[SOPHIE]["aliases"], [addr("accueil"), addr("compta")])
        self.assertEqual(accounts[JEAN]["manages"], [DOMAIN])
        self.assertEqual(accounts[EMMA]["display_name"], "Emma Durand")

    def test_alias_redirect_and_manager_lists(self):
        aliases = self.data.run("alias", "list", DOMAIN, json_output=True).json()["aliases"]
        self.assertEqual(sorted((a["address"], a["account"]) for a in aliases), [
            (addr("accueil"), SOPHIE), (addr("commercial"), EMMA), (addr("compta"), SOPHIE),
            (addr("direction"), JEAN)])
        redirections = self.data.run("redirect", "list", json_output=True).json()
        self.assertEqual(sorted(r["address"] for r in redirections["redirections"]),
                         [addr("contact"), addr("support")])
        managers = self.data.run("manager", "list", json_output=True).json()
        self.assertEqual(managers, {"managers": [{"account": JEAN, "domain": DOMAIN}]})

    def test_demo_logins_work(self):
        for local in PEOPLE:
            self.ok("user", "show", addr(local), as_=addr(local))


class DomainTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()

    def test_add_show_and_list(self):
        result = self.data.run("domain", "add", DOMAIN, json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "domain add", "target": DOMAIN})
        shown = self.data.run("domain", "show", DOMAIN, json_output=True).json()
        self.assertEqual(set(shown), {"domain"})
        self.assertEqual(set(shown["domain"]), DOMAIN_FIELDS)
        self.assertEqual(shown["domain"]["accounts"], 2)
        human = self.ok("domain", "show", DOMAIN).out
        self.assertRegex(human, rf"Domain: +{re.escape(DOMAIN)}\n")
        self.assertRegex(human, r"Accounts: +2\n")

    def test_add_twice_is_a_conflict(self):
        self.ok("domain", "add", DOMAIN)
        self.assertExit(self.data.run("domain", "add", DOMAIN.upper()), 5, DOMAIN)
        self.assertJsonError(self.data.run("domain", "add", DOMAIN, json_output=True), 5,
                             "already_exists")

    def test_bad_name_is_a_usage_error(self):
        self.assertExit(self.data.run("domain", "add", "not a domain"), 2, "not a domain")
        self.assertExit(self.data.run("domain", "add", "a..b"), 2)

    def test_internationalised_name_is_stored_as_a_label(self):
        self.ok("domain", "add", "café.fr")
        (domain,) = self.data.run("domain", "list", json_output=True).json()["domains"]
        self.assertEqual(domain["name"], "xn--caf-dma.fr")
        self.assertEqual(domain["unicode_name"], "café.fr")
        self.assertIn("café.fr (xn--caf-dma.fr)", self.ok("domain", "list").out)

    def test_show_unknown_is_not_found(self):
        self.assertExit(self.data.run("domain", "show", "nowhere.fr"), 3, "nowhere.fr")
        self.assertJsonError(self.data.run("domain", "show", "nowhere.fr", json_output=True),
                             3, "not_found", "nowhere.fr")

    def test_remove_in_use_needs_force(self):
        self.ok("domain", "add", DOMAIN)
        self.ok("user", "add", LUC, "--no-password")
        self.assertExit(self.data.run("domain", "remove", DOMAIN), 1, "--force")
        self.ok("domain", "show", DOMAIN)
        self.ok("domain", "remove", DOMAIN, "--force")
        self.assertExit(self.data.run("domain", "show", DOMAIN), 3)
        self.assertExit(self.data.run("resolve", LUC), 3)

    def test_remove_empty_domain(self):
        self.ok("domain", "add", DOMAIN)
        result = self.data.run("domain", "remove", DOMAIN, json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "domain remove",
                                         "target": DOMAIN})
        self.assertEqual(self.data.run("domain", "list", json_output=True).json(),
                         {"domains": []})

    def test_remove_unknown_is_not_found(self):
        self.assertExit(self.data.run("domain", "remove", "nowhere.fr"), 3)


class UserTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)

    def add_luc(self, *extra):
        return self.ok("user", "add", LUC, "--name", "Luc Petit", *extra,
                            stdin=password_of("luc.petit") + "\n")

    def show(self, address):
        result = self.data.run("user", "show", address, json_output=True)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(set(result.json()), {"account"})
        return result.json()["account"]

    def test_add_and_show(self):
        self.add_luc()
        account = self.show(LUC)
        self.assertEqual(set(account), ACCOUNT_FIELDS)
        self.assertEqual(account["address"], LUC)
        self.assertEqual(account["display_name"], "Luc Petit")
        self.assertEqual(account["state"], "enabled")
        self.assertFalse(account["builtin"])
        self.assertIsNone(account["quota_bytes"])
        self.assertEqual(account["aliases"], [])
        self.assertEqual(account["forward_to"], [])
        self.assertGreater(account["password_changed_at"], 0)
        human = self.ok("user", "show", LUC).out
        self.assertRegex(human, r"Name: +Luc Petit\n")
        self.assertRegex(human, r"State: +enabled\n")

    def test_add_keeps_the_case_of_the_local_part(self):
        self.ok("user", "add", "Luc.Petit@ma-societe.fr", "--no-password")
        self.assertEqual(self.show(LUC)["address"], "Luc.Petit@ma-societe.fr")

    def test_password_is_read_from_stdin_and_works(self):
        self.add_luc()
        self.ok("user", "show", LUC, as_=LUC)
        result = self.data.run("user", "show", LUC, as_=LUC, as_password="wrong-password")
        self.assertExit(result, 4, "--as")

    def test_add_without_password_on_stdin_is_a_usage_error(self):
        result = self.data.run("user", "add", LUC)
        self.assertExit(result, 2, "standard input", "--no-password")
        self.assertExit(self.data.run("user", "show", LUC), 3)

    def test_add_with_empty_password_is_refused(self):
        self.assertExit(self.data.run("user", "add", LUC, stdin="\n"), 2, "empty")

    def test_add_with_short_password_is_refused(self):
        self.assertExit(self.data.run("user", "add", LUC, stdin="short\n"), 2)

    def test_add_without_password_cannot_log_in(self):
        self.ok("user", "add", LUC, "--no-password")
        self.assertEqual(self.show(LUC)["password_changed_at"], 0)
        self.assertExit(self.data.run("user", "show", LUC, as_=LUC, as_password=""), 4)

    def test_add_twice_is_a_conflict(self):
        self.add_luc()
        self.assertExit(self.data.run("user", "add", LUC, "--no-password"), 5, LUC)

    def test_add_in_unknown_domain_is_not_found(self):
        self.assertExit(self.data.run("user", "add", "luc@nowhere.fr", "--no-password"), 3,
                        "nowhere.fr")

    def test_add_with_bad_address_is_a_usage_error(self):
        self.assertExit(self.data.run("user", "add", "luc..petit@ma-societe.fr",
                                      "--no-password"), 2)
        self.assertExit(self.data.run("user", "add", "no-at-sign", "--no-password"), 2)

    def test_add_with_quota(self):
        self.add_luc("--quota", "2G")
        self.assertEqual(self.show(LUC)["quota_bytes"], 2 * 1024 ** 3)

    def test_add_with_bad_quota_names_the_accepted_forms(self):
        result = self.data.run("user", "add", LUC, "--quota", "12X", "--no-password")
        self.assertExit(result, 2, "12X", "K, M, G or T")
        self.assertExit(self.data.run("user", "show", LUC), 3)

    def test_passwd_changes_the_password(self):
        self.add_luc()
        result = self.data.run("user", "passwd", LUC, stdin="new-Secret-22\n")
        self.assertEqual(result.code, 0, result)
        self.assertIn("reset", result.out)
        self.ok("user", "show", LUC, as_=LUC, as_password="new-Secret-22")
        self.assertExit(self.data.run("user", "show", LUC, as_=LUC), 4)

    def test_passwd_of_unknown_account_is_not_found(self):
        self.assertExit(self.data.run("user", "passwd", LUC, stdin="new-Secret-22\n"), 3)

    def test_rename_sets_the_display_name(self):
        self.add_luc()
        self.ok("user", "rename", LUC, "Lucien Petit")
        self.assertEqual(self.show(LUC)["display_name"], "Lucien Petit")

    def test_disable_and_enable(self):
        self.add_luc()
        self.ok("user", "disable", LUC)
        self.assertEqual(self.show(LUC)["state"], "disabled")
        self.assertExit(self.data.run("resolve", LUC), 1, "disabled")
        self.assertExit(self.data.run("user", "show", LUC, as_=LUC), 1, "disabled")
        self.ok("user", "enable", LUC)
        self.assertEqual(self.show(LUC)["state"], "enabled")
        self.ok("resolve", LUC)

    def test_builtin_refusal_does_not_suggest_force(self):
        result = self.data.run("user", "remove", addr("abuse"))
        self.assertExit(result, 1, "abuse@")
        self.assertNotIn("--force", result.err)

    def test_remove_listed_in_a_redirection_needs_force(self):
        self.add_luc()
        self.ok("user", "add", EMMA, "--no-password")
        self.ok("redirect", "add", addr("support"), LUC, EMMA)
        self.assertExit(self.data.run("user", "remove", LUC), 1, "--force")
        self.ok("user", "remove", LUC, "--force")
        self.assertExit(self.data.run("user", "show", LUC), 3)
        (redirection,) = self.data.run("redirect", "list", json_output=True).json()[
            "redirections"]
        self.assertEqual(redirection["targets"], [EMMA])

    def test_remove_takes_the_aliases_along(self):
        self.add_luc()
        self.ok("alias", "add", addr("technique"), LUC)
        result = self.data.run("user", "remove", LUC, json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "user remove", "target": LUC})
        self.assertExit(self.data.run("resolve", addr("technique")), 3)

    def test_builtin_accounts_cannot_be_removed(self):
        self.assertExit(self.data.run("user", "remove", addr("abuse")), 1, "abuse")
        self.assertExit(self.data.run("user", "remove", addr("postmaster"), "--force"), 1)
        self.assertTrue(self.show(addr("abuse"))["builtin"])

    def test_forward_and_stop_forwarding(self):
        self.add_luc()
        self.ok("user", "forward", addr("abuse"), LUC, "ext@example.org",
                     "--no-copy")
        account = self.show(addr("abuse"))
        self.assertEqual(account["forward_to"], [LUC, "ext@example.org"])
        self.assertFalse(account["keep_copy"])
        (entry,) = self.data.run("resolve", addr("abuse"), json_output=True).json()[
            "resolutions"]
        self.assertEqual(entry["mailboxes"], [LUC])
        self.assertEqual(entry["external"], ["ext@example.org"])
        self.ok("user", "forward", addr("abuse"))
        self.assertEqual(self.show(addr("abuse"))["forward_to"], [])
        (entry,) = self.data.run("resolve", addr("abuse"), json_output=True).json()[
            "resolutions"]
        self.assertEqual(entry["mailboxes"], [addr("abuse")])

    def test_forward_keeping_a_copy(self):
        self.add_luc()
        self.ok("user", "forward", addr("postmaster"), LUC)
        (entry,) = self.data.run("resolve", addr("postmaster"), json_output=True).json()[
            "resolutions"]
        self.assertEqual(entry["mailboxes"], [LUC, addr("postmaster")])

    def test_tables_align_accented_names_by_characters(self):
        self.ok("user", "add", addr("helene.dupre"), "--name", "Hélène Dupré", "--no-password")
        self.ok("user", "add", addr("zoe"), "--name", "Zoé", "--no-password")
        lines = self.ok("user", "list", DOMAIN).out.splitlines()
        state_column = {line.index("enabled") for line in lines[1:]}
        self.assertEqual(state_column, {lines[0].index("STATE")}, lines)

    def test_list_of_one_domain_and_of_all(self):
        self.ok("domain", "add", "autre.fr")
        self.add_luc()
        self.ok("user", "add", "paul@autre.fr", "--no-password")
        one = self.data.run("user", "list", "autre.fr", json_output=True).json()["accounts"]
        self.assertEqual(sorted(a["address"] for a in one),
                         ["abuse@autre.fr", "paul@autre.fr", "postmaster@autre.fr"])
        everything = self.data.run("user", "list", json_output=True).json()["accounts"]
        self.assertEqual(len(everything), 6)
        rows = table_rows(self.ok("user", "list", DOMAIN).out)
        self.assertEqual(rows[0], ["ADDRESS", "NAME", "STATE", "QUOTA", "ALIASES", "MANAGES",
                                   "FORWARDS TO"])
        self.assertIn([LUC, "Luc Petit", "enabled", "domain default", "-", "-", "-"], rows)


class AliasTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)
        self.ok("user", "add", JEAN, "--no-password")

    def test_add_list_remove(self):
        result = self.data.run("alias", "add", addr("direction"), JEAN, json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "alias add",
                                         "target": addr("direction")})
        self.assertEqual(self.data.run("alias", "list", json_output=True).json(),
                         {"aliases": [{"address": addr("direction"), "account": JEAN}]})
        rows = table_rows(self.ok("alias", "list").out)
        self.assertEqual(rows, [["ALIAS", "ACCOUNT"], [addr("direction"), JEAN]])
        self.ok("alias", "remove", addr("direction"))
        self.assertEqual(self.data.run("alias", "list", json_output=True).json(),
                         {"aliases": []})

    def test_alias_equal_to_an_existing_address_is_a_conflict(self):
        self.assertExit(self.data.run("alias", "add", addr("abuse"), JEAN), 5)
        self.ok("alias", "add", addr("direction"), JEAN)
        self.assertExit(self.data.run("alias", "add", addr("direction"), JEAN), 5)

    def test_alias_of_unknown_account_is_not_found(self):
        self.assertExit(self.data.run("alias", "add", addr("x"), addr("nobody")), 3)

    def test_remove_unknown_alias_is_not_found(self):
        self.assertExit(self.data.run("alias", "remove", addr("direction")), 3)


class RedirectTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)
        for local in ("luc.petit", "emma.durand", "jean.martin"):
            self.ok("user", "add", addr(local), "--no-password")

    def redirections(self):
        return self.data.run("redirect", "list", json_output=True).json()["redirections"]

    def test_add_set_list_remove(self):
        self.ok("redirect", "add", addr("support"), LUC, EMMA)
        self.assertEqual(self.redirections(), [{"address": addr("support"),
                                                "targets": [LUC, EMMA],
                                                "members_may_send_as": True}])
        rows = table_rows(self.ok("redirect", "list").out)
        self.assertEqual(rows, [["ADDRESS", "TARGETS", "MAY SEND AS"],
                                [addr("support"), f"{LUC}, {EMMA}", "members"]])
        self.ok("redirect", "set", addr("support"), JEAN, "help@example.org",
                     "--no-send-as")
        self.assertEqual(self.redirections(), [{"address": addr("support"),
                                                "targets": [JEAN, "help@example.org"],
                                                "members_may_send_as": False}])
        self.ok("redirect", "remove", addr("support"))
        self.assertEqual(self.redirections(), [])

    def test_add_without_targets_is_a_usage_error(self):
        self.assertExit(self.data.run("redirect", "add", addr("support")), 2, "TARGET")

    def test_add_existing_address_is_a_conflict(self):
        self.assertExit(self.data.run("redirect", "add", LUC, EMMA), 5)

    def test_unknown_local_target_is_not_found(self):
        self.assertExit(self.data.run("redirect", "add", addr("support"), addr("nobody")), 3)

    def test_set_unknown_is_not_found(self):
        self.assertExit(self.data.run("redirect", "set", addr("support"), LUC), 3)

    def test_nested_redirection_resolves_recursively(self):
        self.ok("redirect", "add", addr("support"), LUC, EMMA)
        self.ok("redirect", "add", addr("tous"), addr("support"), JEAN)
        (entry,) = self.data.run("resolve", addr("tous"), json_output=True).json()[
            "resolutions"]
        self.assertEqual(entry["mailboxes"], [EMMA, JEAN, LUC])
        self.assertExit(self.data.run("redirect", "remove", addr("support")), 1, "--force")
        self.ok("redirect", "remove", addr("support"), "--force")
        self.assertEqual([r["targets"] for r in self.redirections()], [[JEAN]])


class ManagerTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)
        self.ok("domain", "add", "autre.fr")
        self.ok("user", "add", JEAN, stdin=password_of("jean.martin") + "\n")

    def test_grant_list_revoke(self):
        result = self.data.run("manager", "grant", JEAN, "autre.fr", json_output=True)
        self.assertEqual(result.json(), {"ok": True, "command": "manager grant",
                                         "target": JEAN})
        self.ok("manager", "grant", JEAN, DOMAIN)
        self.assertEqual(self.data.run("manager", "list", json_output=True).json(), {
            "managers": [{"account": JEAN, "domain": "autre.fr"},
                         {"account": JEAN, "domain": DOMAIN}]})
        self.assertEqual(self.data.run("manager", "list", DOMAIN, json_output=True).json(),
                         {"managers": [{"account": JEAN, "domain": DOMAIN}]})
        rows = table_rows(self.ok("manager", "list", "autre.fr").out)
        self.assertEqual(rows, [["ACCOUNT", "DOMAIN"], [JEAN, "autre.fr"]])
        self.ok("manager", "revoke", JEAN, "autre.fr")
        self.assertEqual(self.data.run("user", "show", JEAN, json_output=True).json()[
            "account"]["manages"], [DOMAIN])

    def test_grant_twice_is_a_conflict(self):
        self.ok("manager", "grant", JEAN, DOMAIN)
        self.assertExit(self.data.run("manager", "grant", JEAN, DOMAIN), 5)

    def test_revoke_missing_grant_is_not_found(self):
        self.assertExit(self.data.run("manager", "revoke", JEAN, DOMAIN), 3)

    def test_only_the_administrator_grants(self):
        self.ok("manager", "grant", JEAN, DOMAIN)
        result = self.data.run("manager", "grant", JEAN, "autre.fr", as_=JEAN)
        self.assertExit(result, 4, "permission denied")


class QuotaTest(MfctlTestCase):

    def setUp(self):
        super().setUp()
        self.data.init()
        self.ok("domain", "add", DOMAIN)
        self.ok("user", "add", LUC, "--no-password")

    def quota(self, address):
        result = self.data.run("quota", "show", address, json_output=True)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(set(result.json()), {"quota"})
        return result.json()["quota"]

    def test_unlimited_by_default(self):
        self.assertEqual(self.quota(LUC), {"address": LUC, "limit_bytes": None,
                                           "source": "unlimited"})

    def test_account_quota_with_suffixes(self):
        for text, expected in [("2G", 2 << 30), ("500m", 500 << 20), ("1536", 1536),
                               ("1T", 1 << 40), ("64K", 64 << 10)]:
            self.ok("quota", "set", LUC, text)
            self.assertEqual(self.quota(LUC), {"address": LUC, "limit_bytes": expected,
                                               "source": "account"}, text)
        human = self.ok("quota", "show", LUC).out
        self.assertRegex(human, r"Limit: +64K \(65536 bytes\)\n")

    def test_domain_default_applies_to_accounts_without_their_own(self):
        self.ok("quota", "set", DOMAIN, "500M")
        self.assertEqual(self.quota(LUC), {"address": LUC, "limit_bytes": 500 << 20,
                                           "source": "domain_default"})
        shown = self.data.run("domain", "show", DOMAIN, json_output=True).json()
        self.assertEqual(shown["domain"]["default_quota_bytes"], 500 << 20)
        self.ok("quota", "set", LUC, "1G")
        self.assertEqual(self.quota(LUC)["source"], "account")
        self.ok("quota", "set", LUC, "none")
        self.assertEqual(self.quota(LUC)["source"], "domain_default")
        self.ok("quota", "set", DOMAIN, "none")
        self.assertEqual(self.quota(LUC)["source"], "unlimited")

    def test_bad_size_is_a_usage_error_naming_the_forms(self):
        for bad in ["12X", "G", "-5", "1.5G", "99999999999999999999", "17179869184T"]:
            result = self.data.run("quota", "set", LUC, bad)
            self.assertExit(result, 2, bad, "K, M, G or T", "none")
        self.assertEqual(self.quota(LUC)["source"], "unlimited")

    def test_unknown_targets_are_not_found(self):
        self.assertExit(self.data.run("quota", "set", addr("nobody"), "1G"), 3)
        self.assertExit(self.data.run("quota", "set", "nowhere.fr", "1G"), 3)
        self.assertExit(self.data.run("quota", "show", addr("nobody")), 3)


class RightsTest(MfctlTestCase):
    """--as: an account acts with its own rights."""

    DEMO = True

    def setUp(self):
        super().setUp()
        self.ok("domain", "add", "autre.fr")

    def test_manager_adds_a_user_in_the_managed_domain(self):
        result = self.data.run("user", "add", addr("paul.leroy"), "--name", "Paul Leroy",
                               as_=JEAN, stdin="paul-Secret-1\n")
        self.assertEqual(result.code, 0, result)
        self.ok("user", "show", addr("paul.leroy"), as_=addr("paul.leroy"),
                     as_password="paul-Secret-1")

    def test_manager_cannot_add_a_user_in_another_domain(self):
        result = self.data.run("user", "add", "paul@autre.fr", as_=JEAN, stdin="paul-Secret-1\n")
        self.assertExit(result, 4, "autre.fr")
        self.assertExit(self.data.run("user", "show", "paul@autre.fr"), 3)
        result = self.data.run("user", "add", "paul@autre.fr", "--no-password", as_=JEAN,
                               json_output=True)
        self.assertJsonError(result, 4, "permission_denied", "autre.fr")

    def test_manager_sees_only_the_managed_domains(self):
        domains = self.data.run("domain", "list", as_=JEAN, json_output=True).json()["domains"]
        self.assertEqual([d["name"] for d in domains], [DOMAIN])
        addresses = self.data.run("address", "list", as_=JEAN, json_output=True).json()
        self.assertTrue(all(a["address"].endswith("@" + DOMAIN)
                            for a in addresses["addresses"]))

    def test_manager_cannot_add_domains(self):
        self.assertExit(self.data.run("domain", "add", "x.fr", as_=JEAN), 4)

    def test_manager_manages_aliases_redirections_and_quotas(self):
        self.ok("alias", "add", addr("technique"), LUC, as_=JEAN)
        self.ok("redirect", "set", addr("support"), LUC, as_=JEAN)
        self.ok("quota", "set", EMMA, "1G", as_=JEAN)
        self.assertExit(self.data.run("quota", "set", "autre.fr", "1G", as_=JEAN), 4)

    def test_user_changes_own_password(self):
        result = self.data.run("user", "passwd", LUC, as_=LUC, stdin="luc-New-Secret-2\n")
        self.assertEqual(result.code, 0, result)
        self.assertIn("changed the password", result.out)
        self.ok("user", "show", LUC, as_=LUC, as_password="luc-New-Secret-2")
        self.assertExit(self.data.run("user", "show", LUC, as_=LUC), 4)
        last = self.data.run("audit", json_output=True).json()["entries"][-1]
        self.assertEqual((last["action"], last["actor"], last["target"]),
                         ("user.passwd", LUC, LUC))

    def test_user_cannot_change_another_password(self):
        result = self.data.run("user", "passwd", SOPHIE, as_=LUC, stdin="hacked-Secret-1\n")
        self.assertExit(result, 4, "permission denied")
        # Refused before a new password is even asked for.
        result = self.data.run("user", "passwd", SOPHIE, as_=LUC)
        self.assertExit(result, 4, "permission denied")
        self.ok("user", "show", SOPHIE, as_=SOPHIE)

    def test_user_sets_own_display_name_only(self):
        self.ok("user", "rename", LUC, "Lucien Petit", as_=LUC)
        self.assertExit(self.data.run("user", "rename", EMMA, "X", as_=LUC), 4)
        self.assertExit(self.data.run("user", "disable", LUC, as_=LUC), 4)

    def test_user_sees_own_account_but_lists_nothing(self):
        account = self.data.run("user", "show", LUC, as_=LUC, json_output=True).json()
        self.assertEqual(account["account"]["address"], LUC)
        self.assertExit(self.data.run("user", "show", SOPHIE, as_=LUC), 4)
        self.assertExit(self.data.run("user", "list", as_=LUC), 4, "permission denied")

    def test_user_cannot_read_the_audit_log(self):
        self.assertExit(self.data.run("audit", as_=LUC), 4)
        self.assertExit(self.data.run("audit", as_=JEAN), 4)

    def test_wrong_as_password_is_denied(self):
        result = self.data.run("domain", "list", as_=JEAN, as_password="not-his-password")
        self.assertExit(result, 4, JEAN)
        result = self.data.run("domain", "list", as_=JEAN, as_password="not-his-password",
                               json_output=True)
        self.assertJsonError(result, 4, "unauthenticated")

    def test_unknown_as_login_is_denied_like_a_wrong_password(self):
        result = self.data.run("domain", "list", as_=addr("nobody"), as_password="whatever-1")
        self.assertExit(result, 4)

    def test_as_without_a_password_on_stdin_is_a_usage_error(self):
        result = self.data.run("domain", "list", "--as", JEAN)
        self.assertExit(result, 2, "standard input")

    def test_as_an_alias_acts_as_the_account(self):
        result = self.data.run("user", "passwd", JEAN, as_=addr("direction"),
                               as_password=password_of("jean.martin"),
                               stdin="jean-New-Secret-2\n")
        self.assertEqual(result.code, 0, result)
        self.assertIn("changed the password", result.out)

    def test_as_the_administrator(self):
        self.ok("domain", "add", "x.fr", as_=ADMIN, as_password=ADMIN_PASSWORD)

    def test_reset_by_the_manager_is_audited(self):
        self.ok("user", "passwd", LUC, as_=JEAN, stdin="luc-Reset-Secret-3\n")
        entries = self.data.run("audit", json_output=True).json()["entries"]
        resets = [e for e in entries if e["target"] == LUC and "passwd" in e["action"]]
        self.assertEqual(len(resets), 1, entries)
        self.assertEqual(resets[0]["action"], "user.passwd.reset")
        self.assertEqual(resets[0]["actor"], JEAN)
        self.assertEqual(resets[0]["origin"], f"mfctl uid={os.getuid()}")
        self.ok("user", "show", LUC, as_=LUC, as_password="luc-Reset-Secret-3")


class AuditTest(MfctlTestCase):

    DEMO = True

    def test_every_demo_action_is_in_the_log(self):
        document = self.data.run("audit", json_output=True).json()
        self.assertEqual(set(document), {"entries", "last_seq"})
        entries = document["entries"]
        for e in entries:
            self.assertEqual(set(e), AUDIT_FIELDS)
        self.assertEqual(document["last_seq"], entries[-1]["seq"])
        self.assertEqual([e["seq"] for e in entries], sorted(e["seq"] for e in entries))
        targets = {e["target"] for e in entries}
        for expected in [DOMAIN, JEAN, SOPHIE, LUC, EMMA, addr("direction"),
                         addr("support"), addr("contact")]:
            self.assertIn(expected, targets)
        # init comes first; everything after was done by mfctl as the administrator.
        self.assertEqual((entries[0]["action"], entries[0]["actor"]), ("init", ADMIN))
        origin = f"mfctl uid={os.getuid()}"
        self.assertTrue(all(e["actor"] == ADMIN and e["origin"] == origin
                            for e in entries[1:]), entries)
        actions = [e["action"] for e in entries[1:]]
        self.assertEqual(actions, ["domain.add"] + ["user.add"] * 4 + ["alias.add"] * 4
                         + ["redirect.add"] * 2 + ["manager.grant"])

    def test_passwords_never_appear_in_the_log(self):
        self.ok("user", "passwd", LUC, stdin="luc-Reset-Secret-3\n")
        text = self.data.run("audit", json_output=True).out + self.ok("audit").out
        for secret in [ADMIN_PASSWORD, "luc-Reset-Secret-3"] + [p[1] for p in PEOPLE.values()]:
            self.assertNotIn(secret, text)

    def test_after_and_limit_page_through_the_log(self):
        everything = self.data.run("audit", json_output=True).json()["entries"]
        self.assertGreater(len(everything), 4)
        first = self.data.run("audit", "--limit", "2", json_output=True).json()
        self.assertEqual(first["entries"], everything[:2])
        rest = self.data.run("audit", "--after", str(first["last_seq"]), "--limit", "3",
                             json_output=True).json()
        self.assertEqual(rest["entries"], everything[2:5])
        empty = self.data.run("audit", "--after", str(everything[-1]["seq"]),
                              json_output=True).json()
        self.assertEqual(empty, {"entries": [], "last_seq": everything[-1]["seq"]})

    def test_limit_reached_tells_how_to_see_more(self):
        result = self.ok("audit", "--limit", "1")
        self.assertIn("mfctl audit --after", result.err)

    def test_bad_limit_is_a_usage_error(self):
        self.assertExit(self.data.run("audit", "--limit", "0"), 2)
        self.assertExit(self.data.run("audit", "--after", "minus-one"), 2)

    def test_human_table_shows_actor_origin_and_action(self):
        self.ok("user", "passwd", LUC, as_=JEAN, stdin="luc-Reset-Secret-3\n")
        rows = table_rows(self.ok("audit").out)
        self.assertEqual(rows[0], ["SEQ", "TIME", "ACTOR", "ORIGIN", "ACTION", "TARGET",
                                   "DETAIL"])
        last = rows[-1]
        self.assertEqual(last[2:4], [JEAN, f"mfctl uid={os.getuid()}"])
        self.assertIn("reset", last[4])
        self.assertEqual(last[5], LUC)
        self.assertRegex(last[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")


class TerminalPromptTest(MfctlTestCase):
    """On a terminal, passwords are prompted for twice, without echo."""

    def run_on_terminal(self, args, answers):
        """Runs mfctl with a pseudo-terminal as stdin and types each answer once its prompt
        is shown and echo is off. Returns (exit code, stdout, stderr, what the terminal
        echoed)."""
        try:
            master, slave = pty.openpty()
        except OSError as e:
            self.skipTest(f"no pseudo-terminal available: {e}")
        argv = [MFCTL, "--password-cost", "1", "--data", self.data.path] + args
        proc = subprocess.Popen(argv, stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.data.env())
        os.close(slave)
        err = b""
        echoed = b""

        def drain(timeout):
            nonlocal err, echoed
            watched = [master] if proc.stderr.closed else [master, proc.stderr.fileno()]
            ready = select.select(watched, [], [], timeout)[0]
            if not proc.stderr.closed and proc.stderr.fileno() in ready:
                err += os.read(proc.stderr.fileno(), 4096)
            if master in ready:
                try:
                    echoed += os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    pass

        try:
            for number, answer in enumerate(answers, start=1):
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and proc.poll() is None:
                    prompted = err.lower().count(b"password for") >= number
                    if prompted and not termios.tcgetattr(master)[3] & termios.ECHO:
                        break
                    drain(0.05)
                os.write(master, answer.encode() + b"\n")
            out, rest = proc.communicate(timeout=60)
            err += rest
            drain(0)
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return proc.returncode, out.decode(), err.decode(), echoed.decode(errors="replace")

    def test_init_prompts_twice_without_echo(self):
        code, out, err, echoed = self.run_on_terminal(["init"], [ADMIN_PASSWORD, ADMIN_PASSWORD])
        self.assertEqual(code, 0, err)
        self.assertIn("New password for the administrator admin:", err)
        self.assertIn("Retype the new password", err)
        self.assertNotIn(ADMIN_PASSWORD, echoed)
        self.ok("domain", "list", as_=ADMIN, as_password=ADMIN_PASSWORD)

    def test_different_answers_change_nothing(self):
        code, _, err, _ = self.run_on_terminal(["init"], [ADMIN_PASSWORD, "something-else"])
        self.assertEqual(code, 2, err)
        self.assertIn("differ", err)
        self.assertExit(self.data.run("domain", "list"), 3)


class FakeDaemon:
    """A control socket answering like mailfountaind (docs/mailfountaind.md): reads one
    request line, records it, sends `reply` and closes. Serves connections until stopped."""

    def __init__(self, path, reply):
        self.path = path
        self.reply = reply
        self.requests = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.server.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except socket.timeout:
                continue
            with conn:
                request = b""
                while not request.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                self.requests.append(request)
                conn.sendall(self.reply.encode() + b"\n")

    def stop(self):
        self.running = False
        self.thread.join()
        self.server.close()


STATUS = {
    "version": "0.1.0", "pid": 4242, "started_at": 1714557600,
    "listeners": [{"role": "smtp", "address": "127.0.0.1", "port": 2525},
                  {"role": "submissions", "address": "::1", "port": 2465}],
    "connections": 3, "connections_total": 120, "messages_accepted": 100,
    "messages_refused": 2, "recipients_delivered": 150,
}


class StatusTest(MfctlTestCase):
    """mfctl status against a stand-in for the daemon's control socket."""

    def setUp(self):
        super().setUp()
        os.mkdir(self.data.path)
        self.socket_path = os.path.join(self.data.path, "control.sock")

    def serve(self, reply, path=None):
        daemon = FakeDaemon(path or self.socket_path, reply)
        self.addCleanup(daemon.stop)
        return daemon

    def test_no_daemon_exits_6_with_not_running(self):
        result = self.data.run("status")
        self.assertEqual(result.code, 6, result)
        self.assertIn(f"mailfountaind is not running on {self.data.path}", result.err)
        result = self.data.run("status", json_output=True)
        self.assertEqual(result.code, 6, result)
        self.assertEqual(result.json()["error"]["code"], "not_running")

    def test_a_stale_socket_file_means_not_running(self):
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(self.socket_path)
        stale.close()
        self.assertEqual(self.data.run("status").code, 6)

    def test_status_shows_the_daemon_and_its_listeners(self):
        daemon = self.serve(json.dumps(STATUS))
        result = self.ok("status")
        self.assertEqual(daemon.requests, [b"status\n"])
        self.assertRegex(result.out, r"Daemon: +mailfountaind 0\.1\.0, pid 4242\n")
        self.assertRegex(result.out, r"Started: +2024-05-01 10:00:00 UTC\n")
        self.assertRegex(result.out, r"Connections: +3 open, 120 since start\n")
        self.assertRegex(result.out, r"Messages: +100 accepted, 2 refused\n")
        self.assertRegex(result.out, r"Recipients delivered: +150\n")
        rows = table_rows(result.out.split("\n\n", 1)[1])
        self.assertEqual(rows, [["ROLE", "LISTENING ON"], ["smtp", "127.0.0.1:2525"],
                                ["submissions", "[::1]:2465"]])

    def test_status_json_is_the_daemons_document(self):
        self.serve(json.dumps(STATUS))
        result = self.ok("status", json_output=True)
        self.assertEqual(result.json(), STATUS)
        self.assertEqual(list(result.json()), list(STATUS))  # the documented order

    def test_status_socket_option_names_another_socket(self):
        other = os.path.join(self.data.root, "elsewhere.sock")
        self.serve(json.dumps(STATUS), path=other)
        self.assertEqual(self.data.run("status").code, 6)
        self.assertEqual(self.ok("status", "--socket", other, json_output=True).json()["pid"],
                         4242)

    def test_a_daemon_error_fails(self):
        self.serve(json.dumps({"error": "unknown request"}))
        result = self.data.run("status")
        self.assertEqual(result.code, 1, result)
        self.assertIn("unknown request", result.err)

    def test_garbage_on_the_socket_fails(self):
        self.serve("220 mail.example.fr ESMTP")
        result = self.data.run("status")
        self.assertEqual(result.code, 1, result)
        self.assertIn("is not a status", result.err)

    def test_status_refuses_as(self):
        result = self.data.run("status", as_=ADMIN)
        self.assertEqual(result.code, 2, result)
        self.assertIn("drop --as", result.err)


if __name__ == "__main__":
    unittest.main()
