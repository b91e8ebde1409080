// outbound/report_pass.h — the DSNs of the outbound queue: for each queued message with
// recipients waiting in the `report` state (bounced, expired, or delivered with
// NOTIFY=SUCCESS), one delivery status notification (mta/dsn.h: RFC 3464 multipart/report
// listing those recipients) from the null sender to the original envelope sender, built
// into a body file and stored in ONE transaction with queue::report_done(): delivered
// locally when the sender's address is local, else queued (priority bounce) for delivery.
// So a crash either leaves the report pending (built again after restart) or has both the
// DSN and the report's end; a DSN is never lost and never sent twice from one report.
//
// Never a DSN to the null sender (mta/dsn.h refuses: the report simply ends, logged), and
// none when NOTIFY excludes every reported recipient.
//
// Runs on the delivery engine's store thread: it blocks on the mailbox store's commit.
#ifndef MF_OUTBOUND_REPORT_PASS_H
#define MF_OUTBOUND_REPORT_PASS_H

#include <mailfountain/directory.h>
#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include "mailbox/mail_store.h"
#include "mta/queue_id.h"
#include "store/lmdb_env.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::outbound {

struct ReportContext {
  store::LmdbEnv& env;
  mailbox::MailStore& store;
  Directory& directory;
  std::string reporting_mta;   // this server's host name
  mta::QueueIdGenerator& ids;  // for the DSN's own queue ID (store thread only)
};

struct ReportPassResult {
  std::vector<std::pair<LogLevel, std::string>> lines;  // one or more per report
  size_t reports = 0;   // reports handled (sent, or ended without a DSN)
  bool more = false;    // reports remain: run again
  bool queued = false;  // a DSN was queued for remote delivery: wake the engine
};

// Handles up to `limit` pending reports, oldest message first.
ReportPassResult run_report_pass(ReportContext& ctx, size_t limit, int64_t now);

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_REPORT_PASS_H
