// capi/c_api_results.cpp — the C API shim (mailfountain.h), part three: the accessors and
// free functions of the result handles (resolutions, records and their lists). None of
// them can fail: a NULL handle or an index out of range yields NULL, 0 or -1.
#include "capi/c_api_internal.h"

using mf::capi::list_item;
using mf::capi::string_item;

namespace {

int address_kind_code(mf::AddressKind kind) {
  switch (kind) {
    case mf::AddressKind::kAccount:
      return MF_ADDRESS_ACCOUNT;
    case mf::AddressKind::kAlias:
      return MF_ADDRESS_ALIAS;
    case mf::AddressKind::kRedirection:
      return MF_ADDRESS_REDIRECTION;
  }
  return -1;
}

// Stores an optional quota for the C caller; returns whether it is set.
int optional_out(const std::optional<uint64_t>& value, uint64_t* out) {
  if (!value.has_value()) return 0;
  if (out != nullptr) *out = *value;
  return 1;
}

}  // namespace

// ---- Resolution ----

void mf_resolution_free(mf_resolution_t* r) {
  delete r;
}

const char* mf_resolution_address(const mf_resolution_t* r) {
  return r != nullptr ? r->rep.address.c_str() : nullptr;
}

const char* mf_resolution_matched(const mf_resolution_t* r) {
  return r != nullptr ? r->rep.matched.c_str() : nullptr;
}

int mf_resolution_kind(const mf_resolution_t* r) {
  return r != nullptr ? address_kind_code(r->rep.kind) : -1;
}

const char* mf_resolution_tag(const mf_resolution_t* r) {
  return r != nullptr ? r->rep.tag.c_str() : nullptr;
}

size_t mf_resolution_mailbox_count(const mf_resolution_t* r) {
  return r != nullptr ? r->rep.mailboxes.size() : 0;
}

const char* mf_resolution_mailbox(const mf_resolution_t* r, size_t i) {
  return r != nullptr ? string_item(r->rep.mailboxes, i) : nullptr;
}

size_t mf_resolution_external_count(const mf_resolution_t* r) {
  return r != nullptr ? r->rep.external.size() : 0;
}

const char* mf_resolution_external(const mf_resolution_t* r, size_t i) {
  return r != nullptr ? string_item(r->rep.external, i) : nullptr;
}

// ---- Domains ----

