// Unit tests of SORT and THREAD (imap/sort_thread.h) and of RFC 5256's base subject
// (imap/search_text.h).
#include <doctest/doctest.h>

#include "imap/search_text.h"
#include "imap/sort_thread.h"
#include "imap_search_fixture.h"

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

using namespace mf;
using namespace mf::imap;
using mf::imap::testing::MemoryMessage;

namespace {

// A message's fields, set by name: Spec().subject("x").date("...").
struct Spec {
  std::string subject_;
  std::string date_;  // a Date field value; "" for none
  std::string message_id_, references_, in_reply_to_;
  std::string from_, to_, cc_;
  int64_t arrival_ = 0;
  uint64_t size_ = 0;

  Spec& subject(std::string v) { return set(subject_, std::move(v)); }
  Spec& date(std::string v) { return set(date_, std::move(v)); }
  Spec& message_id(std::string v) { return set(message_id_, std::move(v)); }
  Spec& references(std::string v) { return set(references_, std::move(v)); }
  Spec& in_reply_to(std::string v) { return set(in_reply_to_, std::move(v)); }
  Spec& from(std::string v) { return set(from_, std::move(v)); }
  Spec& to(std::string v) { return set(to_, std::move(v)); }
  Spec& cc(std::string v) { return set(cc_, std::move(v)); }
  Spec& arrival(int64_t v) {
    arrival_ = v;
    return *this;
  }
  Spec& size(uint64_t v) {
    size_ = v;
    return *this;
  }

 private:
  Spec& set(std::string& field, std::string v) {
    field = std::move(v);
    return *this;
  }
};

// A mailbox built from specs; sequence numbers are positions (from 1) unless given.
class TestMailbox {
 public:
  MemoryMessage& add(const Spec& s, uint32_t seq = 0) {
    std::string h;
    if (!s.from_.empty()) h += "From: " + s.from_ + "\r\n";
    if (!s.to_.empty()) h += "To: " + s.to_ + "\r\n";
    if (!s.cc_.empty()) h += "Cc: " + s.cc_ + "\r\n";
    h += "Subject: " + s.subject_ + "\r\n";
    if (!s.date_.empty()) h += "Date: " + s.date_ + "\r\n";
    if (!s.message_id_.empty()) h += "Message-ID: " + s.message_id_ + "\r\n";
    if (!s.references_.empty()) h += "References: " + s.references_ + "\r\n";
    if (!s.in_reply_to_.empty()) h += "In-Reply-To: " + s.in_reply_to_ + "\r\n";
    mailbox::MessageInfo info;
    info.internal_date = s.arrival_;
    info.size = s.size_;
    if (seq == 0) seq = static_cast<uint32_t>(msgs_.size() + 1);
    info.uid = seq + 100;
    msgs_.emplace_back(seq, h + "\r\nbody\r\n", info);
    return msgs_.back();
  }

  std::vector<SearchMessage*> pointers() {
    std::vector<SearchMessage*> out;
    for (MemoryMessage& m : msgs_) out.push_back(&m);
    return out;
  }

  std::vector<uint32_t> sort(std::vector<SortCriterion> criteria) {
    auto ptrs = pointers();
    auto r = sort_messages(criteria, ptrs);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    return *r;
  }

  std::string thread(ThreadArgs::Algorithm algorithm, bool use_uid = false) {
    auto ptrs = pointers();
    auto r = thread_messages(algorithm, ptrs, use_uid);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    return *r;
  }

 private:
  std::deque<MemoryMessage> msgs_;  // stable addresses
};

SortCriterion by(SortCriterion::Key key, bool reverse = false) {
  SortCriterion c;
  c.key = key;
  c.reverse = reverse;
  return c;
}

// "Mon, 2 Nov 2026 10:00:00 +0000" plus `minutes`.
std::string date_at(int minutes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2 Nov 2026 %02d:%02d:00 +0000", 8 + minutes / 60, minutes % 60);
  return buf;
}

using Algorithm = ThreadArgs::Algorithm;
using Key = SortCriterion::Key;

}  // namespace

