// The mailbox store's delivery: one body for many accounts, UIDs, quota refusals,
// byte-exact reading, durability across reopen, group commit and notifications.
#include "mailbox_fixture.h"

#include "mailbox/folders.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

namespace mf::test {
namespace {

using mailbox::Change;
using mailbox::Delivery;
using mailbox::DeliveryOutcome;

TEST_CASE("delivery to several accounts stores one body file and one record per account") {
  MailFixture f;
  auto out = f.deliver(MailFixture::kSample,
                       {MailFixture::to("alice", "Delivered-To: alice@example.org\r\n"),
                        MailFixture::to("bob", "Delivered-To: bob@example.org\r\n"),
                        MailFixture::to("carol", "Delivered-To: carol@example.org\r\n")});
  REQUIRE(out.size() == 3);
  for (const auto& o : out) MF_REQUIRE_OK(o);
  CHECK(f.body_files().size() == 1);
  for (const char* who : {"alice", "bob", "carol"}) {
    auto msgs = f.mail().list_messages(at(who), "INBOX");
    MF_REQUIRE_OK(msgs);
    REQUIRE(msgs->size() == 1);
    std::string prefix = fmt::format("Delivered-To: {}\r\n", at(who));
    CHECK((*msgs)[0].size == prefix.size() + std::string_view(MailFixture::kSample).size());
    auto folder = f.mail().folder_status(at(who), "inbox");
    MF_REQUIRE_OK(folder);
    CHECK(folder->messages == 1);
    CHECK(folder->unseen == 1);
  }
  CHECK(f.mail().stats().bodies_stored == 1);
  CHECK(f.mail().stats().deliveries == 3);
}

TEST_CASE("a message reads back byte-exact with its per-delivery prefix, whole and by range") {
  MailFixture f;
  std::string prefix = "Return-Path: <sender@example.net>\r\nDelivered-To: alice@example.org\r\n";
  auto out = f.deliver(MailFixture::kSample, {MailFixture::to("alice", prefix)});
  MF_REQUIRE_OK(out.at(0));
  auto reader = f.mail().open_message(at("alice"), "INBOX", out[0]->uid);
  MF_REQUIRE_OK(reader);
  std::string expected = prefix + MailFixture::kSample;
  auto all = reader->read_all();
  MF_REQUIRE_OK(all);
  CHECK(*all == expected);
  // A range across the prefix/body boundary, and one past the end.
  std::string part;
  MF_CHECK_OK(reader->read(prefix.size() - 5, 12, &part));
  CHECK(part == expected.substr(prefix.size() - 5, 12));
  std::string tail;
  MF_CHECK_OK(reader->read(expected.size() - 3, 100, &tail));
  CHECK(tail == expected.substr(expected.size() - 3));
}

TEST_CASE("a large body is written in chunks and read back exactly") {
  MailFixture f;
  std::string message = "Subject: big\r\n\r\n";
  for (int i = 0; i < 20000; ++i) message += fmt::format("line {} of a long message body\r\n", i);
  auto writer = f.mail().begin_body();
  MF_REQUIRE_OK(writer);
  for (size_t pos = 0; pos < message.size(); pos += 1000) {
    MF_REQUIRE_OK(writer->append(std::string_view(message).substr(pos, 1000)));
  }
  auto body = writer->finish();
  MF_REQUIRE_OK(body);
  auto delivered = f.mail().append(std::move(body).value(), MailFixture::to("bob"));
  MF_REQUIRE_OK(delivered);
  auto reader = f.mail().open_message(at("bob"), "INBOX", delivered->uid);
  MF_REQUIRE_OK(reader);
  CHECK(reader->size() == message.size());
  CHECK(*reader->read_all() == message);
}

TEST_CASE("UIDs strictly increase and survive reopening the data directory") {
  MailFixture f;
  uint32_t last = 0;
  uint32_t validity = 0;
  for (int i = 0; i < 5; ++i) {
    auto d = f.deliver_one("alice");
    CHECK(d.uid > last);
    last = d.uid;
    validity = d.uidvalidity;
  }
  // Expunging the newest must not let its UID come back.
  MF_REQUIRE_OK(
      f.mail().set_flags(at("alice"), "INBOX", {last}, mailbox::FlagOp::kAdd, mailbox::kDeleted));
  MF_REQUIRE_OK(f.mail().expunge(at("alice"), "INBOX"));
  f.reopen();
  auto d = f.deliver_one("alice");
  CHECK(d.uid == last + 1);
  CHECK(d.uidvalidity == validity);
  auto msgs = f.mail().list_messages(at("alice"), "INBOX");
  MF_REQUIRE_OK(msgs);
  CHECK(msgs->size() == 5);
}

TEST_CASE("an account over quota is refused while the other recipients get the message") {
  MailFixture f;
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), at("bob"), uint64_t{100}));
  auto out = f.deliver(MailFixture::kSample, {MailFixture::to("alice"), MailFixture::to("bob"),
                                              MailFixture::to("carol")});
  REQUIRE(out.size() == 3);
  MF_CHECK_OK(out[0]);
  MF_CHECK_CODE(out[1], Code::kResourceExhausted);
  CHECK(contains(out[1].status().message(), "mailbox full"));
  MF_CHECK_OK(out[2]);
  CHECK(f.mail().list_messages(at("bob"), "INBOX")->empty());
  CHECK(f.mail().quota_usage(at("bob"))->bytes == 0);
  // The domain default applies too, through the directory's rule.
  MF_REQUIRE_OK(f.dir().set_domain_default_quota(f.admin(), kMailDomain, uint64_t{150}));
  auto again =
      f.deliver(MailFixture::kSample, {MailFixture::to("alice"), MailFixture::to("carol")});
  MF_CHECK_CODE(again[0], Code::kResourceExhausted);  // alice holds one message already
  MF_CHECK_CODE(again[1], Code::kResourceExhausted);
}

