// outbound/delivery_engine.h — the outbound queue's delivery engine: takes due recipients
// from the queue (queue/queue_store.h), groups them per message and destination, lets the
// scheduler (outbound/destination_scheduler.h) decide when to connect where, resolves the
// destination (dns/resolver.h), sends over SMTP connections (outbound/smtp_connection.h)
// and records each recipient's result durably before telling anyone (log line, listener).
// docs/outbound.md describes it.
//
// Flow, on the MailServer's loop:
//   1. refill: the store worker reads a page of due entries (next_due), skipping those in
//      flight, and loads each (message, destination) group as a Job: the message record,
//      its due recipients there, and the DKIM-Signature for its From domain (signed on the
//      worker thread, never on the loop). At most max_loaded_recipients are in memory.
//   2. dispatch: the scheduler names destinations to connect to; each connection resolves
//      the destination (or the relay host), then asks for jobs one by one
//      (messages_per_connection, may_send).
//   3. results: recorded in batches in one transaction (delivered, bounced, deferred with
//      the retry policy, expired); then logged Postfix-style and given to the listener.
//   A connection that fails before any transaction defers every job waiting for that
//   destination (Postfix does the same): they wait in the store, not in memory, and the
//   scheduler's feedback (window, dead time) decides when the next try happens.
// A 1-second timer looks for newly due entries; wake() looks at once.
//
// Threading: everything on the loop's thread except the store worker's tasks.
#ifndef MF_OUTBOUND_DELIVERY_ENGINE_H
#define MF_OUTBOUND_DELIVERY_ENGINE_H

#include <mailfountain/context.h>
#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include "mailbox/mail_store.h"
#include "mta/loop_poster.h"

#include <functional>
#include <memory>
#include <string>

struct event_base;

namespace mf::outbound {

struct EngineStats {
  uint64_t delivered = 0, deferred = 0, bounced = 0, expired = 0;
  uint64_t connections = 0;        // opened (attempted) since start
  uint64_t loaded_recipients = 0;  // in memory now
  uint64_t active_connections = 0;
};

class DeliveryEngine {
 public:
  // `store`, `poster` and `base` must outlive the engine. `hostname` is the HELO name
  // unless config.helo_name says otherwise. kInvalidArgument for a bad configuration.
  static Result<std::unique_ptr<DeliveryEngine>> create(Context& context, event_base* base,
                                                        mailbox::MailStore& store,
                                                        mta::LoopPoster& poster,
                                                        OutboundConfig config, std::string hostname,
                                                        LogSink log);
  ~DeliveryEngine();
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // Starts the timer and a first look at the queue.
  void start();
  // Looks at the queue now (new mail, a flush, a release).
  void wake();
  // Builds the DSNs due in the queue now (a report pass) rather than after the next
  // delivery: the SMTP server bounced local copies. Nothing when delivery is disabled.
  void report_now();
  // Stops asking for work, cancels the connections (their open recipients are deferred
  // and recorded), waits for the store worker, then calls `done` on the loop.
  void shutdown(std::function<void()> done);
  void set_listener(DeliveryListener listener);
  EngineStats stats() const;

  struct Impl;

 private:
  explicit DeliveryEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_DELIVERY_ENGINE_H
