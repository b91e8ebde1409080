// Fuzz target: the IMAP modules that read stored messages for a client's command — FETCH
// items (imap/fetch_response.h), SEARCH programs (imap/search_eval.h), SORT and THREAD
// (imap/sort_thread.h) and the text helpers they share (imap/search_text.h).
//
// Input layout:
//   byte 0   mode: bits 0-1 the command (UID FETCH, SEARCH, SORT, THREAD), bit 2 UIDs in
//            THREAD's answer, bit 3 UTF-8 in quoted strings, bit 4 IMAP4rev2, bit 5 the
//            THREAD algorithm, bits 6-7 the SORT criteria (a fixed list each);
//   byte 1   messages: bit i (0-3) message i has no cached structure (FETCH and SEARCH
//            then parse the served bytes), bit 4+i message i is served with a
//            per-delivery prefix;
//   then     the command's arguments, "\n%%\n", and 1 to 4 messages separated by "\n%%\n"
//            (the fourth takes the rest; no separator: one empty message).
// The arguments follow "a UID FETCH 1:* ", "a SEARCH ", "a SORT (...) UTF-8 " or
// "a THREAD <algorithm> UTF-8 " and go through imap::parse_command.
//
// Nothing may crash; the cached structure must survive encode/decode unchanged; SEARCH
// must not load what needs_header()/needs_body() say it does not need; SORT answers a
// permutation of the selected messages, reading each header at most once and never a
// body; THREAD names each selected message exactly once; case folding never lengthens a
// text and a folded text contains itself.
#include "imap/command_parser.h"
#include "imap/fetch_response.h"
#include "imap/search_eval.h"
#include "imap/search_text.h"
#include "imap/sort_thread.h"
#include "mailbox/structure.h"
#include "mime/header.h"
#include "mime/message.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace {

using namespace mf;
using namespace mf::imap;

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr size_t kMaxInput = 64 * 1024;
constexpr size_t kMaxMessages = 4;
constexpr size_t kMaxFetchItems = 16;  // bounds FETCH output: items x message size
constexpr std::string_view kSeparator = "\n%%\n";
constexpr std::string_view kPrefix = "Return-Path: <emma@example.fr>\r\nX-Delivered: 1\r\n";

// One stored message in memory, as both FetchSource and SearchMessage see it: the served
// bytes are the prefix then the body; the structure, when cached, is the body's (made as
// delivery makes it). Counts what the modules load.
class MemoryMessage : public FetchSource, public SearchMessage {
 public:
  MemoryMessage(uint32_t seq, std::string_view body, bool cache_structure, bool prefixed)
      : seq_(seq), body_(body), served_(prefixed ? std::string(kPrefix) + body_ : body_) {
    prefix_size_ = served_.size() - body_.size();
    info_.uid = seq * 3 + 4;
    info_.flags = seq * 5 % 64;
    if (seq % 2 == 0) info_.keywords = {"$Forwarded", "work"};
    info_.size = served_.size();
    info_.internal_date = 1795929769 - static_cast<int64_t>(seq) * 86400 * 7;
    info_.modseq = 40 + seq;
    if (!cache_structure) return;
    auto parsed = mime::parse_message(std::string_view(body_));
    if (!parsed.is_ok()) return;
    structure_ = mailbox::make_structure(*parsed);
    mailbox::BodyStructure decoded;
    check(mailbox::decode_structure(mailbox::encode_structure(*structure_), &decoded).is_ok());
    check(decoded == *structure_);
  }

  // Both interfaces.
  const mailbox::MessageInfo& info() const override { return info_; }
  Result<const mailbox::BodyStructure*> structure() override {
    ++structure_calls;
    if (!structure_) return not_found("no structure cached");
    return &*structure_;
  }

  // FetchSource.
  uint32_t uid() const override { return info_.uid; }
  uint64_t size() const override { return served_.size(); }
  uint64_t prefix_size() const override { return prefix_size_; }
  Status read(uint64_t offset, uint64_t length, std::string* out) override {
    if (offset < served_.size()) out->append(served_, offset, length);
    return Status::ok();
  }

  // SearchMessage.
  uint32_t seq() const override { return seq_; }
  Result<std::string_view> header() override {
    ++header_calls;
    auto block = mime::parse_header_block(served_);
    if (!block.is_ok()) return block.status();
    return std::string_view(served_).substr(0, block->body_offset);
  }
  Result<std::string_view> message() override {
    ++message_calls;
    return std::string_view(served_);
  }

  int header_calls = 0;
  int message_calls = 0;
  int structure_calls = 0;

 private:
  uint32_t seq_;
  std::string body_;
  std::string served_;
  uint64_t prefix_size_ = 0;
  mailbox::MessageInfo info_;
  std::optional<mailbox::BodyStructure> structure_;
};

using Messages = std::vector<std::unique_ptr<MemoryMessage>>;

std::vector<std::string_view> split_messages(std::string_view rest) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < kMaxMessages) {
    size_t at = rest.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(rest);
  return parts;
}

void check_fetch(const FetchArgs& args, Messages& msgs, uint8_t mode) {
  std::vector<FetchItem> items = args.items;
  if (items.size() > kMaxFetchItems) items.resize(kMaxFetchItems);
  FetchOptions options;
  options.utf8 = (mode & 0x08) ? Utf8::kAllowed : Utf8::kRefused;
  options.imap4rev2 = (mode & 0x10) != 0;
  if (mode & 0x20) options.extra_flags = {"\\Recent"};
  for (auto& m : msgs) {
    std::string out;
    (void)append_fetch_items(items, *m, options, &out);
  }
  (void)fetch_sets_seen(items);
}

struct Selection {
  std::vector<SearchMessage*> selected;
  bool ok = true;  // no message failed to load
};

