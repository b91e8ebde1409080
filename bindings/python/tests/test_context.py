"""Opening, closing and initialising data directories through the binding."""

import os
import pathlib
import re
import tempfile
import unittest

import mailfountain as mf
from support import ADMIN, ADMIN_PASSWORD, DOMAIN, EMMA, LUC, build_demo, new_data_dir


class LibraryTest(unittest.TestCase):

    def test_version_is_major_minor_patch(self):
        self.assertRegex(mf.version(), r"^\d+\.\d+\.\d+$")

    def test_schema_version_is_positive(self):
        self.assertGreaterEqual(mf.schema_version(), 1)


class ContextTest(unittest.TestCase):

    def test_with_block_closes_the_context(self):
        data_dir = new_data_dir(self)
        with mf.Context.open(data_dir) as ctx:
            self.assertFalse(ctx.closed)
            admin = ctx.admin()
            ctx.directory.add_domain(admin, DOMAIN)
        self.assertTrue(ctx.closed)
        with self.assertRaises(mf.FailedPrecondition) as caught:
            ctx.directory.resolve("postmaster@" + DOMAIN)
        self.assertIn("closed", caught.exception.message)
        with self.assertRaises(mf.FailedPrecondition):
            ctx.admin()
        ctx.close()  # idempotent

    def test_with_block_closes_the_context_when_an_exception_leaves_it(self):
        data_dir = new_data_dir(self)
        with self.assertRaises(mf.NotFound):
            with mf.Context.open(data_dir) as ctx:
                ctx.directory.resolve("nobody@" + DOMAIN)
        self.assertTrue(ctx.closed)

    def test_directory_survives_close_and_reopen(self):
        data_dir = new_data_dir(self)
        with mf.Context.open(data_dir, password_cost=1) as ctx:
            build_demo(ctx.directory, ctx.admin())
        with mf.Context.open(data_dir) as ctx:
            self.assertEqual(ctx.directory.resolve("support@" + DOMAIN).mailboxes, (EMMA, LUC))
            self.assertEqual(len(ctx.directory.list_accounts(ctx.admin(), DOMAIN)), 6)

    def test_principal_is_refused_by_any_other_context(self):
        data_dir = new_data_dir(self)
        with mf.Context.open(data_dir) as ctx:
            old_admin = ctx.admin()
        with mf.Context.open(data_dir) as ctx:
            with self.assertRaises(mf.PermissionDenied):
                ctx.directory.add_domain(old_admin, DOMAIN)

    def test_data_dir_accepts_path_objects(self):
        data_dir = pathlib.Path(new_data_dir(self))
        with mf.Context.open(data_dir) as ctx:
            self.assertEqual(os.path.realpath(ctx.data_dir), os.path.realpath(data_dir))
            self.assertIn("open", repr(ctx))

    def test_opening_an_uninitialised_directory_raises_not_found(self):
        with tempfile.TemporaryDirectory() as scratch:
            with self.assertRaises(mf.NotFound) as caught:
                mf.Context.open(os.path.join(scratch, "nothing-here"))
            self.assertTrue(caught.exception.message)

    def test_initialising_twice_raises_already_exists(self):
        data_dir = new_data_dir(self)
        with self.assertRaises(mf.AlreadyExists):
            mf.Context.init(data_dir, ADMIN, ADMIN_PASSWORD, password_cost=1)

    def test_bad_administrator_name_or_short_password_is_refused(self):
        with tempfile.TemporaryDirectory() as scratch:
            with self.assertRaises(mf.InvalidArgument):
                mf.Context.init(os.path.join(scratch, "a"), "ad@min", ADMIN_PASSWORD,
                                password_cost=1)
            with self.assertRaises(mf.InvalidArgument):
                mf.Context.init(os.path.join(scratch, "b"), ADMIN, "short", password_cost=1)

    def test_out_of_range_options_are_refused(self):
        with tempfile.TemporaryDirectory() as scratch:
            with self.assertRaises(mf.InvalidArgument) as caught:
                mf.Context.init(os.path.join(scratch, "a"), ADMIN, ADMIN_PASSWORD,
                                password_cost=12)
            self.assertIn("12", caught.exception.message)
            with self.assertRaises(mf.InvalidArgument):
                mf.Context.init(os.path.join(scratch, "b"), ADMIN, ADMIN_PASSWORD,
                                initial_map_size=1 << 30, max_map_size=1 << 20)
            with self.assertRaises(mf.InvalidArgument):
                mf.Context.init(os.path.join(scratch, "c"), ADMIN, ADMIN_PASSWORD,
                                password_cost=-1)

    def test_principals_and_contexts_cannot_be_made_by_hand(self):
        with self.assertRaises(TypeError):
            mf.Principal(1, None)
        with self.assertRaises(TypeError):
            mf.Context(1, None)

    def test_principal_repr_names_it(self):
        data_dir = new_data_dir(self)
        with mf.Context.open(data_dir) as ctx:
            self.assertTrue(re.search(r"administrator 'admin' from 'cli'",
                                      repr(ctx.admin("cli"))))


if __name__ == "__main__":
    unittest.main()
