// The delivery engine's store side (outbound/job.h) and its DSN pass
// (outbound/report_pass.h), over a real data directory: queued through the mailbox
// store's InCommit hook, loaded as jobs, results recorded, DSNs stored.
#include <doctest/doctest.h>

#include "mailbox_fixture.h"
#include "model/context_env.h"
#include "mta/queue_id.h"
#include "outbound/job.h"
#include "outbound/report_pass.h"

#include <future>

namespace mf::test {
namespace {

constexpr int64_t kNow = 1767225600;

const char* kMessage =
    "From: alice@example.org\r\nTo: bob@remote.example\r\nSubject: Hello\r\n"
    "Message-ID: <m1@example.org>\r\n\r\nBody line.\r\n";

struct OutboundFixture : MailFixture {
  store::LmdbEnv& env() { return context_env(ctx()); }

  // Stores kMessage for the local accounts `locals` and queues it for `remote`, from
  // `sender`, in one commit; returns the commit's status.
  Status submit(std::vector<std::string> locals, std::vector<std::string> remote,
                std::string sender = "alice@example.org") {
    auto writer = mail().begin_body();
    REQUIRE(writer.is_ok());
    MF_REQUIRE_OK(writer->append(kMessage));
    auto body = writer->finish();
    REQUIRE(body.is_ok());
    std::vector<mailbox::Delivery> deliveries;
    for (auto& l : locals) deliveries.push_back(to(l));
    queue::NewMessage m;
    m.queue_id = "1TESTQUEUEID";
    m.sender = sender;
    m.size = std::string_view(kMessage).size();
    std::vector<queue::NewRecipient> rcpts;
    for (auto& r : remote) {
      queue::NewRecipient nr;
      nr.address = r;
      nr.domain = r.substr(r.find('@') + 1);
      rcpts.push_back(nr);
    }
    std::promise<Status> done;
    auto future = done.get_future();
    mail().deliver(
        std::move(body).value(), std::move(deliveries),
        [&](store::Txn& txn, uint64_t body_id) -> Status {
          m.body_id = body_id;
          return queue::enqueue(txn, m, rcpts, kNow).status();
        },
        [&](Status s, std::vector<mailbox::DeliveryOutcome>) { done.set_value(s); });
    return future.get();
  }

  queue::Counts counts() {
    queue::Counts c;
    MF_REQUIRE_OK(env().read([&](store::Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(c, queue::counts(txn));
      return Status::ok();
    }));
    return c;
  }

