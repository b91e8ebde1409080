// model/directory_resolve.cpp — who receives mail for an address, and who may send as it.
//
// resolve() is on the MTA's RCPT path: one read transaction, point lookups only (the
// address, then each target), breadth-first with a visited set (loops are cut, shared
// sub-redirections visited once) and limits on depth, visits and recipients.
#include "model/directory_impl.h"

#include "base/text.h"

#include <fmt/format.h>

#include <deque>
#include <optional>
#include <set>

namespace mf {

namespace {

constexpr int kMaxDepth = 20;       // nested redirections followed at most
constexpr size_t kMaxRecipients = 10000;
constexpr size_t kMaxVisits = 20000;  // directory entries looked at, at most


}  // namespace

Result<bool> DirectoryImpl::is_local_domain(std::string_view name) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(name));
  bool local = false;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(local, txn.contains(store::Table::kDomains, domain));
    return Status::ok();
  }));
  return local;
}

Result<Resolution> DirectoryImpl::resolve(std::string_view address) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  Resolution out;
  out.address = a.key();
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto domain, load_domain(txn, a.domain));
    if (!domain) return not_found(fmt::format("domain {} is not local", a.domain));
    std::string key = out.address;
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, key));
    size_t plus = a.local.find('+');
    if (!rec && plus != std::string::npos && plus > 0) {
      // Subaddressing: user+tag@domain is user@domain, tag kept. The full address was
      // tried first, since '+' is legal in a local part.
      out.tag = a.local.substr(plus + 1);
      Address base{a.local.substr(0, plus), a.domain};
      key = base.key();
      MF_ASSIGN_OR_RETURN(rec, load_address(txn, key));
    }
    if (!rec) return not_found(fmt::format("no such address: {}", out.address));
    out.matched = key;
    out.kind = rec->kind;

    // Breadth-first over the directory graph: each address is expanded at most once, so
    // loops are cut and shared sub-redirections cost one visit, not one per path.
    std::set<std::string> mailboxes, external, visited{key};
    std::deque<std::pair<std::string, int>> queue{{key, 0}};
    bool truncated = false;
    auto enqueue = [&](const std::string& target, int depth) -> Status {
      MF_ASSIGN_OR_RETURN(bool local, txn.contains(store::Table::kDomains, key_domain(target)));
      if (!local) {
        external.insert(target);
        return Status::ok();
      }
      std::string k = ascii_lower(target);
      if (!visited.insert(k).second) return Status::ok();
      if (depth > kMaxDepth || visited.size() > kMaxVisits) {
        truncated = true;
        return Status::ok();
      }
      queue.emplace_back(std::move(k), depth);
      return Status::ok();
    };
    while (!queue.empty() && !truncated) {
      auto [k, depth] = std::move(queue.front());
      queue.pop_front();
      std::optional<AddressRecord> r;
      if (k == key) {
        r = rec;
      } else {
        MF_ASSIGN_OR_RETURN(r, load_address(txn, k));
      }
      if (!r) continue;  // removed since: nothing to deliver there
      switch (r->kind) {
        case AddressKind::kAccount:
          if (r->account.state != AccountState::kEnabled) break;  // receives nothing
          if (r->account.forward_to.empty() || r->account.keep_copy == KeepCopy::kYes) {
            mailboxes.insert(k);
          }
          for (const auto& t : r->account.forward_to) MF_RETURN_IF_ERROR(enqueue(t, depth + 1));
          break;
        case AddressKind::kAlias:
          MF_RETURN_IF_ERROR(enqueue(r->alias.account, depth + 1));
          break;
        case AddressKind::kRedirection:
          for (const auto& t : r->redirection.targets) MF_RETURN_IF_ERROR(enqueue(t, depth + 1));
          break;
      }
      if (mailboxes.size() + external.size() > kMaxRecipients) truncated = true;
    }

    // A disabled account (directly, or behind an alias) refuses mail outright.
    std::string direct = key;
    if (rec->kind == AddressKind::kAlias) direct = rec->alias.account;
    if (rec->kind != AddressKind::kRedirection) {
      MF_ASSIGN_OR_RETURN(auto acc, load_address(txn, direct));
      if (acc && acc->kind == AddressKind::kAccount &&
          acc->account.state != AccountState::kEnabled) {
        return failed_precondition(fmt::format("the mailbox {} is disabled", direct));
      }
    }
    if (truncated) {
      return resource_exhausted(fmt::format(
          "{} expands through redirections nested deeper than {} levels or to more than {} "
          "recipients",
          key, kMaxDepth, kMaxRecipients));
    }
    if (mailboxes.empty() && external.empty()) {
      return failed_precondition(fmt::format(
          "{} reaches no mailbox: its redirections loop, or every member is disabled or gone",
          key));
    }
    out.mailboxes.assign(mailboxes.begin(), mailboxes.end());
    out.external.assign(external.begin(), external.end());
    return Status::ok();
  }));
  return out;
}

Result<bool> DirectoryImpl::may_send_as(std::string_view account_text, std::string_view from_text) {
  MF_ASSIGN_OR_RETURN(Address account, parse(account_text));
  MF_ASSIGN_OR_RETURN(Address from, parse(from_text));
  std::string account_key = account.key();
  std::string from_key = from.key();
  bool allowed = false;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto sender, load_address(txn, account_key));
    if (!sender || sender->kind != AddressKind::kAccount ||
        sender->account.state != AccountState::kEnabled) {
      return Status::ok();  // only an existing, enabled account sends
    }
    if (account_key == from_key) {
      allowed = true;
      return Status::ok();
    }
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, from_key));
    if (!rec) return Status::ok();
    if (rec->kind == AddressKind::kAlias) {
      allowed = rec->alias.account == account_key;
      return Status::ok();
    }
    if (rec->kind != AddressKind::kRedirection ||
        rec->redirection.send_as != SendAs::kMembersMaySend) {
      return Status::ok();
    }
    // Is the account a member, directly, through one of its aliases, or through nested
    // redirections?
    std::set<std::string> seen{from_key};
    std::function<Status(const RedirectionRecord&, int)> walk =
        [&](const RedirectionRecord& r, int depth) -> Status {
      if (depth > kMaxDepth) return Status::ok();
      for (const auto& t : r.targets) {
        if (allowed) return Status::ok();
        std::string k = ascii_lower(t);
        if (!seen.insert(k).second) continue;
        if (k == account_key) {
          allowed = true;
          return Status::ok();
        }
        MF_ASSIGN_OR_RETURN(auto tr, load_address(txn, k));
        if (!tr) continue;
        if (tr->kind == AddressKind::kAlias && tr->alias.account == account_key) allowed = true;
        if (tr->kind == AddressKind::kRedirection) MF_RETURN_IF_ERROR(walk(tr->redirection, depth + 1));
      }
      return Status::ok();
    };
    return walk(rec->redirection, 0);
  }));
  return allowed;
}

}  // namespace mf
