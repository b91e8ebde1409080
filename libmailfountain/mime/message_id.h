// mime/message_id.h — Message-ID, In-Reply-To and References (RFC 5322 §3.6.4), with
// the obsolete syntax of §4.5.4 tolerated. A pure function, fuzzed
// (tests/fuzz/mime_fields_fuzz.cpp).
//
// Tolerated, as the major mail readers have it:
//   - comments and folding anywhere, whitespace inside the brackets (dropped);
//   - words outside brackets (obs-phrase: "In-Reply-To: Your message of ... <id>"),
//     skipped;
//   - quoted local parts (`<"a b"@x>`, kept as written) and ids without '@' (`<12345>`);
//   - a field with no brackets at all whose words hold '@' (`Message-ID: abc@x.fr`):
//     each such word is an id.
// Reported in `problems` (the rest is still read): a '<' never closed, an empty `<>`,
// an id over kMaxMessageIdLength octets, more than kMaxMessageIds ids.
#ifndef MF_MIME_MESSAGE_ID_H
#define MF_MIME_MESSAGE_ID_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// Hard limits: ids per field (References of a long thread stay far below) and octets
// per id (a header line's limit, RFC 5322 §2.1.1).
constexpr size_t kMaxMessageIds = 10000;
constexpr size_t kMaxMessageIdLength = 998;

struct MessageIdList {
  std::vector<std::string> ids;       // in field order, without the angle brackets
  std::vector<std::string> problems;  // sentences: "the '<' at byte 12 is never closed"
};

// Parses a Message-ID, In-Reply-To or References field value (raw or unfolded). Ids
// contain no whitespace, '<' or '>'.
MessageIdList parse_message_ids(std::string_view value);

}  // namespace mf::mime

#endif  // MF_MIME_MESSAGE_ID_H
