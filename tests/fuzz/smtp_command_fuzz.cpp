// Fuzz target: the SMTP command parsers (smtp/command.h and what it uses: path.h,
// params.h, xtext.h, sasl.h) must never crash on any line, every refusal must be a
// well-formed one-line reply, and every accepted address must keep the promises the
// relay check relies on: within RFC 5321's lengths, and parsed back to the same local
// part and domain from its canonical form.
#include "smtp/command.h"
#include "smtp/sasl.h"
#include "smtp/xtext.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace mf::smtp;

void check_reply(const Reply& r) {
  if (r.code < 500 || r.code > 559) std::abort();  // the parsers only refuse for good
  if (r.enhanced.size() != 5 || r.enhanced[0] != '5' || r.enhanced[1] != '.') std::abort();
  if (r.text.empty()) std::abort();
  for (char c : r.text) {
    if (c < 0x20 || c > 0x7E) std::abort();  // never the client's raw bytes
  }
  std::string wire = r.wire();
  if (wire.find("\r\n") != wire.size() - 2) std::abort();
}

template <typename T>
bool checked(const ReplyOr<T>& r) {
  if (!r.is_ok()) check_reply(r.reply());
  return r.is_ok();
}

void check_path(const Path& p, PathRole role) {
  if (p.is_null) {
    if (role != PathRole::kSender || !p.local.empty() || !p.domain.empty()) std::abort();
    return;
  }
  if (p.domain.size() > kMaxDomain || p.local.size() > kMaxPath) std::abort();
  if (p.is_bare_postmaster()) {
    if (role != PathRole::kRecipient || !p.domain.empty()) std::abort();
    return;
  }
  if (p.domain.empty()) std::abort();
  // The canonical form parses back to the same mailbox: no second reading of it exists.
  auto again = parse_path("<" + p.mailbox() + ">", role);
  if (!again.is_ok()) std::abort();
  if (again->local != p.local || again->domain != p.domain || again->has_utf8 != p.has_utf8) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // The whole input as one line; and its argument through the parser of every verb, so
  // each parser sees every input whatever verb the line starts with.
  auto line = parse_command_line(in);
  std::string_view argument = in;
  if (checked(line)) argument = line->argument;

  Extensions all;
  all.size = all.eightbitmime = all.binarymime = all.smtputf8 = all.dsn = all.auth = true;
  for (const Extensions& offered : {Extensions{}, all}) {
    for (std::string_view arg : {argument, in}) {
      auto mail = parse_mail(arg, offered);
      if (checked(mail)) {
        check_path(mail->sender, PathRole::kSender);
        if (mail->sender.has_utf8 && !mail->params.smtputf8) std::abort();
        if (mail->params.envid && mail->params.envid->size() > kMaxEnvid) std::abort();
      }
      for (auto tx : {Smtputf8::kNotDeclared, Smtputf8::kDeclared}) {
        auto rcpt = parse_rcpt(arg, offered, tx);
        if (checked(rcpt)) {
          check_path(rcpt->recipient, PathRole::kRecipient);
          if (rcpt->recipient.has_utf8 && tx != Smtputf8::kDeclared) std::abort();
          if (rcpt->params.notify && rcpt->params.notify->never() &&
              (rcpt->params.notify->success || rcpt->params.notify->delay)) {
            std::abort();
          }
        }
      }
    }
  }
  (void)checked(parse_bdat(argument));
  auto auth = parse_auth(argument);
  if (checked(auth) && (auth->mechanism.empty() || auth->mechanism.size() > kMaxSaslMechanism)) {
    std::abort();
  }
  auto helo = parse_helo(Verb::kEhlo, argument);
  if (checked(helo) && helo->name.empty()) std::abort();
  auto plain = decode_sasl_plain(argument);
  if (checked(plain) && (plain->authcid.empty() || plain->password.empty())) std::abort();

  // The codecs: decoding what was encoded gives the input back.
  if (xtext_decode(xtext_encode(in)) != in) std::abort();
  if (auto raw = xtext_decode(in); raw && xtext_encode(*raw).size() > 3 * raw->size()) {
    std::abort();
  }
  if (auto u = utf8_addr_decode(in, RawUtf8::kAllowed)) {
    if (utf8_addr_decode(utf8_addr_encode(*u), RawUtf8::kRefused) != *u) std::abort();
  }
  return 0;
}
