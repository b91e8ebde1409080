// imap/session_view.cpp — the selected mailbox's view (imap/session_state.h): sequence
// numbers, and the untagged responses that tell the client what changed in the store.
#include "imap/response_writer.h"
#include "imap/session.h"
#include "imap/session_state.h"
#include "mailbox/mail_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::imap {

std::string Session::flag_list(const mailbox::MessageInfo& info) const {
  std::vector<std::string> flags;
  if (info.flags & mailbox::kSeen) flags.emplace_back("\\Seen");
  if (info.flags & mailbox::kAnswered) flags.emplace_back("\\Answered");
  if (info.flags & mailbox::kFlagged) flags.emplace_back("\\Flagged");
  if (info.flags & mailbox::kDeleted) flags.emplace_back("\\Deleted");
  if (info.flags & mailbox::kDraft) flags.emplace_back("\\Draft");
  flags.insert(flags.end(), info.keywords.begin(), info.keywords.end());
  std::string out;
  append_flag_list(out, flags);
  return out;
}

uint32_t Session::seq_of(uint32_t uid) const {
  const auto& uids = selected_->uids;
  auto it = std::lower_bound(uids.begin(), uids.end(), uid);
  if (it == uids.end() || *it != uid) return 0;
  return static_cast<uint32_t>(it - uids.begin()) + 1;
}

Result<std::vector<uint32_t>> Session::resolve_uids(const SequenceSet& set, bool uid) const {
  const auto& uids = selected_->uids;
  std::vector<uint32_t> out;
  if (set.saved) {
    // "$": the saved result, as far as those messages are still in the view.
    for (uint32_t u : selected_->saved)
      if (std::binary_search(uids.begin(), uids.end(), u)) out.push_back(u);
    return out;
  }
  if (uid) {
    for (const UidRange& r : resolve(set, uids.empty() ? 0 : uids.back())) {
      for (auto it = std::lower_bound(uids.begin(), uids.end(), r.first);
           it != uids.end() && *it <= r.last; ++it)
        out.push_back(*it);
    }
    return out;
  }
  const auto count = static_cast<uint32_t>(uids.size());
  if (!within(set, count)) return invalid_argument("Invalid message sequence number.");
  for (const UidRange& r : resolve(set, count))
    for (uint32_t seq = r.first; seq <= r.last; ++seq) out.push_back(uids[seq - 1]);
  return out;
}

void Session::report_changes(bool allow_expunge) {
  if (!selected_) return;
  changed_.store(false);
  Selected& s = *selected_;
  Result<mailbox::FolderStatus> st = store_.folder_status(account_, s.folder);
  if (!st.is_ok() || st->uidvalidity != s.uidvalidity) {
    if (st.is_ok() || st.status().code() == Code::kNotFound) {
      work_ += "* BYE The selected mailbox was deleted or renamed.\r\n";
      closing_ = true;
    } else {
      host_.log(LogLevel::kError, fmt::format("imap: cannot read {} of {}: {}", s.folder, account_,
                                              st.status().message()));
    }
    return;
  }
  if (allow_expunge && st->highest_modseq > s.expunge_modseq) {
    Result<std::vector<uint32_t>> gone =
        store_.expunged_since(account_, s.folder, s.expunge_modseq);
    if (gone.is_ok()) {
      std::vector<uint32_t> vanished;
      std::vector<size_t> indexes;
      for (uint32_t uid : *gone) {
        uint32_t seq = seq_of(uid);
        if (seq == 0) continue;
        vanished.push_back(uid);
        indexes.push_back(seq - 1);
      }
      if (!vanished.empty()) {
        if (qresync_) {
          work_ += fmt::format("* VANISHED {}\r\n", to_string(ranges_of(vanished)));
        } else {
          // Highest first: each EXPUNGE renumbers only the messages after it.
          for (auto it = indexes.rbegin(); it != indexes.rend(); ++it)
            work_ += fmt::format("* {} EXPUNGE\r\n", *it + 1);
        }
        std::vector<uint32_t> kept;
        kept.reserve(s.uids.size() - vanished.size());
        std::set_difference(s.uids.begin(), s.uids.end(), vanished.begin(), vanished.end(),
                            std::back_inserter(kept));
        s.uids = std::move(kept);
      }
      s.expunge_modseq = st->highest_modseq;
    }
  }
  const uint32_t old_uidnext = s.uidnext;
  std::vector<std::string> fetches;
  std::vector<std::string> new_keywords;
  auto note_keywords = [&](const mailbox::MessageInfo& m) {
    for (const std::string& k : m.keywords)
      if (std::find(s.keywords.begin(), s.keywords.end(), k) == s.keywords.end() &&
          std::find(new_keywords.begin(), new_keywords.end(), k) == new_keywords.end())
        new_keywords.push_back(k);
  };
  size_t added = 0;
  if (st->uidnext > s.uidnext) {
    Result<std::vector<mailbox::MessageInfo>> fresh =
        store_.list_messages(account_, s.folder, s.uidnext);
    if (fresh.is_ok()) {
      for (const mailbox::MessageInfo& m : *fresh) {
        if (m.uid < s.uidnext) continue;
        s.uids.push_back(m.uid);
        s.uidnext = m.uid + 1;
        note_keywords(m);
        ++added;
      }
      s.uidnext = std::max(s.uidnext, st->uidnext);
    }
  }
  if (st->highest_modseq > s.modseq) {
    Result<std::vector<mailbox::MessageInfo>> changed =
        store_.changed_since(account_, s.folder, s.modseq);
    if (changed.is_ok()) {
      for (const mailbox::MessageInfo& m : *changed) {
        if (m.uid >= old_uidnext) continue;  // new: the client fetches what it wants
        uint32_t seq = seq_of(m.uid);
        if (seq == 0) continue;
        note_keywords(m);
        std::string line = fmt::format("* {} FETCH (UID {} FLAGS {}", seq, m.uid, flag_list(m));
        if (condstore_) line += fmt::format(" MODSEQ ({})", m.modseq);
        line += ")\r\n";
        fetches.push_back(std::move(line));
      }
      s.modseq = st->highest_modseq;
    }
  }
  if (!new_keywords.empty()) {
    s.keywords.insert(s.keywords.end(), new_keywords.begin(), new_keywords.end());
    std::string flags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    for (const std::string& k : s.keywords) flags += " " + k;
    work_ += fmt::format("* FLAGS ({})\r\n", flags);
    if (!s.read_only)
      work_ += fmt::format("* OK [PERMANENTFLAGS ({} \\*)] Flags permitted.\r\n", flags);
  }
  if (added > 0) {
    work_ += fmt::format("* {} EXISTS\r\n", s.uids.size());
    if (!rev2_) work_ += "* 0 RECENT\r\n";
  }
  for (const std::string& line : fetches) work_ += line;
}

}  // namespace mf::imap
