// imap/session_search.cpp — imap::Session's SEARCH (with ESEARCH and SEARCHRES), SORT and
// THREAD (the work half), over imap/search_eval.h and imap/sort_thread.h. Messages are
// read one at a time, and only as far as the program needs (flags never open a file).
#include "imap/search_eval.h"
#include "imap/session.h"
#include "imap/session_state.h"
#include "imap/sort_thread.h"
#include "imap/store_message.h"
#include "mailbox/mail_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::imap {

namespace {

bool uses_modseq(const SearchKey& key) {
  if (key.kind == SearchKey::Kind::kModSeq) return true;
  return std::any_of(key.children.begin(), key.children.end(), uses_modseq);
}

std::string number_set(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  return to_string(ranges_of(numbers));
}

constexpr std::string_view kBadCharset = "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.";

}  // namespace

// The view's messages that `program` selects, in sequence order (the work of SEARCH,
// SORT and THREAD). Messages expunged by another session but still in the view are not
// found in the store and do not match.
static Status select_messages(mailbox::MailStore& store, const std::string& account,
                              const Session::Selected& s, const SearchProgram& program,
                              std::vector<std::unique_ptr<StoreMessage>>* out) {
  MF_ASSIGN_OR_RETURN(auto listed, store.list_messages(account, s.folder));
  size_t seq = 0;
  for (auto& info : listed) {
    while (seq < s.uids.size() && s.uids[seq] < info.uid) ++seq;
    if (seq == s.uids.size()) break;
    if (s.uids[seq] != info.uid) continue;
    auto m = std::make_unique<StoreMessage>(store, account, s.folder,
                                            static_cast<uint32_t>(seq + 1), std::move(info));
    Result<bool> hit = program.matches(*m);
    if (!hit.is_ok()) {
      if (hit.status().code() == Code::kNotFound) continue;  // expunged meanwhile
      return hit.status();
    }
    if (*hit) out->push_back(std::move(m));
  }
  return Status::ok();
}

// The selected mailbox as search keys see it, with `saved` as "$".
static SearchContext context_of(const Session::Selected& s, const std::vector<uint32_t>* saved) {
  SearchContext ctx;
  ctx.messages = static_cast<uint32_t>(s.uids.size());
  ctx.highest_uid = s.uids.empty() ? 0 : s.uids.back();
  ctx.saved = saved;
  return ctx;
}

// What SORT and THREAD order: the messages `key` selects, owned by `hits`, as `msgs`.
static Status select_to_order(mailbox::MailStore& store, const std::string& account,
                              const Session::Selected& s, const SearchKey& key,
                              std::vector<std::unique_ptr<StoreMessage>>* hits,
                              std::vector<SearchMessage*>* msgs) {
  SearchProgram program(key, context_of(s, &s.saved));
  MF_RETURN_IF_ERROR(select_messages(store, account, s, program, hits));
  for (auto& m : *hits) msgs->push_back(m.get());
  return Status::ok();
}

