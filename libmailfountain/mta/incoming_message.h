// mta/incoming_message.h — one message on its way from an SMTP session to its body file:
// the header is held (bounded) until it is complete, looked at, completed, and written
// after the trace field; the body streams straight through. Pure over a write function.
//
// What the server learns from the header, for its end-of-data checks:
//   - its size (over the limit → 552 5.3.4: the header is never held past it);
//   - the number of Received fields (too many → 554 5.4.6, a mail loop);
//   - the From addresses (on submission they must belong to the user: 550 5.7.1).
// On submission, missing Date and Message-ID fields are added (RFC 6409 §8.2, §8.3).
//
// Memory: at most max_header_bytes held, whatever the message's size.
#ifndef MF_MTA_INCOMING_MESSAGE_H
#define MF_MTA_INCOMING_MESSAGE_H

#include <mailfountain/status.h>

#include "mime/date.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mta {

struct IncomingOptions {
  size_t max_header_bytes = 1 << 20;
  // Submission: add Date and Message-ID when missing.
  bool complete_header = false;
  mime::DateTime now;      // for an added Date
  std::string message_id;  // for an added Message-ID, without brackets
};

// Where the bytes go (a body file). A failure stops the message: every later call fails.
using WriteFn = std::function<Status(std::string_view)>;

class IncomingMessage {
 public:
  // `trace` (the Received field, CRLF-terminated) is written first.
  IncomingMessage(IncomingOptions options, std::string trace, WriteFn write);

  // The next bytes of the message, as the session hands them over.
  Status append(std::string_view bytes);
  // The message is complete: writes a header that never ended (a message without body).
  Status finish();

  // After finish():
  bool header_too_large() const { return too_large_; }
  uint32_t received_count() const { return received_; }
  // The addr-specs of the From field(s), as written ("emma.durand@ma-societe.fr").
  const std::vector<std::string>& from() const { return from_; }
  bool added_date() const { return added_date_; }
  bool added_message_id() const { return added_message_id_; }
  // The Message-ID field's id (the client's or the added one), for the log.
  const std::string& message_id() const { return message_id_; }
  uint64_t bytes_written() const { return written_; }

 private:
  Status write(std::string_view bytes);
  // The header is complete at `end` bytes of held_ (the blank line, if any, included).
  Status release_header(size_t end);

  IncomingOptions options_;
  std::string trace_;
  WriteFn write_;
  std::string held_;  // the header so far
  bool in_header_ = true;
  bool too_large_ = false;
  uint32_t received_ = 0;
  std::vector<std::string> from_;
  bool added_date_ = false;
  bool added_message_id_ = false;
  std::string message_id_;
  uint64_t written_ = 0;
  Status failed_;
};

}  // namespace mf::mta

#endif  // MF_MTA_INCOMING_MESSAGE_H
