// mfctl/json_objects.cpp — directory objects as the JSON documented in
// docs/mfctl-json.md. Keep the two in step.
#include "json_objects.h"

namespace mfctl {
namespace {

Json optional_bytes(const std::optional<uint64_t>& bytes) {
  return bytes ? Json(*bytes) : Json(nullptr);
}

Json string_list(const std::vector<std::string>& items) {
  Json list = Json::array();
  for (const std::string& item : items) list.push_back(item);
  return list;
}

}  // namespace

const char* state_name(mf::AccountState state) {
  return state == mf::AccountState::kEnabled ? "enabled" : "disabled";
}

const char* quota_source_name(mf::QuotaInfo::Source source) {
  switch (source) {
    case mf::QuotaInfo::Source::kAccount:
      return "account";
    case mf::QuotaInfo::Source::kDomainDefault:
      return "domain_default";
    case mf::QuotaInfo::Source::kUnlimited:
      break;
  }
  return "unlimited";
}

Json to_json(const mf::DomainInfo& domain) {
  Json j;
  j["name"] = domain.name;
  j["unicode_name"] = domain.unicode_name;
  j["default_quota_bytes"] = optional_bytes(domain.default_quota_bytes);
  j["created_at"] = domain.created_at;
  j["accounts"] = domain.accounts;
  j["aliases"] = domain.aliases;
  j["redirections"] = domain.redirections;
  j["managers"] = string_list(domain.managers);
  return j;
}

Json to_json(const mf::AccountInfo& account) {
  Json j;
  j["address"] = account.address;
  j["display_name"] = account.display_name;
  j["state"] = state_name(account.state);
  j["builtin"] = account.builtin;
  j["quota_bytes"] = optional_bytes(account.quota_bytes);
  j["aliases"] = string_list(account.aliases);
  j["manages"] = string_list(account.manages);
  j["forward_to"] = string_list(account.forward_to);
  j["keep_copy"] = account.keep_copy == mf::KeepCopy::kYes;
  j["created_at"] = account.created_at;
  j["password_changed_at"] = account.password_changed_at;
  return j;
}

Json to_json(const mf::AliasInfo& alias) {
  Json j;
  j["address"] = alias.address;
  j["account"] = alias.account;
  return j;
}

Json to_json(const mf::RedirectionInfo& redirection) {
  Json j;
  j["address"] = redirection.address;
  j["targets"] = string_list(redirection.targets);
  j["members_may_send_as"] = redirection.send_as == mf::SendAs::kMembersMaySend;
  return j;
}

Json to_json(const mf::ManagerGrant& grant) {
  Json j;
  j["account"] = grant.account;
  j["domain"] = grant.domain;
  return j;
}

Json to_json(const mf::QuotaInfo& quota) {
  Json j;
  j["address"] = quota.address;
  j["limit_bytes"] = optional_bytes(quota.limit_bytes);
  j["source"] = quota_source_name(quota.source);
  return j;
}

Json to_json(const mf::Resolution& resolution) {
  Json j;
  j["address"] = resolution.address;
  j["matched"] = resolution.matched;
  j["kind"] = std::string(mf::address_kind_name(resolution.kind));
  j["tag"] = resolution.tag.empty() ? Json(nullptr) : Json(resolution.tag);
  j["mailboxes"] = string_list(resolution.mailboxes);
  j["external"] = string_list(resolution.external);
  return j;
}

Json to_json(const mf::AuditEntry& entry) {
  Json j;
  j["seq"] = entry.seq;
  j["time"] = entry.time;
  j["actor"] = entry.actor;
  j["origin"] = entry.origin;
  j["action"] = entry.action;
  j["target"] = entry.target;
  j["detail"] = entry.detail;
  return j;
}

}  // namespace mfctl