void Session::cmd_search(const Command& cmd) {
  const auto& a = std::get<SearchArgs>(cmd.args);
  Selected& s = *selected_;
  const bool save = a.result_options && a.result_options->save;
  if (save) s.saved.clear();  // RFC 5182 §2.1: an error leaves "$" empty
  if (a.charset && !search_charset_supported(*a.charset)) return done(cmd.tag, "NO", kBadCharset);
  const bool modseq = uses_modseq(a.program);
  if (modseq) condstore_ = true;
  std::vector<uint32_t> saved_before = s.saved;
  SearchContext ctx = context_of(s, &saved_before);
  if (!a.program.set.saved && !a.program.children.empty()) {
    // A sequence-set key beyond the last message is a BAD (RFC 9051 §9 seq-number).
    for (const SearchKey& k : a.program.children)
      if (k.kind == SearchKey::Kind::kSequenceSet && !k.set.saved && !within(k.set, ctx.messages))
        return done(cmd.tag, "BAD", "Invalid message sequence number.");
  }
  SearchProgram program(a.program, ctx);
  std::vector<std::unique_ptr<StoreMessage>> hits;
  Status st = select_messages(store_, account_, s, program, &hits);
  if (!st.is_ok()) return store_error(cmd.tag, st);

  std::vector<uint32_t> numbers;  // UIDs for UID SEARCH, else sequence numbers
  uint64_t highest_modseq = 0;
  for (const auto& m : hits) {
    numbers.push_back(cmd.uid ? m->uid() : m->seq());
    highest_modseq = std::max(highest_modseq, m->info().modseq);
  }
  const bool esearch = a.result_options.has_value() || rev2_;
  SearchReturn ret = a.result_options.value_or(SearchReturn{});
  if (!ret.min && !ret.max && !ret.count && !ret.save) ret.all = true;  // RETURN () is ALL
  if (save) {
    // SAVE with MIN or MAX alone keeps only those (RFC 5182 §2.4).
    if ((ret.min || ret.max) && !ret.all && !ret.count) {
      if (!hits.empty() && ret.min) s.saved.push_back(hits.front()->uid());
      if (hits.size() > 1 && ret.max) s.saved.push_back(hits.back()->uid());
    } else {
      for (const auto& m : hits) s.saved.push_back(m->uid());
    }
    std::sort(s.saved.begin(), s.saved.end());
  }
  if (esearch) {
    // SAVE alone answers nothing but the tagged OK (RFC 5182 §2.1).
    if (!(save && !ret.min && !ret.max && !ret.all && !ret.count)) {
      std::string line = fmt::format("* ESEARCH (TAG \"{}\")", cmd.tag);
      if (cmd.uid) line += " UID";
      if (!numbers.empty()) {
        if (ret.min)
          line += fmt::format(" MIN {}", *std::min_element(numbers.begin(), numbers.end()));
        if (ret.max)
          line += fmt::format(" MAX {}", *std::max_element(numbers.begin(), numbers.end()));
        if (ret.all) line += fmt::format(" ALL {}", number_set(numbers));
      }
      if (ret.count) line += fmt::format(" COUNT {}", numbers.size());
      if (modseq && !numbers.empty()) line += fmt::format(" MODSEQ {}", highest_modseq);
      work_ += line + "\r\n";
    }
  } else {
    std::string line = "* SEARCH";
    for (uint32_t n : numbers) line += fmt::format(" {}", n);
    if (modseq && !numbers.empty()) line += fmt::format(" (MODSEQ {})", highest_modseq);
    work_ += line + "\r\n";
  }
  done(cmd.tag, "OK", "Search completed.");
}

void Session::cmd_sort(const Command& cmd) {
  const auto& a = std::get<SortArgs>(cmd.args);
  Selected& s = *selected_;
  if (!search_charset_supported(a.charset)) return done(cmd.tag, "NO", kBadCharset);
  std::vector<std::unique_ptr<StoreMessage>> hits;
  std::vector<SearchMessage*> msgs;
  Status st = select_to_order(store_, account_, s, a.program, &hits, &msgs);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  auto sorted = sort_messages(a.criteria, msgs);
  if (!sorted.is_ok()) return store_error(cmd.tag, sorted.status());
  std::string line = "* SORT";
  for (uint32_t seq : *sorted) line += fmt::format(" {}", cmd.uid ? s.uids[seq - 1] : seq);
  work_ += line + "\r\n";
  done(cmd.tag, "OK", "Sort completed.");
}

void Session::cmd_thread(const Command& cmd) {
  const auto& a = std::get<ThreadArgs>(cmd.args);
  Selected& s = *selected_;
  if (!search_charset_supported(a.charset)) return done(cmd.tag, "NO", kBadCharset);
  std::vector<std::unique_ptr<StoreMessage>> hits;
  std::vector<SearchMessage*> msgs;
  Status st = select_to_order(store_, account_, s, a.program, &hits, &msgs);
  if (!st.is_ok()) return store_error(cmd.tag, st);
  auto text = thread_messages(a.algorithm, msgs, cmd.uid);
  if (!text.is_ok()) return store_error(cmd.tag, text.status());
  work_ += text->empty() ? "* THREAD\r\n" : fmt::format("* THREAD {}\r\n", *text);
  done(cmd.tag, "OK", "Thread completed.");
}

}  // namespace mf::imap