TEST_CASE("quota usage counts prefix and body and follows delivery and expunge") {
  MailFixture f;
  std::string prefix = "Delivered-To: alice@example.org\r\n";
  auto out = f.deliver(MailFixture::kSample, {MailFixture::to("alice", prefix)});
  MF_REQUIRE_OK(out.at(0));
  auto usage = f.mail().quota_usage(at("alice"));
  MF_REQUIRE_OK(usage);
  CHECK(usage->bytes == prefix.size() + std::string_view(MailFixture::kSample).size());
  CHECK(usage->messages == 1);
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {out[0]->uid}, mailbox::FlagOp::kAdd,
                                   mailbox::kDeleted));
  MF_REQUIRE_OK(f.mail().expunge(at("alice"), "INBOX"));
  CHECK(f.mail().quota_usage(at("alice"))->bytes == 0);
  CHECK(f.mail().quota_usage(at("alice"))->messages == 0);
}

TEST_CASE("unknown, disabled and duplicate recipients get their own outcomes") {
  MailFixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), at("carol"), AccountState::kDisabled));
  Delivery archive = MailFixture::to("alice");
  archive.folder = "No Such Folder";
  auto out = f.deliver(MailFixture::kSample,
                       {MailFixture::to("alice"), MailFixture::to("nobody"),
                        MailFixture::to("carol"), MailFixture::to("alice"), archive});
  REQUIRE(out.size() == 5);
  MF_CHECK_OK(out[0]);
  MF_CHECK_CODE(out[1], Code::kNotFound);
  MF_CHECK_CODE(out[2], Code::kFailedPrecondition);
  MF_REQUIRE_OK(out[3]);
  CHECK(out[3]->uid == out[0]->uid);  // collapsed into the first
  MF_CHECK_CODE(out[4], Code::kNotFound);
  CHECK(f.mail().list_messages(at("alice"), "INBOX")->size() == 1);
}

TEST_CASE("a body nobody accepted is deleted") {
  MailFixture f;
  auto out = f.deliver(MailFixture::kSample, {MailFixture::to("nobody")});
  MF_CHECK_CODE(out.at(0), Code::kNotFound);
  MF_CHECK_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().empty());
}

TEST_CASE("orphan body files above the committed high-water mark are removed at reopen") {
  MailFixture f;
  auto d = f.deliver_one("alice");
  auto files = f.body_files();
  REQUIRE(files.size() == 1);
  const mailbox::BodyFiles& bodies = f.mail().files();
  // What a crash between the move into place and the commit leaves: files above the
  // mark, in the current shard and in a later one, plus a half-written tmp file.
  std::string orphan_same_shard = bodies.path_of(2);
  std::string orphan_new_shard = bodies.path_of(uint64_t{1} << 20);
  std::string tmp = bodies.tmp_dir() + "/999-1.tmp";
  ::mkdir(bodies.shard_dir(uint64_t{1} << 20).c_str(), 0700);
  for (const auto& p : {orphan_same_shard, orphan_new_shard, tmp}) std::ofstream(p) << "junk";
  f.reopen();
  CHECK(f.body_files() == files);
  CHECK(MailFixture::list(f.mail().files().tmp_dir()).empty());
  CHECK(f.mail().stats().orphans_removed == 2);
  auto reader = f.mail().open_message(at("alice"), "INBOX", d.uid);
  MF_REQUIRE_OK(reader);
  CHECK(*reader->read_all() == MailFixture::kSample);
}

