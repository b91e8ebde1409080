"""Shared set-up of the mailfountain binding tests: the MA SOCIETE directory of DEMO.md,
built through the binding in a fresh data directory for every test.

Passwords are hashed with cost 1 to keep the tests fast; never do that in production.
"""

import os
import tempfile
import unittest

import mailfountain as mf

DOMAIN = "ma-societe.fr"
OTHER_DOMAIN = "autre-societe.fr"
ADMIN = "admin"
ADMIN_PASSWORD = "admin-password-1"
JEAN = "jean.martin@" + DOMAIN
SOPHIE = "sophie.bernard@" + DOMAIN
LUC = "luc.petit@" + DOMAIN
EMMA = "emma.durand@" + DOMAIN

PEOPLE = [
    (JEAN, "Jean Martin", "jean-password-1"),
    (SOPHIE, "Sophie Bernard", "sophie-password-1"),
    (LUC, "Luc Petit", "luc-password-1"),
    (EMMA, "Emma Durand", "emma-password-1"),
]
PASSWORDS = {address: password for address, _, password in PEOPLE}

ALIASES = {
    "direction@" + DOMAIN: JEAN,
    "accueil@" + DOMAIN: SOPHIE,
    "compta@" + DOMAIN: SOPHIE,
    "commercial@" + DOMAIN: EMMA,
}
REDIRECTIONS = {
    "support@" + DOMAIN: [LUC, EMMA],
    "contact@" + DOMAIN: [JEAN, SOPHIE],
}


def build_demo(directory, admin):
    """Loads the MA SOCIETE organisation into `directory` as `admin`."""
    directory.add_domain(admin, DOMAIN)
    for address, name, password in PEOPLE:
        directory.add_account(admin, address, display_name=name, password=password)
    for alias, account in ALIASES.items():
        directory.add_alias(admin, alias, account)
    for address, targets in REDIRECTIONS.items():
        directory.add_redirection(admin, address, targets)
    directory.grant_manager(admin, JEAN, DOMAIN)


def new_data_dir(test):
    """An initialised data directory that disappears after `test`."""
    scratch = tempfile.TemporaryDirectory(prefix="mf-python-")
    test.addCleanup(scratch.cleanup)
    data_dir = os.path.join(scratch.name, "data")
    mf.Context.init(data_dir, ADMIN, ADMIN_PASSWORD, password_cost=1,
                    initial_map_size=1 << 20)
    return data_dir


class DemoTestCase(unittest.TestCase):
    """A test with `self.ctx` open on a fresh MA SOCIETE directory, `self.dir` its
    Directory and `self.admin` the administrator."""

    def setUp(self):
        self.data_dir = new_data_dir(self)
        self.ctx = mf.Context.open(self.data_dir, password_cost=1)
        self.addCleanup(self.ctx.close)
        self.dir = self.ctx.directory
        self.admin = self.ctx.admin("python tests")
        build_demo(self.dir, self.admin)

    def login(self, address, service=mf.Service.IMAP):
        return self.ctx.authenticate(address, PASSWORDS[address], service=service,
                                     origin="python tests")
