#include "test_support.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace mf::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/mf-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Options test_options() {
  Options o;
  o.password_cost = 1;
  o.auth_workers = 2;
  return o;
}

std::unique_ptr<Context> make_context(const std::string& dir, Options options) {
  Status s = Context::init(dir, kAdminName, kAdminPassword, options);
  REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  auto ctx = Context::open(dir, options);
  REQUIRE_MESSAGE(ctx.is_ok(), ctx.status().to_string());
  return std::move(ctx).value();
}

void load_demo(Context& ctx) {
  Directory& d = ctx.directory();
  Principal admin = ctx.local_administrator("unit-test");
  auto ok = [](const Status& s) { REQUIRE_MESSAGE(s.is_ok(), s.to_string()); };
  ok(d.add_domain(admin, "ma-societe.fr"));
  ok(d.add_account(admin, "jean.martin@ma-societe.fr", {"Jean Martin", "jean-pw-123", {}}));
  ok(d.add_account(admin, "sophie.bernard@ma-societe.fr", {"Sophie Bernard", "sophie-pw-123", {}}));
  ok(d.add_account(admin, "luc.petit@ma-societe.fr", {"Luc Petit", "luc-pw-123", {}}));
  ok(d.add_account(admin, "emma.durand@ma-societe.fr", {"Emma Durand", "emma-pw-123", {}}));
  ok(d.grant_manager(admin, "jean.martin@ma-societe.fr", "ma-societe.fr"));
  ok(d.add_alias(admin, "direction@ma-societe.fr", "jean.martin@ma-societe.fr"));
  ok(d.add_alias(admin, "accueil@ma-societe.fr", "sophie.bernard@ma-societe.fr"));
  ok(d.add_alias(admin, "compta@ma-societe.fr", "sophie.bernard@ma-societe.fr"));
  ok(d.add_alias(admin, "commercial@ma-societe.fr", "emma.durand@ma-societe.fr"));
  ok(d.add_redirection(admin, "support@ma-societe.fr",
                       {"luc.petit@ma-societe.fr", "emma.durand@ma-societe.fr"},
                       SendAs::kMembersMaySend));
  ok(d.add_redirection(admin, "contact@ma-societe.fr",
                       {"jean.martin@ma-societe.fr", "sophie.bernard@ma-societe.fr"},
                       SendAs::kMembersMaySend));
}

}  // namespace mf::test
