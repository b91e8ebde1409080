"""Context (one opened data directory), Principal (who is acting) and Directory (the
directory operations), over the C API.

Ownership: a Context owns its C context and closes it on close(), on leaving a `with`
block, or when garbage-collected. A Principal owns its C principal and frees it when
garbage-collected; it is accepted only by the Context that issued it (any other raises
PermissionDenied). Every result is copied into plain Python objects.

Threads: a Context may be used from several threads at once (the C library is
thread-safe and ctypes releases the GIL during each call), but close() must not run
while another thread is still using the Context.
"""

import contextlib
import ctypes
import os

from . import _records
from ._native import call, decode, encode, encode_list, lib, optional_u64
from .errors import FailedPrecondition, InvalidArgument
from .types import AccountState, KeepCopy, QuotaSource, Quota, Removal, SendAs, Service

# Only this module makes Principals and Contexts from C handles.
_PRIVATE = object()


def _enum(enum_type, value, what):
    """`value` checked to be a member of `enum_type` (or its int value), as an int."""
    try:
        return int(enum_type(value))
    except ValueError:
        raise InvalidArgument(f"{what} must be one of {', '.join(m.name for m in enum_type)}, "
                              f"got {value!r}") from None


@contextlib.contextmanager
def _options(password_cost, initial_map_size, max_map_size, auth_workers):
    """A C mf_options_t with the given settings (None keeps the library's default)."""
    c = lib()
    handle = c.mf_options_create()
    if not handle:
        raise MemoryError("mf_options_create failed")
    try:
        for value, setter, what in (
                (password_cost, c.mf_options_set_password_cost, "password_cost"),
                (initial_map_size, c.mf_options_set_initial_map_size, "initial_map_size"),
                (max_map_size, c.mf_options_set_max_map_size, "max_map_size"),
                (auth_workers, c.mf_options_set_auth_workers, "auth_workers")):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgument(f"{what} must be a non-negative int, got {value!r}")
            setter(handle, value)
        yield handle
    finally:
        c.mf_options_free(handle)


class Principal:
    """Who is acting: the administrator or an authenticated account.

    Obtained only from Context.admin() and Context.authenticate(); it cannot be forged,
    and only the Context that issued it accepts it. Attributes: `name` (the
    administrator's login or the account's canonical address), `origin` (where it acts
    from, as recorded in the audit log) and `is_administrator`.
    """

    __slots__ = ("_handle", "name", "origin", "is_administrator")

    def __init__(self, handle, token):
        if token is not _PRIVATE:
            raise TypeError("Principal objects come from Context.admin() or "
                            "Context.authenticate()")
        c = lib()
        self._handle = handle
        self.name = decode(c.mf_principal_name(handle))
        self.origin = decode(c.mf_principal_origin(handle))
        self.is_administrator = bool(c.mf_principal_is_administrator(handle))

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            lib().mf_principal_free(handle)

    def __repr__(self):
        kind = "administrator" if self.is_administrator else "account"
        return f"<Principal {kind} {self.name!r} from {self.origin!r}>"


def _principal_handle(who):
    if not isinstance(who, Principal):
        raise TypeError(f"the acting principal must be a Principal, not {type(who).__name__}")
    return who._handle


