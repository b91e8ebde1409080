// outbound/job.cpp — loading jobs, making messages, recording outcomes.
#include "outbound/job.h"

#include "dkim/canonical.h"
#include "dkim/signer.h"
#include "mime/downgrade.h"
#include "queue/dsn_params.h"
#include "queue/queue_store_impl.h"
#include "smtp/reply_parser.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <memory>

namespace mf::outbound {

namespace {

constexpr size_t kReadBlock = 64 * 1024;
constexpr size_t kMaxHeaderBytes = 1 << 20;

// The bytes of a stored message: a prefix (the DKIM-Signature) then the body file.
class StoredBody : public smtp::BodySource {
 public:
  StoredBody(std::string prefix, mailbox::MessageReader reader)
      : prefix_(std::move(prefix)), reader_(std::move(reader)) {}

  Result<size_t> read(std::string& out, size_t max) override {
    if (prefix_pos_ < prefix_.size()) {
      size_t n = std::min(max, prefix_.size() - prefix_pos_);
      out.append(prefix_, prefix_pos_, n);
      prefix_pos_ += n;
      return n;
    }
    if (offset_ >= reader_.size()) return size_t{0};
    const size_t before = out.size();
    MF_RETURN_IF_ERROR(reader_.read(offset_, max, &out));
    const size_t n = out.size() - before;
    offset_ += n;
    return n;
  }

