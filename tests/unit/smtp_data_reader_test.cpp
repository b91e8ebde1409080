// Unit tests of the SMTP DATA reader (smtp/data_reader.h): the end of data and the SMTP
// smuggling look-alikes, dot-unstuffing, bare line ends, NUL bytes, the limits, and
// identical results however the input is split.
#include <doctest/doctest.h>

#include "smtp/data_reader.h"

#include <string>
#include <string_view>
#include <vector>

using namespace mf::smtp;
using namespace std::string_literals;

namespace {

struct Read {
  std::string out;
  size_t consumed = 0;
  bool done = false;
  DataStats stats;
};

// Feeds `chunks` in order, stopping once the reader is done, as a session would.
Read read_chunks(const std::vector<std::string_view>& chunks, DataReaderOptions options = {}) {
  DataReader reader(options);
  Read r;
  for (std::string_view chunk : chunks) {
    size_t n = reader.feed(chunk, r.out);
    CHECK(n <= chunk.size());
    r.consumed += n;
    if (n < chunk.size()) CHECK(reader.done());
    if (reader.done()) break;
  }
  r.done = reader.done();
  r.stats = reader.stats();
  return r;
}

Read read_one(std::string_view in, DataReaderOptions options = {}) {
  return read_chunks({in}, options);
}

Read read_bytewise(std::string_view in, DataReaderOptions options = {}) {
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < in.size(); ++i) chunks.push_back(in.substr(i, 1));
  return read_chunks(chunks, options);
}

void check_same(const Read& a, const Read& b) {
  CHECK(a.out == b.out);
  CHECK(a.consumed == b.consumed);
  CHECK(a.done == b.done);
  CHECK(a.stats.message_bytes == b.stats.message_bytes);
  CHECK(a.stats.bare_lf == b.stats.bare_lf);
  CHECK(a.stats.bare_cr == b.stats.bare_cr);
  CHECK(a.stats.nul == b.stats.nul);
  CHECK(a.stats.long_lines == b.stats.long_lines);
  CHECK(a.stats.over_size == b.stats.over_size);
}

DataReaderOptions keep() {
  DataReaderOptions o;
  o.bare_lf = BareLf::kKeep;
  return o;
}

// Every tricky sequence at once: stuffed dots, look-alike end markers, bare CR and LF,
// NUL, a CR right before the real end, then the end and a pipelined command.
const std::string kTricky =
    ".start\r\n..\r\n...x\r\na\n.\nb\r.\rc\n.\r\nd\r\n.\ne\r\n.\rf\r\n.\r\r\n\0g\r\r\n"
    "\n..\n\r\n.\r\nQUIT\r\n"s;

}  // namespace

TEST_CASE("CR LF dot CR LF ends the data and is not part of the message") {
  Read r = read_one("Subject: hi\r\n\r\nHello.\r\n.\r\n");
  CHECK(r.done);
  CHECK(r.out == "Subject: hi\r\n\r\nHello.\r\n");
  CHECK(r.consumed == 26);
  CHECK(r.stats.message_bytes == r.out.size());
  CHECK(!data_refusal(r.stats, BareLfPolicy::kRefuse).has_value());
}

TEST_CASE("a dot line at the very start is an empty message") {
  Read r = read_one(".\r\n");
  CHECK(r.done);
  CHECK(r.out.empty());
  CHECK(r.consumed == 3);
  CHECK(r.stats.message_bytes == 0);
}

TEST_CASE("an empty line then the end marker is a message of one empty line") {
  Read r = read_one("\r\n.\r\n");
  CHECK(r.done);
  CHECK(r.out == "\r\n");
}

