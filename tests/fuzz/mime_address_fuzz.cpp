// Fuzz target: the address-list parser (mime/address.h) must never crash, every error
// must point into the input, and every parsed mailbox must survive a second trip: its
// addr_spec() parses back to the same local part and domain.
#include "mime/address.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (auto words : {mf::mime::EncodedWords::kDecode, mf::mime::EncodedWords::kKeep}) {
    auto list = mf::mime::parse_address_list(in, words);
    for (const auto& e : list.errors) {
      if (e.offset > in.size() || e.reason.empty() ||
          in.substr(e.offset, e.text.size()) != e.text) {
        std::abort();
      }
    }
    for (const auto& m : list.mailboxes) {
      if (m.local.empty() != m.domain.empty()) std::abort();
      if (m.local.empty()) {
        if (m.group.empty()) std::abort();  // only an empty group has no address
        continue;
      }
      auto again = mf::mime::parse_address_list(m.addr_spec(), words);
      if (again.mailboxes.size() != 1 || !again.errors.empty()) std::abort();
      if (again.mailboxes[0].local != m.local || again.mailboxes[0].domain != m.domain)
        std::abort();
    }
  }
  return 0;
}
