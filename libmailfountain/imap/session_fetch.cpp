// imap/session_fetch.cpp — imap::Session's FETCH and UID FETCH (the work half), in slices:
// each run_work() writes the responses of the next messages until about
// SessionOptions::fetch_slice_bytes of output, then yields to the loop, which sends them
// and runs the next slice once the client has read most of it. Each slice reads the
// store in its own short transactions: none stays open while the client reads.
#include "imap/fetch_response.h"
#include "imap/session.h"
#include "imap/session_state.h"
#include "imap/store_message.h"
#include "mailbox/mail_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::imap {

namespace {

FetchItem plain_item(FetchItem::Kind kind) {
  FetchItem item;
  item.kind = kind;
  return item;
}

}  // namespace

void Session::cmd_fetch(const Command& cmd) {
  const auto& a = std::get<FetchArgs>(cmd.args);
  auto uids = resolve_uids(a.set, cmd.uid);
  if (!uids.is_ok()) {
    tagged(work_, cmd.tag, "BAD", uids.status().message());
    return;
  }
  if (a.vanished && (!qresync_ || !a.changed_since)) {
    tagged(work_, cmd.tag, "BAD", "VANISHED needs QRESYNC enabled and CHANGEDSINCE.");
    return;
  }
  auto f = std::make_unique<FetchState>();
  f->tag = cmd.tag;
  f->uid = cmd.uid;
  f->items = a.items;
  f->changed_since = a.changed_since;
  bool has_uid = false, has_modseq = false;
  for (const FetchItem& i : f->items) {
    has_uid |= i.kind == FetchItem::Kind::kUid;
    has_modseq |= i.kind == FetchItem::Kind::kModSeq;
  }
  if (has_modseq || a.changed_since) condstore_ = true;  // RFC 7162 §3.1: enables it
  // UID FETCH answers always carry the UID (RFC 9051 §6.4.9); CHANGEDSINCE adds MODSEQ.
  if (cmd.uid && !has_uid) f->items.insert(f->items.begin(), plain_item(FetchItem::Kind::kUid));
  if (a.changed_since && !has_modseq) f->items.push_back(plain_item(FetchItem::Kind::kModSeq));
  f->sets_seen = !selected_->read_only && fetch_sets_seen(f->items);
  f->uids = std::move(*uids);
  if (a.vanished) {
    // QRESYNC (RFC 7162 §3.2.6): the requested UIDs expunged since CHANGEDSINCE.
    auto gone = store_.expunged_since(account_, selected_->folder, *a.changed_since);
    if (gone.is_ok()) {
      const uint32_t highest = selected_->uids.empty() ? 0 : selected_->uids.back();
      std::vector<UidRange> asked = resolve(a.set, std::max(highest, selected_->uidnext - 1));
      std::vector<uint32_t> vanished;
      for (uint32_t uid : *gone)
        if (contains(asked, uid)) vanished.push_back(uid);
      const std::vector<UidRange> ranges = ranges_of(vanished);
      if (!ranges.empty()) work_ += fmt::format("* VANISHED (EARLIER) {}\r\n", to_string(ranges));
    }
  }
  fetch_ = std::move(f);
  fetch_slice();
}