TEST_CASE("no SMTP smuggling look-alike ends the data") {
  struct Case {
    std::string marker;
    std::string normalized;  // what the marker becomes in the message
  };
  const Case cases[] = {
      {"\n.\n", "\r\n\r\n"},          // bare LF, dot, bare LF: an empty line after unstuffing
      {"\r.\r", "\r.\r"},             // bare CRs end no line; the dot is text
      {"\n.\r\n", "\r\n\r\n"},        // a dot line after a bare LF is no end marker
      {"\r\n.\n", "\r\n\r\n"},        // the dot line ends with a bare LF
      {"\r\n.\rX", "\r\n\rX"},        // dot, CR, then not LF
      {"\r\n.\r\r\n", "\r\n\r\r\n"},  // dot, bare CR, then a line end
      {"\r.\r\n", "\r.\r\n"},         // the line before the dot ends with a bare CR
      {"\n\r\n.\n", "\r\n\r\n\r\n"},  // the real end's prefix, then a bare LF
  };
  const std::string smuggled = "MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<victim@x.example>\r\n";
  for (const Case& c : cases) {
    CAPTURE(c.marker);
    std::string data = "body" + c.marker + smuggled;
    Read r = read_one(data);
    CHECK(!r.done);
    CHECK(r.consumed == data.size());

    // The real end, fed afterwards, ends it: everything before is one message.
    Read whole = read_chunks({data, ".\r\nQUIT\r\n"});
    CHECK(whole.done);
    CHECK(whole.consumed == data.size() + 3);
    CHECK(whole.out == "body" + c.normalized + smuggled);
    check_same(whole, read_bytewise(data + ".\r\nQUIT\r\n"));
  }
}

TEST_CASE("only the raw CR LF dot CR LF ends the data, at its first occurrence") {
  // The look-alikes above, chained, then the real end: the first "\r\n.\r\n" ends it.
  std::string data = "a\n.\nb\r.\rc\n.\r\nd\r\n.\ne\r\n.\rf";
  Read r = read_one(data + "\r\n.\r\n" + "g\r\n.\r\n");
  CHECK(r.done);
  CHECK(r.consumed == data.size() + 5);
  CHECK(r.out == "a\r\n\r\nb\r.\rc\r\n\r\nd\r\n\r\ne\r\n\rf\r\n");
  CHECK(r.stats.bare_lf == 4);
  CHECK(r.stats.bare_cr == 3);
}

TEST_CASE("the end marker split at every byte boundary gives the same result") {
  for (const std::string& in :
       {"Hi\r\n..dot\r\n.\r\nQUIT\r\n"s, kTricky, ".\r\nRSET\r\n"s, "\r\n.\r\n"s}) {
    for (DataReaderOptions options : {DataReaderOptions{}, keep()}) {
      Read one = read_one(in, options);
      CHECK(one.done);
      for (size_t split = 0; split <= in.size(); ++split) {
        CAPTURE(split);
        std::string_view v(in);
        check_same(one, read_chunks({v.substr(0, split), v.substr(split)}, options));
      }
    }
  }
}

TEST_CASE("feeding one byte at a time equals one feed") {
  for (DataReaderOptions options : {DataReaderOptions{}, keep()}) {
    Read one = read_one(kTricky, options);
    CHECK(one.done);
    check_same(one, read_bytewise(kTricky, options));
  }
}

TEST_CASE("the tricky input reads exactly as documented") {
  Read r = read_one(kTricky);
  CHECK(r.done);
  CHECK(r.consumed == kTricky.size() - 6);  // "QUIT\r\n" stays with the caller
  CHECK(r.out ==
        "start\r\n.\r\n..x\r\na\r\n\r\nb\r.\rc\r\n\r\nd\r\n\r\ne\r\n\rf\r\n\r\r\n\0g\r\r\n"
        "\r\n.\r\n\r\n"s);
  CHECK(r.stats.bare_lf == 6);
  CHECK(r.stats.bare_cr == 5);
  CHECK(r.stats.nul == 1);

  Read k = read_one(kTricky, keep());
  CHECK(k.out ==
        "start\r\n.\r\n..x\r\na\n\nb\r.\rc\n\r\nd\r\n\ne\r\n\rf\r\n\r\r\n\0g\r\r\n"
        "\n.\n\r\n"s);
  CHECK(k.stats.bare_lf == 6);
  CHECK(k.stats.message_bytes == r.stats.message_bytes - 6);
}

