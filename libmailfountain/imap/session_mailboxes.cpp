// imap/session_mailboxes.cpp — imap::Session's mailbox commands (the work half): ENABLE,
// NAMESPACE, LIST (with LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), LSUB, STATUS, CREATE,
// DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, SELECT, EXAMINE and the QUOTA commands.
#include "imap/mutf7.h"
#include "imap/response_writer.h"
#include "imap/session.h"
#include "imap/session_state.h"
#include "mailbox/mail_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace mf::imap {

namespace {

constexpr std::string_view kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

bool has_inferiors(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names)
    if (n.size() > name.size() + 1 && n.compare(0, name.size(), name) == 0 && n[name.size()] == '/')
      return true;
  return false;
}

// A reference or pattern as the client sent it, decoded to UTF-8 (without the store's
// normalisation: patterns hold wildcards and may end with '/').
Result<std::string> decode_pattern(std::string_view wire, NameEncoding encoding) {
  if (encoding == NameEncoding::kUtf8) return std::string(wire);
  return mutf7_decode(wire);
}

}  // namespace

void Session::cmd_enable(const Command& cmd) {
  const auto& a = std::get<EnableArgs>(cmd.args);
  std::string enabled;
  for (const std::string& cap : a.capabilities) {
    bool* flag = nullptr;
    if (cap == "CONDSTORE")
      flag = &condstore_;
    else if (cap == "QRESYNC")
      flag = &qresync_;
    else if (cap == "UTF8=ACCEPT")
      flag = &utf8_;
    else if (cap == "IMAP4REV2")
      flag = &rev2_;
    if (flag == nullptr || *flag) continue;  // unknown or already on: not listed (RFC 5161)
    *flag = true;
    if (cap == "QRESYNC") condstore_ = true;  // RFC 7162 §3.2.3
    if (cap == "IMAP4REV2") utf8_ = true;     // RFC 9051 §6.3.1: UTF-8 names
    enabled += " " + cap;
  }
  work_ += fmt::format("* ENABLED{}\r\n", enabled);
  done(cmd.tag, "OK", "Enabled.");
}

void Session::cmd_namespace(const Command& cmd) {
  work_ += "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";
  done(cmd.tag, "OK", "Namespace completed.");
}

namespace {

// One STATUS response's items (RFC 9051 §7.3.1) for a stored name.
Status write_status(mailbox::MailStore& store, const std::string& account, const std::string& name,
                    const std::vector<StatusItem>& items, uint64_t append_limit,
                    std::string& item_text) {
  MF_ASSIGN_OR_RETURN(mailbox::FolderStatus st, store.folder_status(account, name));
  bool need_list = false;
  for (StatusItem i : items) need_list |= i == StatusItem::kDeleted || i == StatusItem::kSize;
  uint64_t deleted = 0, size = 0;
  if (need_list) {
    MF_ASSIGN_OR_RETURN(auto messages, store.list_messages(account, name));
    for (const auto& m : messages) {
      deleted += (m.flags & mailbox::kDeleted) ? 1 : 0;
      size += m.size;
    }
  }
  for (StatusItem i : items) {
    if (!item_text.empty()) item_text += ' ';
    switch (i) {
      case StatusItem::kMessages:
        item_text += fmt::format("MESSAGES {}", st.messages);
        break;
      case StatusItem::kUidNext:
        item_text += fmt::format("UIDNEXT {}", st.uidnext);
        break;
      case StatusItem::kUidValidity:
        item_text += fmt::format("UIDVALIDITY {}", st.uidvalidity);
        break;
      case StatusItem::kUnseen:
        item_text += fmt::format("UNSEEN {}", st.unseen);
        break;
      case StatusItem::kDeleted:
        item_text += fmt::format("DELETED {}", deleted);
        break;
      case StatusItem::kSize:
        item_text += fmt::format("SIZE {}", size);
        break;
      case StatusItem::kRecent:
        item_text += "RECENT 0";
        break;
      case StatusItem::kHighestModSeq:
        item_text += fmt::format("HIGHESTMODSEQ {}", st.highest_modseq);
        break;
      case StatusItem::kAppendLimit:
        item_text += fmt::format("APPENDLIMIT {}", append_limit);
        break;
    }
  }
  return Status::ok();
}

}  // namespace

void Session::cmd_status(const Command& cmd) {
  const auto& a = std::get<StatusArgs>(cmd.args);
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  for (StatusItem i : a.items)
    if (i == StatusItem::kHighestModSeq) condstore_ = true;  // RFC 7162 §3.1: enables it
  std::string items;
  Status st =
      write_status(store_, account_, *name, a.items, options_.limits.max_append_literal, items);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  work_ += "* STATUS ";
  write_mailbox_name(work_, *name);
  work_ += fmt::format(" ({})\r\n", items);
  done(cmd.tag, "OK", "Status completed.");
}