void Session::fetch_slice() {
  FetchState& f = *fetch_;
  Selected& s = *selected_;
  work_more_ = false;
  if (f.next < f.uids.size()) {
    // The slice plans at most this many messages: the listing stops there.
    constexpr size_t kSliceMessages = 4096;
    const uint32_t last = f.uids[std::min(f.uids.size(), f.next + kSliceMessages) - 1];
    auto listed = store_.list_messages(account_, s.folder, f.uids[f.next], last);
    if (!listed.is_ok()) {
      f.failed = true;
      host_.log(LogLevel::kError, fmt::format("imap: FETCH cannot list {} of {}: {}", s.folder,
                                              account_, listed.status().message()));
      f.next = f.uids.size();
    } else {
      // The messages of this slice: the listing from the next UID, intersected with the set.
      std::vector<StoreMessage> batch;
      size_t i = f.next;
      auto it = listed->begin();
      size_t planned_bytes = 0;
      for (; i < f.uids.size() && i < f.next + kSliceMessages &&
             planned_bytes < options_.fetch_slice_bytes;
           ++i) {
        while (it != listed->end() && it->uid < f.uids[i]) ++it;
        if (it == listed->end() || it->uid != f.uids[i]) {
          f.missing = true;
          continue;
        }
        if (f.changed_since && it->modseq <= *f.changed_since) continue;
        const uint32_t seq = seq_of(it->uid);
        if (seq == 0) continue;
        planned_bytes += 64;  // a rough floor; the real size is checked as the text grows
        batch.emplace_back(store_, account_, s.folder, seq, std::move(*it));
      }
      // Reading a body marks it \Seen (RFC 9051 §6.4.5): set the flag first, so the
      // response shows it; then the flag change is this session's own, not a report.
      if (f.sets_seen) {
        std::vector<uint32_t> unseen;
        for (auto& m : batch)
          if (!(m.info().flags & mailbox::kSeen)) unseen.push_back(m.uid());
        if (!unseen.empty()) {
          auto modseq =
              store_.set_flags(account_, s.folder, unseen, mailbox::FlagOp::kAdd, mailbox::kSeen);
          if (modseq.is_ok() && *modseq != 0) {
            for (auto& m : batch) {
              if (m.info().flags & mailbox::kSeen) continue;
              m.mutable_info().flags |= mailbox::kSeen;
              m.mutable_info().modseq = *modseq;
            }
            if (s.modseq + 1 == *modseq) s.modseq = *modseq;
          }
        }
      }
      FetchOptions options;
      options.utf8 = quoted_utf8();
      options.imap4rev2 = rev2_;
      size_t done_here = 0;
      for (auto& m : batch) {
        if (work_.size() >= options_.fetch_slice_bytes) break;
        ++done_here;
        std::vector<FetchItem> items = f.items;
        // A \Seen set now is shown even when FLAGS was not asked for.
        if (f.sets_seen && std::none_of(items.begin(), items.end(), [](const FetchItem& x) {
              return x.kind == FetchItem::Kind::kFlags;
            }))
          items.push_back(plain_item(FetchItem::Kind::kFlags));
        std::string data;
        Status st = append_fetch_items(items, m, options, &data);
        if (!st.is_ok()) {
          if (st.code() == Code::kNotFound) {
            f.missing = true;
          } else if (st.code() == Code::kFailedPrecondition) {
            f.unknown_cte = true;
          } else {
            f.failed = true;
            host_.log(LogLevel::kError, fmt::format("imap: FETCH of UID {} in {} of {}: {}",
                                                    m.uid(), s.folder, account_, st.message()));
          }
          continue;
        }
        work_ += fmt::format("* {} FETCH (", m.seq());
        work_ += data;
        work_ += ")\r\n";
      }
      // Where the next slice starts: after the last message written (or skipped).
      if (done_here < batch.size()) {
        f.next = static_cast<size_t>(
            std::lower_bound(f.uids.begin(), f.uids.end(), batch[done_here].uid()) -
            f.uids.begin());
      } else {
        f.next = i;
      }
    }
  }
  if (f.next < f.uids.size()) {
    work_more_ = true;
    return;
  }
  // The last slice: report what changed, then the tagged response.
  std::unique_ptr<FetchState> finished = std::move(fetch_);
  if (finished->unknown_cte)
    done(finished->tag, "NO", "[UNKNOWN-CTE] A part has an unknown transfer encoding.");
  else if (finished->failed)
    done(finished->tag, "NO", "[SERVERBUG] Some messages could not be read; see the server log.");
  else if (finished->missing && !finished->uid)
    done(finished->tag, "NO", "[EXPUNGEISSUED] Some messages were expunged meanwhile.");
  else
    done(finished->tag, "OK", "Fetch completed.");
  report_changes(finished->uid);
  work_ += final_;
  final_.clear();
}

}  // namespace mf::imap