TEST_CASE("a leading dot is removed from every line") {
  CHECK(read_one("..\r\n.\r\n").out == ".\r\n");
  CHECK(read_one("...\r\n.\r\n").out == "..\r\n");
  CHECK(read_one(".x\r\n.\r\n").out == "x\r\n");
  CHECK(read_one("a\r\n..\r\nb\r\n.\r\n").out == "a\r\n.\r\nb\r\n");
  CHECK(read_one("a\r\n.. \r\n.\r\n").out == "a\r\n. \r\n");
  // A dot inside a line or after a bare CR is text.
  CHECK(read_one("a.b\r.c\r\n.\r\n").out == "a.b\r.c\r\n");
  // After a bare LF too, in both modes.
  CHECK(read_one("a\n..b\r\n.\r\n").out == "a\r\n.b\r\n");
  CHECK(read_one("a\n..b\r\n.\r\n", keep()).out == "a\n.b\r\n");
}

TEST_CASE("bytes after the end are not consumed, and a done reader consumes nothing") {
  DataReader reader;
  std::string out;
  std::string_view in = "x\r\n.\r\nMAIL FROM:<a@b.example>\r\n";
  CHECK(reader.feed(in, out) == 6);
  CHECK(reader.done());
  CHECK(out == "x\r\n");
  CHECK(reader.feed("RCPT TO:<c@d.example>\r\n", out) == 0);
  CHECK(reader.feed(".\r\n", out) == 0);
  CHECK(out == "x\r\n");
}

TEST_CASE("the end found in a later feed consumes only that feed's part of it") {
  DataReader reader;
  std::string out;
  CHECK(reader.feed("x\r", out) == 2);
  CHECK(out == "x");  // the CR is held until the next byte says what it is
  CHECK(reader.feed("\n.", out) == 2);
  CHECK(out == "x\r\n");
  CHECK(!reader.done());
  CHECK(reader.feed("\r\nNOOP\r\n", out) == 2);
  CHECK(reader.done());
  CHECK(out == "x\r\n");
}

TEST_CASE("bare LF, bare CR and NUL are counted") {
  Read r = read_one("a\nb\rc\0d\r\n\r\r\n.\r\n"s);
  CHECK(r.stats.bare_lf == 1);
  CHECK(r.stats.bare_cr == 2);
  CHECK(r.stats.nul == 1);
  CHECK(r.out == "a\r\nb\rc\0d\r\n\r\r\n"s);
  // A CR at the end of one feed and an LF at the start of the next are a CR LF.
  Read split = read_chunks({"a\r", "\nb\r", "\n.\r\n"});
  CHECK(split.stats.bare_cr == 0);
  CHECK(split.stats.bare_lf == 0);
  CHECK(split.out == "a\r\nb\r\n");
}

TEST_CASE("bare LF is normalised to CR LF or kept, by option") {
  const std::string in = "a\nb\n\nc\r\n.\r\n";
  Read n = read_one(in);
  CHECK(n.out == "a\r\nb\r\n\r\nc\r\n");
  CHECK(n.stats.bare_lf == 3);
  CHECK(n.stats.message_bytes == 11);
  Read k = read_one(in, keep());
  CHECK(k.out == "a\nb\n\nc\r\n");
  CHECK(k.stats.bare_lf == 3);
  CHECK(k.stats.message_bytes == 8);
}

TEST_CASE("a message of exactly the size limit is accepted, one byte more is not") {
  DataReaderOptions options;
  options.max_message_bytes = 5;
  Read exact = read_one("abc\r\n.\r\n", options);
  CHECK(exact.done);
  CHECK(exact.out == "abc\r\n");
  CHECK(!exact.stats.over_size);
  CHECK(!data_refusal(exact.stats, BareLfPolicy::kAccept).has_value());

  options.max_message_bytes = 4;
  Read over = read_one("abc\r\n.\r\nQUIT\r\n", options);
  CHECK(over.done);  // still finds the end, so the session stays in step
  CHECK(over.consumed == 8);
  CHECK(over.stats.over_size);
  CHECK(over.stats.message_bytes == 5);
  CHECK(over.out == "abc\r");  // never more than the limit
  auto reply = data_refusal(over.stats, BareLfPolicy::kAccept);
  REQUIRE(reply.has_value());
  CHECK(reply->wire() == "552 5.3.4 Message exceeds the maximum size accepted here\r\n");
}

