// queue/queue_admin_api.cpp — the public face of the queue's administration
// (mailfountain/queue_admin.h): the store layer's operations (queue_store.h), each in
// transactions of its own over the Context's environment, with records turned into the
// public structures, and the header section of a queued message read from its body file.
#include <mailfountain/queue_admin.h>

#include "mailbox/mail_store.h"
#include "model/context_env.h"
#include "queue/queue_store.h"
#include "queue/queue_store_impl.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace mf {

using queue::EntryRef;
using queue::MessageRecord;
using queue::RcptState;
using queue::RecipientRecord;
using store::Table;
using store::Txn;

namespace {

constexpr size_t kQueueIdLength = 12;
constexpr size_t kMaxListLimit = 10000;
// Messages read per transaction while looking for a queue ID.
constexpr size_t kFindPage = 1024;

QueueCounts to_public(const queue::Counts& c) {
  return QueueCounts{c.messages, c.active, c.deferred, c.held, c.report};
}

std::string_view origin_kind_name(queue::OriginKind k) {
  switch (k) {
    case queue::OriginKind::kAccount:
      return "account";
    case queue::OriginKind::kClientIp:
      return "client_ip";
    case queue::OriginKind::kInternal:
      return "internal";
  }
  return "?";
}

std::string_view ret_name(queue::Ret r) {
  switch (r) {
    case queue::Ret::kUnspecified:
      return "";
    case queue::Ret::kFull:
      return "FULL";
    case queue::Ret::kHeaders:
      return "HDRS";
  }
  return "";
}

QueueMessage to_public(uint64_t id, const MessageRecord& m) {
  QueueMessage out;
  out.id = id;
  out.queue_id = m.queue_id;
  out.sender = m.sender;
  out.size = m.size;
  out.arrival = m.arrival;
  out.priority = std::string(queue::priority_name(m.priority));
  out.origin_kind = std::string(origin_kind_name(m.origin_kind));
  out.origin = m.origin;
  out.envid = m.envid;
  out.ret = std::string(ret_name(m.ret));
  out.eight_bit_mime = (m.flags & queue::kEightBitMime) != 0;
  out.smtputf8 = (m.flags & queue::kSmtpUtf8) != 0;
  out.dkim_domain = m.dkim_domain;
  out.counts = to_public(m.counts);
  return out;
}

QueueRecipient to_public(uint32_t index, const RecipientRecord& r) {
  QueueRecipient out;
  out.index = index;
  out.address = r.address;
  out.domain = r.domain;
  out.state = std::string(queue::state_name(r.state));
  out.attempts = r.attempts;
  out.first_attempt = r.first_attempt;
  out.next_attempt = r.next_attempt;
  out.expires_at = r.expires_at;
  out.last_reply = r.last_reply;
  return out;
}

Status unknown_message(uint64_t id) {
  return not_found(fmt::format("no queued message with id {}", id));
}

// The store layer's kNotFound names its table; the administrator gave an id.
template <typename T>
Result<T> naming(Result<T> r, uint64_t id) {
  if (!r.is_ok() && r.status().code() == Code::kNotFound) return unknown_message(id);
  return r;
}

// Up to `limit` recipients of message `id` (0: all), only those at `domain` when it is
// not empty; sets *more when some were left out.
Status load_recipients(Txn& txn, uint64_t id, std::string_view domain, size_t limit,
                       std::vector<QueueRecipient>* out, bool* more) {
  Status bad = Status::ok();
  MF_RETURN_IF_ERROR(txn.scan_prefix(
      Table::kQueueRecipients, queue::message_key(id), [&](std::string_view k, std::string_view v) {
        EntryRef ref;
        if (!queue::parse_recipient_key(k, &ref.message_id, &ref.index)) {
          bad = corruption("a queued recipient's key is unreadable");
          return false;
        }
        RecipientRecord r;
        bad = queue::decode(v, &r);
        if (!bad.is_ok()) return false;
        if (!domain.empty() && r.domain != domain) return true;
        if (limit != 0 && out->size() == limit) {
          *more = true;
          return false;
        }
        out->push_back(to_public(ref.index, r));
        return true;
      }));
  return bad;
}

// One write transaction running `op` on message `id`.
template <typename Op>
Result<uint32_t> write_on_message(Context& context, uint64_t id, Op op) {
  uint32_t changed = 0;
  MF_RETURN_IF_ERROR(context_env(context).write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(changed, naming(op(txn), id));
    return Status::ok();
  }));
  return changed;
}

