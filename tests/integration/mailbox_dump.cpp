// mailbox_dump — a test tool (not part of the product: the administrator never reads
// mail): prints the messages of one account's folders as JSON, for the SMTP integration
// tests to check what was delivered.
//
//   mailbox_dump DATA_DIR ACCOUNT
//   {"INBOX": [{"uid": 1, "size": 321, "flags": 0, "text": "Return-Path: ..."}], "Sent": []}
#include <mailfountain/context.h>

#include "mailbox/mail_store.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: mailbox_dump DATA_DIR ACCOUNT\n";
    return 2;
  }
  auto ctx = mf::Context::open(argv[1]);
  if (!ctx.is_ok()) {
    std::cerr << "mailbox_dump: " << ctx.status().to_string() << "\n";
    return 1;
  }
  mf::mailbox::MailStore& store = mf::mailbox::mail_store(**ctx);
  auto folders = store.list_folders(argv[2]);
  if (!folders.is_ok()) {
    std::cerr << "mailbox_dump: " << folders.status().to_string() << "\n";
    return 1;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& folder : *folders) {
    nlohmann::json list = nlohmann::json::array();
    auto messages = store.list_messages(argv[2], folder.name);
    if (!messages.is_ok()) {
      std::cerr << "mailbox_dump: " << messages.status().to_string() << "\n";
      return 1;
    }
    for (const auto& m : *messages) {
      auto reader = store.open_message(argv[2], folder.name, m.uid);
      if (!reader.is_ok()) {
        std::cerr << "mailbox_dump: " << reader.status().to_string() << "\n";
        return 1;
      }
      auto text = reader->read_all();
      if (!text.is_ok()) {
        std::cerr << "mailbox_dump: " << text.status().to_string() << "\n";
        return 1;
      }
      // Bytes as Latin-1 code points, so that any message survives JSON.
      std::string latin;
      for (unsigned char c : *text) {
        if (c < 0x80) {
          latin += static_cast<char>(c);
        } else {
          latin += static_cast<char>(0xC0 | (c >> 6));
          latin += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
      list.push_back({{"uid", m.uid}, {"size", m.size}, {"flags", m.flags}, {"text", latin}});
    }
    out[folder.name] = list;
  }
  std::cout << out.dump() << "\n";
  return 0;
}
