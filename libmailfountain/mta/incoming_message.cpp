// mta/incoming_message.cpp — holding, checking and completing a message's header.
#include "mta/incoming_message.h"

#include "mime/address.h"
#include "mime/header.h"
#include "mime/header_format.h"
#include "mime/message_id.h"

#include <fmt/format.h>

namespace mf::mta {

namespace {

// Where the header ends in `held` (just after the blank line), looking from `from`;
// npos while it has not ended. A message may start with its blank line (no header).
size_t header_end(std::string_view held, size_t from) {
  if (held.starts_with("\r\n")) return 2;
  if (held.starts_with("\n")) return 1;
  for (size_t i = held.find('\n', from); i != std::string_view::npos; i = held.find('\n', i + 1)) {
    std::string_view rest = held.substr(i + 1);
    if (rest.starts_with("\r\n")) return i + 3;
    if (rest.starts_with("\n")) return i + 2;
  }
  return std::string_view::npos;
}

}  // namespace

IncomingMessage::IncomingMessage(IncomingOptions options, std::string trace, WriteFn write)
    : options_(std::move(options)), trace_(std::move(trace)), write_(std::move(write)) {}

Status IncomingMessage::write(std::string_view bytes) {
  if (!failed_.is_ok()) return failed_;
  Status s = write_(bytes);
  if (!s.is_ok()) failed_ = s;
  written_ += bytes.size();
  return s;
}

Status IncomingMessage::append(std::string_view bytes) {
  if (!failed_.is_ok()) return failed_;
  if (!in_header_) return too_large_ ? Status() : write(bytes);
  // Look for the blank line from a little before the new bytes: it may straddle appends.
  size_t from = held_.size() >= 3 ? held_.size() - 3 : 0;
  held_.append(bytes);
  size_t end = header_end(held_, from);
  if (end != std::string::npos && end <= options_.max_header_bytes) return release_header(end);
  if (held_.size() > options_.max_header_bytes) {
    // The message will be refused at its end: stop holding and writing.
    too_large_ = true;
    in_header_ = false;
    held_.clear();
    held_.shrink_to_fit();
  }
  return Status();
}

Status IncomingMessage::finish() {
  if (in_header_) return release_header(held_.size());
  return failed_;
}

Status IncomingMessage::release_header(size_t end) {
  in_header_ = false;
  std::string_view header(held_.data(), end);
  mime::HeaderLimits limits;
  limits.max_bytes = options_.max_header_bytes + 2;
  limits.max_fields = options_.max_header_bytes;  // bounded by the bytes already
  auto block = mime::parse_header_block(header, limits);
  std::string added;
  if (block.is_ok()) {
    received_ = static_cast<uint32_t>(block->find_all("Received").size());
    for (const mime::HeaderField* f : block->find_all("From")) {
      for (const mime::Mailbox& m : mime::parse_address_list(f->value).mailboxes)
        if (!m.local.empty()) from_.push_back(m.addr_spec());
    }
    if (const mime::HeaderField* id = block->find("Message-ID")) {
      auto ids = mime::parse_message_ids(id->value);
      if (!ids.ids.empty()) message_id_ = ids.ids.front();
    }
    if (options_.complete_header) {
      if (!block->find("Date")) {
        added += mime::format_date_field(options_.now);
        added_date_ = true;
      }
      if (!block->find("Message-ID") && !options_.message_id.empty()) {
        auto field = mime::format_message_id_field("Message-ID", {options_.message_id},
                                                   mime::HeaderCharset::kAscii);
        if (field.is_ok()) {
          added += *field;
          added_message_id_ = true;
          message_id_ = options_.message_id;
        }
      }
    }
  }
  // The trace first, then what was added, then the client's header and what followed it.
  MF_RETURN_IF_ERROR(write(trace_));
  if (!added.empty()) MF_RETURN_IF_ERROR(write(added));
  MF_RETURN_IF_ERROR(write(held_));
  held_.clear();
  held_.shrink_to_fit();
  return Status();
}

}  // namespace mf::mta