 private:
  std::string prefix_;
  size_t prefix_pos_ = 0;
  mailbox::MessageReader reader_;
  uint64_t offset_ = 0;
};

// A message held in memory (a 7-bit downgrade).
class MemoryBody : public smtp::BodySource {
 public:
  explicit MemoryBody(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> read(std::string& out, size_t max) override {
    size_t n = std::min(max, bytes_.size() - pos_);
    out.append(bytes_, pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

// The DKIM-Signature for a stored body: the header is read (bounded) and the body hashed
// in blocks, so a large message is never held whole.
Result<std::string> sign_stored(const dkim::DkimSigner& signer,
                                const mailbox::MessageReader& reader, int64_t now) {
  std::string header;
  uint64_t offset = 0;
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos && offset < reader.size() &&
         header.size() < kMaxHeaderBytes) {
    MF_RETURN_IF_ERROR(reader.read(offset, kReadBlock, &header));
    offset = header.size();
    size_t at = header.find("\r\n\r\n");
    if (at != std::string::npos) header_end = at + 4;
  }
  if (header_end == std::string::npos) {
    if (header.size() >= kMaxHeaderBytes)
      return invalid_argument("the message header is too large to sign");
    header_end = header.size();  // a message without a body
  }
  dkim::RelaxedBodyHash hash;
  hash.update(std::string_view(header).substr(header_end));
  std::string block;
  while (offset < reader.size()) {
    block.clear();
    MF_RETURN_IF_ERROR(reader.read(offset, kReadBlock, &block));
    if (block.empty()) break;
    offset += block.size();
    hash.update(block);
  }
  header.resize(header_end);
  return signer.sign_with_body_hash(header, hash.finish(), now);
}

std::string status_word(DeliveryEvent::Kind kind) {
  return std::string(delivery_event_kind_name(kind));
}

}  // namespace

LoadResult load_jobs(store::LmdbEnv& env, mailbox::MailStore& store, const dkim::DkimKeyStore& keys,
                     const LoadRequest& request) {
  LoadResult out;
  out.status = env.read([&](store::Txn& txn) -> Status {
    out.jobs.clear();
    // Interactive mail and bounces first, from the start of their classes, whatever the
    // cursor: a campaign's backlog being scanned page by page never hides them.
    std::vector<queue::DueEntry> entries;
    for (queue::Priority p : {queue::Priority::kInteractive, queue::Priority::kBounce}) {
      MF_ASSIGN_OR_RETURN(queue::DuePage first,
                          queue::next_due(txn, request.now, request.limit, {}, p));
      for (auto& e : first.entries) entries.push_back(std::move(e));
    }
    MF_ASSIGN_OR_RETURN(queue::DuePage page,
                        queue::next_due(txn, request.now, request.limit, request.after));
    out.next = page.next;
    for (auto& e : page.entries) entries.push_back(std::move(e));
    std::map<std::pair<uint64_t, std::string>, size_t> groups;  // → index in out.jobs
    size_t loaded = 0;
    for (const queue::DueEntry& e : entries) {
      if (request.skip.count({e.ref.message_id, e.ref.index})) continue;
      auto key = std::make_pair(e.ref.message_id, e.domain);
      if (groups.count(key)) continue;  // its group is loaded whole below
      if (loaded >= request.budget) break;
      Job job;
      job.message_id = e.ref.message_id;
      job.domain = e.domain;
      MF_ASSIGN_OR_RETURN(job.message, queue::detail::load_message(txn, e.ref.message_id));
      MF_ASSIGN_OR_RETURN(std::vector<uint32_t> indexes,
                          queue::recipients_at(txn, e.ref.message_id, e.domain));
      for (uint32_t index : indexes) {
        if (request.skip.count({e.ref.message_id, index})) continue;
        MF_ASSIGN_OR_RETURN(queue::RecipientRecord r,
                            queue::detail::load_recipient(txn, {e.ref.message_id, index}));
        if (r.next_attempt > request.now) continue;  // deferred, not due yet
        job.recipients.emplace_back(index, std::move(r));
      }
      if (job.recipients.empty()) continue;
      loaded += job.recipients.size();
      groups[key] = out.jobs.size();
      out.jobs.push_back(std::move(job));
    }
    return Status::ok();
  });
  if (!out.status.is_ok()) {
    out.jobs.clear();
    out.next.clear();
    return out;
  }
  // Signing outside the read transaction: it takes milliseconds per message.
  std::map<std::string, std::shared_ptr<dkim::DkimSigner>> signers;
  for (Job& job : out.jobs) {
    const std::string& domain = job.message.dkim_domain;
    if (domain.empty()) continue;
    auto it = signers.find(domain);
    if (it == signers.end()) {
      auto signer = keys.signer(domain);
      it = signers
               .emplace(domain, signer.is_ok()
                                    ? std::shared_ptr<dkim::DkimSigner>(std::move(*signer))
                                    : nullptr)
               .first;
      if (!signer.is_ok() && signer.status().code() != Code::kNotFound)
        job.dkim_error = signer.status().message();
    }
    if (!it->second) continue;  // no key for the domain: sent unsigned
    auto reader = store.open_body(job.message.body_id);
    if (!reader.is_ok()) continue;  // make_message reports it
    auto sig = sign_stored(*it->second, *reader, request.now);
    if (sig.is_ok())
      job.dkim_signature = std::move(*sig);
    else
      job.dkim_error = sig.status().message();
  }
  return out;
}

Result<OutboundMessage> make_message(mailbox::MailStore& store, const dkim::DkimKeyStore& keys,
                                     const Job& job, uint64_t tag) {
  MF_ASSIGN_OR_RETURN(mailbox::MessageReader reader, store.open_body(job.message.body_id));
  OutboundMessage m;
  m.tag = tag;
  smtp::ClientEnvelope& e = m.envelope;
  e.mail_from = job.message.sender;
  e.size = job.dkim_signature.size() + reader.size();
  e.body = job.message.flags & queue::kEightBitMime ? smtp::Body::k8BitMime : smtp::Body::k7Bit;
  e.smtputf8 = job.message.flags & queue::kSmtpUtf8;
  e.ret = queue::smtp_ret(job.message.ret);
  e.envid = job.message.envid;
  for (const auto& [index, r] : job.recipients) {
    smtp::ClientRecipient cr;
    cr.address = r.address;
    cr.notify = queue::notify_of(r.notify);
    if (!r.orcpt_type.empty()) cr.orcpt = smtp::Orcpt{r.orcpt_type, r.orcpt};
    e.recipients.push_back(std::move(cr));
  }
  m.body = std::make_unique<StoredBody>(job.dkim_signature, std::move(reader));
  const uint64_t body_id = job.message.body_id;
  const std::string dkim_domain = job.dkim_signature.empty() ? "" : job.message.dkim_domain;
  m.downgrade = [&store, &keys, body_id, dkim_domain]() -> Result<DowngradedBody> {
    MF_ASSIGN_OR_RETURN(mailbox::MessageReader original, store.open_body(body_id));
    MF_ASSIGN_OR_RETURN(std::string bytes, original.read_all());
    MF_ASSIGN_OR_RETURN(std::string seven, mime::downgrade_to_7bit(bytes));
    if (!dkim_domain.empty()) {
      // The signature covers what is sent: sign the downgraded bytes again.
      MF_ASSIGN_OR_RETURN(auto signer, keys.signer(dkim_domain));
      using namespace std::chrono;
      const int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
      MF_ASSIGN_OR_RETURN(std::string sig, signer->sign_message(seven, now));
      seven.insert(0, sig);
    }
    DowngradedBody d;
    d.size = seven.size();
    d.body = std::make_unique<MemoryBody>(std::move(seven));
    return d;
  };
  return m;
}

RecipientOutcome outcome_of(const Job& job, size_t i, const smtp::RecipientResult& result,
                            const std::string& relay) {
  RecipientOutcome o;
  o.ref = {job.message_id, job.recipients[i].first};
  o.delivery = result.delivery;
  o.reply = reply_text(result.reply);
  o.dsn = result.reply.enhanced;
  o.relay = relay.empty() ? "none" : relay;
  o.remote = result.remote;
  o.queue_id = job.message.queue_id;
  o.address = job.recipients[i].second.address;
  o.arrival = job.message.arrival;
  return o;
}

RecipientOutcome failed_outcome(const Job& job, size_t i, bool permanent, const std::string& reply,
                                const std::string& relay, const std::string& dsn) {
  RecipientOutcome o;
  o.ref = {job.message_id, job.recipients[i].first};
  o.delivery = permanent ? smtp::Delivery::kBounced : smtp::Delivery::kDeferred;
  o.reply = reply;
  o.dsn = dsn.empty() ? smtp::reply_enhanced_code(reply) : dsn;
  o.relay = relay;
  o.queue_id = job.message.queue_id;
  o.address = job.recipients[i].second.address;
  o.arrival = job.message.arrival;
  return o;
}

std::vector<RecordedEvent> record_outcomes(store::LmdbEnv& env,
                                           const std::vector<RecipientOutcome>& outcomes,
                                           int64_t now, const queue::RetryPolicy& policy) {
  std::vector<RecordedEvent> events;
  Status s = env.write([&](store::Txn& txn) -> Status {
    events.clear();
    for (const RecipientOutcome& o : outcomes) {
      DeliveryEvent ev;
      ev.queue_id = o.queue_id;
      ev.message_id = o.ref.message_id;
      ev.recipient = o.address;
      ev.relay = o.relay;
      ev.dsn = o.dsn;
      ev.reply = o.reply;
      ev.remote = o.remote;
      ev.delay = static_cast<double>(std::max<int64_t>(0, now - o.arrival));
      std::string extra;
      bool delay_notice = false;
      Status step;
      switch (o.delivery) {
        case smtp::Delivery::kDelivered: {
          auto r = queue::delivered(txn, o.ref, o.reply, now);
          step = r.status();
          ev.kind = DeliveryEvent::Kind::kDelivered;
          break;
        }
        case smtp::Delivery::kBounced: {
          auto r = queue::bounced(txn, o.ref, o.reply, now);
          step = r.status();
          ev.kind = DeliveryEvent::Kind::kBounced;
          break;
        }
        case smtp::Delivery::kDeferred: {
          auto r = queue::deferred(txn, o.ref, o.reply, now, policy);
          step = r.status();
          ev.kind = r.is_ok() && r->expired ? DeliveryEvent::Kind::kExpired
                                            : DeliveryEvent::Kind::kDeferred;
          if (r.is_ok() && !r->expired)
            extra = fmt::format(", next attempt in {}s", r->next_attempt - now);
          delay_notice = r.is_ok() && r->delay_notice;
          break;
        }
      }
      if (step.code() == Code::kNotFound || step.code() == Code::kFailedPrecondition) continue;
      MF_RETURN_IF_ERROR(step);
      RecordedEvent e;
      e.level = ev.kind == DeliveryEvent::Kind::kDelivered ? LogLevel::kInfo : LogLevel::kWarning;
      e.line = fmt::format("{}: to=<{}>, relay={}, delay={}, dsn={}, status={} ({}){}", o.queue_id,
                           o.address, o.relay, ev.delay, o.dsn.empty() ? "-" : o.dsn,
                           status_word(ev.kind), o.reply, extra);
      e.event = std::move(ev);
      e.delay_notice = delay_notice;
      events.push_back(std::move(e));
    }
    return Status::ok();
  });
  if (!s.is_ok()) {
    events.clear();
    for (const RecipientOutcome& o : outcomes) {
      RecordedEvent e;
      e.level = LogLevel::kError;
      e.line = fmt::format("{}: to=<{}>: recording the result failed ({}); it will be tried again",
                           o.queue_id, o.address, s.message());
      events.push_back(std::move(e));
    }
    for (auto& e : events) e.durable = false;
  }
  return events;
}

std::string reply_text(const smtp::Reply& reply) {
  if (reply.enhanced.empty()) return fmt::format("{} {}", reply.code, reply.text);
  return fmt::format("{} {} {}", reply.code, reply.enhanced, reply.text);
}

Result<RelayTarget> parse_relay_host(std::string_view text) {
  RelayTarget t;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos)
      return invalid_argument(fmt::format("relay_host '{}': missing ']'", text));
    host = text.substr(0, close + 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return invalid_argument(fmt::format("relay_host '{}': expected ':' after ']'", text));
      port = rest.substr(1);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return invalid_argument("relay_host: no host");
  t.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return invalid_argument(fmt::format("relay_host '{}': bad port '{}'", text, port));
    t.port = static_cast<uint16_t>(value);
  }
  return t;
}

}  // namespace mf::outbound

namespace mf {

std::string_view delivery_event_kind_name(DeliveryEvent::Kind kind) {
  switch (kind) {
    case DeliveryEvent::Kind::kDelivered:
      return "sent";
    case DeliveryEvent::Kind::kDeferred:
      return "deferred";
    case DeliveryEvent::Kind::kBounced:
      return "bounced";
    case DeliveryEvent::Kind::kExpired:
      return "expired";
  }
  return "unknown";
}

}  // namespace mf
