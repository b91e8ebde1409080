// mta/received.h — the trace fields the server writes into every message it accepts
// (RFC 5321 §4.4): the Received header with the RFC 3848 / RFC 6531 protocol keyword, and
// the per-recipient Return-Path and Delivered-To lines of local delivery. Pure functions.
#ifndef MF_MTA_RECEIVED_H
#define MF_MTA_RECEIVED_H

#include "mime/date.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::mta {

struct ReceivedInfo {
  std::string helo;       // the client's HELO/EHLO argument, as sent
  std::string client_ip;  // "192.0.2.7" or "2001:db8::7"
  std::string hostname;   // this server
  std::string queue_id;
  bool esmtp = true;
  bool tls = false;
  bool authenticated = false;
  bool smtputf8 = false;
  std::string tls_clause;  // "using TLSv1.2 with cipher ..." or empty
  std::string recipient;   // written as "for <...>" only when the message has one
  mime::DateTime date;
};

// RFC 3848 and RFC 6531 §3.7.4: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP, UTF8SMTPS,
// UTF8SMTPA, UTF8SMTPSA.
std::string_view protocol_keyword(const ReceivedInfo& info);

// "Received: from helo ([ip])\r\n\tby host (MailFountain) with ESMTPS id ID\r\n\t(...)\r\n\t
// for <r>; date\r\n". The HELO name is the client's claim: bytes that could break the
// field (controls, parentheses, non-ASCII without SMTPUTF8) are written as '?'.
std::string received_field(const ReceivedInfo& info);

// The fields stored with one local delivery, not in the shared body:
// "Return-Path: <sender>\r\nDelivered-To: account\r\n" (RFC 5322 §3.6.7, RFC 9228).
std::string delivery_prefix(std::string_view sender, std::string_view delivered_to);

}  // namespace mf::mta

#endif  // MF_MTA_RECEIVED_H
