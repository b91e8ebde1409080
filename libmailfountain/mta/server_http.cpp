// mta/server_http.cpp — the MailServer's http listeners: mail-client autoconfiguration
// (http/autoconfig_service.h) served by the library's HTTP server (http/server.h).
//
// The listeners are bound by start() like every other (same addresses, errors and
// ListenerStatus), then handed to evhttp, which accepts on them and owns their
// connections. HTTP connections therefore stay out of the server's connection set and its
// SmtpLimits: they are bounded by evhttp's limits instead (request size, a 30-second idle
// timeout), and since every request is answered within its callback, shutdown() simply
// closes them.
#include "http/autoconfig_service.h"
#include "http/server.h"
#include "mta/server_impl.h"

#include <event2/listener.h>

#include <algorithm>

namespace mf::mta {

Status MailServerImpl::start_http() {
  const bool any = std::any_of(listeners_.begin(), listeners_.end(),
                               [](const auto& b) { return b->role == ListenerRole::kHttp; });
  if (!any) return Status::ok();

  http::AutoconfigSource source;
  // Asked at each request, so that a reload's host name applies at once.
  source.settings = [this] {
    std::vector<ListenerStatus> all;
    for (const auto& b : listeners_) all.push_back(b->status);
    return http::autoconfig_settings(settings_->hostname, all);
  };
  source.is_local_domain = [this](std::string_view domain) {
    return context_.directory().is_local_domain(domain);
  };
  source.now = [this] { return now(); };
  http::Router router;
  http::add_autoconfig_routes(router, std::move(source));
  MF_ASSIGN_OR_RETURN(http_, http::Server::create(base_, http::ServerLimits{}, std::move(router),
                                                  [this](LogLevel level, std::string_view line) {
                                                    log(level, line);
                                                  }));

  // Move the http listeners to the HTTP server, one by one, so that on a failure each is
  // owned by exactly one side.
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    if ((*it)->role != ListenerRole::kHttp) {
      ++it;
      continue;
    }
    std::unique_ptr<Bound> bound = std::move(*it);
    it = listeners_.erase(it);
    http_listeners_.push_back(bound->status);
    MF_RETURN_IF_ERROR(http_->serve(bound->listener));
  }
  return Status::ok();
}

}  // namespace mf::mta
