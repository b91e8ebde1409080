// imap/sort_thread.h — SORT and THREAD (RFC 5256) over the messages a search selected.
// Pure code over SearchMessage (imap/search_eval.h); both read only MessageInfo and the
// top-level header, never the body.
//
// Definitions used (RFC 5256 §2):
//   - base subject: §2.1, from the decoded Subject (imap/search_text.h, base_subject);
//     compared under i;ascii-casemap extended with Unicode simple case folding
//     (casemap_key);
//   - sent date: the instant of the Date: field, compared in UTC; when the field is
//     missing or unparsable, the internal date;
//   - ARRIVAL: the internal date; SIZE: MessageInfo::size;
//   - FROM, TO, CC: the local part (IMAP addr-mailbox) of the field's first address,
//     under i;ascii-casemap; an absent field or address sorts as "";
//   - messages equal under every criterion keep mailbox order (sequence numbers).
#ifndef MF_IMAP_SORT_THREAD_H
#define MF_IMAP_SORT_THREAD_H

#include <mailfountain/status.h>

#include "imap/command.h"
#include "imap/search_eval.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::imap {

// Sorts `msgs` by `criteria` (REVERSE applies to its own criterion), ties by sequence
// number; returns their sequence numbers in that order (the session maps them to UIDs for
// UID SORT). Loads each message's header at most once. Errors: a SearchMessage's Status
// when a header cannot be read. `msgs` itself is not reordered.
Result<std::vector<uint32_t>> sort_messages(const std::vector<SortCriterion>& criteria,
                                            std::vector<SearchMessage*>& msgs);

// THREAD=ORDEREDSUBJECT (RFC 5256 §3, "ORDEREDSUBJECT") and THREAD=REFERENCES (§3,
// "REFERENCES": Message-ID, References and In-Reply-To links, dummy parents pruned,
// subject grouping of the roots, siblings by sent date). `msgs` in mailbox order (duplicate
// Message-IDs: the first keeps it). Returns the response text after "THREAD " — e.g.
// "(2)(3 6 (4 23)(44 7 96))", empty for no messages — with UIDs when `use_uid`, sequence
// numbers otherwise. Errors as sort_messages.
Result<std::string> thread_messages(ThreadArgs::Algorithm algorithm,
                                    std::vector<SearchMessage*>& msgs, bool use_uid);

}  // namespace mf::imap

#endif  // MF_IMAP_SORT_THREAD_H