TEST_CASE("while another process owns deliveries, a store opened meanwhile is a guest") {
  MailFixture f;
  auto d = f.deliver_one("alice");
  const mailbox::BodyFiles& bodies = f.mail().files();
  CHECK(f.mail().owns_deliveries());
  // Another process (the daemon) holding the lock, and a body it is placing right now.
  int other = ::open((bodies.root() + "/owner.lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(other >= 0);
  std::string in_flight = bodies.path_of(2);
  f.close();
  REQUIRE(::flock(other, LOCK_EX | LOCK_NB) == 0);
  std::ofstream(in_flight) << "being committed by the owner";
  f.reopen();
  CHECK_FALSE(f.mail().owns_deliveries());
  struct stat st;
  CHECK(::stat(in_flight.c_str(), &st) == 0);  // not taken for an orphan
  auto writer = f.mail().begin_body();
  CHECK(writer.status().code() == Code::kFailedPrecondition);
  // Reading works as usual.
  auto reader = f.mail().open_message(at("alice"), "INBOX", d.uid);
  MF_REQUIRE_OK(reader);
  CHECK(*reader->read_all() == MailFixture::kSample);
  ::close(other);
}

TEST_CASE("removing an account releases its messages and deletes bodies nobody else holds") {
  MailFixture f;
  f.deliver_one("alice");  // alice alone
  auto shared = f.deliver(MailFixture::kSample, {MailFixture::to("alice"), MailFixture::to("bob")});
  MF_REQUIRE_OK(shared.at(1));
  REQUIRE(f.body_files().size() == 2);
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), at("alice"), Removal::kForce));
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().size() == 1);  // bob's copy stays
  MF_CHECK_CODE(f.mail().list_folders(at("alice")), Code::kNotFound);
  auto reader = f.mail().open_message(at("bob"), "INBOX", shared[1]->uid);
  MF_REQUIRE_OK(reader);
  CHECK(*reader->read_all() == MailFixture::kSample);
  // Removing the domain takes bob's last message and its body.
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kMailDomain, Removal::kForce));
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().empty());
}

TEST_CASE(
    "concurrent deliveries from several threads are committed in batches, every callback fires") {
  MailFixture f;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, entered = false;
  std::atomic<int> done{0};
  // The first delivery's callback runs on the committer thread and blocks it, so every
  // delivery made meanwhile queues up and goes into the next batch.
  {
    auto writer = f.mail().begin_body();
    MF_REQUIRE_OK(writer);
    MF_REQUIRE_OK(writer->append(MailFixture::kSample));
    auto body = writer->finish();
    MF_REQUIRE_OK(body);
    f.mail().deliver(std::move(body).value(), {MailFixture::to("alice")},
                     [&](std::vector<DeliveryOutcome>) {
                       std::unique_lock lock(mu);
                       entered = true;
                       cv.notify_all();
                       cv.wait(lock, [&] { return release; });
                       ++done;
                     });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });  // its batch is committed; the committer waits
  }
  auto before = f.mail().stats();
  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> delivered{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto writer = f.mail().begin_body();
        if (!writer.is_ok()) continue;
        (void)writer->append(fmt::format("Subject: {} {}\r\n\r\nbody\r\n", t, i));
        auto body = writer->finish();
        if (!body.is_ok()) continue;
        f.mail().deliver(std::move(body).value(),
                         {MailFixture::to("bob"), MailFixture::to("carol")},
                         [&](std::vector<DeliveryOutcome> out) {
                           if (out.size() == 2 && out[0].is_ok() && out[1].is_ok()) ++delivered;
                           ++done;
                         });
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  for (int i = 0; i < 2000 && done.load() < kThreads * kPerThread + 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(done.load() == kThreads * kPerThread + 1);
  CHECK(delivered.load() == kThreads * kPerThread);
  auto after = f.mail().stats();
  // The 100 requests queued behind the blocked callback were prepared (synced) in batches
  // meanwhile, and the committer merges every prepared batch into one transaction: one
  // commit for all that was ready at the release, at most one for a batch the preparer
  // was syncing then, and one for the requests that queued behind that batch.
  CHECK(after.batches >= after.commits);
  CHECK(after.commits - before.commits <= 3);
  CHECK(after.requests - before.requests == kThreads * kPerThread);
  auto bob = f.mail().list_messages(at("bob"), "INBOX");
  MF_REQUIRE_OK(bob);
  CHECK(bob->size() == kThreads * kPerThread);
  for (size_t i = 1; i < bob->size(); ++i) CHECK((*bob)[i].uid > (*bob)[i - 1].uid);
}

TEST_CASE("a subscriber is told after the commit, and no more once unsubscribed") {
  MailFixture f;
  std::mutex mu;
  std::vector<Change> seen;
  uint32_t uid_seen_by_callback = 0;
  {
    auto sub = f.mail().subscribe(at("alice"), [&](const Change& c) {
      // After the commit: the message is visible from inside the callback.
      auto msgs = f.mail().list_messages(at("alice"), "INBOX");
      std::lock_guard lock(mu);
      seen.push_back(c);
      if (msgs.is_ok() && !msgs->empty()) uid_seen_by_callback = msgs->back().uid;
    });
    auto d = f.deliver_one("alice");
    f.deliver_one("bob");  // another account: not told
    MF_REQUIRE_OK(
        f.mail().set_flags(at("alice"), "INBOX", {d.uid}, mailbox::FlagOp::kAdd, mailbox::kSeen));
    std::lock_guard lock(mu);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].kind == Change::Kind::kAppended);
    CHECK(seen[0].folder == "INBOX");
    CHECK(uid_seen_by_callback == d.uid);
    CHECK(seen[1].kind == Change::Kind::kFlags);
    CHECK(seen[1].highest_modseq > seen[0].highest_modseq);
  }
  f.deliver_one("alice");
  std::lock_guard lock(mu);
  CHECK(seen.size() == 2);
}

}  // namespace
}  // namespace mf::test
