// mailbox/structure.h — the cached parse of a message body: its MIME part tree and its
// envelope fields, stored once per body (BodyRecord::structure) so that IMAP can answer
// BODYSTRUCTURE, ENVELOPE and BODY[section] fetches without reparsing the file.
//
// The structure is made from mime::parse_message at delivery (on the committer thread,
// over a read-only mapping of the body file) and stored compactly: per part its offsets,
// type/subtype/parameters, transfer encoding, disposition, Content-ID, -Description,
// -MD5, -Language, -Location and line count; per message-level part (the message itself
// and every encapsulated message/rfc822 or message/global) the raw, unfolded envelope
// fields. Offsets are into the body file (the per-delivery prefix comes before them in
// what IMAP serves; the reader adds its length).
//
// Format: a format byte (1), then the parts in depth-first pre-order; layout in
// docs/store.md. decode_structure is strict (kCorruption on anything that does not decode
// exactly) and fuzzed (tests/fuzz/mailbox_records_fuzz.cpp).
#ifndef MF_MAILBOX_STRUCTURE_H
#define MF_MAILBOX_STRUCTURE_H

#include <mailfountain/status.h>

#include "mime/message.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::mailbox {

// Unfolded values of the fields IMAP's ENVELOPE names (RFC 9051 §7.5.2), empty when absent.
// Kept raw (encoded words and all): ENVELOPE sends them as they are.
struct Envelope {
  std::string date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id;
  // Fields present with an empty value (ENVELOPE sends "" for them, NIL for absent ones):
  // bits kEnvelopeDate ... kEnvelopeMessageId. Stored only when not 0, so structures
  // without such fields keep their encoding.
  uint32_t present_empty = 0;

  bool operator==(const Envelope&) const = default;
};

enum EnvelopeField : uint32_t {
  kEnvelopeDate = 1u << 0,
  kEnvelopeSubject = 1u << 1,
  kEnvelopeInReplyTo = 1u << 8,
  kEnvelopeMessageId = 1u << 9,
};

struct PartStructure {
  mime::PartKind kind = mime::PartKind::kLeaf;
  uint32_t parent = mime::kNoPart;  // index of the parent; kNoPart for parts[0]
  uint64_t header_offset = 0, body_offset = 0, body_end = 0;
  std::string type, subtype;                                // lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // name lower-cased, value
  std::string encoding;     // lower-cased transfer-encoding token, "7bit" when absent
  std::string disposition;  // lower-cased, "" when absent
  std::vector<std::pair<std::string, std::string>> disposition_params;
  std::string id, description, md5, language, location;  // unfolded, "" when absent
  uint32_t lines = 0;
  std::optional<Envelope> envelope;  // message-level parts only

  bool operator==(const PartStructure&) const = default;
};

struct BodyStructure {
  std::vector<PartStructure> parts;  // parts[0] is the message

  bool operator==(const BodyStructure&) const = default;
};

// The structure of a parsed message.
BodyStructure make_structure(const mime::Message& msg);

std::string encode_structure(const BodyStructure& s);
Status decode_structure(std::string_view in, BodyStructure* s);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_STRUCTURE_H
