// imap/session_state.h — the selected mailbox's view, shared by the files of imap::Session.
// Internal to the session (imap/session.h).
#ifndef MF_IMAP_SESSION_STATE_H
#define MF_IMAP_SESSION_STATE_H

#include "imap/session.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mf::imap {

// What the session has told the client of its selected mailbox. The view changes only when
// the session reports a change (EXISTS, EXPUNGE, VANISHED), so sequence numbers mean what
// the client believes they mean.
struct Session::Selected {
  std::string folder;  // the stored name
  bool read_only = false;
  uint32_t uidvalidity = 0;
  std::vector<uint32_t> uids;         // sequence number - 1 → UID, ascending
  uint32_t uidnext = 1;               // UIDs from here on are not in the view yet
  uint64_t modseq = 0;                // flag changes up to this modseq have been reported
  uint64_t expunge_modseq = 0;        // expunges up to this modseq have been reported
  std::vector<uint32_t> saved;        // SEARCHRES's "$": UIDs, ascending (RFC 5182)
  std::vector<std::string> keywords;  // keywords announced in FLAGS
};

// A FETCH in progress (imap/session_fetch.cpp).
struct Session::FetchState {
  std::string tag;
  bool uid = false;
  std::vector<FetchItem> items;
  bool sets_seen = false;
  std::vector<uint32_t> uids;  // to fetch, ascending
  size_t next = 0;
  std::optional<uint64_t> changed_since;
  bool missing = false;  // some message had been expunged meanwhile
  bool failed = false;   // some message could not be read
  bool unknown_cte = false;
};

}  // namespace mf::imap

#endif  // MF_IMAP_SESSION_STATE_H
