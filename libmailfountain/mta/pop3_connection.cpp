// mta/pop3_connection.cpp — one POP3 client connection (mta/pop3_connection.h).
#include "mta/pop3_connection.h"

#include "mta/pop3_maildrop.h"

namespace mf::mta {

Pop3Connection::Pop3Connection(MailServerImpl& server, uint64_t id, ListenerRole role,
                               std::string ip, std::shared_ptr<const Settings> settings)
    : SessionConnection(server, id, std::move(ip), std::move(settings),
                        StreamProtocol{"pop3", Service::kPop3, role == ListenerRole::kPop3s}) {
  pop3::SessionOptions o;
  o.tls = role == ListenerRole::kPop3s;
  o.starttls_available = role == ListenerRole::kPop3;
  o.max_bad_commands = settings_->config.pop3.max_bad_commands;
  session_ = std::make_unique<pop3::Session>(o, *this);
}

uint32_t Pop3Connection::timeout_seconds() const {
  const Pop3Config& cfg = settings_->config.pop3;
  return session_->state() == pop3::Session::State::kAuthorization ? cfg.login_timeout_seconds
                                                                   : cfg.idle_timeout_seconds;
}

pop3::MaildropOpening Pop3Connection::open_maildrop(const std::string& account) {
  return StoreMaildrop::open(server_.store(), server_.maildrop_locks(), account);
}

}  // namespace mf::mta
