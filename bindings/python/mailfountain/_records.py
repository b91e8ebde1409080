"""Reading the C API's result handles into the package's dataclasses.

Each reader takes a borrowed record handle and copies everything out of it, so the
handle (or the list owning it) can be freed right after.
"""

import ctypes

from ._native import decode, lib
from .types import (Account, AccountState, AddressKind, Alias, AuditEntry, Domain, KeepCopy,
                    ManagerGrant, Notice, Redirection, Resolution, SendAs)


def _strings(count_fn, get_fn, handle):
    return tuple(decode(get_fn(handle, i)) for i in range(count_fn(handle)))


def _optional_u64(getter, handle):
    value = ctypes.c_uint64()
    return value.value if getter(handle, ctypes.byref(value)) else None


def resolution(h):
    c = lib()
    return Resolution(
        address=decode(c.mf_resolution_address(h)),
        matched=decode(c.mf_resolution_matched(h)),
        kind=AddressKind(c.mf_resolution_kind(h)),
        tag=decode(c.mf_resolution_tag(h)),
        mailboxes=_strings(c.mf_resolution_mailbox_count, c.mf_resolution_mailbox, h),
        external=_strings(c.mf_resolution_external_count, c.mf_resolution_external, h))


def domain(h):
    c = lib()
    return Domain(
        name=decode(c.mf_domain_name(h)),
        unicode_name=decode(c.mf_domain_unicode_name(h)),
        default_quota_bytes=_optional_u64(c.mf_domain_default_quota, h),
        created_at=c.mf_domain_created_at(h),
        accounts=c.mf_domain_num_accounts(h),
        aliases=c.mf_domain_num_aliases(h),
        redirections=c.mf_domain_num_redirections(h),
        managers=_strings(c.mf_domain_manager_count, c.mf_domain_manager, h))


def account(h):
    c = lib()
    return Account(
        address=decode(c.mf_account_address(h)),
        display_name=decode(c.mf_account_display_name(h)),
        state=AccountState(c.mf_account_state(h)),
        builtin=bool(c.mf_account_is_builtin(h)),
        quota_bytes=_optional_u64(c.mf_account_quota, h),
        aliases=_strings(c.mf_account_alias_count, c.mf_account_alias, h),
        manages=_strings(c.mf_account_manages_count, c.mf_account_manages, h),
        forward_to=_strings(c.mf_account_forward_count, c.mf_account_forward, h),
        keep_copy=KeepCopy(c.mf_account_keep_copy(h)),
        created_at=c.mf_account_created_at(h),
        password_changed_at=c.mf_account_password_changed_at(h))


def alias(h):
    c = lib()
    return Alias(address=decode(c.mf_alias_address(h)), account=decode(c.mf_alias_account(h)))


def redirection(h):
    c = lib()
    return Redirection(
        address=decode(c.mf_redirection_address(h)),
        targets=_strings(c.mf_redirection_target_count, c.mf_redirection_target, h),
        send_as=SendAs(c.mf_redirection_send_as(h)))


def manager_grant(h):
    c = lib()
    return ManagerGrant(account=decode(c.mf_manager_account(h)),
                        domain=decode(c.mf_manager_domain(h)))


def audit_entry(h):
    c = lib()
    return AuditEntry(
        seq=c.mf_audit_entry_seq(h),
        time=c.mf_audit_entry_time(h),
        actor=decode(c.mf_audit_entry_actor(h)),
        origin=decode(c.mf_audit_entry_origin(h)),
        action=decode(c.mf_audit_entry_action(h)),
        target=decode(c.mf_audit_entry_target(h)),
        detail=decode(c.mf_audit_entry_detail(h)))


def notice(h):
    c = lib()
    return Notice(seq=c.mf_notice_seq(h), time=c.mf_notice_time(h),
                  subject=decode(c.mf_notice_subject(h)), body=decode(c.mf_notice_body(h)))


def read_list(kind, handle, reader):
    """Reads every record of the list `handle` of C type mf_<kind>_list_t, then frees it."""
    c = lib()
    count = getattr(c, f"mf_{kind}_list_count")
    get = getattr(c, f"mf_{kind}_list_get")
    try:
        return [reader(get(handle, i)) for i in range(count(handle))]
    finally:
        getattr(c, f"mf_{kind}_list_free")(handle)
