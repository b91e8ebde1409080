// Helpers shared by the outbound queue's unit tests: an LMDB environment of its own (the
// queue's functions run inside a caller's transaction, so no Context is needed), body
// records to take references on, and running one queue operation in a write transaction.
#ifndef MF_TESTS_UNIT_QUEUE_FIXTURE_H
#define MF_TESTS_UNIT_QUEUE_FIXTURE_H

#include <doctest/doctest.h>

#include "mailbox/folders.h"
#include "mailbox/records.h"
#include "queue/queue_store.h"
#include "store/lmdb_env.h"
#include "test_support.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mf::test {

inline constexpr int64_t kQueueNow = 1767225600;  // 2026-01-01T00:00:00Z

class QueueFixture {
 public:
  QueueFixture() {
    auto env = store::LmdbEnv::open(dir_.path(), store::EnvOptions{}, [] { return kQueueNow; });
    REQUIRE_MESSAGE(env.is_ok(), env.status().to_string());
    env_ = std::move(env).value();
  }

  store::LmdbEnv& env() { return *env_; }

  // Runs fn (returning a Result<T>) in a write transaction; the test fails unless it
  // succeeds, and the value is returned.
  template <typename Fn>
  auto write(Fn fn) {
    using R = decltype(fn(std::declval<store::Txn&>()));
    std::optional<R> out;
    Status s = env_->write([&](store::Txn& txn) -> Status {
      out.emplace(fn(txn));
      return out->status();
    });
    REQUIRE_MESSAGE(s.is_ok(), s.to_string());
    return std::move(*out).value();
  }

  // The Status of fn (returning a Result or a Status) run in a write transaction, which
  // is committed only if it succeeded.
  template <typename Fn>
  Status try_write(Fn fn) {
    return env_->write([&](store::Txn& txn) -> Status { return ::mf::detail::to_status(fn(txn)); });
  }

  // verify_queue() must pass.
  void verify() {
    Status s = env_->read([](store::Txn& txn) { return queue::verify_queue(txn); });
    REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  }

  // A body record with `refs` references, as a local delivery leaves it.
  void put_body(uint64_t body_id, uint64_t refs) {
    Status s = env_->write([&](store::Txn& txn) {
      mailbox::BodyRecord body{refs, 1000, ""};
      return txn.put(store::Table::kMailBodies, mailbox::body_key(body_id), mailbox::encode(body));
    });
    REQUIRE(s.is_ok());
  }

  // The body's reference count, or nullopt when it has no record; `garbage` says whether
  // it is on the garbage list.
  std::optional<uint64_t> body_refs(uint64_t body_id, bool* garbage = nullptr) {
    std::optional<uint64_t> refs;
    Status s = env_->read([&](store::Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(auto raw, txn.get(store::Table::kMailBodies, mailbox::body_key(body_id)));
      if (raw) {
        mailbox::BodyRecord b;
        MF_RETURN_IF_ERROR(mailbox::decode(*raw, &b));
        refs = b.refcount;
      }
      if (garbage) {
        MF_ASSIGN_OR_RETURN(*garbage,
                            txn.contains(store::Table::kMailGarbage, mailbox::body_key(body_id)));
      }
      return Status::ok();
    });
    REQUIRE(s.is_ok());
    return refs;
  }

  template <typename Fn>
  auto read(Fn fn) {
    using R = decltype(fn(std::declval<store::Txn&>()));
    std::optional<R> out;
    Status s = env_->read([&](store::Txn& txn) -> Status {
      out.emplace(fn(txn));
      return out->status();
    });
    REQUIRE_MESSAGE(s.is_ok(), s.to_string());
    return std::move(*out).value();
  }

  static queue::NewMessage message(uint64_t body_id,
                                   queue::Priority p = queue::Priority::kInteractive,
                                   std::string sender = "jean@ma-societe.fr") {
    queue::NewMessage m;
    m.body_id = body_id;
    m.queue_id = "4F7K2M0001QZ";
    m.sender = std::move(sender);
    m.size = 1000;
    m.priority = p;
    m.origin_kind = queue::OriginKind::kAccount;
    m.origin = "jean@ma-societe.fr";
    return m;
  }

  static queue::NewRecipient rcpt(std::string address, uint8_t notify = queue::kNotifyUnset) {
    queue::NewRecipient r;
    r.domain = address.substr(address.find('@') + 1);
    r.address = std::move(address);
    r.notify = notify;
    return r;
  }

 private:
  TempDir dir_;
  std::unique_ptr<store::LmdbEnv> env_;
};

}  // namespace mf::test

#endif  // MF_TESTS_UNIT_QUEUE_FIXTURE_H
