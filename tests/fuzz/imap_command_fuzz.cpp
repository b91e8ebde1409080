// Fuzz target: the IMAP protocol core (imap/). The input is a client's byte stream, fed to
// the command reader in chunks whose sizes the input's first byte chooses; every command
// the reader completes goes through the parser. Nothing may crash, every refusal must be a
// one-line reply of printable ASCII, and an accepted command's tag must be the one
// command_tag() finds. The codecs must round-trip: a modified UTF-7 name that decodes
// encodes back to the same bytes (the decoder is strict, so each name has one spelling);
// a sequence set written back parses to the same set; any string without NUL written as
// an astring is read back unchanged by the parser.
#include "imap/command_parser.h"
#include "imap/command_reader.h"
#include "imap/mutf7.h"
#include "imap/response_writer.h"
#include "imap/sequence_set.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace mf::imap;

void check_text(std::string_view text) {
  if (text.empty()) std::abort();
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) std::abort();  // never the client's raw bytes
  }
}

void check_parse(std::string_view bytes) {
  auto cmd = parse_command(bytes);
  if (!cmd.is_ok()) {
    check_text(cmd.status().message());
    return;
  }
  auto tag = command_tag(bytes);
  if (!tag || *tag != cmd->tag) std::abort();
  if (auto* f = std::get_if<FetchArgs>(&cmd->args); f && f->items.empty()) std::abort();
  if (auto* a = std::get_if<AppendArgs>(&cmd->args); a && a->messages.empty()) std::abort();
}

void read_stream(std::string_view in, size_t chunk, bool accept) {
  Limits limits;
  limits.max_line_octets = 512;
  limits.max_literal = 256;
  limits.max_append_literal = 1024;
  limits.max_command_literal_octets = 2048;
  limits.max_literals = 8;
  limits.max_discard = 4096;
  CommandReader reader(limits);
  while (!in.empty()) {
    std::string_view piece = in.substr(0, chunk);
    while (true) {
      ReadStep step = reader.feed(piece);
      if (step.consumed > piece.size()) std::abort();
      piece.remove_prefix(step.consumed);
      in.remove_prefix(step.consumed);
      if (step.event == ReadEvent::kNeedMore) {
        if (!piece.empty()) std::abort();
        break;
      }
      if (step.event == ReadEvent::kCommand) {
        RawCommand cmd = reader.take_command();
        if (cmd.bytes.empty() || cmd.literals > limits.max_literals) std::abort();
        if (cmd.literal_octets > limits.max_command_literal_octets) std::abort();
        check_parse(cmd.bytes);
      } else if (step.event == ReadEvent::kLiteralRequest) {
        if (reader.literal_request().size > limits.max_append_literal) std::abort();
        if (accept) {
          reader.accept_literal();
        } else {
          reader.refuse_literal();
        }
      } else {
        const ReadError& e = reader.error();
        check_text(e.text);
        std::string wire = e.wire();
        if (wire.find("\r\n") != wire.size() - 2) std::abort();
        if (reader.closed()) return;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t chunk = 1;
  bool accept = true;
  if (!in.empty()) {
    chunk = static_cast<uint8_t>(in[0]) % 16 + 1;
    accept = (static_cast<uint8_t>(in[0]) & 0x80) == 0;
  }
  read_stream(in, chunk, accept);
  read_stream(in, in.size() + 1, !accept);

  // The parser alone, over the input as one command (literals and all).
  check_parse(in);

  // Modified UTF-7: strict decoding means canonical input.
  if (auto utf8 = mutf7_decode(in); utf8.is_ok()) {
    auto again = mutf7_encode(*utf8);
    if (!again.is_ok() || *again != in) std::abort();
  }
  if (auto m = mutf7_encode(in); m.is_ok()) {
    auto back = mutf7_decode(*m);
    if (!back.is_ok() || *back != in) std::abort();
  }

  // Sequence sets written back parse to the same set.
  if (auto set = parse_sequence_set(in); set.is_ok()) {
    auto again = parse_sequence_set(to_string(*set));
    if (!again.is_ok() || !(*again == *set)) std::abort();
    auto ranges = resolve(*set, 1000);
    uint32_t prev = 0;
    for (const UidRange& r : ranges) {
      if (r.first > r.last || r.last > 1000 || (prev && r.first <= prev + 1)) std::abort();
      prev = r.last;
    }
  }

  // Any NUL-free string written as an astring reads back unchanged.
  if (in.find('\0') == std::string_view::npos) {
    for (Utf8 utf8 : {Utf8::kRefused, Utf8::kAllowed}) {
      std::string line = "a LOGIN ";
      append_astring(line, in, utf8);
      line += " x";
      auto cmd = parse_command(line);
      if (!cmd.is_ok() || std::get<LoginArgs>(cmd->args).user != in) std::abort();
    }
  }
  return 0;
}
