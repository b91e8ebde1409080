// mta/quota_warning.cpp — the bilingual "mailbox almost full" message (see quota_warning.h).
#include "mta/quota_warning.h"

#include "mime/builder.h"

#include <fmt/format.h>

#include <array>

namespace mf::mta {

namespace {

// The account's usage as a whole percentage of its limit, rounded down.
uint64_t percent_of(uint64_t usage, uint64_t limit) {
  if (limit == 0) return 100;
  if (usage > UINT64_MAX / 100) return usage / (limit / 100 == 0 ? 1 : limit / 100);
  return usage * 100 / limit;
}

mime::Mailbox mailbox_of(std::string_view address, std::string display_name) {
  mime::Mailbox m;
  size_t at = address.rfind('@');
  m.display_name = std::move(display_name);
  m.local = std::string(address.substr(0, at));
  m.domain = std::string(address.substr(at + 1));
  return m;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string human_size(uint64_t bytes, Language language) {
  const bool fr = language == Language::kFrench;
  if (bytes < 1024) return fmt::format("{} {}", bytes, fr ? "octets" : "bytes");
  static constexpr std::array<std::string_view, 4> kFr = {"Ko", "Mo", "Go", "To"};
  static constexpr std::array<std::string_view, 4> kEn = {"KB", "MB", "GB", "TB"};
  size_t unit = 0;
  uint64_t scale = 1024;
  while (unit + 1 < kFr.size() && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  // Tenths, rounded to nearest, without floating point.
  const uint64_t tenths = (bytes / scale) * 10 + ((bytes % scale) * 10 + scale / 2) / scale;
  const uint64_t whole = tenths / 10, decimal = tenths % 10;
  const std::string_view name = fr ? kFr[unit] : kEn[unit];
  if (decimal == 0) return fmt::format("{} {}", whole, name);
  return fmt::format("{}{}{} {}", whole, fr ? ',' : '.', decimal, name);
}

Result<std::string> build_quota_warning(const QuotaWarningNotice& notice) {
  const size_t at = notice.account.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == notice.account.size())
    return invalid_argument(fmt::format("'{}' is not an account address", notice.account));
  const std::string domain = notice.account.substr(at + 1);
  const uint64_t percent = percent_of(notice.usage_bytes, notice.limit_bytes);
  const std::string usage_fr = human_size(notice.usage_bytes, Language::kFrench);
  const std::string limit_fr = human_size(notice.limit_bytes, Language::kFrench);
  const std::string usage_en = human_size(notice.usage_bytes, Language::kEnglish);
  const std::string limit_en = human_size(notice.limit_bytes, Language::kEnglish);

  std::string text = fmt::format(
      "Bonjour,\n"
      "\n"
      "Votre boîte aux lettres {account} est presque pleine : elle occupe {usage_fr} sur\n"
      "les {limit_fr} qui lui sont alloués ({percent} %).\n"
      "\n"
      "Lorsqu'elle sera pleine, les messages qui vous sont adressés seront refusés et\n"
      "renvoyés à leurs expéditeurs. Pour libérer de la place, supprimez les messages dont\n"
      "vous n'avez plus besoin, sans oublier de vider la corbeille, ou demandez à\n"
      "l'administrateur de votre domaine d'augmenter votre quota.\n"
      "\n"
      "Cet avertissement n'est envoyé qu'une fois : vous le recevrez de nouveau si\n"
      "l'occupation redescend sous 90 % puis dépasse à nouveau ce seuil.\n"
      "\n"
      "Le postmaster de {domain}\n"
      "\n"
      "----------------------------------------------------------------------\n"
      "\n"
      "Hello,\n"
      "\n"
      "Your mailbox {account} is almost full: it uses {usage_en} of the {limit_en}\n"
      "allotted to it ({percent}%).\n"
      "\n"
      "Once it is full, messages sent to you will be refused and returned to their\n"
      "senders. To make room, delete the messages you no longer need, and empty the\n"
      "trash, or ask your domain's administrator for a larger quota.\n"
      "\n"
      "This warning is sent only once: you will receive it again if your usage falls\n"
      "below 90% and then rises above it again.\n"
      "\n"
      "The postmaster of {domain}\n",
      fmt::arg("account", notice.account), fmt::arg("usage_fr", usage_fr),
      fmt::arg("limit_fr", limit_fr), fmt::arg("usage_en", usage_en),
      fmt::arg("limit_en", limit_en), fmt::arg("percent", percent), fmt::arg("domain", domain));

  mime::OutgoingMessage m;
  m.from.push_back(mailbox_of("postmaster@" + domain, "Postmaster"));
  m.to.push_back(mailbox_of(notice.account, ""));
  m.subject = fmt::format(
      "Votre boîte aux lettres est presque pleine ({} %) / Your mailbox is almost full ({}%)",
      percent, percent);
  m.date = notice.date;
  m.message_id = notice.message_id;
  m.extra_fields.push_back({"Auto-Submitted", "auto-generated"});
  m.body = mime::text_part("plain", std::move(text));
  mime::BuildOptions options;
  options.smtputf8 = !is_ascii(notice.account);
  options.eight_bit = options.smtputf8;
  return mime::build_message(m, options);
}

}  // namespace mf::mta
