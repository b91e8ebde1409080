// queue_fill — a test tool (not part of the product): fills the outbound queue of a data
// directory with synthetic messages, for the `mfctl queue` integration tests and for the
// benchmark "RSS with one million queued recipients".
//
//   queue_fill --data DIR --messages N --recipients R --domain D [--domain D2 ...]
//              [--deferred] [--bulk] [--batch B]
//   queue_fill --data DIR --check
//
// --check runs the queue's consistency checker (queue::verify_queue, a full scan) and
// prints "queue consistent", or the first disagreement and exits 1: the tests run it after
// the daemon stopped, to see that their mfctl commands left the queue's tables consistent.
//
// Message i has R recipients user<i>-<j>@D (the domains taken in turn). Each batch of
// messages (B, default: as many as make about 5,000 recipients) is one body file and one
// LMDB transaction: the body goes through the MailStore's own path (begin_body, then
// deliver with an in-commit step that enqueues every message of the batch on that body),
// so the body's mail_bodies record exists before enqueue takes its references, and
// verify_queue stays clean. With --deferred every recipient is then deferred once (a
// synthetic 451 reply), so it waits for its next attempt, as after a failed delivery.
//
// The body's header has From, To, Subject, Date and Message-ID; its body holds the line
// "QUEUE-FILL-BODY-MARKER", which `mfctl queue show` must never print.
//
// It must own deliveries: run it while mailfountaind is stopped (body ids are given by the
// one process that owns deliveries; a second writer of body files would collide with the
// daemon's). LMDB itself would allow it to run alongside the daemon.
//
// Prints one JSON line: {"messages": N, "recipients": N*R, "first_id": ..., "last_id": ...}.
#include <mailfountain/context.h>

#include "mailbox/mail_store.h"
#include "model/context_env.h"
#include "mta/queue_id.h"
#include "queue/queue_store.h"

#include <fmt/format.h>

#include <sys/random.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <future>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view kBodyMarker = "QUEUE-FILL-BODY-MARKER";
constexpr uint64_t kRecipientsPerTransaction = 5000;

struct Args {
  std::string data;
  uint64_t messages = 0;
  uint64_t recipients = 0;
  std::vector<std::string> domains;
  bool deferred = false;
  bool bulk = false;
  bool check = false;
  uint64_t batch = 0;
};

int usage(const std::string& message) {
  std::fprintf(stderr,
               "queue_fill: %s\nusage: queue_fill --data DIR --messages N --recipients R "
               "--domain D [--domain D2 ...] [--deferred] [--bulk] [--batch B]\n"
               "       queue_fill --data DIR --check\n",
               message.c_str());
  return 2;
}

bool parse_count(const char* text, uint64_t* out) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) return false;
  *out = v;
  return true;
}