// Reads up to `max_bytes` of the file at `path` into *out, stopping at the end of the
// header section (the first empty line); sets *complete when that line was found.
Status read_header_bytes(const std::string& path, size_t max_bytes, std::string* out,
                         bool* complete) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(fmt::format("cannot open the queued message's body file {}: {}", path,
                                std::strerror(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  *complete = false;
  char buffer[4096];
  while (out->size() < max_bytes) {
    size_t want = std::min(sizeof buffer, max_bytes - out->size());
    ssize_t n = ::read(fd, buffer, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    if (n == 0) return Status::ok();  // a message with no body: all of it is header
    size_t before = out->size();
    out->append(buffer, static_cast<size_t>(n));
    // Look for the empty line from just before the new bytes (it may straddle reads).
    size_t from = before >= 3 ? before - 3 : 0;
    size_t crlf = out->find("\r\n\r\n", from);
    size_t lf = out->find("\n\n", from);
    if (crlf != std::string::npos || lf != std::string::npos) {
      size_t end = std::min(crlf == std::string::npos ? std::string::npos : crlf + 2,
                            lf == std::string::npos ? std::string::npos : lf + 1);
      out->resize(end);  // the body is never kept
      *complete = true;
      return Status::ok();
    }
  }
  return Status::ok();
}

// Splits a header section into unfolded fields. A line that is neither a field nor a
// continuation (no colon) is kept as a field with an empty name, so nothing is hidden.
std::vector<std::pair<std::string, std::string>> split_fields(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      fields.back().second += ' ';
      size_t start = line.find_first_not_of(" \t");
      fields.back().second += line.substr(start == std::string_view::npos ? line.size() : start);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      fields.emplace_back("", std::string(line));
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    size_t start = value.find_first_not_of(" \t");
    value.remove_prefix(start == std::string_view::npos ? value.size() : start);
    fields.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return fields;
}

}  // namespace

bool is_queue_id(std::string_view text) {
  if (text.size() != kQueueIdLength) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

Result<QueueListPage> queue_list(Context& context, const QueueListQuery& query) {
  if (query.limit == 0 || query.limit > kMaxListLimit) {
    return invalid_argument(
        fmt::format("the page size must be between 1 and {}, not {}", kMaxListLimit, query.limit));
  }
  QueueListPage page;
  MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
    page = QueueListPage{};
    std::vector<queue::MessageSummary> summaries;
    // One more than asked: whether a next page exists, without a second transaction.
    if (query.domain.empty()) {
      MF_ASSIGN_OR_RETURN(summaries, queue::list_messages(txn, query.after, query.limit + 1));
    } else {
      MF_ASSIGN_OR_RETURN(
          summaries, queue::list_messages_for(txn, query.domain, query.after, query.limit + 1));
    }
    page.more = summaries.size() > query.limit;
    if (page.more) summaries.pop_back();
    for (const auto& s : summaries) {
      QueueMessage m = to_public(s.id, s.message);
      // With no recipient asked for, none is read (limit 0 would mean all of them).
      if (query.recipients > 0) {
        MF_RETURN_IF_ERROR(load_recipients(txn, s.id, query.domain, query.recipients, &m.recipients,
                                           &m.more_recipients));
      } else {
        m.more_recipients = s.message.counts.recipients() > 0;
      }
      page.messages.push_back(std::move(m));
    }
    page.next_after = page.messages.empty() ? query.after : page.messages.back().id;
    return Status::ok();
  }));
  return page;
}

Result<uint64_t> queue_find(Context& context, std::string_view text) {
  if (!is_queue_id(text)) {
    uint64_t id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || id == 0) {
      return invalid_argument(fmt::format(
          "'{}' is neither a queue ID (12 characters of 0-9 and A-Z) nor a message id (a "
          "positive number)",
          text.substr(0, 64)));
    }
    bool exists = false;
    MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(exists, txn.contains(Table::kQueueMessages, queue::message_key(id)));
      return Status::ok();
    }));
    if (!exists) return unknown_message(id);
    return id;
  }
  uint64_t after = 0;
  for (;;) {
    std::vector<queue::MessageSummary> page;
    MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(page, queue::list_messages(txn, after, kFindPage));
      return Status::ok();
    }));
    for (const auto& s : page) {
      if (s.message.queue_id == text) return s.id;
    }
    if (page.size() < kFindPage) break;
    after = page.back().id;
  }
  return not_found(fmt::format("no queued message with queue ID {}", text));
}

Result<QueueMessage> queue_show(Context& context, uint64_t id, size_t max_recipients) {
  QueueMessage out;
  MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(MessageRecord m, naming(queue::detail::load_message(txn, id), id));
    out = to_public(id, m);
    return load_recipients(txn, id, {}, max_recipients, &out.recipients, &out.more_recipients);
  }));
  return out;
}

