// Fuzz target: domain and address validation (model/names.h) must never crash, and what
// they accept must be stable: normalising an accepted name again gives the same name.
#include "model/names.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto domain = mf::normalize_domain(in);
  if (domain.is_ok()) {
    auto again = mf::normalize_domain(*domain);
    if (!again.is_ok() || *again != *domain) std::abort();
    (void)mf::domain_to_unicode(*domain);
  }
  auto address = mf::parse_address(in);
  if (address.is_ok()) {
    auto again = mf::parse_address(address->display());
    if (!again.is_ok() || again->key() != address->key()) std::abort();
  }
  (void)mf::validate_admin_name(in);
  return 0;
}
