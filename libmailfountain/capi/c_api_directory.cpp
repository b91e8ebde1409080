// capi/c_api_directory.cpp — the C API shim (mailfountain.h), part two: the directory
// operations. Each function checks its pointers and enumerations, converts them, and
// calls the one mf::Directory method it stands for.
#include "capi/c_api_internal.h"

using mf::capi::guard;
using mf::capi::make_list;
using mf::capi::optional_from;

namespace {

mf::Directory& directory_of(mf_context_t* ctx) {
  return ctx->rep->directory();
}

}  // namespace

// ---- Domains ----

int mf_domain_add(mf_context_t* ctx, const mf_principal_t* who, const char* name, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, name);
    return directory_of(ctx).add_domain(who->rep, name);
  });
}

int mf_domain_remove(mf_context_t* ctx, const mf_principal_t* who, const char* name, int mode,
                     char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, name);
    MF_ASSIGN_OR_RETURN(mf::Removal removal, mf::capi::removal_from(fn, mode));
    return directory_of(ctx).remove_domain(who->rep, name, removal);
  });
}

int mf_domain_list(mf_context_t* ctx, const mf_principal_t* who, mf_domain_list_t** out,
                   char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto domains, directory_of(ctx).list_domains(who->rep));
    *out = make_list<mf_domain_list_t>(std::move(domains)).release();
    return mf::Status::ok();
  });
}

int mf_domain_show(mf_context_t* ctx, const mf_principal_t* who, const char* name,
                   mf_domain_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, name);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(mf::DomainInfo info, directory_of(ctx).show_domain(who->rep, name));
    *out = new mf_domain_t{std::move(info)};
    return mf::Status::ok();
  });
}

int mf_domain_set_default_quota(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                                const uint64_t* bytes, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, domain);
    return directory_of(ctx).set_domain_default_quota(who->rep, domain, optional_from(bytes));
  });
}

// ---- Accounts ----

int mf_account_add(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                   const char* display_name, const char* password, const uint64_t* quota_bytes,
                   char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    mf::NewAccount account;
    if (display_name != nullptr) account.display_name = display_name;
    if (password != nullptr) account.password = password;
    account.quota_bytes = optional_from(quota_bytes);
    return directory_of(ctx).add_account(who->rep, address, account);
  });
}

int mf_account_remove(mf_context_t* ctx, const mf_principal_t* who, const char* address, int mode,
                      char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(mf::Removal removal, mf::capi::removal_from(fn, mode));
    return directory_of(ctx).remove_account(who->rep, address, removal);
  });
}

int mf_account_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                    mf_account_list_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, domain);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto accounts, directory_of(ctx).list_accounts(who->rep, domain));
    *out = make_list<mf_account_list_t>(std::move(accounts)).release();
    return mf::Status::ok();
  });
}

int mf_account_show(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                    mf_account_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(mf::AccountInfo info, directory_of(ctx).show_account(who->rep, address));
    *out = new mf_account_t{std::move(info)};
    return mf::Status::ok();
  });
}

int mf_account_set_password(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                            const char* new_password, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_CAPI_REQUIRE(fn, new_password);
    return directory_of(ctx).set_password(who->rep, address, new_password);
  });
}

int mf_account_set_display_name(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                                const char* display_name, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_CAPI_REQUIRE(fn, display_name);
    return directory_of(ctx).set_display_name(who->rep, address, display_name);
  });
}

int mf_account_set_state(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                         int state, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(mf::AccountState s, mf::capi::account_state_from(fn, state));
    return directory_of(ctx).set_account_state(who->rep, address, s);
  });
}

int mf_account_set_quota(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                         const uint64_t* bytes, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    return directory_of(ctx).set_account_quota(who->rep, address, optional_from(bytes));
  });
}

int mf_quota_show(mf_context_t* ctx, const mf_principal_t* who, const char* address, int* has_limit,
                  uint64_t* limit_bytes, int* source, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_CAPI_REQUIRE(fn, has_limit);
    MF_CAPI_REQUIRE(fn, limit_bytes);
    MF_CAPI_REQUIRE(fn, source);
    MF_ASSIGN_OR_RETURN(mf::QuotaInfo quota, directory_of(ctx).show_quota(who->rep, address));
    *has_limit = quota.limit_bytes.has_value() ? 1 : 0;
    *limit_bytes = quota.limit_bytes.value_or(0);
    switch (quota.source) {
      case mf::QuotaInfo::Source::kAccount:
        *source = MF_QUOTA_SOURCE_ACCOUNT;
        break;
      case mf::QuotaInfo::Source::kDomainDefault:
        *source = MF_QUOTA_SOURCE_DOMAIN_DEFAULT;
        break;
      case mf::QuotaInfo::Source::kUnlimited:
        *source = MF_QUOTA_SOURCE_UNLIMITED;
        break;
    }
    return mf::Status::ok();
  });
}

