"""Runs mfctl against throw-away data directories, for the mfctl integration tests.

The path of the mfctl binary comes from the MFCTL environment variable (set by ctest to
$<TARGET_FILE:mfctl>). Every DataDir lives in its own temporary directory, removed when
the test (or class) ends. Passwords are always given on standard input, never on the command line.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

MFCTL = os.environ.get("MFCTL", "")

DOMAIN = "ma-societe.fr"
ADMIN = "admin"
ADMIN_PASSWORD = "admin-Secret-1"

# The demo company of DEMO.md: account local part -> (display name, password, aliases).
PEOPLE = {
    "jean.martin": ("Jean Martin", "jean-Secret-1", ["direction"]),
    "sophie.bernard": ("Sophie Bernard", "sophie-Secret-1", ["accueil", "compta"]),
    "luc.petit": ("Luc Petit", "luc-Secret-1", []),
    "emma.durand": ("Emma Durand", "emma-Secret-1", ["commercial"]),
}
REDIRECTIONS = {
    "support": ["luc.petit", "emma.durand"],
    "contact": ["jean.martin", "sophie.bernard"],
}


def addr(local, domain=DOMAIN):
    return f"{local}@{domain}"


def password_of(local):
    return PEOPLE[local][1]


class Run:
    """The outcome of one mfctl run."""

    def __init__(self, argv, completed):
        self.argv = argv
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return (f"mfctl run {self.argv[1:]!r}: exit {self.code}\n"
                f"--- stdout ---\n{self.out}--- stderr ---\n{self.err}")


class DataDir:
    """A data directory at ROOT/data, and a way to run mfctl on it."""

    def __init__(self, root):
        self.root = root
        self.path = os.path.join(root, "data")

    @classmethod
    def fresh(cls, cleanups):
        """A data directory in a new temporary directory, removed by `cleanups` (a test's
        addCleanup or a class's addClassCleanup). The data directory itself does not exist
        until init creates it."""
        tmp = tempfile.TemporaryDirectory(prefix="mfctl-test-")
        cleanups(tmp.cleanup)
        return cls(tmp.name)

    def copy(self, cleanups):
        """A copy of this (unused) data directory in a new temporary directory."""
        other = DataDir.fresh(cleanups)
        shutil.copytree(self.path, other.path, ignore=shutil.ignore_patterns("lock.mdb"))
        return other

    def env(self):
        env = dict(os.environ)
        env.pop("MAILFOUNTAIN_DATA", None)
        return env

    def run(self, *args, stdin=None, as_=None, as_password=None, json_output=False,
            data=True, env=None):
        """Runs mfctl with `args`. `stdin` is the text given on standard input (none: an
        empty, non-terminal stdin). With `as_`, --as is added and `as_password` (default:
        the demo password of that login) becomes the first line of stdin."""
        argv = [MFCTL, "--password-cost", "1"]
        if data:
            argv += ["--data", self.path]
        if json_output:
            argv.append("--json")
        text = stdin or ""
        if as_ is not None:
            argv += ["--as", as_]
            if as_password is None:
                local = as_.split("@")[0]
                as_password = ADMIN_PASSWORD if as_ == ADMIN else password_of(local)
            text = as_password + "\n" + text
        argv += list(args)
        completed = subprocess.run(
            argv, input=text, capture_output=True, text=True, timeout=120,
            env=env if env is not None else self.env())
        return Run(argv, completed)

    def ok(self, *args, **kwargs):
        """Runs mfctl and raises AssertionError (showing the run) unless it succeeded."""
        result = self.run(*args, **kwargs)
        if result.code != 0:
            raise AssertionError(f"expected success from {result!r}")
        return result

    def init(self):
        self.ok("init", "--admin", ADMIN, stdin=ADMIN_PASSWORD + "\n")

    def load_demo(self):
        """Loads MA SOCIETE (DEMO.md) the way scripts/demo does: only through mfctl."""
        self.init()
        self.ok("domain", "add", DOMAIN)
        for local, (name, password, _) in PEOPLE.items():
            self.ok("user", "add", addr(local), "--name", name, stdin=password + "\n")
        for local, (_, _, aliases) in PEOPLE.items():
            for alias in aliases:
                self.ok("alias", "add", addr(alias), addr(local))
        for local, targets in REDIRECTIONS.items():
            self.ok("redirect", "add", addr(local), *[addr(t) for t in targets])
        self.ok("manager", "grant", addr("jean.martin"), DOMAIN)


class MfctlTestCase(unittest.TestCase):
    """A test with its own data directory in self.data.

    With DEMO = True, the data directory already holds MA SOCIETE: the demo is loaded with
    mfctl once per class and each test gets its own copy of it."""

    DEMO = False

    @classmethod
    def setUpClass(cls):
        if not MFCTL or not os.access(MFCTL, os.X_OK):
            raise AssertionError(f"set MFCTL to the mfctl binary (got {MFCTL!r})")
        cls.demo_template = None
        if cls.DEMO:
            cls.demo_template = DataDir.fresh(cls.addClassCleanup)
            cls.demo_template.load_demo()

    def setUp(self):
        if self.demo_template is not None:
            self.data = self.demo_template.copy(self.addCleanup)
        else:
            self.data = DataDir.fresh(self.addCleanup)

    def ok(self, *args, **kwargs):
        """Runs mfctl on self.data and asserts it succeeded."""
        result = self.data.run(*args, **kwargs)
        self.assertEqual(result.code, 0, result)
        return result

    def assertExit(self, result, code, *fragments):
        """Asserts the exit code and that stderr (human mode) names every fragment."""
        self.assertEqual(result.code, code, result)
        for fragment in fragments:
            self.assertIn(fragment, result.err, result)

    def assertJsonError(self, result, exit_code, code, *fragments):
        """Asserts a --json failure: the exit code and exactly {"error": {code, message}}."""
        self.assertEqual(result.code, exit_code, result)
        document = result.json()
        self.assertEqual(set(document), {"error"}, result)
        self.assertEqual(set(document["error"]), {"code", "message"}, result)
        self.assertEqual(document["error"]["code"], code, result)
        for fragment in fragments:
            self.assertIn(fragment, document["error"]["message"], result)
        return document
