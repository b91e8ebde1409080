// Fuzz target: SRS reversal (mta/srs.h) must never crash on any address a bounce can carry;
// every failure says why; a reversal that succeeds gives an address that splits again; and
// any sender that forward() accepts and rewrites to SRS0 reverses to itself.
#include "mta/srs.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace mf::mta;

namespace {
constexpr int64_t kNow = 1700000000;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Srs srs = [] {
    SrsOptions options;
    options.secrets = {"fuzz secret", "older secret"};
    return Srs::create(options).value();
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto back = srs.reverse(in, kNow);
  if (!back.is_ok() && back.status().message().empty()) std::abort();
  if (back.is_ok() && back->find('@') == std::string::npos) std::abort();

  auto fwd = srs.forward(in, "relais.example", kNow);
  if (!fwd.is_ok()) {
    if (fwd.status().message().empty()) std::abort();
    return 0;
  }
  if (in.empty() != fwd->empty()) std::abort();
  if (!fwd->starts_with("SRS0=") && !fwd->starts_with("\"SRS0=")) return 0;
  auto again = srs.reverse(*fwd, kNow);
  if (!again.is_ok()) std::abort();
  // The original comes back in canonical form; forwarding that gives the same SRS address.
  auto fwd2 = srs.forward(*again, "relais.example", kNow);
  if (!fwd2.is_ok() || *fwd2 != *fwd) std::abort();
  return 0;
}
