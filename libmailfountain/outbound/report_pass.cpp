// outbound/report_pass.cpp — building and storing the queue's DSNs.
#include "outbound/report_pass.h"

#include "mta/dsn.h"
#include "mta/outbound_request.h"
#include "mta/received.h"
#include "queue/dsn_params.h"
#include "queue/queue_store.h"
#include "smtp/reply_parser.h"

#include <fmt/format.h>

#include <future>
#include <memory>
#include <random>

namespace mf::outbound {

namespace {

constexpr size_t kBlock = 64 * 1024;
constexpr size_t kMaxHeader = 1 << 20;

mta::DsnRecipient dsn_recipient(const queue::RecipientRecord& r, int64_t now) {
  mta::DsnRecipient d;
  d.address = r.address;
  d.notify = queue::notify_of(r.notify);
  if (!r.orcpt_type.empty()) d.orcpt = smtp::Orcpt{r.orcpt_type, r.orcpt};
  d.status = smtp::reply_enhanced_code(r.last_reply);
  if (r.state != queue::RcptState::kReport) {
    // Still scheduled: a delay notice (RFC 3464 Action: delayed), until its expiry.
    d.action = mta::DsnAction::kDelayed;
    if (d.status.empty() || d.status[0] != '4') d.status = "4.0.0";
    d.will_retry_until = mime::DateTime{r.expires_at, 0, false};
  } else {
    switch (r.outcome) {
      case queue::Outcome::kDelivered:
        d.action = mta::DsnAction::kRelayed;  // handed to a server that may not send DSNs
        if (d.status.empty() || d.status[0] != '2') d.status = "2.0.0";
        break;
      case queue::Outcome::kExpired:
        d.action = mta::DsnAction::kFailed;
        // The last temporary reply says why it never went; Postfix reports it as it is.
        if (d.status.empty()) d.status = "4.4.7";
        break;
      case queue::Outcome::kFailed:
      case queue::Outcome::kNone:
        d.action = mta::DsnAction::kFailed;
        if (d.status.empty() || d.status[0] == '2') d.status = "5.0.0";
        break;
    }
  }
  // Our own explanations (routing, connection failures) are not a server's reply.
  const bool from_peer = !smtp::reply_enhanced_code(r.last_reply).empty() &&
                         r.last_reply.find("connect to") == std::string::npos &&
                         r.last_reply.find("lost connection") == std::string::npos;
  d.diagnostic = r.last_reply.empty()
                     ? (r.outcome == queue::Outcome::kExpired ? "delivery time expired" : "")
                     : r.last_reply;
  d.diagnostic_type = from_peer ? "smtp" : "X-MailFountain";
  d.last_attempt = mime::DateTime{now, 0, false};
  return d;
}

// The original's header (up to the blank line, bounded) and where its body starts.
Result<std::pair<std::string, uint64_t>> read_header(const mailbox::MessageReader& reader) {
  std::string header;
  uint64_t offset = 0;
  while (offset < reader.size() && header.size() < kMaxHeader) {
    MF_RETURN_IF_ERROR(reader.read(offset, kBlock, &header));
    offset = header.size();
    size_t at = header.find("\r\n\r\n");
    if (at != std::string::npos) {
      header.resize(at + 2);
      return std::make_pair(std::move(header), uint64_t{at + 4});
    }
  }
  if (header.size() >= kMaxHeader) header.resize(kMaxHeader);
  return std::make_pair(std::move(header), uint64_t{header.size()});
}

// Ends a report without a DSN.
Status end_report(ReportContext& ctx, uint64_t message_id) {
  return ctx.env.write(
      [&](store::Txn& txn) { return queue::report_done(txn, message_id).status(); });
}

}  // namespace

ReportPassResult run_report_pass(ReportContext& ctx, size_t limit, int64_t now) {
  ReportPassResult out;
  std::vector<uint64_t> ids;
  Status listed = ctx.env.read([&](store::Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(ids, queue::pending_reports(txn, 0, limit + 1));
    return Status::ok();
  });
  if (!listed.is_ok()) {
    out.lines.emplace_back(LogLevel::kError,
                           fmt::format("outbound: listing reports failed: {}", listed.message()));
    return out;
  }
  out.more = ids.size() > limit;
  if (out.more) ids.resize(limit);
  std::random_device rd;
  for (uint64_t id : ids) {
    queue::Report report;
    Status loaded = ctx.env.read([&](store::Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(report, queue::load_report(txn, id));
      return Status::ok();
    });
    if (!loaded.is_ok()) {
      out.lines.emplace_back(LogLevel::kError, fmt::format("outbound: report of message {}: {}", id,
                                                           loaded.message()));
      out.more = false;  // do not spin on a broken record
      continue;
    }
    const queue::MessageRecord& m = report.message;
    ++out.reports;
    if (m.sender.empty()) {
      Status s = end_report(ctx, id);
      out.lines.emplace_back(
          s.is_ok() ? LogLevel::kInfo : LogLevel::kError,
          fmt::format("{}: no DSN for {} recipient(s): the sender is the null sender{}", m.queue_id,
                      report.recipients.size(), s.is_ok() ? "" : " (" + s.message() + ")"));
      continue;
    }
    mta::DsnRequest request;
    request.reporting_mta = ctx.reporting_mta;
    request.envelope_sender = m.sender;
    request.ret = queue::smtp_ret(m.ret);
    request.envid = m.envid;
    request.smtputf8 = m.flags & queue::kSmtpUtf8;
    request.arrival_date = mime::DateTime{m.arrival, 0, false};
    request.queue_id = m.queue_id;
    bool any_failed = false, any_delayed = false;
    for (const auto& [index, r] : report.recipients) {
      request.recipients.push_back(dsn_recipient(r, now));
      const bool delayed = r.state != queue::RcptState::kReport;
      any_delayed |= delayed;
      any_failed |= !delayed && r.outcome != queue::Outcome::kDelivered;
    }
    const std::string dsn_qid = ctx.ids.next(now);
    request.date = mime::DateTime{now, 0, false};
    request.message_id = fmt::format("{}@{}", dsn_qid, ctx.reporting_mta);
    request.boundary_seed = (uint64_t{rd()} << 32) ^ rd();

    auto fail = [&](const Status& s) {
      out.lines.emplace_back(LogLevel::kError, fmt::format("{}: building the DSN failed: {}",
                                                           m.queue_id, s.message()));
      out.more = false;
    };
    auto reader = ctx.store.open_body(m.body_id);
    if (!reader.is_ok()) {
      fail(reader.status());
      continue;
    }
    auto header = read_header(*reader);
    if (!header.is_ok()) {
      fail(header.status());
      continue;
    }
    mailbox::MessageReader& original_reader = *reader;
    const uint64_t body_start = header->second;
    mta::OriginalMessage original;
    original.header = header->first;
    original.body_size = original_reader.size() - std::min(body_start, original_reader.size());
    original.read_body = [&](const mta::ChunkFn& chunk) -> Status {
      std::string block;
      for (uint64_t off = body_start; off < original_reader.size();) {
        block.clear();
        MF_RETURN_IF_ERROR(original_reader.read(off, kBlock, &block));
        if (block.empty()) break;
        off += block.size();
        MF_RETURN_IF_ERROR(chunk(block));
      }
      return Status::ok();
    };
    auto writer = ctx.store.begin_body();
    if (!writer.is_ok()) {
      fail(writer.status());
      continue;
    }
    auto result = mta::write_dsn(request, original,
                                 [&](std::string_view bytes) { return writer->append(bytes); });
    if (!result.is_ok()) {
      fail(result.status());
      continue;
    }
    if (result->verdict == mta::DsnVerdict::kNothingToSend) {
      Status s = end_report(ctx, id);
      out.lines.emplace_back(
          LogLevel::kInfo,
          fmt::format("{}: no DSN: NOTIFY asks for none of {} recipient(s){}", m.queue_id,
                      report.recipients.size(), s.is_ok() ? "" : " (" + s.message() + ")"));
      continue;
    }
    auto staged = writer->finish();
    if (!staged.is_ok()) {
      fail(staged.status());
      continue;
    }
    const uint64_t size = staged->size();

    // Where the DSN goes: the sender's local mailboxes, or the queue.
    std::vector<mailbox::Delivery> deliveries;
    std::vector<std::string> remote;
    const std::string domain = mta::destination_of(m.sender);
    auto local = ctx.directory.is_local_domain(domain);
    if (local.is_ok() && *local) {
      auto res = ctx.directory.resolve(m.sender);
      if (res.is_ok()) {
        for (const std::string& box : res->mailboxes) {
          mailbox::Delivery d;
          d.account = box;
          d.prefix = mta::delivery_prefix("", res->address);
          deliveries.push_back(std::move(d));
        }
        remote = res->external;
      }
    } else {
      remote.push_back(m.sender);
    }
    queue::NewMessage dsn;
    dsn.queue_id = dsn_qid;
    dsn.size = size;
    dsn.priority = queue::Priority::kBounce;
    dsn.origin_kind = queue::OriginKind::kInternal;
    dsn.origin = "dsn";
    if (result->needs_8bitmime) dsn.flags |= queue::kEightBitMime;
    if (result->needs_smtputf8) dsn.flags |= queue::kSmtpUtf8;
    std::vector<queue::NewRecipient> rcpts;
    for (const std::string& to : remote) {
      queue::NewRecipient r;
      r.address = to;
      r.domain = mta::destination_of(to);
      r.notify = 0;  // NOTIFY=NEVER: a DSN about a DSN is never sent
      rcpts.push_back(std::move(r));
    }
    auto committed = std::make_shared<std::promise<Status>>();
    auto done = committed->get_future();
    const size_t local_copies = deliveries.size();
    ctx.store.deliver(
        std::move(*staged), std::move(deliveries),
        [&, id](store::Txn& txn, uint64_t body_id) -> Status {
          if (!rcpts.empty()) {
            dsn.body_id = body_id;
            MF_RETURN_IF_ERROR(queue::enqueue(txn, dsn, rcpts, now).status());
          }
          return queue::report_done(txn, id).status();
        },
        [committed](Status s, std::vector<mailbox::DeliveryOutcome>) { committed->set_value(s); });
    Status s = done.get();
    if (!s.is_ok()) {
      fail(s);
      continue;
    }
    if (!rcpts.empty()) out.queued = true;
    out.lines.emplace_back(
        LogLevel::kInfo,
        fmt::format(
            "{}: sender {} notification: {} (to=<{}>, {} recipient(s) reported, {})", m.queue_id,
            any_failed ? "non-delivery" : (any_delayed ? "delay" : "delivery status"), dsn_qid,
            m.sender, result->reported,
            rcpts.empty() ? fmt::format("{} local copy", local_copies) : std::string("queued")));
    if (local_copies == 0 && rcpts.empty()) {
      out.lines.emplace_back(
          LogLevel::kWarning,
          fmt::format("{}: the DSN's recipient <{}> does not exist here: dropped", dsn_qid,
                      m.sender));
    }
  }
  return out;
}

}  // namespace mf::outbound