TEST_CASE("IMAP base subject strips reply and forward marks as RFC 5256 section 2.1 says") {
  struct Case {
    const char* raw;
    const char* base;
    bool reply;
  };
  const Case cases[] = {
      {"Hello", "Hello", false},
      {"Re: Hello", "Hello", true},
      {"RE: re: Fwd:  Hello  ", "Hello", true},
      {"Fw: Hello", "Hello", true},
      {"FWD:Hello", "Hello", true},
      {"Re[2]: Hello", "Hello", true},
      {"Re [list]: Hello", "Hello", true},
      {"[list] Re: Hello", "Hello", true},
      {"[list] [other] Hello", "Hello", false},
      {"[list]", "[list]", false},
      {"[list]   ", "[list]", false},
      {"Hello (fwd)", "Hello", true},
      {"Hello (FWD) (fwd) ", "Hello", true},
      {"[fwd: Hello]", "Hello", true},
      {"Re: [Fwd: Re: Hello (fwd)]", "Hello", true},
      {"[Fwd: [list] Re: Hello]", "Hello", true},
      {"Reply: Hello", "Reply: Hello", false},
      {"Hello\t\t  world", "Hello world", false},
      {"=?UTF-8?Q?Re:_R=C3=A9sum=C3=A9?=", "R\xC3\xA9sum\xC3\xA9", true},
      {"=?ISO-8859-1?Q?Re=3A_=E9t=E9?=", "\xC3\xA9t\xC3\xA9", true},
      {"Hello\r\n world", "Hello world", false},
      {"", "", false},
      {"Re:", "", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    BaseSubject b = base_subject(c.raw);
    CHECK(b.text == c.base);
    CHECK(b.reply_or_forward == c.reply);
  }
}

TEST_CASE("IMAP SORT orders by each RFC 5256 key, ties in mailbox order") {
  TestMailbox box;
  box.add(Spec()
              .subject("Re: beta")
              .date(date_at(30))
              .from("Zoe <zoe@x.fr>")
              .to("bob@x.fr")
              .arrival(300)
              .size(10));
  box.add(Spec()
              .subject("alpha")
              .date("garbage")
              .from("\"Adam\" <Adam@x.fr>")
              .to("alice@x.fr")
              .cc("carl@x.fr")
              .arrival(100)
              .size(30));
  box.add(Spec()
              .subject("[list] Beta")
              .date(date_at(10))
              .from("mike@x.fr")
              .cc("Anna <anna@x.fr>")
              .arrival(200)
              .size(20));
  box.add(Spec()
              .subject("ALPHA (fwd)")
              .date(date_at(20))
              .from("adam@y.fr")
              .to("=?UTF-8?Q?Andr=C3=A9?= <Al@x.fr>")
              .arrival(200)
              .size(20));
  CHECK(box.sort({by(Key::kArrival)}) == std::vector<uint32_t>{2, 3, 4, 1});
  CHECK(box.sort({by(Key::kArrival, true)}) == std::vector<uint32_t>{1, 3, 4, 2});
  CHECK(box.sort({by(Key::kSize)}) == std::vector<uint32_t>{1, 3, 4, 2});
  // Message 2's Date is unparsable: its internal date (100 s) comes first.
  CHECK(box.sort({by(Key::kDate)}) == std::vector<uint32_t>{2, 3, 4, 1});
  CHECK(box.sort({by(Key::kSubject)}) == std::vector<uint32_t>{2, 4, 1, 3});
  CHECK(box.sort({by(Key::kSubject), by(Key::kDate, true)}) == std::vector<uint32_t>{4, 2, 1, 3});
  // FROM: "adam", "Adam" (equal under i;ascii-casemap), "mike", "zoe".
  CHECK(box.sort({by(Key::kFrom)}) == std::vector<uint32_t>{2, 4, 3, 1});
  CHECK(box.sort({by(Key::kFrom), by(Key::kSize)}) == std::vector<uint32_t>{4, 2, 3, 1});
  // TO and CC: a missing field sorts first.
  CHECK(box.sort({by(Key::kTo)}) == std::vector<uint32_t>{3, 4, 2, 1});
  CHECK(box.sort({by(Key::kCc)}) == std::vector<uint32_t>{1, 4, 3, 2});
  CHECK(box.sort({by(Key::kCc, true)}) == std::vector<uint32_t>{2, 3, 1, 4});
  CHECK(box.sort({}) == std::vector<uint32_t>{1, 2, 3, 4});
}

TEST_CASE("IMAP SORT on arrival or size never reads a header") {
  TestMailbox box;
  MemoryMessage& m = box.add(Spec().subject("x").arrival(5));
  box.add(Spec().subject("y").arrival(1));
  CHECK(box.sort({by(Key::kArrival), by(Key::kSize)}) == std::vector<uint32_t>{2, 1});
  CHECK(m.header_calls == 0);
  m.fail = true;
  auto ptrs = box.pointers();
  auto r = sort_messages({by(Key::kSubject)}, ptrs);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kIOError);
}

