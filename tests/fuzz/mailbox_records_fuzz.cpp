// Fuzz target: decoding the mailbox store's records (mailbox/records.h) and its cached body
// structure (mailbox/structure.h) must never crash on arbitrary bytes, and what decodes
// must encode back to bytes that decode to the same values.
#include "mailbox/records.h"
#include "mailbox/structure.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

template <typename Record>
void round_trip(std::string_view in) {
  Record r;
  if (!mf::mailbox::decode(in, &r).is_ok()) return;
  Record again;
  if (!mf::mailbox::decode(mf::mailbox::encode(r), &again).is_ok()) std::abort();
  if (mf::mailbox::encode(again) != mf::mailbox::encode(r)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  round_trip<mf::mailbox::FolderRecord>(in);
  round_trip<mf::mailbox::MessageRecord>(in);
  round_trip<mf::mailbox::BodyRecord>(in);
  round_trip<mf::mailbox::QuotaUsage>(in);
  mf::mailbox::BodyStructure s;
  if (mf::mailbox::decode_structure(in, &s).is_ok()) {
    mf::mailbox::BodyStructure again;
    if (!mf::mailbox::decode_structure(mf::mailbox::encode_structure(s), &again).is_ok() ||
        !(again == s)) {
      std::abort();
    }
  }
  uint64_t folder = 0, modseq = 0;
  uint32_t uid = 0;
  (void)mf::mailbox::parse_modseq_key(in, &folder, &modseq, &uid);
  return 0;
}