size_t mf_domain_list_count(const mf_domain_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_domain_t* mf_domain_list_get(const mf_domain_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_domain_list_free(mf_domain_list_t* list) {
  delete list;
}

void mf_domain_free(mf_domain_t* domain) {
  delete domain;
}

const char* mf_domain_name(const mf_domain_t* d) {
  return d != nullptr ? d->rep.name.c_str() : nullptr;
}

const char* mf_domain_unicode_name(const mf_domain_t* d) {
  return d != nullptr ? d->rep.unicode_name.c_str() : nullptr;
}

int mf_domain_default_quota(const mf_domain_t* d, uint64_t* bytes) {
  return d != nullptr ? optional_out(d->rep.default_quota_bytes, bytes) : 0;
}

int64_t mf_domain_created_at(const mf_domain_t* d) {
  return d != nullptr ? d->rep.created_at : 0;
}

uint64_t mf_domain_num_accounts(const mf_domain_t* d) {
  return d != nullptr ? d->rep.accounts : 0;
}

uint64_t mf_domain_num_aliases(const mf_domain_t* d) {
  return d != nullptr ? d->rep.aliases : 0;
}

uint64_t mf_domain_num_redirections(const mf_domain_t* d) {
  return d != nullptr ? d->rep.redirections : 0;
}

size_t mf_domain_manager_count(const mf_domain_t* d) {
  return d != nullptr ? d->rep.managers.size() : 0;
}

const char* mf_domain_manager(const mf_domain_t* d, size_t i) {
  return d != nullptr ? string_item(d->rep.managers, i) : nullptr;
}

// ---- Accounts ----

size_t mf_account_list_count(const mf_account_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_account_t* mf_account_list_get(const mf_account_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_account_list_free(mf_account_list_t* list) {
  delete list;
}

void mf_account_free(mf_account_t* account) {
  delete account;
}

const char* mf_account_address(const mf_account_t* a) {
  return a != nullptr ? a->rep.address.c_str() : nullptr;
}

const char* mf_account_display_name(const mf_account_t* a) {
  return a != nullptr ? a->rep.display_name.c_str() : nullptr;
}

int mf_account_state(const mf_account_t* a) {
  if (a == nullptr) return -1;
  return a->rep.state == mf::AccountState::kEnabled ? MF_ACCOUNT_ENABLED : MF_ACCOUNT_DISABLED;
}

int mf_account_is_builtin(const mf_account_t* a) {
  return a != nullptr && a->rep.builtin ? 1 : 0;
}

int mf_account_quota(const mf_account_t* a, uint64_t* bytes) {
  return a != nullptr ? optional_out(a->rep.quota_bytes, bytes) : 0;
}

size_t mf_account_alias_count(const mf_account_t* a) {
  return a != nullptr ? a->rep.aliases.size() : 0;
}

const char* mf_account_alias(const mf_account_t* a, size_t i) {
  return a != nullptr ? string_item(a->rep.aliases, i) : nullptr;
}

size_t mf_account_manages_count(const mf_account_t* a) {
  return a != nullptr ? a->rep.manages.size() : 0;
}

const char* mf_account_manages(const mf_account_t* a, size_t i) {
  return a != nullptr ? string_item(a->rep.manages, i) : nullptr;
}

size_t mf_account_forward_count(const mf_account_t* a) {
  return a != nullptr ? a->rep.forward_to.size() : 0;
}

const char* mf_account_forward(const mf_account_t* a, size_t i) {
  return a != nullptr ? string_item(a->rep.forward_to, i) : nullptr;
}

int mf_account_keep_copy(const mf_account_t* a) {
  if (a == nullptr) return -1;
  return a->rep.keep_copy == mf::KeepCopy::kYes ? MF_KEEP_COPY_YES : MF_KEEP_COPY_NO;
}

int64_t mf_account_created_at(const mf_account_t* a) {
  return a != nullptr ? a->rep.created_at : 0;
}

int64_t mf_account_password_changed_at(const mf_account_t* a) {
  return a != nullptr ? a->rep.password_changed_at : 0;
}

// ---- Aliases ----

size_t mf_alias_list_count(const mf_alias_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_alias_t* mf_alias_list_get(const mf_alias_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_alias_list_free(mf_alias_list_t* list) {
  delete list;
}

const char* mf_alias_address(const mf_alias_t* a) {
  return a != nullptr ? a->rep.address.c_str() : nullptr;
}

const char* mf_alias_account(const mf_alias_t* a) {
  return a != nullptr ? a->rep.account.c_str() : nullptr;
}

// ---- Redirections ----

size_t mf_redirection_list_count(const mf_redirection_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_redirection_t* mf_redirection_list_get(const mf_redirection_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_redirection_list_free(mf_redirection_list_t* list) {
  delete list;
}

const char* mf_redirection_address(const mf_redirection_t* r) {
  return r != nullptr ? r->rep.address.c_str() : nullptr;
}

size_t mf_redirection_target_count(const mf_redirection_t* r) {
  return r != nullptr ? r->rep.targets.size() : 0;
}

const char* mf_redirection_target(const mf_redirection_t* r, size_t i) {
  return r != nullptr ? string_item(r->rep.targets, i) : nullptr;
}

int mf_redirection_send_as(const mf_redirection_t* r) {
  if (r == nullptr) return -1;
  return r->rep.send_as == mf::SendAs::kMembersMaySend ? MF_SEND_AS_MEMBERS_MAY_SEND
                                                       : MF_SEND_AS_MEMBERS_MAY_NOT_SEND;
}

// ---- Manager grants ----

size_t mf_manager_list_count(const mf_manager_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_manager_t* mf_manager_list_get(const mf_manager_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_manager_list_free(mf_manager_list_t* list) {
  delete list;
}

const char* mf_manager_account(const mf_manager_t* m) {
  return m != nullptr ? m->rep.account.c_str() : nullptr;
}

const char* mf_manager_domain(const mf_manager_t* m) {
  return m != nullptr ? m->rep.domain.c_str() : nullptr;
}

// ---- Audit log ----

size_t mf_audit_list_count(const mf_audit_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_audit_entry_t* mf_audit_list_get(const mf_audit_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_audit_list_free(mf_audit_list_t* list) {
  delete list;
}

uint64_t mf_audit_entry_seq(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.seq : 0;
}

int64_t mf_audit_entry_time(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.time : 0;
}

const char* mf_audit_entry_actor(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.actor.c_str() : nullptr;
}

const char* mf_audit_entry_origin(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.origin.c_str() : nullptr;
}

const char* mf_audit_entry_action(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.action.c_str() : nullptr;
}

const char* mf_audit_entry_target(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.target.c_str() : nullptr;
}

const char* mf_audit_entry_detail(const mf_audit_entry_t* e) {
  return e != nullptr ? e->rep.detail.c_str() : nullptr;
}

// ---- Notices ----

size_t mf_notice_list_count(const mf_notice_list_t* list) {
  return list != nullptr ? list->items.size() : 0;
}

const mf_notice_t* mf_notice_list_get(const mf_notice_list_t* list, size_t i) {
  return list_item(list, i);
}

void mf_notice_list_free(mf_notice_list_t* list) {
  delete list;
}

uint64_t mf_notice_seq(const mf_notice_t* n) {
  return n != nullptr ? n->rep.seq : 0;
}

int64_t mf_notice_time(const mf_notice_t* n) {
  return n != nullptr ? n->rep.time : 0;
}

const char* mf_notice_subject(const mf_notice_t* n) {
  return n != nullptr ? n->rep.subject.c_str() : nullptr;
}

const char* mf_notice_body(const mf_notice_t* n) {
  return n != nullptr ? n->rep.body.c_str() : nullptr;
}
