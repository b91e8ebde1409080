// imap/search_eval.h — evaluating a SEARCH program (RFC 9051 §6.4.4, RFC 3501 §6.4.4,
// CONDSTORE's MODSEQ of RFC 7162, SEARCHRES's "$" of RFC 5182) against the messages of a
// mailbox. Pure code: the session hands each message over as a SearchMessage, which
// loads its bytes lazily from the store, so a search on flags never reads a file.
//
// Matching rules:
//   - strings match as case-insensitive substrings: both sides are folded with the
//     Unicode simple case folding of imap/search_text.h (ASCII, Latin, Greek, Cyrillic,
//     Armenian); an empty string matches every message that has the field (FROM, TO, CC,
//     BCC, SUBJECT, HEADER) or every message (BODY, TEXT);
//   - header keys match the unfolded field values with their RFC 2047 words decoded, every
//     field of that name (the per-delivery prefix's fields included, as served);
//   - BODY matches the text of the text/* leaf parts, anywhere in the MIME tree (inside
//     attached messages too), transfer-decoded and converted to UTF-8 from their charset
//     (an unknown charset: the decoded bytes as they are, invalid UTF-8 replaced); other
//     parts are skipped. A message that cannot be parsed within mime::MimeLimits (it has
//     no cached structure) is searched as raw bytes after its header;
//   - TEXT matches the header ("Name: decoded value" per field) or the body as BODY;
//   - BEFORE, ON, SINCE compare the date of the internal date in SearchContext's zone;
//     SENTBEFORE, SENTON, SENTSINCE the date written in the Date: field (time and zone
//     ignored, RFC 9051), or, without a parsable Date:, the internal date's (as Dovecot);
//   - LARGER and SMALLER compare MessageInfo::size strictly; MODSEQ is modseq >= value
//     (the entry name and type are ignored: the store keeps one modseq per message);
//   - the session has no \Recent: RECENT and NEW match nothing, OLD matches everything;
//   - sequence sets resolve against SearchContext::messages, UID sets against
//     highest_uid ("*" is the largest, RFC 9051 §6.4.8); "$" is the saved result.
#ifndef MF_IMAP_SEARCH_EVAL_H
#define MF_IMAP_SEARCH_EVAL_H

#include <mailfountain/status.h>

#include "imap/command.h"
#include "mailbox/mail_store.h"
#include "mailbox/structure.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace mf::mime {
class CharsetConverters;
}

namespace mf::imap {

// One message as a search, SORT or THREAD sees it. Implementations load lazily and cache:
// each accessor may be called many times for one message. Views stay valid as long as
// the SearchMessage lives. Used from one thread at a time.
class SearchMessage {
 public:
  virtual ~SearchMessage() = default;
  virtual uint32_t seq() const = 0;  // 1-based sequence number in the session's view
  virtual const mailbox::MessageInfo& info() const = 0;
  // The top-level header as served: the per-delivery prefix, then the message's header
  // (the blank line after it may be included or not).
  virtual Result<std::string_view> header() = 0;
  // Every served byte: prefix then body file.
  virtual Result<std::string_view> message() = 0;
  // The cached structure; its offsets are into the body file, which is the last
  // parts[0].body_end bytes of message(). kNotFound when none is cached.
  virtual Result<const mailbox::BodyStructure*> structure() = 0;
};

struct SearchContext {
  uint32_t messages = 0;     // message count (for "*" in sequence sets)
  uint32_t highest_uid = 0;  // largest UID in the mailbox (for "*" in UID sets)
  // "$" (SEARCHRES): the saved UIDs, sorted ascending; nullptr or empty: "$" matches
  // nothing. Must outlive any SearchProgram made from this context.
  const std::vector<uint32_t>* saved = nullptr;
  int zone_minutes = 0;  // BEFORE/ON/SINCE compare internal dates in this zone (UTC: 0)
  // Kept open across messages when given (mime/charset.h); owned by the caller.
  mime::CharsetConverters* converters = nullptr;
};

// A search key prepared once for a mailbox state: sets resolved, strings folded, cheap
// keys of each AND/OR evaluated before header and body keys. Immutable once made; cheap
// to evaluate per message. Copies nothing from `key` that must outlive it.
class SearchProgram {
 public:
  SearchProgram(const SearchKey& key, const SearchContext& ctx);
  ~SearchProgram();
  SearchProgram(SearchProgram&&) noexcept;
  SearchProgram& operator=(SearchProgram&&) noexcept;

  // Whether `msg` matches. Errors only when the message's bytes cannot be read (the
  // SearchMessage's Status, unchanged); a message that is merely malformed never fails.
  Result<bool> matches(SearchMessage& msg) const;

  bool needs_header() const;  // whether matches() may call msg.header()
  bool needs_body() const;    // whether matches() may call msg.message() / structure()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot form of SearchProgram(key, ctx).matches(msg): fine for one message, wasteful
// for a mailbox (prepare a SearchProgram once instead).
Result<bool> search_matches(const SearchKey& key, SearchMessage& msg, const SearchContext& ctx);

// Whether evaluating `key` may need the header / the whole message, so that the session
// can avoid loading them.
bool search_needs_header(const SearchKey& key);
bool search_needs_body(const SearchKey& key);

// SEARCH/SORT/THREAD's CHARSET: UTF-8 and US-ASCII (any case) are supported (RFC 9051
// §6.4.4); for others the session answers NO [BADCHARSET (UTF-8 US-ASCII)].
bool search_charset_supported(std::string_view charset);

}  // namespace mf::imap

#endif  // MF_IMAP_SEARCH_EVAL_H
