// mailfountaind/status_json.h — the server's status as the control socket's `status`
// request returns it (the shape `mfctl status --json` prints; docs/mailfountaind.md).
#ifndef MAILFOUNTAIND_STATUS_JSON_H
#define MAILFOUNTAIND_STATUS_JSON_H

#include "control.h"

#include <mailfountain/mail_server.h>

#include <cstdint>
#include <string_view>

namespace mailfountaind {

// {"version", "pid", "started_at", "listeners": [{"role", "address", "port"}],
//  "connections", "connections_total", "messages_accepted", "messages_refused",
//  "recipients_delivered"}, in that order. Roles use the configuration's names.
Json status_to_json(const mf::ServerStatus& status, int64_t pid, std::string_view version);

}  // namespace mailfountaind

#endif  // MAILFOUNTAIND_STATUS_JSON_H