Result<QueueHeader> queue_read_header(Context& context, uint64_t id, size_t max_bytes) {
  uint64_t body_id = 0;
  MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(MessageRecord m, naming(queue::detail::load_message(txn, id), id));
    body_id = m.body_id;
    return Status::ok();
  }));
  // The queue's reference keeps the file; a message deleted meanwhile may have lost it.
  std::string path = mailbox::mail_store(context).files().path_of(body_id);
  std::string text;
  bool complete = false;
  Status read = read_header_bytes(path, max_bytes, &text, &complete);
  if (!read.is_ok()) {
    bool still_queued = true;
    MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(still_queued,
                          txn.contains(Table::kQueueMessages, queue::message_key(id)));
      return Status::ok();
    }));
    if (!still_queued) return unknown_message(id);
    return read;
  }
  QueueHeader header;
  header.truncated = !complete && text.size() >= max_bytes;
  if (header.truncated) {
    // Drop the partial last line: only whole fields are shown.
    size_t last = text.rfind('\n');
    text.resize(last == std::string::npos ? 0 : last + 1);
  }
  header.fields = split_fields(text);
  return header;
}

Result<uint32_t> queue_hold(Context& context, uint64_t id) {
  return write_on_message(context, id, [id](Txn& txn) { return queue::hold(txn, id); });
}

Result<uint32_t> queue_release(Context& context, uint64_t id) {
  return write_on_message(context, id, [id](Txn& txn) { return queue::release(txn, id); });
}

Result<uint32_t> queue_delete(Context& context, uint64_t id) {
  return write_on_message(context, id, [id](Txn& txn) { return queue::delete_message(txn, id); });
}

Result<uint64_t> queue_flush(Context& context, size_t step,
                             const std::function<bool()>& keep_going) {
  if (step == 0) return invalid_argument("the flush step must be at least 1");
  uint64_t moved = 0;
  for (;;) {
    queue::FlushResult r;
    MF_RETURN_IF_ERROR(context_env(context).write([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(r, queue::flush(txn, txn.now(), step));
      return Status::ok();
    }));
    moved += r.moved;
    if (!r.more || (keep_going && !keep_going())) break;
  }
  return moved;
}

Result<uint32_t> queue_flush_message(Context& context, uint64_t id) {
  return write_on_message(context, id, [id](Txn& txn) -> Result<uint32_t> {
    MF_ASSIGN_OR_RETURN(MessageRecord m, queue::detail::load_message(txn, id));
    std::vector<std::pair<uint32_t, RecipientRecord>> later;
    Status bad = Status::ok();
    MF_RETURN_IF_ERROR(txn.scan_prefix(
        Table::kQueueRecipients, queue::message_key(id),
        [&](std::string_view k, std::string_view v) {
          EntryRef ref;
          RecipientRecord r;
          if (!queue::parse_recipient_key(k, &ref.message_id, &ref.index)) {
            bad = corruption("a queued recipient's key is unreadable");
            return false;
          }
          bad = queue::decode(v, &r);
          if (!bad.is_ok()) return false;
          bool scheduled = r.state == RcptState::kActive || r.state == RcptState::kDeferred;
          if (scheduled && r.next_attempt > txn.now()) later.emplace_back(ref.index, std::move(r));
          return true;
        }));
    MF_RETURN_IF_ERROR(bad);
    // Changed after the scan: the records are not rewritten while it walks them.
    for (const auto& [index, r] : later) {
      RecipientRecord after = r;
      after.next_attempt = txn.now();
      MF_RETURN_IF_ERROR(queue::detail::change_recipient(txn, EntryRef{id, index}, m, r, after));
    }
    return static_cast<uint32_t>(later.size());
  });
}

Result<QueueCounts> queue_counts(Context& context) {
  QueueCounts out;
  MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(queue::Counts c, queue::counts(txn));
    out = to_public(c);
    return Status::ok();
  }));
  return out;
}

Result<std::vector<std::pair<std::string, QueueCounts>>> queue_domain_counts(Context& context,
                                                                             std::string_view after,
                                                                             size_t limit) {
  std::vector<std::pair<std::string, QueueCounts>> out;
  MF_RETURN_IF_ERROR(context_env(context).read([&](Txn& txn) -> Status {
    out.clear();
    MF_ASSIGN_OR_RETURN(auto domains, queue::list_domains(txn, after, limit));
    for (const auto& [name, counts] : domains) out.emplace_back(name, to_public(counts));
    return Status::ok();
  }));
  return out;
}

}  // namespace mf