// Runs the program over every message, checking that it loads only what it says it needs.
Selection run_search(const SearchKey& key, Messages& msgs) {
  SearchContext ctx;
  ctx.messages = static_cast<uint32_t>(msgs.size());
  for (auto& m : msgs) ctx.highest_uid = std::max(ctx.highest_uid, m->uid());
  std::vector<uint32_t> saved = {msgs.front()->uid()};
  if (msgs.size() > 2) saved.push_back(msgs[2]->uid());
  ctx.saved = &saved;
  ctx.zone_minutes = 60;
  SearchProgram program(key, ctx);
  check(program.needs_header() == search_needs_header(key));
  check(program.needs_body() == search_needs_body(key));
  Selection sel;
  for (auto& m : msgs) {
    int headers = m->header_calls, bodies = m->message_calls, structures = m->structure_calls;
    auto match = program.matches(*m);
    if (!program.needs_header()) check(m->header_calls == headers);
    if (!program.needs_body()) {
      check(m->message_calls == bodies && m->structure_calls == structures);
    }
    if (!match.is_ok()) {
      sel.ok = false;
      continue;
    }
    if (*match) sel.selected.push_back(m.get());
  }
  return sel;
}

void check_sort(const SortArgs& args, Messages& msgs) {
  Selection sel = run_search(args.program, msgs);
  std::vector<std::pair<int, int>> before;
  for (auto& m : msgs) before.emplace_back(m->header_calls, m->message_calls + m->structure_calls);
  auto sorted = sort_messages(args.criteria, sel.selected);
  for (size_t i = 0; i < msgs.size(); ++i) {
    check(msgs[i]->header_calls - before[i].first <= 1);
    check(msgs[i]->message_calls + msgs[i]->structure_calls == before[i].second);
  }
  if (!sorted.is_ok()) return;
  std::vector<uint32_t> want;
  for (SearchMessage* m : sel.selected) want.push_back(m->seq());
  std::vector<uint32_t> got = *sorted;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  check(got == want);
}

void check_thread(const ThreadArgs& args, Messages& msgs, bool use_uid) {
  Selection sel = run_search(args.program, msgs);
  std::vector<int> bodies;
  for (auto& m : msgs) bodies.push_back(m->message_calls + m->structure_calls);
  auto threads = thread_messages(args.algorithm, sel.selected, use_uid);
  for (size_t i = 0; i < msgs.size(); ++i) {
    check(msgs[i]->message_calls + msgs[i]->structure_calls == bodies[i]);
  }
  if (!threads.is_ok()) return;
  // Only digits, spaces and balanced parentheses; each selected message exactly once.
  std::vector<uint32_t> got;
  int depth = 0;
  uint64_t number = 0;
  bool in_number = false;
  for (char c : *threads) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      check(number <= UINT32_MAX);
      in_number = true;
      continue;
    }
    if (in_number) got.push_back(static_cast<uint32_t>(number));
    number = 0;
    in_number = false;
    check(c == ' ' || c == '(' || c == ')');
    if (c == '(') ++depth;
    if (c == ')') check(--depth >= 0);
  }
  check(!in_number && depth == 0);
  std::vector<uint32_t> want;
  for (SearchMessage* m : sel.selected) want.push_back(use_uid ? m->info().uid : m->seq());
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  check(got == want);
}

void check_text(std::string_view text) {
  std::string folded = fold_case(text);
  check(folded.size() <= text.size());
  check(contains_folded(text, folded));
  check(contains_folded(text, ""));
  (void)casemap_key(text);
  (void)decoded_field_value(text);
  (void)base_subject(text);
}

constexpr std::string_view kSortCriteria[] = {
    "(ARRIVAL)",
    "(REVERSE DATE SUBJECT)",
    "(FROM TO CC REVERSE SIZE)",
    "(SUBJECT REVERSE ARRIVAL DATE)",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > kMaxInput) return 0;
  uint8_t mode = data[0];
  uint8_t layout = data[1];
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::string_view args = in;
  std::vector<std::string_view> bodies = {std::string_view()};
  if (size_t at = in.find(kSeparator); at != std::string_view::npos) {
    args = in.substr(0, at);
    bodies = split_messages(in.substr(at + kSeparator.size()));
  }

  Messages msgs;
  for (size_t i = 0; i < bodies.size(); ++i) {
    bool cached = (layout & (1u << i)) == 0;
    bool prefixed = (layout & (0x10u << i)) != 0;
    msgs.push_back(
        std::make_unique<MemoryMessage>(static_cast<uint32_t>(i + 1), bodies[i], cached, prefixed));
  }

  std::string line;
  switch (mode & 0x03) {
    case 0:
      line = "a UID FETCH 1:* ";
      break;
    case 1:
      line = "a SEARCH ";
      break;
    case 2:
      line = "a SORT " + std::string(kSortCriteria[mode >> 6]) + " UTF-8 ";
      break;
    default:
      line = (mode & 0x20) ? "a THREAD ORDEREDSUBJECT UTF-8 " : "a THREAD REFERENCES UTF-8 ";
      break;
  }
  line += args;
  auto cmd = parse_command(line);
  if (cmd.is_ok()) {
    if (auto* f = std::get_if<FetchArgs>(&cmd->args)) check_fetch(*f, msgs, mode);
    if (auto* s = std::get_if<SearchArgs>(&cmd->args)) (void)run_search(s->program, msgs);
    if (auto* s = std::get_if<SortArgs>(&cmd->args)) check_sort(*s, msgs);
    if (auto* t = std::get_if<ThreadArgs>(&cmd->args)) check_thread(*t, msgs, (mode & 0x04) != 0);
  }

  check_text(args);
  if (!bodies.front().empty()) check_text(bodies.front().substr(0, 1024));
  return 0;
}
