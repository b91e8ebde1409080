"""The C library, loaded with ctypes, and the prototypes of the C API (mailfountain.h).

The library is found, in this order, at the full path in the environment variable
MAILFOUNTAIN_LIB (ctest sets it to the freshly built library), then through
ctypes.util.find_library("mailfountain") (an installed libmailfountain.so.N).

Only this module knows the C signatures; the rest of the package calls `lib()` and
`call()`. Handles are plain `c_void_p` values; strings cross as UTF-8 bytes.
"""

import ctypes
import ctypes.util
import functools
import os

from .errors import error_for, InvalidArgument

_c_int = ctypes.c_int
_c_uint = ctypes.c_uint
_size = ctypes.c_size_t
_u32 = ctypes.c_uint32
_u64 = ctypes.c_uint64
_i64 = ctypes.c_int64
_str = ctypes.c_char_p
_handle = ctypes.c_void_p
_out = ctypes.POINTER(ctypes.c_void_p)  # a handle out-parameter, and char** errmsg
_u64_in = ctypes.POINTER(ctypes.c_uint64)  # an optional number: NULL means none
_strings = ctypes.POINTER(ctypes.c_char_p)  # const char* const* with a count

# name: (restype, argtypes). Fallible functions end with `char** errmsg` (an _out).
_PROTOTYPES = {
    # Library-wide.
    "mf_version": (_str, []),
    "mf_schema_version": (_u32, []),
    "mf_code_name": (_str, [_c_int]),
    "mf_free": (None, [ctypes.c_void_p]),
    # Options.
    "mf_options_create": (_handle, []),
    "mf_options_free": (None, [_handle]),
    "mf_options_set_password_cost": (None, [_handle, _c_uint]),
    "mf_options_set_initial_map_size": (None, [_handle, _u64]),
    "mf_options_set_max_map_size": (None, [_handle, _u64]),
    "mf_options_set_auth_workers": (None, [_handle, _c_uint]),
    # Contexts and principals.
    "mf_init": (_c_int, [_str, _str, _str, _handle, _out]),
    "mf_open": (_c_int, [_str, _handle, _out, _out]),
    "mf_close": (None, [_handle]),
    "mf_context_data_dir": (_str, [_handle]),
    "mf_set_admin_password": (_c_int, [_handle, _handle, _str, _out]),
    "mf_local_administrator": (_c_int, [_handle, _str, _out, _out]),
    "mf_authenticate": (_c_int, [_handle, _str, _str, _c_int, _str, _out, _out]),
    "mf_principal_free": (None, [_handle]),
    "mf_principal_is_administrator": (_c_int, [_handle]),
    "mf_principal_name": (_str, [_handle]),
    "mf_principal_origin": (_str, [_handle]),
    # Domains.
    "mf_domain_add": (_c_int, [_handle, _handle, _str, _out]),
    "mf_domain_remove": (_c_int, [_handle, _handle, _str, _c_int, _out]),
    "mf_domain_list": (_c_int, [_handle, _handle, _out, _out]),
    "mf_domain_show": (_c_int, [_handle, _handle, _str, _out, _out]),
    "mf_domain_set_default_quota": (_c_int, [_handle, _handle, _str, _u64_in, _out]),
    # Accounts.
    "mf_account_add": (_c_int, [_handle, _handle, _str, _str, _str, _u64_in, _out]),
    "mf_account_remove": (_c_int, [_handle, _handle, _str, _c_int, _out]),
    "mf_account_list": (_c_int, [_handle, _handle, _str, _out, _out]),
    "mf_account_show": (_c_int, [_handle, _handle, _str, _out, _out]),
    "mf_account_set_password": (_c_int, [_handle, _handle, _str, _str, _out]),
    "mf_account_set_display_name": (_c_int, [_handle, _handle, _str, _str, _out]),
    "mf_account_set_state": (_c_int, [_handle, _handle, _str, _c_int, _out]),
    "mf_account_set_quota": (_c_int, [_handle, _handle, _str, _u64_in, _out]),
    "mf_quota_show": (_c_int, [_handle, _handle, _str, ctypes.POINTER(_c_int),
                               ctypes.POINTER(_u64), ctypes.POINTER(_c_int), _out]),
    "mf_account_set_forwarding": (_c_int, [_handle, _handle, _str, _strings, _size, _c_int,
                                           _out]),
    # Aliases.
    "mf_alias_add": (_c_int, [_handle, _handle, _str, _str, _out]),
    "mf_alias_remove": (_c_int, [_handle, _handle, _str, _out]),
    "mf_alias_list": (_c_int, [_handle, _handle, _str, _out, _out]),
    # Redirections.
    "mf_redirection_add": (_c_int, [_handle, _handle, _str, _strings, _size, _c_int, _out]),
    "mf_redirection_set": (_c_int, [_handle, _handle, _str, _strings, _size, _c_int, _out]),
    "mf_redirection_remove": (_c_int, [_handle, _handle, _str, _c_int, _out]),
    "mf_redirection_list": (_c_int, [_handle, _handle, _str, _out, _out]),
    # Managers.
    "mf_manager_grant": (_c_int, [_handle, _handle, _str, _str, _out]),
    "mf_manager_revoke": (_c_int, [_handle, _handle, _str, _str, _out]),
    "mf_manager_list": (_c_int, [_handle, _handle, _str, _out, _out]),
    # Resolution and sending rights.
    "mf_resolve": (_c_int, [_handle, _str, _out, _out]),
    "mf_may_send_as": (_c_int, [_handle, _str, _str, ctypes.POINTER(_c_int), _out]),
    "mf_is_local_domain": (_c_int, [_handle, _str, ctypes.POINTER(_c_int), _out]),
    # Audit log and notices.
    "mf_audit_list": (_c_int, [_handle, _handle, _u64, _size, _out, _out]),
    "mf_notice_list": (_c_int, [_handle, _handle, _out, _out]),
    # Resolution accessors.
    "mf_resolution_free": (None, [_handle]),
    "mf_resolution_address": (_str, [_handle]),
    "mf_resolution_matched": (_str, [_handle]),
    "mf_resolution_kind": (_c_int, [_handle]),
    "mf_resolution_tag": (_str, [_handle]),
    "mf_resolution_mailbox_count": (_size, [_handle]),
    "mf_resolution_mailbox": (_str, [_handle, _size]),
    "mf_resolution_external_count": (_size, [_handle]),
    "mf_resolution_external": (_str, [_handle, _size]),
    # Domain records.
    "mf_domain_list_count": (_size, [_handle]),
    "mf_domain_list_get": (_handle, [_handle, _size]),
    "mf_domain_list_free": (None, [_handle]),
    "mf_domain_free": (None, [_handle]),
    "mf_domain_name": (_str, [_handle]),
    "mf_domain_unicode_name": (_str, [_handle]),
    "mf_domain_default_quota": (_c_int, [_handle, ctypes.POINTER(_u64)]),
    "mf_domain_created_at": (_i64, [_handle]),
    "mf_domain_num_accounts": (_u64, [_handle]),
    "mf_domain_num_aliases": (_u64, [_handle]),
    "mf_domain_num_redirections": (_u64, [_handle]),
    "mf_domain_manager_count": (_size, [_handle]),
    "mf_domain_manager": (_str, [_handle, _size]),
    # Account records.
    "mf_account_list_count": (_size, [_handle]),
    "mf_account_list_get": (_handle, [_handle, _size]),
    "mf_account_list_free": (None, [_handle]),
    "mf_account_free": (None, [_handle]),
    "mf_account_address": (_str, [_handle]),
    "mf_account_display_name": (_str, [_handle]),
    "mf_account_state": (_c_int, [_handle]),
    "mf_account_is_builtin": (_c_int, [_handle]),
    "mf_account_quota": (_c_int, [_handle, ctypes.POINTER(_u64)]),
    "mf_account_alias_count": (_size, [_handle]),
    "mf_account_alias": (_str, [_handle, _size]),
    "mf_account_manages_count": (_size, [_handle]),
    "mf_account_manages": (_str, [_handle, _size]),
    "mf_account_forward_count": (_size, [_handle]),
    "mf_account_forward": (_str, [_handle, _size]),
    "mf_account_keep_copy": (_c_int, [_handle]),
    "mf_account_created_at": (_i64, [_handle]),
    "mf_account_password_changed_at": (_i64, [_handle]),
    # Alias records.
    "mf_alias_list_count": (_size, [_handle]),
    "mf_alias_list_get": (_handle, [_handle, _size]),
    "mf_alias_list_free": (None, [_handle]),
    "mf_alias_address": (_str, [_handle]),
    "mf_alias_account": (_str, [_handle]),
    # Redirection records.
    "mf_redirection_list_count": (_size, [_handle]),
    "mf_redirection_list_get": (_handle, [_handle, _size]),
    "mf_redirection_list_free": (None, [_handle]),
    "mf_redirection_address": (_str, [_handle]),
    "mf_redirection_target_count": (_size, [_handle]),
    "mf_redirection_target": (_str, [_handle, _size]),
    "mf_redirection_send_as": (_c_int, [_handle]),
    # Manager grants.
    "mf_manager_list_count": (_size, [_handle]),
    "mf_manager_list_get": (_handle, [_handle, _size]),
    "mf_manager_list_free": (None, [_handle]),
    "mf_manager_account": (_str, [_handle]),
    "mf_manager_domain": (_str, [_handle]),
    # Audit entries.
    "mf_audit_list_count": (_size, [_handle]),
    "mf_audit_list_get": (_handle, [_handle, _size]),
    "mf_audit_list_free": (None, [_handle]),
    "mf_audit_entry_seq": (_u64, [_handle]),
    "mf_audit_entry_time": (_i64, [_handle]),
    "mf_audit_entry_actor": (_str, [_handle]),
    "mf_audit_entry_origin": (_str, [_handle]),
    "mf_audit_entry_action": (_str, [_handle]),
    "mf_audit_entry_target": (_str, [_handle]),
    "mf_audit_entry_detail": (_str, [_handle]),
    # Notices.
    "mf_notice_list_count": (_size, [_handle]),
    "mf_notice_list_get": (_handle, [_handle, _size]),
    "mf_notice_list_free": (None, [_handle]),
    "mf_notice_seq": (_u64, [_handle]),
    "mf_notice_time": (_i64, [_handle]),
    "mf_notice_subject": (_str, [_handle]),
    "mf_notice_body": (_str, [_handle]),
}


