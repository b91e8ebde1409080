// mta/received.cpp — Received, Return-Path and Delivered-To fields.
#include "mta/received.h"

#include <fmt/format.h>

namespace mf::mta {

std::string_view protocol_keyword(const ReceivedInfo& info) {
  if (!info.esmtp) return "SMTP";
  if (info.smtputf8) {
    if (info.tls && info.authenticated) return "UTF8SMTPSA";
    if (info.tls) return "UTF8SMTPS";
    if (info.authenticated) return "UTF8SMTPA";
    return "UTF8SMTP";
  }
  if (info.tls && info.authenticated) return "ESMTPSA";
  if (info.tls) return "ESMTPS";
  if (info.authenticated) return "ESMTPA";
  return "ESMTP";
}

namespace {

std::string safe_helo(std::string_view helo, bool utf8) {
  std::string out;
  out.reserve(helo.size());
  for (char c : helo) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '\\') || (u >= 0x80 && utf8);
    out += ok ? c : '?';
  }
  if (out.empty()) out = "unknown";
  return out;
}

}  // namespace

std::string received_field(const ReceivedInfo& info) {
  std::string f = fmt::format("Received: from {} ([{}])\r\n", safe_helo(info.helo, info.smtputf8),
                              info.client_ip);
  f += fmt::format("\tby {} (MailFountain) with {} id {}", info.hostname, protocol_keyword(info),
                   info.queue_id);
  if (!info.tls_clause.empty()) f += fmt::format("\r\n\t({})", info.tls_clause);
  if (!info.recipient.empty()) f += fmt::format("\r\n\tfor <{}>", info.recipient);
  f += fmt::format(";\r\n\t{}\r\n", mime::format_date(info.date));
  return f;
}

std::string delivery_prefix(std::string_view sender, std::string_view delivered_to) {
  return fmt::format("Return-Path: <{}>\r\nDelivered-To: {}\r\n", sender, delivered_to);
}

}  // namespace mf::mta
