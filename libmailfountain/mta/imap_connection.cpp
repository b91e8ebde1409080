// mta/imap_connection.cpp — one IMAP client connection (mta/imap_connection.h).
#include "mta/imap_connection.h"

#include <algorithm>

namespace mf::mta {

ImapConnection::ImapConnection(MailServerImpl& server, uint64_t id, ListenerRole role,
                               std::string ip, std::shared_ptr<const Settings> settings)
    : SessionConnection(server, id, std::move(ip), std::move(settings),
                        StreamProtocol{"imap", Service::kImap, role == ListenerRole::kImaps}) {
  const ImapConfig& cfg = settings_->config.imap;
  imap::SessionOptions o;
  o.hostname = settings_->hostname;
  o.tls = role == ListenerRole::kImaps;
  o.starttls_available = role == ListenerRole::kImap;
  o.limits.non_sync = imap::NonSyncLiterals::kLiteralPlus;
  o.limits.max_append_literal = cfg.max_append_bytes;
  o.limits.max_command_literal_octets = std::max<uint64_t>(cfg.max_append_bytes * 2, 1 << 20);
  o.limits.max_discard = cfg.max_append_bytes;
  o.max_bad_commands = cfg.max_bad_commands;
  session_ = std::make_unique<imap::Session>(o, *this, server_.store());
}

ImapConnection::~ImapConnection() {
  changes_ = mailbox::Subscription();  // no more store_changed() posts
  session_.reset();
}

uint32_t ImapConnection::timeout_seconds() const {
  const ImapConfig& cfg = settings_->config.imap;
  return session_->authenticated() ? cfg.idle_timeout_seconds : cfg.login_timeout_seconds;
}

void ImapConnection::logged_in(const std::string& account) {
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  // Runs on the store's committing thread; the subscription ends before the connection.
  changes_ = server_.store().subscribe(account, [weak, server](const mailbox::Change&) {
    server->poster().expect();
    server->poster().post([weak] {
      auto c = std::static_pointer_cast<ImapConnection>(weak.lock());
      if (!c || c->closed()) return;
      c->session_->store_changed();
      c->pump();
    });
  });
}

}  // namespace mf::mta
