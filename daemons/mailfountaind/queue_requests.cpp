// mailfountaind/queue_requests.cpp — parsing and running the control socket's queue
// requests, and their JSON replies.
#include "queue_requests.h"

#include <fmt/format.h>
#include <mailfountain/queue_admin.h>

#include <charconv>
#include <vector>

namespace mailfountaind {
namespace {

using Json = nlohmann::ordered_json;

// Words separated by runs of spaces.
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < line.size()) {
    if (line[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    words.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

// `word` made printable for an error message, and not too long.
std::string shown(std::string_view word) {
  std::string out;
  for (char c : word.substr(0, 64)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  }
  return out;
}

mf::Result<uint64_t> number(std::string_view option, std::string_view text, uint64_t min,
                            uint64_t max) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return mf::invalid_argument(fmt::format("queue list: {} takes a number from {} to {}, not '{}'",
                                            option, min, max, shown(text)));
  }
  return value;
}

constexpr const char* kUsage =
    "requests: queue list [--domain D] [--after ID] [--limit N] [--recipients N], queue show ID, "
    "queue hold ID, queue release ID, queue delete ID, queue flush [ID], queue counts";

Json counts_json(const mf::QueueCounts& c, bool with_messages) {
  Json j;
  if (with_messages) j["messages"] = c.messages;
  j["recipients"] = c.recipients();
  j["active"] = c.active;
  j["deferred"] = c.deferred;
  j["held"] = c.held;
  j["report"] = c.report;
  return j;
}

Json recipient_json(const mf::QueueRecipient& r) {
  Json j;
  j["index"] = r.index;
  j["address"] = r.address;
  j["domain"] = r.domain;
  j["state"] = r.state;
  j["attempts"] = r.attempts;
  j["first_attempt"] = r.first_attempt;
  j["next_attempt"] = r.next_attempt;
  j["expires_at"] = r.expires_at;
  j["last_reply"] = r.last_reply;
  return j;
}

Json message_json(const mf::QueueMessage& m) {
  Json j;
  j["id"] = m.id;
  j["queue_id"] = m.queue_id;
  j["sender"] = m.sender;
  j["size"] = m.size;
  j["arrival"] = m.arrival;
  j["priority"] = m.priority;
  j["origin_kind"] = m.origin_kind;
  j["origin"] = m.origin;
  j["envid"] = m.envid ? Json(*m.envid) : Json();
  j["ret"] = m.ret.empty() ? Json() : Json(m.ret);
  j["eight_bit_mime"] = m.eight_bit_mime;
  j["smtputf8"] = m.smtputf8;
  j["dkim_domain"] = m.dkim_domain;
  j["counts"] = counts_json(m.counts, false);
  Json recipients = Json::array();
  for (const auto& r : m.recipients) recipients.push_back(recipient_json(r));
  j["recipients"] = std::move(recipients);
  j["more_recipients"] = m.more_recipients;
  return j;
}

const char* verb_name(QueueVerb verb) {
  switch (verb) {
    case QueueVerb::kList:
      return "list";
    case QueueVerb::kShow:
      return "show";
    case QueueVerb::kHold:
      return "hold";
    case QueueVerb::kRelease:
      return "release";
    case QueueVerb::kDelete:
      return "delete";
    case QueueVerb::kFlush:
      return "flush";
    case QueueVerb::kCounts:
      return "counts";
  }
  return "?";
}

mf::Result<Json> run_list(mf::Context& context, const QueueRequest& r) {
  mf::QueueListQuery query;
  query.domain = r.domain;
  query.after = r.after;
  query.limit = r.limit;
  query.recipients = r.recipients;
  MF_ASSIGN_OR_RETURN(mf::QueueListPage page, mf::queue_list(context, query));
  Json messages = Json::array();
  for (const auto& m : page.messages) messages.push_back(message_json(m));
  Json j;
  j["messages"] = std::move(messages);
  j["more"] = page.more;
  j["next_after"] = page.next_after;
  return j;
}

mf::Result<Json> run_show(mf::Context& context, uint64_t id) {
  MF_ASSIGN_OR_RETURN(mf::QueueMessage m, mf::queue_show(context, id, kMaxShowRecipients));
  MF_ASSIGN_OR_RETURN(mf::QueueHeader header, mf::queue_read_header(context, id));
  Json fields = Json::array();
  for (const auto& [name, value] : header.fields) {
    fields.push_back(Json{{"name", name}, {"value", value}});
  }
  Json j;
  j["message"] = message_json(m);
  j["header"] = std::move(fields);
  j["header_truncated"] = header.truncated;
  return j;
}

// hold, release, delete and flush of one message.
mf::Result<Json> run_change(mf::Context& context, QueueVerb verb, uint64_t id) {
  // The queue ID for the reply, read before a delete removes it.
  MF_ASSIGN_OR_RETURN(mf::QueueMessage before, mf::queue_show(context, id, 1));
  mf::Result<uint32_t> changed = mf::internal_error("not a change of one message");
  if (verb == QueueVerb::kHold) {
    changed = mf::queue_hold(context, id);
  } else if (verb == QueueVerb::kRelease) {
    changed = mf::queue_release(context, id);
  } else if (verb == QueueVerb::kDelete) {
    changed = mf::queue_delete(context, id);
  } else if (verb == QueueVerb::kFlush) {
    changed = mf::queue_flush_message(context, id);
  }
  MF_RETURN_IF_ERROR(changed.status());
  Json j;
  j["ok"] = true;
  j["request"] = verb_name(verb);
  j["id"] = id;
  j["queue_id"] = before.queue_id;
  j["recipients"] = *changed;
  return j;
}

mf::Result<Json> run_counts(mf::Context& context) {
  constexpr size_t kMaxDomains = 1000;
  MF_ASSIGN_OR_RETURN(mf::QueueCounts total, mf::queue_counts(context));
  MF_ASSIGN_OR_RETURN(auto domains, mf::queue_domain_counts(context, {}, kMaxDomains + 1));
  bool more = domains.size() > kMaxDomains;
  if (more) domains.pop_back();
  Json list = Json::array();
  for (const auto& [name, counts] : domains) {
    Json d;
    d["domain"] = name;
    d.update(counts_json(counts, false));
    list.push_back(std::move(d));
  }
  Json j;
  j["counts"] = counts_json(total, true);
  j["domains"] = std::move(list);
  j["more_domains"] = more;
  return j;
}

}  // namespace

bool is_queue_request(std::string_view request) {
  std::vector<std::string_view> words = words_of(request);
  return !words.empty() && words.front() == "queue";
}

mf::Result<QueueRequest> parse_queue_request(std::string_view request) {
  std::vector<std::string_view> words = words_of(request);
  if (words.empty() || words[0] != "queue") {
    return mf::invalid_argument(fmt::format("not a queue request ({})", kUsage));
  }
  if (words.size() < 2) return mf::invalid_argument(fmt::format("queue: no verb ({})", kUsage));
  QueueRequest r;
  std::string_view verb = words[1];
  std::vector<std::string_view> args(words.begin() + 2, words.end());
  if (verb == "list") {
    r.verb = QueueVerb::kList;
    for (size_t i = 0; i < args.size(); i += 2) {
      std::string_view option = args[i];
      bool known = option == "--domain" || option == "--after" || option == "--limit" ||
                   option == "--recipients";
      if (!known) {
        return mf::invalid_argument(
            fmt::format("queue list: unknown option '{}' (options: --domain, --after, --limit, "
                        "--recipients)",
                        shown(option)));
      }
      if (i + 1 >= args.size()) {
        return mf::invalid_argument(fmt::format("queue list: {} needs a value", option));
      }
      std::string_view value = args[i + 1];
      if (option == "--domain") {
        r.domain = std::string(value);
      } else if (option == "--after") {
        MF_ASSIGN_OR_RETURN(r.after, number(option, value, 0, UINT64_MAX - 1));
      } else if (option == "--limit") {
        MF_ASSIGN_OR_RETURN(r.limit, number(option, value, 1, kMaxQueueListLimit));
      } else {
        MF_ASSIGN_OR_RETURN(r.recipients, number(option, value, 0, kMaxQueueListRecipients));
      }
    }
    return r;
  }
  if (verb == "counts") {
    r.verb = QueueVerb::kCounts;
    if (!args.empty()) {
      return mf::invalid_argument(
          fmt::format("queue counts: unexpected argument '{}'", shown(args[0])));
    }
    return r;
  }
  bool optional_id = false;
  if (verb == "show") {
    r.verb = QueueVerb::kShow;
  } else if (verb == "hold") {
    r.verb = QueueVerb::kHold;
  } else if (verb == "release") {
    r.verb = QueueVerb::kRelease;
  } else if (verb == "delete") {
    r.verb = QueueVerb::kDelete;
  } else if (verb == "flush") {
    r.verb = QueueVerb::kFlush;
    optional_id = true;
  } else {
    return mf::invalid_argument(fmt::format("queue: unknown verb '{}' ({})", shown(verb), kUsage));
  }
  if (args.size() > 1) {
    return mf::invalid_argument(
        fmt::format("queue {}: unexpected argument '{}'", verb, shown(args[1])));
  }
  if (args.empty()) {
    if (optional_id) return r;
    return mf::invalid_argument(fmt::format("queue {}: the message's ID is missing", verb));
  }
  if (args[0].substr(0, 1) == "-") {
    return mf::invalid_argument(fmt::format("queue {}: unknown option '{}'", verb, shown(args[0])));
  }
  r.id = std::string(args[0]);
  return r;
}

Json queue_error(const mf::Status& status) {
  return Json{{"error", status.message()}, {"code", std::string(mf::code_name(status.code()))}};
}

QueueReply run_queue_request(mf::Context& context, std::string_view request,
                             const std::atomic<bool>& stopping) {
  auto parsed = parse_queue_request(request);
  if (!parsed.is_ok()) return QueueReply{queue_error(parsed.status()), false};
  const QueueRequest& r = *parsed;

  mf::Result<Json> reply = mf::internal_error("no reply");
  bool changed = false;
  if (r.verb == QueueVerb::kList) {
    reply = run_list(context, r);
  } else if (r.verb == QueueVerb::kCounts) {
    reply = run_counts(context);
  } else if (r.verb == QueueVerb::kFlush && r.id.empty()) {
    auto moved = mf::queue_flush(context, 1000, [&stopping] { return !stopping.load(); });
    if (moved.is_ok()) {
      reply = Json{{"ok", true}, {"request", "flush"}, {"recipients", *moved}};
    } else {
      reply = moved.status();
    }
    changed = true;  // a flush stopped by a failure may have moved some already
  } else {
    auto id = mf::queue_find(context, r.id);
    if (!id.is_ok()) return QueueReply{queue_error(id.status()), false};
    if (r.verb == QueueVerb::kShow) {
      reply = run_show(context, *id);
    } else {
      reply = run_change(context, r.verb, *id);
      changed = r.verb == QueueVerb::kFlush || r.verb == QueueVerb::kRelease;
    }
  }
  if (!reply.is_ok()) return QueueReply{queue_error(reply.status()), changed};
  return QueueReply{std::move(*reply), changed};
}

}  // namespace mailfountaind
