// Helpers shared by the mailbox store's unit tests: a data directory with a domain and a
// few accounts, its Context's MailStore, and ways to deliver a message and wait.
#ifndef MF_TESTS_UNIT_MAILBOX_FIXTURE_H
#define MF_TESTS_UNIT_MAILBOX_FIXTURE_H

#include "directory_fixture.h"

#include "mailbox/mail_store.h"
#include "store/lmdb_env.h"
#include "store/schema.h"

#include <dirent.h>
#include <sys/stat.h>

#include <future>
#include <string>
#include <vector>

namespace mf::test {

inline constexpr const char* kMailDomain = "example.org";

// "alice" -> "alice@example.org".
inline std::string at(std::string_view local) {
  return std::string(local) + "@" + kMailDomain;
}

// A data directory with example.org and the accounts alice, bob and carol.
class MailFixture : public Fixture {
 public:
  MailFixture() : Fixture(Load::kEmpty) {
    MF_REQUIRE_OK(dir().add_domain(admin(), kMailDomain));
    for (const char* who : {"alice", "bob", "carol"}) {
      MF_REQUIRE_OK(dir().add_account(admin(), at(who), NewAccount{}));
    }
  }

  mailbox::MailStore& mail() { return mailbox::mail_store(ctx()); }

  // Makes the store look like an older one, then opens it again (which migrates it): the
  // Context is closed (one environment per directory and process), every entry of `table`
  // removed and schema `version` written.
  void rewind_schema(uint32_t version, store::Table table) {
    std::string data = data_path();
    close();
    {
      auto env =
          store::LmdbEnv::open(data + "/store", store::EnvOptions{}, [] { return kFakeNow; });
      MF_REQUIRE_OK(env);
      MF_REQUIRE_OK((*env)->write([&](store::Txn& txn) -> Status {
        std::vector<std::string> keys;
        MF_RETURN_IF_ERROR(txn.scan_prefix(table, "", [&](std::string_view k, std::string_view) {
          keys.emplace_back(k);
          return true;
        }));
        for (const auto& k : keys) MF_RETURN_IF_ERROR(txn.del(table, k).status());
        return store::write_schema_version(txn, version);
      }));
    }
    reopen();
  }

  static mailbox::Delivery to(std::string_view local, std::string prefix = {}) {
    mailbox::Delivery d;
    d.account = at(local);
    d.prefix = std::move(prefix);
    return d;
  }

  // Stages `message` and delivers it to `deliveries`; waits for the outcomes.
  std::vector<mailbox::DeliveryOutcome> deliver(std::string_view message,
                                                std::vector<mailbox::Delivery> deliveries) {
    auto writer = mail().begin_body();
    REQUIRE_MESSAGE(writer.is_ok(), writer.status().to_string());
    MF_REQUIRE_OK(writer->append(message));
    auto body = writer->finish();
    REQUIRE_MESSAGE(body.is_ok(), body.status().to_string());
    std::promise<std::vector<mailbox::DeliveryOutcome>> promise;
    auto future = promise.get_future();
    mail().deliver(
        std::move(body).value(), std::move(deliveries),
        [&promise](std::vector<mailbox::DeliveryOutcome> o) { promise.set_value(std::move(o)); });
    return future.get();
  }

  // Delivers `message` to one account; the test fails unless it is delivered.
  mailbox::Delivered deliver_one(std::string_view local, std::string_view message = kSample) {
    auto out = deliver(message, {to(local)});
    REQUIRE(out.size() == 1);
    REQUIRE_MESSAGE(out[0].is_ok(), out[0].status().to_string());
    return *out[0];
  }

  // Every file below DATA_DIR/messages/ outside tmp/.
  std::vector<std::string> body_files() {
    std::vector<std::string> out;
    std::string root = data_path() + "/messages";
    for (const auto& shard : list(root)) {
      if (shard == "tmp") continue;
      for (const auto& f : list(root + "/" + shard)) out.push_back(shard + "/" + f);
    }
    return out;
  }

  static std::vector<std::string> list(const std::string& path) {
    std::vector<std::string> names;
    DIR* d = ::opendir(path.c_str());
    if (!d) return names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  static constexpr const char* kSample =
      "From: Sender <sender@example.net>\r\n"
      "To: alice@example.org\r\n"
      "Subject: Hello\r\n"
      "Message-ID: <1@example.net>\r\n"
      "\r\n"
      "Hello, world.\r\n";
};

}  // namespace mf::test

#endif  // MF_TESTS_UNIT_MAILBOX_FIXTURE_H