std::string body_text(uint64_t first_message, const std::string& domain, int64_t now) {
  char date[64];
  std::tm tm{};
  time_t t = static_cast<time_t>(now);
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return fmt::format(
      "From: Queue Fill <sender@queue-fill.test>\r\n"
      "To: Recipients <user{}-0@{}>\r\n"
      "Subject: queue_fill message batch {}\r\n"
      "Date: {}\r\n"
      "Message-ID: <queue-fill-{}-{}@queue-fill.test>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "This message was made by queue_fill for a test.\r\n"
      "{}\r\n",
      first_message, domain, first_message, date, now, first_message, kBodyMarker);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--deferred") {
      args.deferred = true;
    } else if (a == "--check") {
      args.check = true;
    } else if (a == "--bulk") {
      args.bulk = true;
    } else if (a == "--data" || a == "--domain" || a == "--messages" || a == "--recipients" ||
               a == "--batch") {
      const char* v = value();
      if (v == nullptr) return usage(fmt::format("{} needs a value", a));
      if (a == "--data") {
        args.data = v;
      } else if (a == "--domain") {
        args.domains.emplace_back(v);
      } else if (!parse_count(v, a == "--messages"     ? &args.messages
                                 : a == "--recipients" ? &args.recipients
                                                       : &args.batch)) {
        return usage(fmt::format("{} takes a positive number, not '{}'", a, v));
      }
    } else {
      return usage(fmt::format("unknown argument '{}'", a));
    }
  }
  if (args.check && !args.data.empty()) {
    auto context = mf::Context::open(args.data);
    if (!context.is_ok()) return usage(context.status().to_string());
    mf::Status s = mf::context_env(**context).read(
        [](mf::store::Txn& txn) { return mf::queue::verify_queue(txn); });
    if (!s.is_ok()) {
      std::fprintf(stderr, "queue_fill: %s\n", s.to_string().c_str());
      return 1;
    }
    std::printf("queue consistent\n");
    return 0;
  }
  if (args.data.empty() || args.messages == 0 || args.recipients == 0 || args.domains.empty()) {
    return usage("--data, --messages, --recipients and --domain are required");
  }
  if (args.batch == 0)
    args.batch = std::max<uint64_t>(1, kRecipientsPerTransaction / args.recipients);

  auto context = mf::Context::open(args.data);
  if (!context.is_ok()) return usage(context.status().to_string());
  mf::mailbox::MailStore& store = mf::mailbox::mail_store(**context);
  if (!store.owns_deliveries()) {
    std::fprintf(stderr,
                 "queue_fill: another process (mailfountaind?) owns deliveries on %s: stop it "
                 "first\n",
                 args.data.c_str());
    return 1;
  }

  uint64_t salt = 0;
  if (getrandom(&salt, sizeof salt, 0) != static_cast<ssize_t>(sizeof salt)) salt = 42;
  mf::mta::QueueIdGenerator ids(salt);
  const mf::queue::RetryPolicy policy;
  uint64_t first_id = 0;
  uint64_t last_id = 0;

  for (uint64_t done = 0; done < args.messages;) {
    uint64_t count = std::min(args.batch, args.messages - done);
    auto now = static_cast<int64_t>(std::time(nullptr));
    // Queue IDs and envelopes outside the transaction, which may run more than once.
    std::vector<mf::queue::NewMessage> messages(count);
    std::vector<std::vector<mf::queue::NewRecipient>> recipients(count);
    std::string text = body_text(done, args.domains[0], now);
    for (uint64_t k = 0; k < count; ++k) {
      mf::queue::NewMessage& m = messages[k];
      m.queue_id = ids.next(now);
      m.sender = "sender@queue-fill.test";
      m.size = text.size();
      m.priority = args.bulk ? mf::queue::Priority::kBulk : mf::queue::Priority::kInteractive;
      m.origin_kind = mf::queue::OriginKind::kInternal;
      m.origin = "queue_fill";
      for (uint64_t j = 0; j < args.recipients; ++j) {
        mf::queue::NewRecipient r;
        r.domain = args.domains[j % args.domains.size()];
        r.address = fmt::format("user{}-{}@{}", done + k, j, r.domain);
        recipients[k].push_back(std::move(r));
      }
    }

    auto writer = store.begin_body();
    if (!writer.is_ok()) return usage(writer.status().to_string());
    if (mf::Status s = writer->append(text); !s.is_ok()) return usage(s.to_string());
    auto staged = writer->finish();
    if (!staged.is_ok()) return usage(staged.status().to_string());

    std::vector<uint64_t> batch_ids;
    std::promise<mf::Status> committed;
    store.deliver(
        std::move(*staged), {},
        [&](mf::store::Txn& txn, uint64_t body_id) -> mf::Status {
          batch_ids.clear();  // the step may run again after a map resize
          for (uint64_t k = 0; k < count; ++k) {
            mf::queue::NewMessage m = messages[k];
            m.body_id = body_id;
            MF_ASSIGN_OR_RETURN(uint64_t id,
                                mf::queue::enqueue(txn, m, recipients[k], now, policy));
            batch_ids.push_back(id);
            if (!args.deferred) continue;
            for (uint32_t j = 0; j < recipients[k].size(); ++j) {
              MF_RETURN_IF_ERROR(mf::queue::deferred(txn, mf::queue::EntryRef{id, j},
                                                     "451 4.7.1 queue_fill: synthetic deferral",
                                                     now, policy)
                                     .status());
            }
          }
          return mf::Status::ok();
        },
        [&](mf::Status status, std::vector<mf::mailbox::DeliveryOutcome>) {
          committed.set_value(std::move(status));
        });
    mf::Status status = committed.get_future().get();
    if (!status.is_ok()) {
      std::fprintf(stderr, "queue_fill: %s\n", status.to_string().c_str());
      return 1;
    }
    if (first_id == 0) first_id = batch_ids.front();
    last_id = batch_ids.back();
    done += count;
  }
  std::printf("{\"messages\": %llu, \"recipients\": %llu, \"first_id\": %llu, \"last_id\": %llu}\n",
              static_cast<unsigned long long>(args.messages),
              static_cast<unsigned long long>(args.messages * args.recipients),
              static_cast<unsigned long long>(first_id), static_cast<unsigned long long>(last_id));
  return 0;
}
