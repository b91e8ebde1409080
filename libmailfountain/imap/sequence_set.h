// imap/sequence_set.h — IMAP sequence sets (RFC 9051 §9 "sequence-set", RFC 5182 "$"):
// "1", "2:4", "*", "7:*", comma lists of these, or "$" alone (the saved search result).
// Pure code over bytes, fuzzed through tests/fuzz/imap_command_fuzz.cpp.
//
// A set is kept as the ranges the client wrote (with "*" still symbolic), never expanded:
// "1:4294967295" is one range of two numbers. resolve() turns it into sorted, merged,
// clipped ranges against a mailbox's message count or highest UID when the session knows
// them.
#ifndef MF_IMAP_SEQUENCE_SET_H
#define MF_IMAP_SEQUENCE_SET_H

#include <mailfountain/status.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

// "*" in a range: the largest number in use (the message count, or the highest UID).
constexpr uint32_t kStar = 0;

// One element as written: first == last for a single number. Either end may be kStar.
// Not normalised: "4:2" stays {4, 2}; resolve() orders the ends.
struct SeqRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

struct SequenceSet {
  // True for "$" (RFC 5182 SEARCHRES): the set is the last saved search result, and
  // `ranges` is empty.
  bool saved = false;
  std::vector<SeqRange> ranges;
  bool operator==(const SequenceSet&) const = default;
};

// The default cap on elements in one set: Thunderbird's UID lists for 10,000 scattered
// messages stay far below it, and a 64 KiB line cannot hold more than ~16,000 anyway.
constexpr size_t kMaxSequenceRanges = 16384;

// Parses `text` (the whole token, nothing around it). Numbers are nz-number: 1 to
// 4294967295, first digit not "0" ("0" and "01" are refused). Errors (kInvalidArgument),
// messages fit for a BAD: "Invalid sequence set: <reason>".
Result<SequenceSet> parse_sequence_set(std::string_view text,
                                       size_t max_ranges = kMaxSequenceRanges);

// A resolved range: 1 <= first <= last.
struct UidRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const UidRange&) const = default;
};

// The numbers a set names in a mailbox whose largest number in use is `largest` (the
// message count for sequence numbers, the highest UID for UIDs; 0 for an empty mailbox):
// "*" becomes `largest`, each range is ordered, numbers above `largest` are dropped, and
// the result is sorted and merged. So "559:*" with largest 500 is {500,500}, as RFC 9051
// §6.4.8 requires for UIDs. An empty mailbox gives nothing. A "$" set gives nothing: the
// session substitutes its saved result before resolving. Cost: O(r log r) for r ranges.
std::vector<UidRange> resolve(const SequenceSet& set, uint32_t largest);

// Whether every number written in `set` is <= largest (true for "*"). Sequence numbers
// above the message count are a BAD error (RFC 9051 §9 seq-number), while UIDs above the
// highest UID are simply absent.
bool within(const SequenceSet& set, uint32_t largest);

// Numbers in ascending order (duplicates allowed) as merged ranges: {1,2,3,7} → 1:3,7.
// For the sets the server writes: COPYUID, APPENDUID, VANISHED, ESEARCH ALL, MODIFIED.
std::vector<UidRange> ranges_of(const std::vector<uint32_t>& ascending);

// Whether `n` is in `ranges` (sorted and merged, as resolve() and ranges_of() give them).
// O(log r).
bool contains(const std::vector<UidRange>& ranges, uint32_t n);

// The set written back in IMAP syntax ("1:3,7,*", "$"), e.g. for responses and logs.
std::string to_string(const SequenceSet& set);
// Resolved ranges in IMAP syntax ("1:3,7"); empty for none.
std::string to_string(const std::vector<UidRange>& ranges);

}  // namespace mf::imap

#endif  // MF_IMAP_SEQUENCE_SET_H
