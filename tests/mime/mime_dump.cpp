// mime_dump FILE — prints the MIME parser's view of a message as one JSON object (the
// format in tests/mime/README.md), for the cross-check against Python's email package
// (tests/mime/crosscheck.py). A test tool, not part of the library.
#include "base/text.h"
#include "mime/address.h"
#include "mime/body.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/message_id.h"

#include <mbedtls/sha256.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

using nlohmann::json;
using namespace mf::mime;

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest, 0);
  std::string hex;
  static const char kDigits[] = "0123456789abcdef";
  for (unsigned char c : digest) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::string lf_only(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(text[i]);
  }
  return out;
}

json addresses(const Part& p, std::string_view field) {
  json list = json::array();
  for (const HeaderField* f : std::vector<const HeaderField*>{p.find(field)}) {
    if (f == nullptr) continue;
    for (const Mailbox& m : parse_address_list(f->value).mailboxes) {
      if (m.local.empty() && m.domain.empty()) continue;  // an empty group
      list.push_back({{"name", m.display_name}, {"address", m.addr_spec()}});
    }
  }
  return list;
}

json dump_message(const Message& msg, uint32_t index);

json dump_part(const Message& msg, uint32_t index) {
  const Part& p = msg.parts[index];
  json out;
  out["content_type"] = p.content_type.mime_type();
  const Parameter* charset = p.content_type.params.find("charset");
  out["charset"] = charset ? json(mf::ascii_lower(charset->value)) : json(nullptr);
  out["cte"] = p.encoding_name;
  std::string disposition = part_disposition(p);
  out["disposition"] = disposition.empty() ? json(nullptr) : json(disposition);
  std::string filename = part_filename(p);
  out["filename"] = filename.empty() ? json(nullptr) : json(filename);
  if (p.kind == PartKind::kMultipart) {
    json parts = json::array();
    for (uint32_t c : p.children) parts.push_back(dump_part(msg, c));
    out["parts"] = parts;
  } else if (p.kind == PartKind::kMessage) {
    out["message"] = dump_message(msg, p.children[0]);
  } else {
    out["sha256"] = sha256_hex(decode_body(msg, p).bytes);
    if (p.content_type.type == "text") {
      auto text = body_text(msg, p);
      out["text"] = text.is_ok() ? json(lf_only(text->text)) : json(nullptr);
    }
  }
  return out;
}

json dump_message(const Message& msg, uint32_t index) {
  const Part& p = msg.parts[index];
  json out;
  out["from"] = addresses(p, "From");
  out["to"] = addresses(p, "To");
  out["cc"] = addresses(p, "Cc");
  out["reply_to"] = addresses(p, "Reply-To");
  const HeaderField* subject = p.find("Subject");
  out["subject"] =
      subject ? json(decode_encoded_words(unfold(subject->value)).text) : json(nullptr);
  out["date"] = nullptr;
  if (const HeaderField* date = p.find("Date")) {
    auto dt = parse_date(date->value);
    if (dt.is_ok()) out["date"] = dt->unix_seconds;
  }
  out["message_id"] = nullptr;
  if (const HeaderField* id = p.find("Message-ID")) {
    MessageIdList ids = parse_message_ids(id->value);
    if (!ids.ids.empty()) out["message_id"] = ids.ids[0];
  }
  out["body"] = dump_part(msg, index);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mime_dump FILE\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "mime_dump: cannot read %s\n", argv[1]);
    return 1;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string bytes = buffer.str();
  auto msg = parse_message(bytes);
  if (!msg.is_ok()) {
    std::fprintf(stderr, "mime_dump: %s\n", msg.status().message().c_str());
    return 1;
  }
  std::cout << dump_message(*msg, 0).dump(1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}