TEST_CASE("IMAP THREAD=ORDEREDSUBJECT groups by base subject under the first message") {
  TestMailbox box;
  box.add(Spec().subject("Re: lunch").date(date_at(50)));   // 1
  box.add(Spec().subject("lunch").date(date_at(10)));       // 2
  box.add(Spec().subject("budget").date(date_at(20)));      // 3
  box.add(Spec().subject("Re: LUNCH").date(date_at(30)));   // 4
  box.add(Spec().subject("Re: budget").date(date_at(40)));  // 5
  box.add(Spec().subject("news").date(date_at(5)));         // 6
  box.add(Spec().subject("lunch").date(date_at(30)));       // 7: same date as 4, later in mailbox
  CHECK(box.thread(Algorithm::kOrderedSubject) == "(6)(2 (4)(7)(1))(3 5)");
  CHECK(box.thread(Algorithm::kOrderedSubject, true) == "(106)(102 (104)(107)(101))(103 105)");
}

TEST_CASE("IMAP THREAD=REFERENCES builds the RFC 5256 example thread") {
  // "(2)(3 6 (4 23)(44 7 96))": 3 has child 6, which has children 4 (child 23) and 44
  // (child 7, whose child is 96).
  TestMailbox box;
  box.add(Spec().subject("Apples").date(date_at(1)).message_id("<2@x>"), 2);
  box.add(Spec().subject("Pears").date(date_at(2)).message_id("<3@x>"), 3);
  box.add(
      Spec().subject("Re: Pears").date(date_at(4)).message_id("<4@x>").references("<3@x> <6@x>"),
      4);
  box.add(Spec().subject("Re: Pears").date(date_at(3)).message_id("<6@x>").in_reply_to("<3@x>"), 6);
  box.add(Spec()
              .subject("Re: Pears")
              .date(date_at(7))
              .message_id("<7@x>")
              .references("<3@x> <6@x> <44@x>"),
          7);
  box.add(Spec()
              .subject("Re: Pears")
              .date(date_at(6))
              .message_id("<23@x>")
              .references("<3@x> <6@x>\r\n <4@x>"),
          23);
  box.add(
      Spec().subject("Re: Pears").date(date_at(5)).message_id("<44@x>").references("<3@x> <6@x>"),
      44);
  box.add(Spec()
              .subject("Re: Pears")
              .date(date_at(8))
              .message_id("<96@x>")
              .references("<3@x> <6@x> <44@x> <7@x>"),
          96);
  CHECK(box.thread(Algorithm::kReferences) == "(2)(3 6 (4 23)(44 7 96))");
}

