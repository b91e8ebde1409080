// model/password.cpp — yescrypt through libxcrypt's crypt_rn (see password.h).
#include "model/password.h"

#include "base/text.h"

#include <crypt.h>
#include <fmt/format.h>

#include <memory>

namespace mf {

namespace {

// The "$y$<params>$" prefix of a yescrypt setting or hash, or "" if it is not one.
std::string params_of(std::string_view setting) {
  if (setting.substr(0, 3) != "$y$") return {};
  size_t end = setting.find('$', 3);
  if (end == std::string_view::npos) return {};
  return std::string(setting.substr(0, end + 1));
}

Result<std::string> new_setting(unsigned cost) {
  char buf[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null random source makes libxcrypt read the system's random generator.
  if (crypt_gensalt_rn("$y$", cost, nullptr, 0, buf, sizeof buf) == nullptr || buf[0] == '*') {
    return internal_error(fmt::format("cannot make a yescrypt salt with cost {}", cost));
  }
  return std::string(buf);
}

// crypt_rn with heap scratch space (struct crypt_data is about 32 KiB).
Result<std::string> run_crypt(std::string_view password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::string pw(password);
  char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  std::string result = out && out[0] != '*' ? std::string(out) : std::string();
  // Scrub the copy of the password and the scratch space.
  volatile char* p = pw.data();
  for (size_t i = 0; i < pw.size(); ++i) p[i] = 0;
  if (result.empty()) return invalid_argument("the password could not be hashed");
  return result;
}

}  // namespace

Result<PasswordHasher> PasswordHasher::create(unsigned cost) {
  if (cost < 1 || cost > 11) {
    return invalid_argument(fmt::format("password cost {} is out of range 1..11", cost));
  }
  MF_ASSIGN_OR_RETURN(std::string setting, new_setting(cost));
  std::string params = params_of(setting);
  if (params.empty()) return internal_error("libxcrypt made a setting that is not yescrypt");
  return PasswordHasher(cost, std::move(params));
}

const std::string& PasswordHasher::dummy_hash() const {
  std::call_once(dummy_->once, [this] {
    auto setting = new_setting(cost_);
    if (!setting) return;
    auto hash = run_crypt("mailfountain-dummy-password", *setting);
    if (hash) dummy_->hash = std::move(hash).value();
  });
  return dummy_->hash;
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  MF_ASSIGN_OR_RETURN(std::string setting, new_setting(cost_));
  return run_crypt(password, setting);
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored) const {
  if (stored.empty() || params_of(stored).empty()) {
    dummy_verify(password);
    return false;
  }
  auto computed = run_crypt(password, std::string(stored));
  if (!computed) return false;
  return constant_time_equals(*computed, stored);
}

bool PasswordHasher::needs_rehash(std::string_view stored) const {
  return params_of(stored) != params_;
}

void PasswordHasher::dummy_verify(std::string_view password) const {
  const std::string& dummy = dummy_hash();
  if (dummy.empty()) return;
  auto computed = run_crypt(password, dummy);
  (void)computed;
}

}  // namespace mf