void Session::cmd_list(const Command& cmd) {
  const auto& a = std::get<ListArgs>(cmd.args);
  const NameEncoding enc = name_encoding();
  // LIST "" "": the hierarchy delimiter and the root (RFC 9051 §6.3.9).
  if (!a.extended && a.patterns.size() == 1 && a.patterns[0].empty()) {
    work_ += "* LIST (\\Noselect) \"/\" \"\"\r\n";
    return done(cmd.tag, "OK", "List completed.");
  }
  Result<std::string> reference = decode_pattern(a.reference, enc);
  if (!reference.is_ok()) return done(cmd.tag, "OK", "List completed (bad reference).");
  auto folders = store_.list_folders(account_);
  if (!folders.is_ok()) return store_error(cmd.tag, folders.status());
  std::map<std::string, const mailbox::FolderStatus*> by_name;
  std::vector<std::string> folder_names;
  for (const auto& f : *folders) {
    by_name[f.name] = &f;
    folder_names.push_back(f.name);
  }
  std::set<std::string> subscribed;
  if (a.subscribed || a.return_subscribed) {
    auto subs = store_.subscriptions(account_);
    if (!subs.is_ok()) return store_error(cmd.tag, subs.status());
    subscribed.insert(subs->begin(), subs->end());
  }
  // The names the patterns run over: the folders, or the subscriptions (RFC 5258 §3.1).
  std::vector<std::string> names =
      a.subscribed ? std::vector<std::string>(subscribed.begin(), subscribed.end()) : folder_names;
  std::map<std::string, ListEntry> entries;
  for (const std::string& wire : a.patterns) {
    Result<std::string> pattern = decode_pattern(wire, enc);
    if (!pattern.is_ok()) continue;  // matches nothing
    ListPattern p(*reference, *pattern);
    for (ListEntry& e : list_matches(names, p)) entries.emplace(e.name, std::move(e));
  }
  // RECURSIVEMATCH: folders not subscribed themselves whose inferiors are (RFC 5258 §3.5).
  std::set<std::string> childinfo;
  if (a.subscribed && a.recursive_match) {
    for (const std::string& sub : subscribed)
      for (size_t pos = sub.find('/'); pos != std::string::npos; pos = sub.find('/', pos + 1)) {
        std::string parent = sub.substr(0, pos);
        if (subscribed.count(parent) != 0) continue;
        for (const std::string& wire : a.patterns) {
          Result<std::string> pattern = decode_pattern(wire, enc);
          if (pattern.is_ok() && ListPattern(*reference, *pattern).matches(parent)) {
            childinfo.insert(parent);
            entries.emplace(parent, ListEntry{parent, by_name.count(parent) != 0, true});
          }
        }
      }
  }
  for (const auto& [name, entry] : entries) {
    const auto folder = by_name.find(name);
    const bool exists = folder != by_name.end();
    const bool is_subscribed = subscribed.count(name) != 0;
    if (a.subscribed && !is_subscribed && childinfo.count(name) == 0) continue;
    if (a.special_use && (!exists || folder->second->special_use == mailbox::SpecialUse::kNone))
      continue;
    std::string attrs;
    auto add = [&attrs](std::string_view attr) {
      if (!attrs.empty()) attrs += ' ';
      attrs += attr;
    };
    if (!exists) add(rev2_ || a.extended ? "\\NonExistent" : "\\Noselect");
    if (exists || !a.subscribed)
      add(has_inferiors(folder_names, name) ? "\\HasChildren" : "\\HasNoChildren");
    if (exists && folder->second->special_use != mailbox::SpecialUse::kNone)
      add(mailbox::special_use_name(folder->second->special_use));
    if ((a.subscribed || a.return_subscribed) && is_subscribed) add("\\Subscribed");
    work_ += fmt::format("* LIST ({}) \"/\" ", attrs);
    write_mailbox_name(work_, name);
    if (childinfo.count(name) != 0) work_ += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    work_ += "\r\n";
    if (!a.return_status.empty() && exists) {
      std::string items;
      if (write_status(store_, account_, name, a.return_status, options_.limits.max_append_literal,
                       items)
              .is_ok()) {
        work_ += "* STATUS ";
        write_mailbox_name(work_, name);
        work_ += fmt::format(" ({})\r\n", items);
      }
    }
  }
  done(cmd.tag, "OK", "List completed.");
}