class Context:
    """One opened MailFountain data directory. Use as a context manager:

        with mailfountain.Context.open("/var/lib/mailfountain") as ctx:
            admin = ctx.admin("my-script")
            ctx.directory.add_domain(admin, "ma-societe.fr")
    """

    def __init__(self, handle, token):
        if token is not _PRIVATE:
            raise TypeError("Context objects come from Context.open()")
        self._handle = handle
        self._data_dir = decode(lib().mf_context_data_dir(handle))
        self.directory = Directory(self, _PRIVATE)

    @staticmethod
    def init(data_dir, admin_name, admin_password, *, password_cost=None,
             initial_map_size=None, max_map_size=None):
        """Creates a data directory (created if absent) with the administrator login
        `admin_name` and its password (at least 8 characters). `password_cost` is the
        yescrypt cost (1..11, default 5; below 5 for tests only). Raises AlreadyExists if
        `data_dir` is already initialised, InvalidArgument for a bad name or password."""
        with _options(password_cost, initial_map_size, max_map_size, None) as options:
            call("mf_init", encode(os.fspath(data_dir), "data_dir"),
                 encode(admin_name, "admin_name"), encode(admin_password, "admin_password"),
                 options)

    @classmethod
    def open(cls, data_dir, *, password_cost=None, initial_map_size=None, max_map_size=None,
             auth_workers=None):
        """Opens an initialised data directory. Raises NotFound if it is not initialised,
        Unsupported if a newer version of the library wrote it. Open one Context per data
        directory per process."""
        handle = ctypes.c_void_p()
        with _options(password_cost, initial_map_size, max_map_size, auth_workers) as options:
            call("mf_open", encode(os.fspath(data_dir), "data_dir"), options,
                 ctypes.byref(handle))
        return cls(handle.value, _PRIVATE)

    @property
    def data_dir(self):
        return self._data_dir

    @property
    def closed(self):
        return self._handle is None

    def close(self):
        """Closes the data directory. Idempotent. Afterwards every call raises
        FailedPrecondition, and its Principals are refused everywhere."""
        handle, self._handle = self._handle, None
        if handle:
            lib().mf_close(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<Context {self._data_dir!r} {state}>"

    def _require_open(self):
        if self._handle is None:
            raise FailedPrecondition(f"the context of {self._data_dir} is closed")
        return self._handle

    def admin(self, origin="python"):
        """The administrator's principal, for tools run by whoever can write the data
        directory. `origin` is written to the audit log."""
        out = ctypes.c_void_p()
        call("mf_local_administrator", self._require_open(), encode(origin, "origin"),
             ctypes.byref(out))
        return Principal(out.value, _PRIVATE)

    def authenticate(self, login, password, *, service, origin="python"):
        """Checks a login (the administrator's name, an account address or an alias) and
        password for `service` (a Service) and returns the Principal. Raises
        Unauthenticated whatever was wrong, FailedPrecondition for a disabled account.
        Takes the time of one memory-hard hash (tens of milliseconds); the GIL is released
        meanwhile."""
        out = ctypes.c_void_p()
        call("mf_authenticate", self._require_open(), encode(login, "login"),
             encode(password, "password"), _enum(Service, service, "service"),
             encode(origin, "origin"), ctypes.byref(out))
        return Principal(out.value, _PRIVATE)

    def set_admin_password(self, who, new_password):
        """Changes the administrator's password (the administrator only)."""
        call("mf_set_admin_password", self._require_open(), _principal_handle(who),
             encode(new_password, "new_password"))


def version():
    """The version of the loaded library, "MAJOR.MINOR.PATCH"."""
    return decode(lib().mf_version())


def schema_version():
    """The schema version the loaded library writes and the newest it can open."""
    return lib().mf_schema_version()


class Directory:
    """The directory operations of one Context (`ctx.directory`). Each call is one
    transaction; each that changes or lists the directory takes the acting Principal
    `who` and raises PermissionDenied when it lacks the right. See docs/python.md."""

    def __init__(self, context, token):
        if token is not _PRIVATE:
            raise TypeError("Directory objects come from Context.directory")
        self._context = context

    def _call(self, name, *args):
        call(name, self._context._require_open(), *args)

    def _call_out(self, name, *args):
        """Calls a function whose last parameter before errmsg is a handle out-param."""
        out = ctypes.c_void_p()
        call(name, self._context._require_open(), *args, ctypes.byref(out))
        return out.value

    # ---- Domains ----

    def add_domain(self, who, name):
        """Adds a domain with its accounts abuse@ and postmaster@ (administrator only)."""
        self._call("mf_domain_add", _principal_handle(who), encode(name, "name"))

    def remove_domain(self, who, name, mode=Removal.REFUSE_IF_IN_USE):
        """Removes a domain (administrator only); Removal.FORCE removes all of it."""
        self._call("mf_domain_remove", _principal_handle(who), encode(name, "name"),
                   _enum(Removal, mode, "mode"))

    def list_domains(self, who):
        """The domains `who` may see, sorted by name: a list of Domain."""
        h = self._call_out("mf_domain_list", _principal_handle(who))
        return _records.read_list("domain", h, _records.domain)

    def show_domain(self, who, name):
        """One Domain."""
        h = self._call_out("mf_domain_show", _principal_handle(who), encode(name, "name"))
        try:
            return _records.domain(h)
        finally:
            lib().mf_domain_free(h)

    def set_domain_default_quota(self, who, domain, quota_bytes):
        """Sets the domain's default account quota in bytes; None clears it."""
        self._call("mf_domain_set_default_quota", _principal_handle(who),
                   encode(domain, "domain"), optional_u64(quota_bytes, "quota_bytes"))

    # ---- Accounts ----

    def add_account(self, who, address, display_name="", password="", quota_bytes=None):
        """Adds an account. An empty password (the default) means it cannot log in until
        one is set; otherwise at least 8 characters. `quota_bytes` None: the domain
        default applies."""
        self._call("mf_account_add", _principal_handle(who), encode(address, "address"),
                   encode(display_name, "display_name"), encode(password, "password"),
                   optional_u64(quota_bytes, "quota_bytes"))

    def remove_account(self, who, address, mode=Removal.REFUSE_IF_IN_USE):
        """Removes an account with its aliases, forwarding and manager grants."""
        self._call("mf_account_remove", _principal_handle(who), encode(address, "address"),
                   _enum(Removal, mode, "mode"))

    def list_accounts(self, who, domain):
        """The accounts of `domain`: a list of Account."""
        h = self._call_out("mf_account_list", _principal_handle(who), encode(domain, "domain"))
        return _records.read_list("account", h, _records.account)

    def show_account(self, who, address):
        """One Account."""
        h = self._call_out("mf_account_show", _principal_handle(who),
                           encode(address, "address"))
        try:
            return _records.account(h)
        finally:
            lib().mf_account_free(h)

    def set_password(self, who, address, new_password):
        """A change by the account itself; a reset (audited, announced to the account by a
        Notice) by a manager or the administrator."""
        self._call("mf_account_set_password", _principal_handle(who),
                   encode(address, "address"), encode(new_password, "new_password"))

    def set_display_name(self, who, address, display_name):
        self._call("mf_account_set_display_name", _principal_handle(who),
                   encode(address, "address"), encode(display_name, "display_name"))

    def set_account_state(self, who, address, state):
        """AccountState.DISABLED: the account cannot log in and receives no mail."""
        self._call("mf_account_set_state", _principal_handle(who), encode(address, "address"),
                   _enum(AccountState, state, "state"))

    def set_account_quota(self, who, address, quota_bytes):
        """Sets the account's own quota in bytes; None clears it."""
        self._call("mf_account_set_quota", _principal_handle(who), encode(address, "address"),
                   optional_u64(quota_bytes, "quota_bytes"))

    def show_quota(self, who, address):
        """The account's effective Quota."""
        has_limit = ctypes.c_int()
        limit = ctypes.c_uint64()
        source = ctypes.c_int()
        self._call("mf_quota_show", _principal_handle(who), encode(address, "address"),
                   ctypes.byref(has_limit), ctypes.byref(limit), ctypes.byref(source))
        return Quota(limit_bytes=limit.value if has_limit.value else None,
                     source=QuotaSource(source.value))

    def set_forwarding(self, who, address, targets, keep_copy=KeepCopy.YES):
        """Forwards the account's mail to `targets` (an empty list stops forwarding)."""
        array, count = encode_list(targets, "targets")
        self._call("mf_account_set_forwarding", _principal_handle(who),
                   encode(address, "address"), array, count,
                   _enum(KeepCopy, keep_copy, "keep_copy"))

    # ---- Aliases ----

    def add_alias(self, who, alias, account):
        """Adds `alias` as another address of `account`."""
        self._call("mf_alias_add", _principal_handle(who), encode(alias, "alias"),
                   encode(account, "account"))

    def remove_alias(self, who, alias):
        self._call("mf_alias_remove", _principal_handle(who), encode(alias, "alias"))

    def list_aliases(self, who, domain):
        """The aliases on `domain`, sorted: a list of Alias."""
        h = self._call_out("mf_alias_list", _principal_handle(who), encode(domain, "domain"))
        return _records.read_list("alias", h, _records.alias)

    # ---- Redirections ----

    def add_redirection(self, who, address, targets, send_as=SendAs.MEMBERS_MAY_SEND):
        """Mail to `address` goes to every target: accounts, aliases, redirections or
        external addresses."""
        array, count = encode_list(targets, "targets")
        self._call("mf_redirection_add", _principal_handle(who), encode(address, "address"),
                   array, count, _enum(SendAs, send_as, "send_as"))

    def set_redirection(self, who, address, targets, send_as=SendAs.MEMBERS_MAY_SEND):
        """Replaces the targets and the send-as rule of a redirection."""
        array, count = encode_list(targets, "targets")
        self._call("mf_redirection_set", _principal_handle(who), encode(address, "address"),
                   array, count, _enum(SendAs, send_as, "send_as"))

    def remove_redirection(self, who, address, mode=Removal.REFUSE_IF_IN_USE):
        self._call("mf_redirection_remove", _principal_handle(who),
                   encode(address, "address"), _enum(Removal, mode, "mode"))

    def list_redirections(self, who, domain):
        """The redirections on `domain`, sorted: a list of Redirection."""
        h = self._call_out("mf_redirection_list", _principal_handle(who),
                           encode(domain, "domain"))
        return _records.read_list("redirection", h, _records.redirection)

    # ---- Managers (administrator only) ----

    def grant_manager(self, who, account, domain):
        self._call("mf_manager_grant", _principal_handle(who), encode(account, "account"),
                   encode(domain, "domain"))

    def revoke_manager(self, who, account, domain):
        self._call("mf_manager_revoke", _principal_handle(who), encode(account, "account"),
                   encode(domain, "domain"))

    def list_managers(self, who, domain=None):
        """All grants, or those of `domain`: a list of ManagerGrant."""
        only = None if domain is None else encode(domain, "domain")
        h = self._call_out("mf_manager_list", _principal_handle(who), only)
        return _records.read_list("manager", h, _records.manager_grant)

    # ---- Resolution and sending rights (no principal) ----

    def resolve(self, address):
        """Who receives mail for `address`: a Resolution. Raises NotFound for no such
        address, FailedPrecondition for a disabled account."""
        h = self._call_out("mf_resolve", encode(address, "address"))
        try:
            return _records.resolution(h)
        finally:
            lib().mf_resolution_free(h)

    def may_send_as(self, account, sender):
        """Whether `account` may use `sender` as its sender address."""
        allowed = ctypes.c_int()
        self._call("mf_may_send_as", encode(account, "account"), encode(sender, "sender"),
                   ctypes.byref(allowed))
        return bool(allowed.value)

    def is_local_domain(self, domain):
        local = ctypes.c_int()
        self._call("mf_is_local_domain", encode(domain, "domain"), ctypes.byref(local))
        return bool(local.value)

    # ---- Audit log and notices ----

    def list_audit(self, who, after=0, limit=1000):
        """Audit entries with seq > `after`, oldest first, at most `limit` (administrator
        only): a list of AuditEntry."""
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise InvalidArgument(f"after must be a non-negative int, got {after!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidArgument(f"limit must be a non-negative int, got {limit!r}")
        h = self._call_out("mf_audit_list", _principal_handle(who), after, limit)
        return _records.read_list("audit", h, _records.audit_entry)

    def pending_notices(self, owner):
        """The notices waiting for the account `owner` itself: a list of Notice."""
        h = self._call_out("mf_notice_list", _principal_handle(owner))
        return _records.read_list("notice", h, _records.notice)
