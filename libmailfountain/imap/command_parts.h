// imap/command_parts.h — the parsers of the larger argument grammars, each in its own file,
// shared by imap/command_parser.cpp. Internal. Each starts where its arguments start (just
// after the command name and its SP, unless said otherwise) and reads up to the end of the
// command, which the caller checks.
#ifndef MF_IMAP_COMMAND_PARTS_H
#define MF_IMAP_COMMAND_PARTS_H

#include "imap/command.h"
#include "imap/token_cursor.h"

#include <mailfountain/status.h>

namespace mf::imap {

// SEARCH's arguments (search_parser.cpp): [RETURN (...)] [CHARSET cs] 1*(SP key).
Result<SearchArgs> parse_search_args(TokenCursor& c);
// SORT's and THREAD's arguments (search_parser.cpp).
Result<SortArgs> parse_sort_args(TokenCursor& c);
Result<ThreadArgs> parse_thread_args(TokenCursor& c);

// FETCH's arguments (fetch_parser.cpp); `uid` allows VANISHED.
Result<FetchArgs> parse_fetch_args(TokenCursor& c, bool uid);

// Mailbox commands (mailbox_parser.cpp).
Result<SelectArgs> parse_select_args(TokenCursor& c);
Result<CreateArgs> parse_create_args(TokenCursor& c);
Result<ListArgs> parse_list_args(TokenCursor& c);
Result<ListArgs> parse_lsub_args(TokenCursor& c);
Result<StatusArgs> parse_status_args(TokenCursor& c);
Result<AppendArgs> parse_append_args(TokenCursor& c);

}  // namespace mf::imap

#endif  // MF_IMAP_COMMAND_PARTS_H