TEST_CASE("IMAP THREAD=REFERENCES keeps dummies only to join several top-level messages") {
  TestMailbox box;
  // 1 and 2 answer a message not in the mailbox: a dummy parent with two children.
  box.add(
      Spec().subject("Re: gone").date(date_at(1)).message_id("<1@x>").references("<missing@x>"));
  box.add(Spec()
              .subject("Re: gone too")
              .date(date_at(2))
              .message_id("<2@x>")
              .in_reply_to("<missing@x>"));
  // 3 answers another absent one alone: the dummy is dropped.
  box.add(
      Spec().subject("Re: solo").date(date_at(3)).message_id("<3@x>").references("<missing2@x>"));
  // 4 answers 5 through an absent middle message: the dummy between them is dropped.
  box.add(Spec()
              .subject("Re: deep")
              .date(date_at(5))
              .message_id("<4@x>")
              .references("<5@x> <middle@x>"));
  box.add(Spec().subject("deep").date(date_at(4)).message_id("<5@x>"));
  CHECK(box.thread(Algorithm::kReferences) == "((1)(2))(3)(5 4)");
}

TEST_CASE("IMAP THREAD=REFERENCES gathers unlinked messages by base subject") {
  TestMailbox box;
  box.add(Spec().subject("Re: report").date(date_at(3)).message_id("<1@x>"));
  box.add(Spec().subject("report").date(date_at(1)).message_id("<2@x>"));
  box.add(Spec().subject("Fwd: report").date(date_at(2)).message_id("<3@x>"));
  box.add(Spec().subject("status").date(date_at(4)).message_id("<4@x>"));
  box.add(Spec().subject("[team] status").date(date_at(5)).message_id("<5@x>"));
  box.add(Spec().subject("").date(date_at(6)).message_id("<6@x>"));
  box.add(Spec().subject("Re:").date(date_at(7)).message_id("<7@x>"));
  // Replies go under the original; two originals get a dummy parent; empty subjects
  // are never gathered.
  CHECK(box.thread(Algorithm::kReferences) == "(2 (3)(1))((4)(5))(6)(7)");
}

TEST_CASE("IMAP THREAD=REFERENCES survives duplicate ids, self references and loops") {
  TestMailbox box;
  box.add(Spec().subject("a").date(date_at(1)).message_id("<dup@x>"));
  box.add(Spec().subject("b").date(date_at(2)).message_id("<dup@x>"));  // duplicate id
  box.add(Spec().subject("c").date(date_at(3)).message_id("<self@x>").references("<self@x>"));
  box.add(Spec().subject("d").date(date_at(4)).message_id("<p@x>").references("<q@x>"));
  box.add(Spec().subject("e").date(date_at(5)).message_id("<q@x>").references("<p@x>"));
  box.add(Spec().subject("f").date(date_at(6)).references("<dup@x>"));  // no Message-ID
  box.add(Spec().subject("g").date(date_at(7)).message_id("not an id"));
  std::string threads = box.thread(Algorithm::kReferences);
  // Each message appears exactly once; 6 answers the first holder of <dup@x>; the loop
  // between 4 and 5 is cut: 5 is answered by 4, which it references first.
  CHECK(threads == "(1 6)(2)(3)(5 4)(7)");
}

TEST_CASE("IMAP THREAD of no messages is empty") {
  TestMailbox box;
  CHECK(box.thread(Algorithm::kReferences).empty());
  CHECK(box.thread(Algorithm::kOrderedSubject).empty());
}

TEST_CASE("IMAP THREAD=REFERENCES writes a long reply chain without recursion") {
  TestMailbox box;
  std::string expected = "(";
  for (int i = 1; i <= 3000; ++i) {
    Spec s = Spec().subject("chain").date(date_at(i % 600)).arrival(i);
    s.message_id("<" + std::to_string(i) + "@x>");
    if (i > 1) s.in_reply_to("<" + std::to_string(i - 1) + "@x>");
    box.add(s);
    expected += (i > 1 ? " " : "") + std::to_string(i);
  }
  expected += ")";
  CHECK(box.thread(Algorithm::kReferences) == expected);
}