void Session::cmd_lsub(const Command& cmd) {
  const auto& a = std::get<ListArgs>(cmd.args);
  const NameEncoding enc = name_encoding();
  if (a.patterns.size() == 1 && a.patterns[0].empty()) {
    work_ += "* LSUB (\\Noselect) \"/\" \"\"\r\n";
    return done(cmd.tag, "OK", "Lsub completed.");
  }
  auto subs = store_.subscriptions(account_);
  if (!subs.is_ok()) return store_error(cmd.tag, subs.status());
  Result<std::string> reference = decode_pattern(a.reference, enc);
  Result<std::string> pattern =
      a.patterns.empty() ? Result<std::string>(std::string()) : decode_pattern(a.patterns[0], enc);
  if (reference.is_ok() && pattern.is_ok()) {
    const std::set<std::string> subscribed(subs->begin(), subs->end());
    for (const ListEntry& e : list_matches(*subs, ListPattern(*reference, *pattern))) {
      // A level above subscribed names, not subscribed itself: \Noselect (RFC 3501 §6.3.9).
      work_ += subscribed.count(e.name) != 0 ? "* LSUB () \"/\" " : "* LSUB (\\Noselect) \"/\" ";
      write_mailbox_name(work_, e.name);
      work_ += "\r\n";
    }
  }
  done(cmd.tag, "OK", "Lsub completed.");
}

void Session::cmd_create(const Command& cmd) {
  const auto& a = std::get<CreateArgs>(cmd.args);
  if (!a.special_use.empty())
    return done(cmd.tag, "NO", "[USEATTR] Special-use attributes cannot be set by CREATE.");
  Mailbox m = a.mailbox;
  // "CREATE foo/" creates foo (RFC 9051 §6.3.4).
  while (!m.raw.empty() && m.raw.back() == '/') m.raw.pop_back();
  Result<std::string> name = mailbox_from_client(m);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  if (*name == "INBOX") return done(cmd.tag, "NO", "[ALREADYEXISTS] INBOX always exists.");
  Status st = store_.create_folder(account_, *name);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  done(cmd.tag, "OK", "Create completed.");
}

void Session::cmd_delete(const Command& cmd) {
  const auto& a = std::get<MailboxArgs>(cmd.args);
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  if (*name == "INBOX") return done(cmd.tag, "NO", "[CANNOT] INBOX cannot be deleted.");
  Status st = store_.delete_folder(account_, *name);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  if (selected_ && selected_->folder == *name) {
    selected_.reset();
    work_ += "* OK [CLOSED] The selected mailbox was deleted.\r\n";
  }
  done(cmd.tag, "OK", "Delete completed.");
}

