// imap/session_messages.cpp — imap::Session's message commands that change the store (the
// work half): CLOSE, UNSELECT, EXPUNGE, UID EXPUNGE, STORE (with UNCHANGEDSINCE), COPY,
// MOVE and APPEND (with MULTIAPPEND).
#include "imap/response_writer.h"
#include "imap/session.h"
#include "imap/session_state.h"
#include "mailbox/mail_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::imap {

namespace {

// "1:3,7" for ascending UIDs: the sets of COPYUID and APPENDUID (RFC 4315), which list
// source and destination UIDs in corresponding order.
std::string uid_list_text(const std::vector<uint32_t>& uids) {
  return to_string(ranges_of(uids));
}

// A flag as the client wrote it: a system flag's bit, or a keyword. \Recent cannot be
// stored (RFC 9051 §2.3.2) and is ignored; other "\" names are refused.
Status parse_flag(std::string_view flag, uint32_t* bits, std::vector<std::string>* keywords) {
  struct Known {
    std::string_view name;
    uint32_t bit;
  };
  static constexpr Known kKnown[] = {
      {"\\Seen", mailbox::kSeen},       {"\\Answered", mailbox::kAnswered},
      {"\\Flagged", mailbox::kFlagged}, {"\\Deleted", mailbox::kDeleted},
      {"\\Draft", mailbox::kDraft},     {"\\Recent", 0}};
  if (!flag.empty() && flag[0] == '\\') {
    for (const Known& k : kKnown) {
      if (k.name.size() != flag.size()) continue;
      bool same = true;
      for (size_t i = 0; i < flag.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(flag[i])) ==
               std::tolower(static_cast<unsigned char>(k.name[i]));
      if (same) {
        *bits |= k.bit;
        return Status::ok();
      }
    }
    return invalid_argument(fmt::format("Invalid system flag {}.", flag));
  }
  if (std::find(keywords->begin(), keywords->end(), flag) == keywords->end())
    keywords->emplace_back(flag);
  return Status::ok();
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t imap_days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t unix_time(const DateTime& t) {
  return imap_days_from_civil(t.date.year, t.date.month, t.date.day) * 86400 + t.hour * 3600 +
         t.minute * 60 + t.second - int64_t{t.zone_minutes} * 60;
}

}  // namespace

void Session::cmd_close(const Command& cmd, bool expunge) {
  // CLOSE expunges silently (RFC 9051 §6.4.1); UNSELECT does not (RFC 3691).
  if (expunge && !selected_->read_only) {
    auto gone = store_.expunge(account_, selected_->folder);
    if (!gone.is_ok())
      host_.log(LogLevel::kError,
                fmt::format("imap: CLOSE could not expunge {} of {}: {}", selected_->folder,
                            account_, gone.status().message()));
  }
  selected_.reset();
  done(cmd.tag, "OK", expunge ? "Close completed." : "Unselect completed.");
}

void Session::cmd_expunge(const Command& cmd) {
  if (selected_->read_only) return done(cmd.tag, "NO", "[READ-ONLY] The mailbox is read-only.");
  std::vector<uint32_t> only;
  if (cmd.uid) {
    const auto& a = std::get<UidExpungeArgs>(cmd.args);
    auto uids = resolve_uids(a.uids, true);
    if (!uids.is_ok()) return done(cmd.tag, "BAD", uids.status().message());
    only = std::move(*uids);
    if (only.empty()) return done(cmd.tag, "OK", "Expunge completed.");
  }
  auto gone = store_.expunge(account_, selected_->folder, cmd.uid ? &only : nullptr);
  if (!gone.is_ok()) return store_error(cmd.tag, gone.status());
  report_changes(true);
  done(cmd.tag, "OK", "Expunge completed.");
}

void Session::cmd_store(const Command& cmd) {
  const auto& a = std::get<StoreArgs>(cmd.args);
  if (selected_->read_only) return done(cmd.tag, "NO", "[READ-ONLY] The mailbox is read-only.");
  auto uids = resolve_uids(a.set, cmd.uid);
  if (!uids.is_ok()) return done(cmd.tag, "BAD", uids.status().message());
  uint32_t bits = 0;
  std::vector<std::string> keywords;
  for (const std::string& f : a.flags) {
    Status st = parse_flag(f, &bits, &keywords);
    if (!st.is_ok()) return done(cmd.tag, "BAD", st.message());
  }
  if (a.unchanged_since) condstore_ = true;
  // The messages' state now: for UNCHANGEDSINCE, and for the FETCH responses of messages
  // this STORE did not change (RFC 9051 §6.4.6 still reports their flags).
  std::vector<mailbox::MessageInfo> infos;
  if (!uids->empty()) {
    auto listed = store_.list_messages(account_, selected_->folder, uids->front());
    if (!listed.is_ok()) return store_error(cmd.tag, listed.status());
    for (auto& m : *listed)
      if (std::binary_search(uids->begin(), uids->end(), m.uid)) infos.push_back(std::move(m));
  }
  std::vector<uint32_t> apply, modified;
  for (const auto& m : infos) {
    if (a.unchanged_since && m.modseq > *a.unchanged_since)
      modified.push_back(m.uid);
    else
      apply.push_back(m.uid);
  }
  const mailbox::FlagOp op = a.op == StoreArgs::Op::kAdd      ? mailbox::FlagOp::kAdd
                             : a.op == StoreArgs::Op::kRemove ? mailbox::FlagOp::kRemove
                                                              : mailbox::FlagOp::kReplace;
  uint64_t modseq = 0;
  if (!apply.empty()) {
    auto set = store_.set_flags(account_, selected_->folder, apply, op, bits, keywords);
    if (!set.is_ok()) return store_error(cmd.tag, set.status());
    modseq = *set;
  }
  // Changed messages are reported with every other change; the unchanged ones here.
  std::string before_report;
  std::swap(before_report, work_);
  report_changes(cmd.uid);
  std::string reported = std::move(work_);
  work_ = std::move(before_report);
  if (a.silent) {
    // Drop this STORE's own FLAGS (RFC 9051 §6.4.6 .SILENT), keep the other changes'.
    std::string kept;
    size_t pos = 0;
    while (pos < reported.size()) {
      size_t end = reported.find("\r\n", pos);
      end = end == std::string::npos ? reported.size() : end + 2;
      std::string_view line(reported.data() + pos, end - pos);
      bool ours = false;
      uint32_t seq = 0, uid = 0;
      if (modseq != 0 &&
          std::sscanf(std::string(line).c_str(), "* %u FETCH (UID %u", &seq, &uid) == 2)
        ours = std::binary_search(apply.begin(), apply.end(), uid);
      if (!ours)
        kept.append(line);
      else if (condstore_)
        // RFC 7162 §3.1.3: even a silent STORE tells the new MODSEQ once CONDSTORE is on.
        kept += fmt::format("* {} FETCH (UID {} MODSEQ ({}))\r\n", seq, uid, modseq);
      pos = end;
    }
    reported = std::move(kept);
  }
  work_ += reported;
  if (!a.silent) {
    for (const auto& m : infos) {
      if (!std::binary_search(apply.begin(), apply.end(), m.uid)) continue;
      if (modseq != 0 && reported.find(fmt::format(" FETCH (UID {} ", m.uid)) != std::string::npos)
        continue;
      uint32_t seq = seq_of(m.uid);
      if (seq == 0) continue;
      std::string line = fmt::format("* {} FETCH (UID {} FLAGS {}", seq, m.uid, flag_list(m));
      if (condstore_) line += fmt::format(" MODSEQ ({})", m.modseq);
      work_ += line + ")\r\n";
    }
  }
  if (!modified.empty()) {
    std::vector<uint32_t> numbers;
    for (uint32_t uid : modified) numbers.push_back(cmd.uid ? uid : seq_of(uid));
    std::sort(numbers.begin(), numbers.end());
    return done(cmd.tag, "OK",
                fmt::format("[MODIFIED {}] Conditional STORE failed.", uid_list_text(numbers)));
  }
  done(cmd.tag, "OK", "Store completed.");
}

void Session::cmd_copy(const Command& cmd, bool move) {
  const auto& a = std::get<CopyArgs>(cmd.args);
  if (move && selected_->read_only)
    return done(cmd.tag, "NO", "[READ-ONLY] The mailbox is read-only.");
  auto uids = resolve_uids(a.set, cmd.uid);
  if (!uids.is_ok()) return done(cmd.tag, "BAD", uids.status().message());
  Result<std::string> to = mailbox_from_client(a.mailbox);
  if (!to.is_ok()) return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", to.status().message()));
  if (uids->empty()) return done(cmd.tag, "OK", "No messages.");
  auto result = move ? store_.move_messages(account_, selected_->folder, *uids, *to)
                     : store_.copy_messages(account_, selected_->folder, *uids, *to);
  if (!result.is_ok()) {
    if (result.status().code() == Code::kNotFound && !store_.folder_status(account_, *to).is_ok())
      return done(cmd.tag, "NO", "[TRYCREATE] No such mailbox.");
    return store_error(cmd.tag, result.status());
  }
  std::string copyuid;
  if (!result->uids.empty()) {
    std::vector<uint32_t> from, into;
    for (const auto& [f, t] : result->uids) {
      from.push_back(f);
      into.push_back(t);
    }
    copyuid = fmt::format("[COPYUID {} {} {}] ", result->uidvalidity, uid_list_text(from),
                          uid_list_text(into));
  }
  if (!move) return done(cmd.tag, "OK", copyuid + "Copy completed.");
  // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
  if (!copyuid.empty()) work_ += fmt::format("* OK {}Moved.\r\n", copyuid);
  report_changes(true);
  done(cmd.tag, "OK", "Move completed.");
}

void Session::cmd_append(const Command& cmd) {
  const auto& a = std::get<AppendArgs>(cmd.args);
  Result<std::string> name = mailbox_from_client(a.mailbox);
  if (!name.is_ok())
    return done(cmd.tag, "NO", fmt::format("[CANNOT] {}", name.status().message()));
  auto target = store_.folder_status(account_, *name);
  if (!target.is_ok()) {
    if (target.status().code() == Code::kNotFound)
      return done(cmd.tag, "NO", "[TRYCREATE] No such mailbox.");
    return store_error(cmd.tag, target.status());
  }
  // Checked before anything is stored: MULTIAPPEND is all or nothing (RFC 3502 §6.3.11).
  struct Parsed {
    uint32_t bits = 0;
    std::vector<std::string> keywords;
  };
  std::vector<Parsed> parsed;
  for (const AppendMessage& m : a.messages) {
    if (m.utf8 && !utf8_) return done(cmd.tag, "BAD", "UTF8 APPEND needs UTF8=ACCEPT enabled.");
    if (m.data.empty()) return done(cmd.tag, "NO", "Cannot save an empty message.");
    Parsed p;
    for (const std::string& f : m.flags) {
      Status st = parse_flag(f, &p.bits, &p.keywords);
      if (!st.is_ok()) return done(cmd.tag, "BAD", st.message());
    }
    parsed.push_back(std::move(p));
  }
  std::vector<uint32_t> uids;
  uint32_t uidvalidity = target->uidvalidity;
  for (size_t i = 0; i < a.messages.size(); ++i) {
    const AppendMessage& m = a.messages[i];
    mailbox::Delivery d;
    d.account = account_;
    d.folder = *name;
    d.flags = parsed[i].bits;
    d.keywords = parsed[i].keywords;
    if (m.date_time) d.internal_date = unix_time(*m.date_time);
    auto stored = store_.append_bytes(m.data, std::move(d));
    if (!stored.is_ok()) {
      // Undo the messages of this command already stored.
      if (!uids.empty() &&
          store_.set_flags(account_, *name, uids, mailbox::FlagOp::kAdd, mailbox::kDeleted).is_ok())
        (void)store_.expunge(account_, *name, &uids);
      return store_error(cmd.tag, stored.status());
    }
    uidvalidity = stored->uidvalidity;
    uids.push_back(stored->uid);
  }
  done(cmd.tag, "OK",
       fmt::format("[APPENDUID {} {}] Append completed.", uidvalidity, uid_list_text(uids)));
}

}  // namespace mf::imap
