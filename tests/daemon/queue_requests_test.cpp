// Tests of the control socket's queue request parser (queue_requests.h): what each verb
// accepts, and that everything else is refused naming the offending word.
#include "queue_requests.h"

#include <doctest/doctest.h>

#include <string>

namespace mailfountaind {
namespace {

QueueRequest parsed(const std::string& line) {
  auto r = parse_queue_request(line);
  INFO(line, ": ", r.status().to_string());
  REQUIRE(r.is_ok());
  return *r;
}

// The refusal's message, which must be kInvalidArgument.
std::string refusal(const std::string& line) {
  auto r = parse_queue_request(line);
  INFO(line);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == mf::Code::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("queue list takes its options in any order, with defaults") {
  QueueRequest plain = parsed("queue list");
  CHECK(plain.verb == QueueVerb::kList);
  CHECK(plain.domain.empty());
  CHECK(plain.after == 0);
  CHECK(plain.limit == kDefaultQueueListLimit);
  CHECK(plain.recipients == kDefaultQueueListRecipients);

  QueueRequest full = parsed("queue list --limit 5 --domain example.net --after 42 --recipients 0");
  CHECK(full.domain == "example.net");
  CHECK(full.after == 42);
  CHECK(full.limit == 5);
  CHECK(full.recipients == 0);
  // Runs of spaces separate words like one space.
  CHECK(parsed("queue  list   --limit  7").limit == 7);
}

TEST_CASE("queue list refuses unknown options, missing values and numbers out of range") {
  CHECK(refusal("queue list --bogus 1").find("unknown option '--bogus'") != std::string::npos);
  CHECK(refusal("queue list extra").find("unknown option 'extra'") != std::string::npos);
  CHECK(refusal("queue list --domain").find("--domain needs a value") != std::string::npos);
  CHECK(refusal("queue list --limit 0").find("--limit takes a number from 1 to 1000, not '0'") !=
        std::string::npos);
  CHECK(refusal("queue list --limit 1001").find("not '1001'") != std::string::npos);
  CHECK(refusal("queue list --limit 12x").find("not '12x'") != std::string::npos);
  CHECK(refusal("queue list --after -1").find("--after") != std::string::npos);
  CHECK(refusal("queue list --recipients 1001").find("--recipients") != std::string::npos);
}

TEST_CASE("the verbs on one message take exactly one ID") {
  CHECK(parsed("queue show 4F7K2M0001QZ").verb == QueueVerb::kShow);
  CHECK(parsed("queue show 4F7K2M0001QZ").id == "4F7K2M0001QZ");
  CHECK(parsed("queue hold 12").verb == QueueVerb::kHold);
  CHECK(parsed("queue release 12").verb == QueueVerb::kRelease);
  CHECK(parsed("queue delete 12").verb == QueueVerb::kDelete);
  CHECK(parsed("queue delete 12").id == "12");
  for (const char* verb : {"show", "hold", "release", "delete"}) {
    CHECK(refusal(std::string("queue ") + verb).find("the message's ID is missing") !=
          std::string::npos);
    CHECK(refusal(std::string("queue ") + verb + " 1 2").find("unexpected argument '2'") !=
          std::string::npos);
    CHECK(refusal(std::string("queue ") + verb + " --all").find("unknown option '--all'") !=
          std::string::npos);
  }
}

TEST_CASE("queue flush takes an optional ID, queue counts none") {
  QueueRequest all = parsed("queue flush");
  CHECK(all.verb == QueueVerb::kFlush);
  CHECK(all.id.empty());
  CHECK(parsed("queue flush 7").id == "7");
  CHECK(refusal("queue flush 7 8").find("unexpected argument '8'") != std::string::npos);
  CHECK(parsed("queue counts").verb == QueueVerb::kCounts);
  CHECK(refusal("queue counts x").find("unexpected argument 'x'") != std::string::npos);
}

TEST_CASE("an unknown queue verb is refused naming it, and control bytes are not echoed") {
  CHECK(refusal("queue purge").find("unknown verb 'purge'") != std::string::npos);
  CHECK(refusal("queue").find("no verb") != std::string::npos);
  CHECK(refusal("queue p\x1bx").find("unknown verb 'p?x'") != std::string::npos);
  CHECK(refusal("status").find("not a queue request") != std::string::npos);
}

TEST_CASE("only lines whose first word is queue are queue requests") {
  CHECK(is_queue_request("queue list"));
  CHECK(is_queue_request("  queue"));
  CHECK_FALSE(is_queue_request("queues"));
  CHECK_FALSE(is_queue_request("status"));
  CHECK_FALSE(is_queue_request(""));
}

}  // namespace
}  // namespace mailfountaind
