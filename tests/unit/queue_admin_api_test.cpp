// Tests of the queue's public administration (mailfountain/queue_admin.h) on a real
// Context: messages queued through the MailStore's own path (a body, then an in-commit
// step that enqueues on it), as the SMTP server queues them.
#include <doctest/doctest.h>

#include <mailfountain/queue_admin.h>

#include "mailbox/mail_store.h"
#include "model/context_env.h"
#include "queue/queue_store.h"
#include "test_support.h"

#include <future>
#include <string>
#include <vector>

namespace mf::test {
namespace {

constexpr std::string_view kMarker = "BODY-MARKER-NEVER-SHOWN";

// Queues `text` for `recipients` (addresses) with `queue_id`; with `deferred`, every
// recipient is then deferred once (due in 5 minutes). Returns the message id.
uint64_t queue_message(Context& ctx, const std::string& text,
                       const std::vector<std::string>& recipients, const std::string& queue_id,
                       bool deferred = false) {
  mailbox::MailStore& store = mailbox::mail_store(ctx);
  auto writer = store.begin_body();
  REQUIRE(writer.is_ok());
  REQUIRE(writer->append(text).is_ok());
  auto staged = writer->finish();
  REQUIRE(staged.is_ok());
  uint64_t id = 0;
  std::promise<Status> committed;
  store.deliver(
      std::move(*staged), {},
      [&](store::Txn& txn, uint64_t body_id) -> Status {
        queue::NewMessage m;
        m.body_id = body_id;
        m.queue_id = queue_id;
        m.sender = "jean@ma-societe.fr";
        m.size = text.size();
        std::vector<queue::NewRecipient> rcpts;
        for (const auto& a : recipients) {
          queue::NewRecipient r;
          r.address = a;
          r.domain = a.substr(a.find('@') + 1);
          rcpts.push_back(r);
        }
        MF_ASSIGN_OR_RETURN(id, queue::enqueue(txn, m, rcpts, txn.now()));
        for (uint32_t i = 0; deferred && i < rcpts.size(); ++i) {
          MF_RETURN_IF_ERROR(
              queue::deferred(txn, queue::EntryRef{id, i}, "451 4.7.1 later", txn.now()).status());
        }
        return Status::ok();
      },
      [&](Status s, std::vector<mailbox::DeliveryOutcome>) { committed.set_value(std::move(s)); });
  Status s = committed.get_future().get();
  REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  return id;
}

void check_consistent(Context& ctx) {
  Status s = context_env(ctx).read([](store::Txn& txn) { return queue::verify_queue(txn); });
  CHECK_MESSAGE(s.is_ok(), s.to_string());
}

std::string simple_message() {
  return "From: Jean <jean@ma-societe.fr>\r\n"
         "To: bob@example.net\r\n"
         "Subject: a long\r\n"
         " folded\tsubject\r\n"
         "Message-ID: <1@ma-societe.fr>\r\n"
         "\r\n" +
         std::string(kMarker) + "\r\nSubject: not a header, a body line\r\n";
}

TEST_CASE("queue_read_header gives the unfolded header fields and never the body") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  uint64_t id = queue_message(*ctx, simple_message(), {"bob@example.net"}, "4F7K2M0001QZ");
  auto header = queue_read_header(*ctx, id);
  REQUIRE(header.is_ok());
  CHECK_FALSE(header->truncated);
  REQUIRE(header->fields.size() == 4);
  CHECK(header->fields[0] ==
        std::pair<std::string, std::string>{"From", "Jean <jean@ma-societe.fr>"});
  CHECK(header->fields[2] ==
        std::pair<std::string, std::string>{"Subject", "a long folded\tsubject"});
  CHECK(header->fields[3].first == "Message-ID");
  for (const auto& [name, value] : header->fields) {
    CHECK(value.find(kMarker) == std::string::npos);
  }
}

TEST_CASE("queue_read_header ends the header at a bare LF blank line and past a read chunk") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  // The blank line is split across the first two 4 KiB reads: "\n" at byte 4095 ends the
  // last field, "\n" at byte 4096 is the empty line.
  std::string long_value(4096 - 11 - 8 - 1, 'x');
  std::string text = "Subject: s\nX-Long: " + long_value + "\n\n" + std::string(kMarker) + "\n";
  REQUIRE(text.substr(4095, 2) == "\n\n");
  uint64_t id = queue_message(*ctx, text, {"bob@example.net"}, "4F7K2M0002QZ");
  auto header = queue_read_header(*ctx, id);
  REQUIRE(header.is_ok());
  REQUIRE(header->fields.size() == 2);
  CHECK(header->fields[0] == std::pair<std::string, std::string>{"Subject", "s"});
  CHECK(header->fields[1].second == long_value);
}

TEST_CASE("queue_read_header stops at its byte limit and keeps only whole fields") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  std::string text;
  for (int i = 0; i < 100; ++i) text += "X-Field-" + std::to_string(i) + ": some value\r\n";
  text += "\r\n" + std::string(kMarker) + "\r\n";
  uint64_t id = queue_message(*ctx, text, {"bob@example.net"}, "4F7K2M0003QZ");
  auto header = queue_read_header(*ctx, id, 100);
  REQUIRE(header.is_ok());
  CHECK(header->truncated);
  // 100 bytes hold four 23-byte lines whole; the fifth is cut and dropped.
  REQUIRE(header->fields.size() == 4);
  CHECK(header->fields[3] == std::pair<std::string, std::string>{"X-Field-3", "some value"});
}

