// imap/store_message.cpp — a stored message loaded lazily for FETCH and SEARCH.
#include "imap/store_message.h"

namespace mf::imap {

Status StoreMessage::open() {
  if (reader_) return Status::ok();
  Result<mailbox::MessageReader> r = store_.open_message(account_, folder_, info_.uid);
  if (!r.is_ok()) return r.status();
  reader_.emplace(std::move(*r));
  return Status::ok();
}

uint64_t StoreMessage::prefix_size() const {
  // Known from the listing: FLAGS and ENVELOPE open no file.
  return info_.prefix_size;
}

Status StoreMessage::read(uint64_t offset, uint64_t length, std::string* out) {
  MF_RETURN_IF_ERROR(open());
  if (offset >= reader_->size()) return Status::ok();
  return reader_->read(offset, length, out);
}

Result<const mailbox::BodyStructure*> StoreMessage::structure() {
  if (!structure_loaded_) {
    structure_loaded_ = true;
    Result<mailbox::BodyStructure> s = store_.structure(account_, folder_, info_.uid);
    if (s.is_ok())
      structure_ = std::move(*s);
    else
      structure_status_ = s.status();
  }
  if (!structure_status_.is_ok()) return structure_status_;
  return &structure_;
}

Result<std::string_view> StoreMessage::message() {
  if (!bytes_loaded_) {
    MF_RETURN_IF_ERROR(open());
    Result<std::string> all = reader_->read_all();
    if (!all.is_ok()) return all.status();
    bytes_ = std::move(*all);
    bytes_loaded_ = true;
  }
  return std::string_view(bytes_);
}

Result<std::string_view> StoreMessage::header() {
  if (bytes_loaded_) {
    size_t end = bytes_.find("\r\n\r\n");
    return std::string_view(bytes_).substr(0, end == std::string::npos ? bytes_.size() : end + 4);
  }
  if (!header_loaded_) {
    MF_RETURN_IF_ERROR(open());
    // The top header ends where the cached structure says; without one, at the first
    // empty line of the first 256 KiB (a longer header is searched as far as that).
    uint64_t end = 0;
    Result<const mailbox::BodyStructure*> s = structure();
    if (s.is_ok() && !(*s)->parts.empty())
      end = reader_->prefix_size() + (*s)->parts[0].body_offset;
    else
      end = std::min<uint64_t>(reader_->size(), 256 * 1024);
    std::string h;
    MF_RETURN_IF_ERROR(reader_->read(0, end, &h));
    if (!(s.is_ok() && !(*s)->parts.empty())) {
      size_t blank = h.find("\r\n\r\n");
      if (blank != std::string::npos) h.resize(blank + 4);
    }
    header_ = std::move(h);
    header_loaded_ = true;
  }
  return std::string_view(header_);
}

}  // namespace mf::imap