class LibraryNotFound(ImportError):
    """libmailfountain could not be located or loaded."""


def _locate():
    path = os.environ.get("MAILFOUNTAIN_LIB")
    if path:
        return path
    found = ctypes.util.find_library("mailfountain")
    if found is None:
        raise LibraryNotFound(
            "libmailfountain not found: install it, or set MAILFOUNTAIN_LIB to the full "
            "path of libmailfountain.so")
    return found


@functools.lru_cache(maxsize=None)
def lib():
    """The loaded library with every prototype declared. Loaded once, on first use."""
    path = _locate()
    try:
        handle = ctypes.CDLL(path)
    except OSError as e:
        raise LibraryNotFound(f"cannot load libmailfountain from {path}: {e}") from e
    for name, (restype, argtypes) in _PROTOTYPES.items():
        try:
            function = getattr(handle, name)
        except AttributeError as e:
            raise LibraryNotFound(
                f"{path} lacks {name}: it is not a matching libmailfountain") from e
        function.restype = restype
        function.argtypes = argtypes
    return handle


def encode(value, what):
    """`value` (a str) as NUL-terminated UTF-8 bytes for the C API."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgument(f"{what} contains a NUL character")
    return value.encode("utf-8")


def decode(raw):
    """A string returned by the C API (bytes or None) as str."""
    return "" if raw is None else raw.decode("utf-8")


def encode_list(values, what):
    """`values` (an iterable of str) as a C array of strings and its length."""
    if isinstance(values, str):
        raise TypeError(f"{what} must be a list of str, not a str")
    encoded = [encode(v, f"{what}[{i}]") for i, v in enumerate(values)]
    return (ctypes.c_char_p * len(encoded))(*encoded), len(encoded)


def optional_u64(value, what):
    """An optional non-negative integer as a `const uint64_t*` (None for NULL)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int or None, not {type(value).__name__}")
    if not 0 <= value < 2 ** 64:
        raise InvalidArgument(f"{what} must be between 0 and 2**64-1, got {value}")
    return ctypes.pointer(ctypes.c_uint64(value))


def take_message(err):
    """The message in a `char*` the library allocated, freed afterwards."""
    if not err.value:
        return ""
    try:
        return ctypes.string_at(err.value).decode("utf-8", "replace")
    finally:
        lib().mf_free(err.value)


def call(name, *args):
    """Calls the fallible C function `name` with `args` and its errmsg; raises the
    MailFountainError matching a failure."""
    err = ctypes.c_void_p()
    code = getattr(lib(), name)(*args, ctypes.byref(err))
    if code != 0:
        raise error_for(code, take_message(err))