int mf_account_set_forwarding(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                              const char* const* targets, size_t count, int keep, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(auto list, mf::capi::strings_from(fn, "targets", targets, count));
    MF_ASSIGN_OR_RETURN(mf::KeepCopy keep_copy, mf::capi::keep_copy_from(fn, keep));
    return directory_of(ctx).set_forwarding(who->rep, address, list, keep_copy);
  });
}

// ---- Aliases ----

int mf_alias_add(mf_context_t* ctx, const mf_principal_t* who, const char* alias,
                 const char* account, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, alias);
    MF_CAPI_REQUIRE(fn, account);
    return directory_of(ctx).add_alias(who->rep, alias, account);
  });
}

int mf_alias_remove(mf_context_t* ctx, const mf_principal_t* who, const char* alias,
                    char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, alias);
    return directory_of(ctx).remove_alias(who->rep, alias);
  });
}

int mf_alias_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                  mf_alias_list_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, domain);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto aliases, directory_of(ctx).list_aliases(who->rep, domain));
    *out = make_list<mf_alias_list_t>(std::move(aliases)).release();
    return mf::Status::ok();
  });
}

// ---- Redirections ----

int mf_redirection_add(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                       const char* const* targets, size_t count, int send_as, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(auto list, mf::capi::strings_from(fn, "targets", targets, count));
    MF_ASSIGN_OR_RETURN(mf::SendAs rule, mf::capi::send_as_from(fn, send_as));
    return directory_of(ctx).add_redirection(who->rep, address, list, rule);
  });
}

int mf_redirection_set(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                       const char* const* targets, size_t count, int send_as, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(auto list, mf::capi::strings_from(fn, "targets", targets, count));
    MF_ASSIGN_OR_RETURN(mf::SendAs rule, mf::capi::send_as_from(fn, send_as));
    return directory_of(ctx).set_redirection(who->rep, address, list, rule);
  });
}

int mf_redirection_remove(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                          int mode, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, address);
    MF_ASSIGN_OR_RETURN(mf::Removal removal, mf::capi::removal_from(fn, mode));
    return directory_of(ctx).remove_redirection(who->rep, address, removal);
  });
}

int mf_redirection_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                        mf_redirection_list_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, domain);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto redirections, directory_of(ctx).list_redirections(who->rep, domain));
    *out = make_list<mf_redirection_list_t>(std::move(redirections)).release();
    return mf::Status::ok();
  });
}

// ---- Managers ----

int mf_manager_grant(mf_context_t* ctx, const mf_principal_t* who, const char* account,
                     const char* domain, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, account);
    MF_CAPI_REQUIRE(fn, domain);
    return directory_of(ctx).grant_manager(who->rep, account, domain);
  });
}

int mf_manager_revoke(mf_context_t* ctx, const mf_principal_t* who, const char* account,
                      const char* domain, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, account);
    MF_CAPI_REQUIRE(fn, domain);
    return directory_of(ctx).revoke_manager(who->rep, account, domain);
  });
}

int mf_manager_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                    mf_manager_list_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, out);
    std::string_view only = domain != nullptr ? domain : "";
    MF_ASSIGN_OR_RETURN(auto grants, directory_of(ctx).list_managers(who->rep, only));
    *out = make_list<mf_manager_list_t>(std::move(grants)).release();
    return mf::Status::ok();
  });
}

// ---- Resolution and sending rights ----

int mf_resolve(mf_context_t* ctx, const char* address, mf_resolution_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, address);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(mf::Resolution resolution, directory_of(ctx).resolve(address));
    *out = new mf_resolution_t{std::move(resolution)};
    return mf::Status::ok();
  });
}

int mf_may_send_as(mf_context_t* ctx, const char* account, const char* from, int* allowed,
                   char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, account);
    MF_CAPI_REQUIRE(fn, from);
    MF_CAPI_REQUIRE(fn, allowed);
    MF_ASSIGN_OR_RETURN(bool may, directory_of(ctx).may_send_as(account, from));
    *allowed = may ? 1 : 0;
    return mf::Status::ok();
  });
}

int mf_is_local_domain(mf_context_t* ctx, const char* domain, int* local, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, domain);
    MF_CAPI_REQUIRE(fn, local);
    MF_ASSIGN_OR_RETURN(bool ours, directory_of(ctx).is_local_domain(domain));
    *local = ours ? 1 : 0;
    return mf::Status::ok();
  });
}

// ---- Audit log and notices ----

int mf_audit_list(mf_context_t* ctx, const mf_principal_t* who, uint64_t after, size_t limit,
                  mf_audit_list_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto entries, directory_of(ctx).list_audit(who->rep, after, limit));
    *out = make_list<mf_audit_list_t>(std::move(entries)).release();
    return mf::Status::ok();
  });
}

int mf_notice_list(mf_context_t* ctx, const mf_principal_t* owner, mf_notice_list_t** out,
                   char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, owner);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(auto notices, directory_of(ctx).pending_notices(owner->rep));
    *out = make_list<mf_notice_list_t>(std::move(notices)).release();
    return mf::Status::ok();
  });
}
