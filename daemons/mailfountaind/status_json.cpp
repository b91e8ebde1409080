// mailfountaind/status_json.cpp — mf::ServerStatus as JSON.
#include "status_json.h"

#include "config.h"

#include <string>

namespace mailfountaind {

Json status_to_json(const mf::ServerStatus& status, int64_t pid, std::string_view version) {
  Json listeners = Json::array();
  for (const auto& l : status.listeners) {
    listeners.push_back(Json{{"role", std::string(listener_role_text(l.role))},
                             {"address", l.address},
                             {"port", l.port}});
  }
  Json doc;
  doc["version"] = std::string(version);
  doc["pid"] = pid;
  doc["started_at"] = status.started_at;
  doc["listeners"] = std::move(listeners);
  doc["connections"] = status.connections;
  doc["connections_total"] = status.connections_total;
  doc["messages_accepted"] = status.messages_accepted;
  doc["messages_refused"] = status.messages_refused;
  doc["recipients_delivered"] = status.recipients_delivered;
  doc["messages_queued"] = status.messages_queued;
  doc["outbound"] = Json{{"delivered", status.outbound_delivered},
                         {"deferred", status.outbound_deferred},
                         {"bounced", status.outbound_bounced},
                         {"connections_total", status.outbound_connections},
                         {"connections", status.outbound_active_connections},
                         {"recipients_in_memory", status.outbound_in_memory}};
  return doc;
}

}  // namespace mailfountaind
