// mta/quota_notice.cpp — the quota warning written into the account's INBOX.
#include "mta/quota_notice.h"

#include "mta/quota_warning.h"
#include "mta/received.h"
#include "mta/server_impl.h"

#include <fmt/format.h>

namespace mf::mta {

void send_quota_warning(MailServerImpl& server, const std::string& account,
                        const mailbox::QuotaWarning& warning) {
  const std::string qid = server.next_queue_id();
  QuotaWarningNotice notice;
  notice.account = account;
  notice.usage_bytes = warning.usage_bytes;
  notice.limit_bytes = warning.limit_bytes;
  notice.date = mime::DateTime{server.now(), 0, false};
  notice.message_id = fmt::format("{}.quota@{}", qid, account.substr(account.rfind('@') + 1));
  auto staged = [&]() -> Result<mailbox::StagedBody> {
    MF_ASSIGN_OR_RETURN(std::string text, build_quota_warning(notice));
    MF_ASSIGN_OR_RETURN(mailbox::BodyWriter writer, server.store().begin_body());
    MF_RETURN_IF_ERROR(writer.append(text));
    return writer.finish();
  }();
  if (!staged.is_ok()) {
    server.log(LogLevel::kError, fmt::format("{}: quota warning for {} not written: {}", qid,
                                             account, staged.status().message()));
    return;
  }
  mailbox::Delivery d;
  d.account = account;
  d.prefix = delivery_prefix("", account);
  d.quota = mailbox::QuotaMode::kExempt;
  std::vector<mailbox::Delivery> one;
  one.push_back(std::move(d));
  MailServerImpl* s = &server;
  const uint64_t usage = warning.usage_bytes, limit = warning.limit_bytes;
  server.poster().expect();
  server.store().deliver(
      std::move(*staged), std::move(one),
      [s, qid, account, usage, limit](std::vector<mailbox::DeliveryOutcome> out) {
        s->poster().post([s, qid, account, usage, limit, out = std::move(out)]() {
          if (!out.empty() && out[0].is_ok()) {
            s->log(LogLevel::kInfo,
                   fmt::format("{}: to=<{}>, relay=local, status=sent (quota warning: {} of {} "
                               "bytes; delivered to {} uid {})",
                               qid, account, usage, limit, out[0]->folder, out[0]->uid));
          } else {
            s->log(LogLevel::kWarning,
                   fmt::format("{}: quota warning for {} not delivered: {}", qid, account,
                               out.empty() ? "no outcome" : out[0].status().message()));
          }
        });
      });
}

}  // namespace mf::mta
