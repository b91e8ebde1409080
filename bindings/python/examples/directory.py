#!/usr/bin/python3
"""examples/directory.py — the MA SOCIETE directory, built and resolved from Python.

Shows how a Python program uses the `mailfountain` package (ctypes over the C API):
initialise and open a data directory, act as its administrator, add a domain (which
brings abuse@ and postmaster@), four accounts, their aliases, two redirections and a
domain manager — the organisation of DEMO.md — then ask how mail to each address is
delivered. Failures are exceptions (mailfountain.NotFound, ...); the `with` block closes
the context.

Usage: directory.py [DATA_DIR]
  DATA_DIR must not be initialised yet; it is kept afterwards. Without it, a temporary
  directory is used and removed at exit. The library is found through MAILFOUNTAIN_LIB
  (its full path) or the system's library path.

Output: one line per address, the same as directory_c and directory_cpp print:
  support@ma-societe.fr -> redirection: emma.durand@ma-societe.fr, luc.petit@ma-societe.fr
"""

import os
import sys
import tempfile

# Run from the source tree without installing the package: it sits one directory up.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mailfountain as mf  # noqa: E402

DOMAIN = "ma-societe.fr"

PEOPLE = [
    ("jean.martin", "Jean Martin", "jean-password-1"),
    ("sophie.bernard", "Sophie Bernard", "sophie-password-1"),
    ("luc.petit", "Luc Petit", "luc-password-1"),
    ("emma.durand", "Emma Durand", "emma-password-1"),
]
ALIASES = [("direction", "jean.martin"), ("accueil", "sophie.bernard"),
           ("compta", "sophie.bernard"), ("commercial", "emma.durand")]
REDIRECTIONS = [("support", ["luc.petit", "emma.durand"]),
                ("contact", ["jean.martin", "sophie.bernard"])]
ADDRESSES = ["jean.martin", "sophie.bernard", "luc.petit", "emma.durand", "direction",
             "accueil", "compta", "commercial", "support", "contact", "abuse", "postmaster",
             "luc.petit+news", "nobody"]


def at_domain(local):
    return f"{local}@{DOMAIN}"


def build_ma_societe(directory, admin):
    """Adds the organisation of DEMO.md as the administrator `admin`."""
    directory.add_domain(admin, DOMAIN)
    for local, name, password in PEOPLE:
        directory.add_account(admin, at_domain(local), display_name=name, password=password)
    for alias, account in ALIASES:
        directory.add_alias(admin, at_domain(alias), at_domain(account))
    for address, targets in REDIRECTIONS:
        directory.add_redirection(admin, at_domain(address), [at_domain(t) for t in targets],
                                  send_as=mf.SendAs.MEMBERS_MAY_SEND)
    directory.grant_manager(admin, at_domain("jean.martin"), DOMAIN)


def joined(items):
    """", "-separated, after a leading space: " a, b" (nothing for no items)."""
    return "".join((" " if i == 0 else ", ") + item for i, item in enumerate(items))


def describe(directory, address):
    """"ADDRESS -> KIND[ (tag TAG)]: MAILBOX, ...[; external: ADDRESS, ...]", or
    "ADDRESS -> not found", or "ADDRESS -> error: CODE"."""
    try:
        r = directory.resolve(address)
    except mf.NotFound:
        return f"{address} -> not found"
    except mf.MailFountainError as e:
        return f"{address} -> error: {mf.Code(e.code).name.lower()}"
    line = f"{address} -> {r.kind.name.lower()}"
    if r.tag:
        line += f" (tag {r.tag})"
    line += ":" + joined(r.mailboxes)
    if r.external:
        line += "; external:" + joined(r.external)
    return line


def run(data_dir):
    # Default options: among them, full-strength password hashing.
    mf.Context.init(data_dir, "admin", "admin-password-1")
    with mf.Context.open(data_dir) as ctx:
        admin = ctx.admin("directory.py example")
        build_ma_societe(ctx.directory, admin)
        for local in ADDRESSES:
            print(describe(ctx.directory, at_domain(local)))


def main(argv):
    try:
        if len(argv) > 1:
            run(argv[1])
        else:
            with tempfile.TemporaryDirectory(prefix="mf-example-") as scratch:
                run(os.path.join(scratch, "data"))
    except mf.MailFountainError as e:
        print(f"directory.py: {mf.Code(e.code).name.lower()}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
