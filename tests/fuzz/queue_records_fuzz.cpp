// Fuzz target: decoding the outbound queue's records and keys (queue/records.h) must never
// crash on arbitrary bytes, and what decodes must encode back to bytes that decode to
// the same values.
#include "queue/records.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

template <typename Record>
void round_trip(std::string_view in) {
  Record r;
  if (!mf::queue::decode(in, &r).is_ok()) return;
  Record again;
  if (!mf::queue::decode(mf::queue::encode(r), &again).is_ok()) std::abort();
  if (mf::queue::encode(again) != mf::queue::encode(r)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mf::queue;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  round_trip<MessageRecord>(in);
  round_trip<RecipientRecord>(in);
  round_trip<Counts>(in);

  // Keys: what parses must be rebuilt into the same bytes.
  uint64_t id = 0;
  uint32_t index = 0;
  if (parse_recipient_key(in, &id, &index) && recipient_key(id, index) != in) std::abort();
  Priority p;
  int64_t next = 0;
  if (parse_due_key(in, &p, &next, &id, &index) && due_key(p, next, id, index) != in) {
    std::abort();
  }
  std::string domain;
  if (parse_domain_key(in, &domain, &id, &index) && domain_key(domain, id, index) != in) {
    std::abort();
  }
  RcptState state;
  if (parse_domain_value(in, &state, &next) && domain_value(state, next) != in) std::abort();
  return 0;
}
