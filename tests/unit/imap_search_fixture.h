// An in-memory imap::SearchMessage for the SEARCH, SORT and THREAD tests: the message as
// the store serves it (a per-delivery prefix, then the body file's bytes), its structure
// made as delivery makes it, and counters showing what a search loaded.
#ifndef MF_TESTS_UNIT_IMAP_SEARCH_FIXTURE_H
#define MF_TESTS_UNIT_IMAP_SEARCH_FIXTURE_H

#include "imap/search_eval.h"
#include "mailbox/structure.h"
#include "mime/header.h"
#include "mime/message.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mf::imap::testing {

class MemoryMessage : public SearchMessage {
 public:
  // `body` is the body file (header and body of the message as delivered); `prefix` the
  // per-delivery header lines served before it. With `cache_structure` false the message
  // behaves as one the store could not parse at delivery (structure() is kNotFound).
  MemoryMessage(uint32_t seq, std::string body, mailbox::MessageInfo info = {},
                std::string prefix = "", bool cache_structure = true)
      : seq_(seq), info_(std::move(info)), bytes_(prefix + body) {
    if (info_.uid == 0) info_.uid = seq * 10;
    if (info_.size == 0) info_.size = bytes_.size();
    if (cache_structure) {
      body_ = body;
      auto parsed = mime::parse_message(body_);
      if (parsed.is_ok()) structure_ = mailbox::make_structure(*parsed);
    }
  }

  uint32_t seq() const override { return seq_; }
  const mailbox::MessageInfo& info() const override { return info_; }
  Result<std::string_view> header() override {
    ++header_calls;
    if (fail) return io_error("cannot read the message");
    auto block = mime::parse_header_block(bytes_);
    if (!block.is_ok()) return block.status();
    return std::string_view(bytes_).substr(0, block->body_offset);
  }
  Result<std::string_view> message() override {
    ++message_calls;
    if (fail) return io_error("cannot read the message");
    return std::string_view(bytes_);
  }
  Result<const mailbox::BodyStructure*> structure() override {
    if (!structure_) return not_found("no structure cached");
    return &*structure_;
  }

  int header_calls = 0;
  int message_calls = 0;
  bool fail = false;  // header() and message() fail with kIOError

 private:
  uint32_t seq_;
  mailbox::MessageInfo info_;
  std::string bytes_;
  std::string body_;
  std::optional<mailbox::BodyStructure> structure_;
};

}  // namespace mf::imap::testing

#endif  // MF_TESTS_UNIT_IMAP_SEARCH_FIXTURE_H