void Session::cmd_rename(const Command& cmd) {
  const auto& a = std::get<RenameArgs>(cmd.args);
  Result<std::string> from = mailbox_from_client(a.from);
  Result<std::string> to = mailbox_from_client(a.to);
  if (!from.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", from.status().message()));
  if (!to.is_ok()) return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", to.status().message()));
  Status st = store_.rename_folder(account_, *from, *to);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  // The selected mailbox (or one of its superiors) was renamed: it keeps its UIDs under the
  // new name. Renaming INBOX moves its messages instead: the view reports them expunged.
  if (selected_ && *from != "INBOX") {
    std::string& f = selected_->folder;
    if (f == *from)
      f = *to;
    else if (f.size() > from->size() && f.compare(0, from->size(), *from) == 0 &&
             f[from->size()] == '/')
      f = *to + f.substr(from->size());
  }
  done(cmd.tag, "OK", "Rename completed.");
}

void Session::cmd_subscribe(const Command& cmd, bool subscribe) {
  const auto& a = std::get<MailboxArgs>(cmd.args);
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  Status st = subscribe ? store_.subscribe_folder(account_, *name)
                        : store_.unsubscribe_folder(account_, *name);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  done(cmd.tag, "OK", subscribe ? "Subscribe completed." : "Unsubscribe completed.");
}

void Session::cmd_select(const Command& cmd) {
  const auto& a = std::get<SelectArgs>(cmd.args);
  const bool examine = cmd.name == CommandName::kExamine;
  if (a.qresync && !qresync_) return done(cmd.tag, "BAD", "QRESYNC is not enabled.");
  if (selected_) {
    // RFC 9051 §6.3.2, RFC 7162 §3.2.11: the previous mailbox is closed first.
    selected_.reset();
    work_ += "* OK [CLOSED] Previous mailbox closed.\r\n";
  }
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  auto st = store_.folder_status(account_, *name);
  if (!st.is_ok()) return store_error(cmd.tag, st.status());
  auto messages = store_.list_messages(account_, *name);
  if (!messages.is_ok()) return store_error(cmd.tag, messages.status());
  if (a.condstore) condstore_ = true;

  auto s = std::make_unique<Selected>();
  s->folder = *name;
  s->read_only = examine;
  s->uidvalidity = st->uidvalidity;
  s->modseq = s->expunge_modseq = st->highest_modseq;
  s->uidnext = st->uidnext;
  uint32_t first_unseen = 0;
  std::set<std::string> keywords;
  for (const auto& m : *messages) {
    s->uids.push_back(m.uid);
    s->uidnext = std::max(s->uidnext, m.uid + 1);
    if (first_unseen == 0 && !(m.flags & mailbox::kSeen))
      first_unseen = static_cast<uint32_t>(s->uids.size());
    keywords.insert(m.keywords.begin(), m.keywords.end());
  }
  s->keywords.assign(keywords.begin(), keywords.end());
  std::string flags(kSystemFlags);
  for (const std::string& k : s->keywords) flags += " " + k;
  work_ += fmt::format("* FLAGS ({})\r\n", flags);
  work_ += examine ? "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
                   : fmt::format("* OK [PERMANENTFLAGS ({} \\*)] Flags permitted.\r\n", flags);
  work_ += fmt::format("* {} EXISTS\r\n", s->uids.size());
  if (!rev2_) {
    work_ += "* 0 RECENT\r\n";
    if (first_unseen != 0) work_ += fmt::format("* OK [UNSEEN {}] First unseen.\r\n", first_unseen);
  }
  work_ += fmt::format("* OK [UIDVALIDITY {}] UIDs valid.\r\n", s->uidvalidity);
  work_ += fmt::format("* OK [UIDNEXT {}] Predicted next UID.\r\n", s->uidnext);
  if (condstore_) work_ += fmt::format("* OK [HIGHESTMODSEQ {}] Highest.\r\n", st->highest_modseq);
  if (rev2_) {
    work_ += "* LIST () \"/\" ";
    write_mailbox_name(work_, s->folder);
    work_ += "\r\n";
  }
  selected_ = std::move(s);
  changed_.store(false);

  // QRESYNC (RFC 7162 §3.2.5): what changed since the client's modseq, if its UIDs hold.
  if (a.qresync && a.qresync->uidvalidity == selected_->uidvalidity) {
    const Qresync& q = *a.qresync;
    const std::vector<UidRange> known =
        q.known_uids ? resolve(*q.known_uids, UINT32_MAX) : std::vector<UidRange>{{1, UINT32_MAX}};
    auto gone = store_.expunged_since(account_, selected_->folder, q.modseq);
    if (gone.is_ok()) {
      std::vector<uint32_t> vanished;
      for (uint32_t uid : *gone)
        if (contains(known, uid)) vanished.push_back(uid);
      const std::vector<UidRange> ranges = ranges_of(vanished);
      if (!ranges.empty()) work_ += fmt::format("* VANISHED (EARLIER) {}\r\n", to_string(ranges));
    }
    auto changed = store_.changed_since(account_, selected_->folder, q.modseq);
    if (changed.is_ok()) {
      for (const auto& m : *changed) {
        uint32_t seq = seq_of(m.uid);
        if (seq == 0) continue;
        work_ += fmt::format("* {} FETCH (UID {} FLAGS {} MODSEQ ({}))\r\n", seq, m.uid,
                             flag_list(m), m.modseq);
      }
    }
  }
  done(cmd.tag, "OK",
       examine ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
}

void Session::cmd_quota(const Command& cmd) {
  // One quota root, "", over the whole account (RFC 9208), with the STORAGE resource in
  // units of 1024 octets. Limits come from the directory and cannot be set over IMAP.
  if (cmd.name == CommandName::kSetQuota)
    return done(cmd.tag, "NO", "[NOPERM] Quotas are set by the domain's manager.");
  Result<std::optional<uint64_t>> limits = store_.quota_limit(account_);
  if (!limits.is_ok()) return store_error(cmd.tag, limits.status());
  const std::optional<uint64_t> limit = *limits;
  auto write_quota = [&]() -> Status {
    MF_ASSIGN_OR_RETURN(mailbox::QuotaUsage usage, store_.quota_usage(account_));
    work_ += fmt::format("* QUOTA \"\" (STORAGE {} {})\r\n", usage.bytes / 1024, *limit / 1024);
    return Status::ok();
  };
  if (cmd.name == CommandName::kGetQuota) {
    const auto& a = std::get<QuotaRootArgs>(cmd.args);
    if (!a.root.empty() || !limit) return done(cmd.tag, "NO", "[NONEXISTENT] No such quota root.");
    Status st = write_quota();
    if (!st.is_ok()) return store_error(cmd.tag, st);
    return done(cmd.tag, "OK", "Getquota completed.");
  }
  const auto& a = std::get<MailboxArgs>(cmd.args);
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  auto st = store_.folder_status(account_, *name);
  if (!st.is_ok()) return store_error(cmd.tag, st.status());
  work_ += "* QUOTAROOT ";
  write_mailbox_name(work_, *name);
  work_ += limit ? " \"\"\r\n" : "\r\n";
  if (limit) {
    Status w = write_quota();
    if (!w.is_ok()) return store_error(cmd.tag, w);
  }
  done(cmd.tag, "OK", "Getquotaroot completed.");
}

}  // namespace mf::imap
