// outbound/job.h — the delivery engine's units of work and the store side of it, apart
// from the loop so that it can be tested without sockets:
//   - load_jobs(): due queue entries → Jobs (one message's due recipients at one
//     destination), each with its DKIM-Signature when its From domain is local;
//   - make_message(): a Job → the OutboundMessage a connection sends (envelope, body
//     reader, 7-bit downgrade);
//   - outcome_of()/failed_outcome(): what happened to one recipient;
//   - record_outcomes(): those outcomes in one LMDB transaction, and the events (log line,
//     DeliveryEvent) they give.
// load_jobs and record_outcomes run on the store worker's thread; the rest on the loop.
#ifndef MF_OUTBOUND_JOB_H
#define MF_OUTBOUND_JOB_H

#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include "dkim/key_store.h"
#include "mailbox/mail_store.h"
#include "outbound/smtp_connection.h"
#include "queue/queue_store.h"

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mf::outbound {

// One message's recipients at one destination: what one SMTP transaction carries.
struct Job {
  uint64_t message_id = 0;
  std::string domain;
  queue::MessageRecord message;
  std::vector<std::pair<uint32_t, queue::RecipientRecord>> recipients;
  std::string dkim_signature;  // "DKIM-Signature: ...\r\n", or "" (unsigned)
  std::string dkim_error;      // why signing failed, for the log
};

struct LoadRequest {
  std::string after;      // the due index cursor to continue from ("" from the start)
  size_t limit = 512;     // due entries examined
  size_t budget = 10000;  // recipients that may be loaded
  std::set<std::pair<uint64_t, uint32_t>> skip;  // in flight already
  int64_t now = 0;
};

struct LoadResult {
  Status status;
  std::vector<Job> jobs;
  std::string next;  // cursor for the next call ("" when the scan reached the end)
};

// Reads the first `limit` due entries of the interactive and bounce classes, then up to
// `limit` due entries after `after` (any class), and groups the ones not skipped into Jobs
// (a message's due recipients at a destination, all of them, so that one transaction
// carries them together). Signs each job whose message names a DKIM domain.
LoadResult load_jobs(store::LmdbEnv& env, mailbox::MailStore& store, const dkim::DkimKeyStore& keys,
                     const LoadRequest& request);

// The message a connection sends for `job`: its envelope, a reader over the DKIM
// signature then the stored body, and the 7-bit downgrade (signed again when the job
// was signed). kNotFound when the body is gone; kIOError when it cannot be opened.
Result<OutboundMessage> make_message(mailbox::MailStore& store, const dkim::DkimKeyStore& keys,
                                     const Job& job, uint64_t tag);

// What happened to one queued recipient, to be recorded.
struct RecipientOutcome {
  queue::EntryRef ref;
  smtp::Delivery delivery = smtp::Delivery::kDeferred;
  std::string reply;  // "250 2.0.0 Ok: queued as X", "451 4.4.1 connect to ...: refused"
  std::string dsn;    // the enhanced status, "" when the reply has none
  std::string relay;  // "mx.example.net[192.0.2.1]:25" or "none"
  bool remote = false;
  std::string queue_id;
  std::string address;
  int64_t arrival = 0;
};

// Recipient `i` of `job` got `result` from `relay`.
RecipientOutcome outcome_of(const Job& job, size_t i, const smtp::RecipientResult& result,
                            const std::string& relay);
// Recipient `i` of `job` failed without a transaction (routing, connection).
RecipientOutcome failed_outcome(const Job& job, size_t i, bool permanent, const std::string& reply,
                                const std::string& relay, const std::string& dsn);

struct RecordedEvent {
  LogLevel level = LogLevel::kInfo;
  std::string
      line;  // Postfix-style: "QID: to=<a@b>, relay=..., delay=1.2, dsn=2.0.0, status=sent (...)"
  DeliveryEvent event;
  bool durable = true;  // false: recording failed, nothing happened (no listener call)
  bool delay_notice = false;  // a deferral made the recipient's delay notice due
};

// Records `outcomes` in one transaction (delivered, bounced, or deferred with `policy`,
// which may expire them) at `now`, and returns an event for each one recorded. An outcome
// whose recipient is gone or already finished (an administrator deleted it meanwhile) is
// skipped. When the transaction fails, every outcome gets an error event and nothing is
// recorded: the recipients stay due and are tried again.
std::vector<RecordedEvent> record_outcomes(store::LmdbEnv& env,
                                           const std::vector<RecipientOutcome>& outcomes,
                                           int64_t now, const queue::RetryPolicy& policy);

// "451 4.4.1 text" from a Reply (the enhanced code left out when empty).
std::string reply_text(const smtp::Reply& reply);

// A relay host setting: "host", "host:port", "[192.0.2.1]", "[192.0.2.1]:587".
struct RelayTarget {
  std::string host;  // a domain name, or the literal in brackets
  uint16_t port = 25;
};
Result<RelayTarget> parse_relay_host(std::string_view text);

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_JOB_H
