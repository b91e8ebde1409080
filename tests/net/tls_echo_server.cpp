// tls_echo_server — a line echo server over the TLS glue of libmailfountain (net/), for the
// interoperability tests (tests/net/test_tls_interop.py) with Python's ssl and openssl.
//
// Listens on 127.0.0.1, port 0 (the kernel picks one), prints the port on stdout, then
// serves every connection until killed:
//   --mode implicit   TLS from the first byte (like port 465), then each line is echoed.
//   --mode starttls   plaintext first: each line is echoed until a line "STARTTLS", which is
//                     answered "220 go ahead" and followed by the TLS handshake (anything the
//                     client pipelined after STARTTLS is discarded, as the glue does); then
//                     each line is echoed over TLS.
//   --profile strict|mx   the cipher-suite profile (default strict).
//   --cert FILE --key FILE  the certificate; without them a self-signed ECDSA one for
//                     "localhost" is made in --dir (required then).
// Writes one line per connection to stderr: the TLS parameters or the TLS error, and the
// number of plaintext bytes discarded at STARTTLS.
#include "net/tls_bufferevent.h"
#include "net/tls_context.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

using namespace mf::net;

namespace {

struct Server {
  event_base* base = nullptr;
  std::shared_ptr<TlsServerContext> tls;
  bool starttls = false;
};

struct Session {
  Server* server = nullptr;
  bufferevent* bev = nullptr;
  TlsConnection* tls = nullptr;  // null while in plaintext
};

void on_event(bufferevent* bev, short what, void* arg);

void on_read(bufferevent* bev, void* arg) {
  auto* s = static_cast<Session*>(arg);
  evbuffer* in = bufferevent_get_input(bev);
  for (;;) {
    size_t len = 0;
    char* line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
    if (line == nullptr) return;
    std::string text(line, len);
    std::free(line);
    if (s->tls == nullptr && text == "STARTTLS") {
      bufferevent_write(bev, "220 go ahead\r\n", 14);
      auto wrapped = tls_wrap_server(s->server->base, bev, s->server->tls);
      if (!wrapped.is_ok()) {
        std::fprintf(stderr, "wrap failed: %s\n", wrapped.status().to_string().c_str());
        bufferevent_free(bev);
        delete s;
        return;
      }
      std::fprintf(stderr, "starttls: discarded %zu bytes\n", wrapped->discarded_plaintext);
      s->bev = wrapped->bev;
      s->tls = wrapped->tls;
      bufferevent_setcb(s->bev, on_read, nullptr, on_event, s);
      return;  // `in` belonged to the plaintext stage; the wrap emptied it
    }
    text += "\r\n";
    bufferevent_write(bev, text.data(), text.size());
  }
}

void on_event(bufferevent* bev, short what, void* arg) {
  auto* s = static_cast<Session*>(arg);
  if (what & BEV_EVENT_CONNECTED) {
    TlsSessionInfo info = tls_info(*s->tls);
    std::fprintf(stderr, "tls: %s sni=%s\n", tls_received_clause(info).c_str(),
                 info.server_name.c_str());
    return;
  }
  if (what & BEV_EVENT_ERROR) {
    std::fprintf(stderr, "error: %s\n",
                 s->tls ? tls_last_error(*s->tls).c_str() : std::strerror(errno));
  }
  bufferevent_free(bev);
  delete s;
}

void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
  auto* server = static_cast<Server*>(arg);
  auto* s = new Session{server};
  bufferevent* raw = bufferevent_socket_new(server->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (server->starttls) {
    s->bev = raw;
    bufferevent_setcb(raw, on_read, nullptr, on_event, s);
    bufferevent_enable(raw, EV_READ | EV_WRITE);
    return;
  }
  auto wrapped = tls_wrap_server(server->base, raw, server->tls);
  if (!wrapped.is_ok()) {
    std::fprintf(stderr, "wrap failed: %s\n", wrapped.status().to_string().c_str());
    bufferevent_free(raw);
    delete s;
    return;
  }
  s->bev = wrapped->bev;
  s->tls = wrapped->tls;
  bufferevent_setcb(s->bev, on_read, nullptr, on_event, s);
}

int usage() {
  std::fprintf(stderr,
               "usage: tls_echo_server --mode implicit|starttls [--profile strict|mx]\n"
               "       (--cert FILE --key FILE | --dir DIR)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "implicit", profile = "strict", cert, key, dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string opt = argv[i];
    if (opt == "--mode")
      mode = argv[i + 1];
    else if (opt == "--profile")
      profile = argv[i + 1];
    else if (opt == "--cert")
      cert = argv[i + 1];
    else if (opt == "--key")
      key = argv[i + 1];
    else if (opt == "--dir")
      dir = argv[i + 1];
    else
      return usage();
  }
  if ((mode != "implicit" && mode != "starttls") || (profile != "strict" && profile != "mx")) {
    return usage();
  }
  if (cert.empty()) {
    if (dir.empty()) return usage();
    cert = dir + "/localhost.pem";
    key = dir + "/localhost.key";
    mf::Status s = generate_self_signed("localhost", cert, key, SelfSignedKey::kEcdsaP256);
    if (!s.is_ok() && s.code() != mf::Code::kAlreadyExists) {
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
      return 1;
    }
  }
  TlsServerConfig config;
  config.certificate = {cert, key};
  config.profile = profile == "mx" ? TlsProfile::kMx : TlsProfile::kStrict;
  auto context = TlsServerContext::create(config);
  if (!context.is_ok()) {
    std::fprintf(stderr, "%s\n", context.status().to_string().c_str());
    return 1;
  }

  Server server;
  server.base = event_base_new();
  server.tls = *context;
  server.starttls = mode == "starttls";
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  evconnlistener* listener = evconnlistener_new_bind(server.base, on_accept, &server,
                                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
                                                     reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  if (listener == nullptr) {
    std::perror("listen");
    return 1;
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr*>(&bound), &len);
  std::printf("%d\n", ntohs(bound.sin_port));
  std::fflush(stdout);

  event_base_dispatch(server.base);
  evconnlistener_free(listener);
  event_base_free(server.base);
  return 0;
}
