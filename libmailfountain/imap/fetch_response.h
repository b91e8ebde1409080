// imap/fetch_response.h — the data items of one `* n FETCH (...)` response (RFC 9051
// §7.5.2, RFC 3501 §7.4.2, BINARY RFC 3516, CONDSTORE's MODSEQ RFC 7162): FLAGS,
// INTERNALDATE, UID, MODSEQ, RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE,
// BODY[section]<partial>, BINARY[part]<partial>, BINARY.SIZE[part], RFC822, RFC822.HEADER
// and RFC822.TEXT, written over one message that a FetchSource gives.
//
// Pure protocol core: no sockets, no store. The session implements FetchSource over the
// mailbox store (mailbox/mail_store.h: MessageInfo, MessageReader, the cached
// BodyStructure) and tests over bytes in memory.
//
// What is served: the message as the client sees it is the per-delivery prefix followed
// by the body file; the prefix lines belong to the top-level header. The cached structure
// has offsets into the body, so every offset but the top header's start is shifted by
// prefix_size(). Without a cached structure the served bytes are parsed here
// (mime::parse_message); a message that cannot be parsed within the MIME limits is served
// as one text/plain part whose header ends at the first empty line.
//
// Choices where the RFCs leave room (docs/imap.md, "FETCH responses"):
//   - a section that does not exist (BODY[4] of a two-part message, BODY[1.HEADER] of a
//     part that is not message/rfc822) is the empty string "", as is a partial fetch whose
//     origin is past the end; BINARY.SIZE of it is 0 (Dovecot answers the same);
//   - section contents (BODY[...], RFC822*) are sent as literals, "" when empty; a NUL in
//     them is sent as 0x80 (a literal may not carry NUL; Dovecot does the same); BINARY
//     contents are literal8 only when they hold a NUL;
//   - BINARY[] is the whole message as stored (its body is not decoded); BINARY of a part
//     decodes base64 and quoted-printable, takes 7bit, 8bit and binary as they are, and
//     fails with kFailedPrecondition "UNKNOWN-CTE" for any other encoding;
//   - partial responses are named with the origin only: BODY[]<0>, BINARY[1]<10> (the
//     text of RFC 9051 §7.5.2 and Dovecot; the ABNF has no origin for BINARY);
//   - ENVELOPE sends the stored, unfolded field values; an absent and an empty field are
//     both NIL (the cache does not tell them apart); Sender and Reply-To default to From;
//     addresses the parser cannot read are left out;
//   - BODYSTRUCTURE types, subtypes, parameter names and transfer encodings are lower
//     case as stored (as Dovecot writes them for most mail); a text part without charset
//     gets ("charset" "us-ascii"); Content-Language is always a list;
//   - message/global parts (RFC 6532) have the envelope form only with IMAP4rev2
//     (RFC 9051's media-message); an IMAP4rev1 client sees them as basic parts.
//
// Memory: each item's content is built in the output string (a whole attachment for
// BODY[2]); streaming large literals is a later refinement of the session.
// Thread-safety: pure functions; the FetchSource is used from the calling thread only.
#ifndef MF_IMAP_FETCH_RESPONSE_H
#define MF_IMAP_FETCH_RESPONSE_H

#include <mailfountain/status.h>

#include "imap/command.h"
#include "imap/response_writer.h"
#include "mailbox/mail_store.h"
#include "mailbox/structure.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::imap {

// One message as the session sees it. Implementations load lazily (the body file is
// opened, the structure read, only when asked). append_fetch_items calls structure() at
// most once per call and read() as often as items need bytes.
class FetchSource {
 public:
  virtual ~FetchSource() = default;
  virtual const mailbox::MessageInfo& info() const = 0;
  virtual uint32_t uid() const = 0;  // == info().uid
  // Served bytes: prefix + body.
  virtual uint64_t size() const = 0;
  virtual uint64_t prefix_size() const = 0;
  // Appends the served bytes [offset, offset + length) to *out: fewer only at the end of
  // the message, none when offset >= size(). kNotFound or kIOError when they cannot be
  // read.
  virtual Status read(uint64_t offset, uint64_t length, std::string* out) = 0;
  // The cached structure (offsets into the body, i.e. without the prefix), valid as long
  // as the source; kNotFound when none is cached (the served bytes are then parsed);
  // other errors are returned by append_fetch_items.
  virtual Result<const mailbox::BodyStructure*> structure() = 0;
};

struct FetchOptions {
  // Whether quoted strings (ENVELOPE, BODYSTRUCTURE) may carry UTF-8: IMAP4rev2 or
  // UTF8=ACCEPT enabled. Otherwise 8-bit values are sent as literals.
  Utf8 utf8 = Utf8::kRefused;
  // IMAP4rev2 enabled: message/global parts get the message form in BODY/BODYSTRUCTURE.
  bool imap4rev2 = false;
  // Flags written after the system flags and before the keywords (the session's \Recent
  // for IMAP4rev1 clients). They must be atoms or "\" + atom.
  std::vector<std::string> extra_flags;
};

// Appends the items' data to *out, space-separated, in the order given, WITHOUT the
// surrounding "* n FETCH (" and ")": e.g.
//   UID 7 FLAGS (\Seen) BODY[HEADER.FIELDS (SUBJECT)] {23}\r\nSubject: hi\r\n\r\n
// Items are written as requested: the session expands the macros (the parser already
// does) and adds UID for UID FETCH and MODSEQ when CONDSTORE asks for it.
// Errors (the session answers NO; *out may then hold part of the items):
//   kNotFound / kIOError   the bytes or the structure cannot be read (from the source);
//   kCorruption            the cached structure is inconsistent;
//   kFailedPrecondition    message "UNKNOWN-CTE": BINARY[part] or BINARY.SIZE[part] of a
//                          part whose transfer encoding is not one of 7bit, 8bit, binary,
//                          base64, quoted-printable (RFC 3516 §4.3: NO [UNKNOWN-CTE]);
//   kResourceExhausted     a header too large to split (HEADER.FIELDS over mime limits).
Status append_fetch_items(const std::vector<FetchItem>& items, FetchSource& msg,
                          const FetchOptions& options, std::string* out);

// Whether fetching `items` sets \Seen: BODY[...] and BINARY[...] without .PEEK, RFC822,
// RFC822.TEXT (RFC 9051 §6.4.5, RFC 3501 §6.4.5). BINARY.SIZE does not.
bool fetch_sets_seen(const std::vector<FetchItem>& items);

// "17-Jul-1996 02:44:25 +0000": INTERNALDATE's date-time (RFC 9051 §9), in UTC.
std::string format_internal_date(int64_t unix_seconds);

}  // namespace mf::imap

#endif  // MF_IMAP_FETCH_RESPONSE_H