TEST_CASE("the size limit counts normalised bytes and unstuffed dots") {
  DataReaderOptions options;
  options.max_message_bytes = 3;
  // "..\n\r\n" is ".\r\n\r\n" after unstuffing and normalising: 5 bytes.
  Read r = read_one("..\n\r\n.\r\n", options);
  CHECK(r.out == ".\r\n");
  CHECK(r.stats.over_size);
  CHECK(r.stats.message_bytes == 5);
  options.max_message_bytes = 5;
  Read fits = read_one("..\n\r\n.\r\n", options);
  CHECK(fits.out == ".\r\n\r\n");
  CHECK(!fits.stats.over_size);
  options.bare_lf = BareLf::kKeep;
  options.max_message_bytes = 4;
  CHECK(!read_one("..\n\r\n.\r\n", options).stats.over_size);
}

TEST_CASE("over the size limit the output stops growing across feeds") {
  DataReaderOptions options;
  options.max_message_bytes = 1000;
  DataReader reader(options);
  std::string out;
  const std::string chunk(700, 'x');
  for (int i = 0; i < 10; ++i) CHECK(reader.feed(chunk, out) == chunk.size());
  CHECK(out.size() == 1000);
  CHECK(reader.stats().over_size);
  CHECK(reader.feed("\r\n.\r\n", out) == 5);
  CHECK(reader.done());
  CHECK(out.size() == 1000);
  CHECK(reader.stats().message_bytes == 7002);
}

TEST_CASE("lines longer than the limit are counted and kept whole") {
  DataReaderOptions options;
  options.max_line_length = 5;
  Read r = read_one("12345\r\n123456\r\n..2345\r\n1234\r5\r\n1234567890\r\n.\r\n", options);
  CHECK(r.done);
  // "123456" and "1234567890" are too long; the stuffing dot, line ends and the
  // bare-CR-joined "1234\r5" (6 bytes of text) count as documented.
  CHECK(r.stats.long_lines == 3);
  CHECK(r.out == "12345\r\n123456\r\n.2345\r\n1234\r5\r\n1234567890\r\n");
  // Split inside a long line, it is still one long line.
  Read split = read_chunks({"1234", "5678", "9\r\n.\r\n"}, options);
  CHECK(split.stats.long_lines == 1);
}

TEST_CASE("the default line limit is RFC 5321's 1000 octets with CR LF") {
  Read ok = read_one(std::string(998, 'a') + "\r\n.\r\n");
  CHECK(ok.stats.long_lines == 0);
  Read longer = read_one(std::string(999, 'a') + "\r\n.\r\n");
  CHECK(longer.stats.long_lines == 1);
  CHECK(longer.out.size() == 1001);
}

TEST_CASE("refusals come in order: size, then NUL, then bare LF when refused") {
  DataStats s;
  CHECK(!data_refusal(s, BareLfPolicy::kRefuse).has_value());
  s.bare_lf = 1;
  CHECK(!data_refusal(s, BareLfPolicy::kAccept).has_value());
  auto lf = data_refusal(s, BareLfPolicy::kRefuse);
  REQUIRE(lf.has_value());
  CHECK(lf->code == 550);
  CHECK(lf->enhanced == "5.5.2");
  s.nul = 2;
  auto nul = data_refusal(s, BareLfPolicy::kRefuse);
  REQUIRE(nul.has_value());
  CHECK(nul->wire() == "554 5.6.0 Message contains NUL bytes\r\n");
  s.over_size = true;
  CHECK(data_refusal(s, BareLfPolicy::kRefuse)->code == 552);
  // Bare CRs and long lines are logged, not refused.
  DataStats cr;
  cr.bare_cr = 3;
  cr.long_lines = 1;
  CHECK(!data_refusal(cr, BareLfPolicy::kRefuse).has_value());
}
