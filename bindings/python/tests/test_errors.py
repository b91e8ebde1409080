"""How the binding maps the C API's result codes, and its own argument checks, to
exceptions."""

import unittest

import mailfountain as mf
from mailfountain.errors import error_for
from support import DOMAIN, LUC, DemoTestCase

EXPECTED = {
    mf.Code.INVALID_ARGUMENT: mf.InvalidArgument,
    mf.Code.NOT_FOUND: mf.NotFound,
    mf.Code.ALREADY_EXISTS: mf.AlreadyExists,
    mf.Code.PERMISSION_DENIED: mf.PermissionDenied,
    mf.Code.UNAUTHENTICATED: mf.Unauthenticated,
    mf.Code.FAILED_PRECONDITION: mf.FailedPrecondition,
    mf.Code.RESOURCE_EXHAUSTED: mf.ResourceExhausted,
    mf.Code.IO_ERROR: mf.IoError,
    mf.Code.CORRUPTION: mf.Corruption,
    mf.Code.UNSUPPORTED: mf.Unsupported,
    mf.Code.INTERNAL: mf.InternalError,
}


class MappingTest(unittest.TestCase):

    def test_every_code_has_its_own_exception_class(self):
        self.assertEqual(set(EXPECTED), set(mf.Code) - {mf.Code.OK})
        for code, cls in EXPECTED.items():
            with self.subTest(code=code):
                error = error_for(int(code), "what went wrong")
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, mf.MailFountainError)
                self.assertEqual(error.code, code)
                self.assertEqual(str(error), "what went wrong")

    def test_code_names_match_the_library(self):
        from mailfountain._native import decode, lib
        for code in mf.Code:
            with self.subTest(code=code):
                self.assertEqual(decode(lib().mf_code_name(int(code))), code.name.lower())

    def test_unknown_code_gives_the_base_class(self):
        error = error_for(99, "from the future")
        self.assertIs(type(error), mf.MailFountainError)
        self.assertEqual(error.code, 99)

    def test_invalid_argument_and_not_found_are_standard_exceptions_too(self):
        self.assertTrue(issubclass(mf.InvalidArgument, ValueError))
        self.assertTrue(issubclass(mf.NotFound, LookupError))


class RaisedTest(DemoTestCase):

    def test_library_failure_carries_code_and_message(self):
        with self.assertRaises(mf.AlreadyExists) as caught:
            self.dir.add_domain(self.admin, DOMAIN)
        self.assertEqual(caught.exception.code, mf.Code.ALREADY_EXISTS)
        self.assertIn(DOMAIN, caught.exception.message)
        self.assertEqual(str(caught.exception), caught.exception.message)

    def test_malformed_names_raise_invalid_argument(self):
        with self.assertRaises(mf.InvalidArgument):
            self.dir.add_domain(self.admin, "not a domain")
        with self.assertRaises(mf.InvalidArgument):
            self.dir.add_account(self.admin, "two..dots@" + DOMAIN, "X", "password-1")
        with self.assertRaises(ValueError):  # InvalidArgument is a ValueError
            self.dir.add_account(self.admin, "short@" + DOMAIN, "X", "short")

    def test_nul_character_is_refused_before_reaching_the_library(self):
        with self.assertRaises(mf.InvalidArgument) as caught:
            self.dir.resolve("luc.petit@" + DOMAIN + "\0evil")
        self.assertIn("NUL", caught.exception.message)

    def test_quota_out_of_range_is_invalid_argument(self):
        with self.assertRaises(mf.InvalidArgument):
            self.dir.set_account_quota(self.admin, LUC, -1)
        with self.assertRaises(mf.InvalidArgument):
            self.dir.set_account_quota(self.admin, LUC, 2 ** 64)
        with self.assertRaises(TypeError):
            self.dir.set_account_quota(self.admin, LUC, "10 MB")

    def test_enum_values_are_checked(self):
        with self.assertRaises(mf.InvalidArgument):
            self.dir.remove_domain(self.admin, DOMAIN, 7)
        with self.assertRaises(mf.InvalidArgument):
            self.ctx.authenticate(LUC, "luc-password-1", service="carrier pigeon")

    def test_wrong_argument_types_raise_type_error(self):
        with self.assertRaises(TypeError):
            self.dir.add_domain("admin", "x.fr")
        with self.assertRaises(TypeError):
            self.dir.add_redirection(self.admin, "team@" + DOMAIN, LUC)  # a str, not a list
        with self.assertRaises(TypeError):
            self.dir.resolve(b"luc.petit@ma-societe.fr")


if __name__ == "__main__":
    unittest.main()
