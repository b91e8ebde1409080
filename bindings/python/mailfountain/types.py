"""The enumerations and result records of the mailfountain package.

The enumerations carry the values of the C API's MF_* constants. Records are frozen
dataclasses; their list-valued fields are tuples.
"""

import dataclasses
import enum
from typing import Optional, Tuple


class Service(enum.IntEnum):
    """The protocol a login comes through. The administrator may log in only via ADMIN."""
    ADMIN = 0
    SMTP = 1
    IMAP = 2
    POP3 = 3
    WEB = 4


class AddressKind(enum.IntEnum):
    """What a directory address is."""
    ACCOUNT = 0
    ALIAS = 1
    REDIRECTION = 2


class Removal(enum.IntEnum):
    """How to remove an object that others depend on."""
    REFUSE_IF_IN_USE = 0  # fail with FailedPrecondition, naming what depends on it
    FORCE = 1             # remove it and its dependents in one transaction


class SendAs(enum.IntEnum):
    """Whether the members of a redirection may send as its address."""
    MEMBERS_MAY_SEND = 0
    MEMBERS_MAY_NOT_SEND = 1


class KeepCopy(enum.IntEnum):
    """Whether a forwarding account keeps a copy in its own mailbox."""
    NO = 0
    YES = 1


class AccountState(enum.IntEnum):
    ENABLED = 0
    DISABLED = 1


class QuotaSource(enum.IntEnum):
    """Where an account's effective quota comes from."""
    ACCOUNT = 0
    DOMAIN_DEFAULT = 1
    UNLIMITED = 2


@dataclasses.dataclass(frozen=True)
class Resolution:
    """Who receives mail sent to an address."""
    address: str                # the address asked, canonical (lower case, A-label domain)
    matched: str                # the directory entry that matched (differs for a +tag)
    kind: AddressKind           # the kind of `matched`
    tag: str                    # the subaddress tag ("news" in luc.petit+news@), or ""
    mailboxes: Tuple[str, ...]  # local accounts that store a copy, sorted, unique
    external: Tuple[str, ...]   # remote addresses to relay to, sorted, unique


@dataclasses.dataclass(frozen=True)
class Domain:
    name: str                           # A-label form, lower case
    unicode_name: str                   # U-label form, for display
    default_quota_bytes: Optional[int]  # for accounts without their own; None: none
    created_at: int                     # Unix seconds
    accounts: int                       # how many, abuse@ and postmaster@ included
    aliases: int
    redirections: int
    managers: Tuple[str, ...]           # managers' addresses, sorted


@dataclasses.dataclass(frozen=True)
class Account:
    address: str                 # the local part as created, "@", the domain
    display_name: str
    state: AccountState
    builtin: bool                # abuse@ or postmaster@: not removable
    quota_bytes: Optional[int]   # the account's own quota; None: the domain default
    aliases: Tuple[str, ...]     # sorted
    manages: Tuple[str, ...]     # domains this account manages, sorted
    forward_to: Tuple[str, ...]  # forwarding targets; empty: no forwarding
    keep_copy: KeepCopy          # meaningful only when forward_to is set
    created_at: int
    password_changed_at: int


@dataclasses.dataclass(frozen=True)
class Alias:
    address: str  # the alias
    account: str  # the account it belongs to


@dataclasses.dataclass(frozen=True)
class Redirection:
    address: str
    targets: Tuple[str, ...]  # as stored, in the order given
    send_as: SendAs


@dataclasses.dataclass(frozen=True)
class ManagerGrant:
    account: str  # the manager's address
    domain: str   # the managed domain


@dataclasses.dataclass(frozen=True)
class Quota:
    """An account's effective quota."""
    limit_bytes: Optional[int]  # None: unlimited
    source: QuotaSource


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    seq: int      # increasing
    time: int     # Unix seconds
    actor: str    # principal name
    origin: str   # principal origin
    action: str   # "domain.add", "user.passwd.reset", ...
    target: str   # the object acted on
    detail: str   # free text, never a password


@dataclasses.dataclass(frozen=True)
class Notice:
    """A notice waiting for an account, e.g. "your password was reset"."""
    seq: int
    time: int
    subject: str
    body: str