  outbound::LoadResult load(std::set<std::pair<uint64_t, uint32_t>> skip = {}, int64_t now = kNow) {
    dkim::DkimKeyStore keys(data_path());
    outbound::LoadRequest req;
    req.now = now;
    req.skip = std::move(skip);
    auto r = outbound::load_jobs(env(), mail(), keys, req);
    MF_REQUIRE_OK(r.status);
    return r;
  }
};

TEST_CASE_FIXTURE(OutboundFixture,
                  "a message queued only for remote recipients keeps its body and is loaded "
                  "as one job per destination") {
  MF_REQUIRE_OK(submit({}, {"bob@remote.example", "eve@remote.example", "x@other.example"}));
  CHECK(counts().messages == 1);
  CHECK(counts().active == 3);
  CHECK(body_files().size() == 1);
  auto loaded = load();
  REQUIRE(loaded.jobs.size() == 2);
  std::map<std::string, size_t> per;
  for (auto& j : loaded.jobs) per[j.domain] = j.recipients.size();
  CHECK(per["remote.example"] == 2);
  CHECK(per["other.example"] == 1);
  // In-flight recipients are skipped.
  std::set<std::pair<uint64_t, uint32_t>> skip;
  for (auto& j : loaded.jobs)
    for (auto& [i, r] : j.recipients) skip.insert({j.message_id, i});
  CHECK(load(skip).jobs.empty());
}

TEST_CASE_FIXTURE(OutboundFixture, "the message a job sends is the stored body, byte for byte") {
  MF_REQUIRE_OK(submit({"bob"}, {"bob@remote.example"}));
  auto loaded = load();
  REQUIRE(loaded.jobs.size() == 1);
  dkim::DkimKeyStore keys(data_path());
  auto m = outbound::make_message(mail(), keys, loaded.jobs[0], 7);
  REQUIRE(m.is_ok());
  CHECK(m->tag == 7);
  CHECK(m->envelope.mail_from == "alice@example.org");
  REQUIRE(m->envelope.recipients.size() == 1);
  std::string bytes;
  for (;;) {
    auto n = m->body->read(bytes, 5);
    REQUIRE(n.is_ok());
    if (*n == 0) break;
  }
  CHECK(bytes == kMessage);
}

TEST_CASE_FIXTURE(OutboundFixture,
                  "recorded outcomes change the queue and give Postfix-style lines; a bounce "
                  "becomes a DSN in the sender's inbox") {
  MF_REQUIRE_OK(submit({}, {"bob@remote.example", "eve@remote.example", "zoe@remote.example"}));
  auto loaded = load();
  REQUIRE(loaded.jobs.size() == 1);
  const outbound::Job& job = loaded.jobs[0];
  smtp::RecipientResult ok{"bob@remote.example", smtp::Delivery::kDelivered,
                           smtp::Reply{250, "2.0.0", "Ok"}, smtp::Stage::kDataEnd, true};
  smtp::RecipientResult later{"eve@remote.example", smtp::Delivery::kDeferred,
                              smtp::Reply{450, "4.2.0", "Busy"}, smtp::Stage::kRcpt, true};
  smtp::RecipientResult no{"zoe@remote.example", smtp::Delivery::kBounced,
                           smtp::Reply{550, "5.1.1", "No such user"}, smtp::Stage::kRcpt, true};
  std::vector<outbound::RecipientOutcome> outcomes{
      outbound::outcome_of(job, 0, ok, "mx.remote.example[192.0.2.1]:25"),
      outbound::outcome_of(job, 1, later, "mx.remote.example[192.0.2.1]:25"),
      outbound::outcome_of(job, 2, no, "mx.remote.example[192.0.2.1]:25")};
  auto events = outbound::record_outcomes(env(), outcomes, kNow + 3, queue::RetryPolicy{});
  REQUIRE(events.size() == 3);
  CHECK(events[0].line ==
        "1TESTQUEUEID: to=<bob@remote.example>, relay=mx.remote.example[192.0.2.1]:25, "
        "delay=3, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
  CHECK(events[1].event.kind == DeliveryEvent::Kind::kDeferred);
  CHECK(events[1].line.find("status=deferred (450 4.2.0 Busy), next attempt in 300s") !=
        std::string::npos);
  CHECK(events[2].event.kind == DeliveryEvent::Kind::kBounced);
  CHECK(counts().deferred == 1);
  CHECK(counts().report == 1);
  // The same outcome again finds the recipient finished: skipped, nothing recorded.
  CHECK(outbound::record_outcomes(env(), {outcomes[0]}, kNow + 4, {}).empty());

  mta::QueueIdGenerator ids(1);
  outbound::ReportContext rc{env(), mail(), ctx().directory(), "mx.example.org", ids};
  auto pass = outbound::run_report_pass(rc, 10, kNow + 5);
  CHECK(pass.reports == 1);
  CHECK_FALSE(pass.queued);  // alice is local: the DSN went to her inbox
  REQUIRE(!pass.lines.empty());
  CHECK(pass.lines[0].second.find("sender non-delivery notification") != std::string::npos);
  CHECK(counts().report == 0);
  auto inbox = mail().list_messages(at("alice"), "INBOX");
  REQUIRE(inbox.is_ok());
  REQUIRE(inbox->size() == 1);
  auto reader = mail().open_message(at("alice"), "INBOX", (*inbox)[0].uid);
  REQUIRE(reader.is_ok());
  auto text = reader->read_all();
  REQUIRE(text.is_ok());
  CHECK(text->find("Return-Path: <>\r\n") == 0);
  CHECK(text->find("multipart/report; report-type=delivery-status") != std::string::npos);
  CHECK(text->find("Final-Recipient: rfc822; zoe@remote.example") != std::string::npos);
  CHECK(text->find("Diagnostic-Code: smtp; 550 5.1.1 No such user") != std::string::npos);
  // Nothing pending: a second pass does nothing.
  CHECK(outbound::run_report_pass(rc, 10, kNow + 6).reports == 0);
}

TEST_CASE_FIXTURE(OutboundFixture, "a DSN for a remote sender is queued with the null sender") {
  MF_REQUIRE_OK(submit({}, {"zoe@remote.example"}, "someone@far.example"));
  auto loaded = load();
  REQUIRE(loaded.jobs.size() == 1);
  auto o = outbound::failed_outcome(loaded.jobs[0], 0, true, "550 5.1.10 null MX", "none", "");
  CHECK(o.dsn == "5.1.10");
  REQUIRE(outbound::record_outcomes(env(), {o}, kNow, {}).size() == 1);
  mta::QueueIdGenerator ids(1);
  outbound::ReportContext rc{env(), mail(), ctx().directory(), "mx.example.org", ids};
  auto pass = outbound::run_report_pass(rc, 10, kNow + 1);
  CHECK(pass.queued);
  auto again = load({}, kNow + 1);
  REQUIRE(again.jobs.size() == 1);
  CHECK(again.jobs[0].domain == "far.example");
  CHECK(again.jobs[0].message.sender.empty());
  CHECK(again.jobs[0].message.priority == queue::Priority::kBounce);
  // When that DSN fails too, there is no DSN about it.
  auto o2 = outbound::failed_outcome(again.jobs[0], 0, true, "550 5.1.1 gone", "none", "");
  REQUIRE(outbound::record_outcomes(env(), {o2}, kNow + 2, {}).size() == 1);
  auto pass2 = outbound::run_report_pass(rc, 10, kNow + 3);
  CHECK_FALSE(pass2.queued);
  CHECK(counts().messages == 0);
}

TEST_CASE("relay_host settings parse and bad ones are refused") {
  auto a = outbound::parse_relay_host("smtp.provider.example:587");
  REQUIRE(a.is_ok());
  CHECK(a->host == "smtp.provider.example");
  CHECK(a->port == 587);
  auto b = outbound::parse_relay_host("[192.0.2.1]");
  REQUIRE(b.is_ok());
  CHECK(b->host == "[192.0.2.1]");
  CHECK(b->port == 25);
  CHECK_FALSE(outbound::parse_relay_host("[192.0.2.1").is_ok());
  CHECK_FALSE(outbound::parse_relay_host("host:0").is_ok());
  CHECK_FALSE(outbound::parse_relay_host("host:99999").is_ok());
  CHECK_FALSE(outbound::parse_relay_host(":25").is_ok());
}

}  // namespace
}  // namespace mf::test