TEST_CASE("queue_find takes a message id or a queue ID, and names what it did not find") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  uint64_t first = queue_message(*ctx, simple_message(), {"a@x.test"}, "4F7K2M0001QZ");
  uint64_t second = queue_message(*ctx, simple_message(), {"b@x.test"}, "4F7K2M0002QZ");
  CHECK(*queue_find(*ctx, std::to_string(second)) == second);
  CHECK(*queue_find(*ctx, "4F7K2M0001QZ") == first);
  CHECK(*queue_find(*ctx, "4F7K2M0002QZ") == second);

  auto unknown = queue_find(*ctx, "999");
  CHECK(unknown.status().code() == Code::kNotFound);
  CHECK(unknown.status().message() == "no queued message with id 999");
  auto unknown_qid = queue_find(*ctx, "ZZZZZZZZZZZZ");
  CHECK(unknown_qid.status().code() == Code::kNotFound);
  CHECK(unknown_qid.status().message() == "no queued message with queue ID ZZZZZZZZZZZZ");
  for (const char* bad : {"", "0", "abc", "12x", "4f7k2m0001qz", "-1"}) {
    INFO(bad);
    CHECK(queue_find(*ctx, bad).status().code() == Code::kInvalidArgument);
  }
  CHECK(queue_hold(*ctx, 999).status().message() == "no queued message with id 999");
  CHECK(queue_show(*ctx, 999).status().code() == Code::kNotFound);
  CHECK(queue_read_header(*ctx, 999).status().code() == Code::kNotFound);
}

TEST_CASE("queue_list pages by id, filters by destination and bounds the recipients listed") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  for (int i = 0; i < 3; ++i) {
    queue_message(*ctx, simple_message(), {"a@x.test", "b@y.test", "c@x.test"},
                  "4F7K2M000" + std::to_string(i) + "QZ");
  }
  QueueListQuery q;
  q.limit = 2;
  q.recipients = 2;
  auto page = queue_list(*ctx, q);
  REQUIRE(page.is_ok());
  REQUIRE(page->messages.size() == 2);
  CHECK(page->more);
  CHECK(page->next_after == 2);
  CHECK(page->messages[0].recipients.size() == 2);
  CHECK(page->messages[0].more_recipients);
  CHECK(page->messages[0].counts.recipients() == 3);
  CHECK(page->messages[0].counts.active == 3);

  q.after = page->next_after;
  auto last = queue_list(*ctx, q);
  REQUIRE(last.is_ok());
  REQUIRE(last->messages.size() == 1);
  CHECK(last->messages[0].id == 3);
  CHECK_FALSE(last->more);

  QueueListQuery y;
  y.domain = "y.test";
  auto only_y = queue_list(*ctx, y);
  REQUIRE(only_y.is_ok());
  REQUIRE(only_y->messages.size() == 3);
  for (const auto& m : only_y->messages) {
    REQUIRE(m.recipients.size() == 1);
    CHECK(m.recipients[0].address == "b@y.test");
    CHECK_FALSE(m.more_recipients);
  }
  QueueListQuery bad;
  bad.limit = 0;
  CHECK(queue_list(*ctx, bad).status().code() == Code::kInvalidArgument);
}

TEST_CASE("hold, release, flush and delete change the queue and keep it consistent") {
  TempDir dir;
  auto ctx = make_context(dir.path());
  uint64_t a = queue_message(*ctx, simple_message(), {"a@x.test", "b@y.test"}, "4F7K2M0001QZ",
                             /*deferred=*/true);
  uint64_t b = queue_message(*ctx, simple_message(), {"c@x.test"}, "4F7K2M0002QZ", true);

  CHECK(*queue_hold(*ctx, a) == 2);
  CHECK(queue_show(*ctx, a)->counts.held == 2);
  CHECK(queue_counts(*ctx)->held == 2);
  check_consistent(*ctx);
  // Held recipients are not flushed; the other message's are.
  CHECK(*queue_flush(*ctx, 1) == 1);
  CHECK(*queue_flush_message(*ctx, a) == 0);
  check_consistent(*ctx);

  CHECK(*queue_release(*ctx, a) == 2);
  auto released = queue_show(*ctx, a);
  REQUIRE(released.is_ok());
  CHECK(released->counts.deferred == 2);
  CHECK(released->recipients[0].state == "deferred");
  CHECK(released->recipients[0].attempts == 1);
  CHECK(released->recipients[0].last_reply == "451 4.7.1 later");
  int64_t later = released->recipients[0].next_attempt;
  CHECK(*queue_flush_message(*ctx, a) == 2);
  CHECK(queue_show(*ctx, a)->recipients[0].next_attempt < later);
  check_consistent(*ctx);

  CHECK(*queue_delete(*ctx, b) == 1);
  CHECK(queue_find(*ctx, "4F7K2M0002QZ").status().code() == Code::kNotFound);
  auto counts = queue_counts(*ctx);
  REQUIRE(counts.is_ok());
  CHECK(counts->messages == 1);
  CHECK(counts->recipients() == 2);
  auto domains = queue_domain_counts(*ctx);
  REQUIRE(domains.is_ok());
  REQUIRE(domains->size() == 2);
  CHECK((*domains)[0].first == "x.test");
  CHECK((*domains)[0].second.deferred == 1);
  check_consistent(*ctx);
}

}  // namespace
}  // namespace mf::test
