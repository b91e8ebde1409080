// net/tls_bufferevent.cpp — mbedTLS driven by libevent filter callbacks (contract in
// tls_bufferevent.h).
//
// How the pieces meet. bufferevent_filter_new() gives two hooks: the input filter, called
// when the socket bufferevent has read something (src = the socket's input, dst = the
// filter's input), and the output filter, called when the session writes (src = the filter's
// output, dst = the socket's output) and when the socket's output drains. TLS is not a pure
// transform — reading a handshake record makes records to send — so mbedTLS does its I/O
// itself through mbedtls_ssl_set_bio: bio_recv takes bytes from the socket's input evbuffer
// and bio_send appends records to the socket's output evbuffer, whichever filter is running.
// The filters only move plaintext: mbedtls_ssl_read into dst, mbedtls_ssl_write from src.
//
// libevent details this relies on (bufferevent_filter.c, 2.1):
// - A filter's return value is not reported to the user (BEV_ERROR is ignored), so errors
//   and close_notify are reported with bufferevent_trigger_event().
// - BEV_NEED_MORE from the output filter leaves the data in src; nothing calls the output
//   filter again until the session writes more or the socket drains, so when the handshake
//   completes the held plaintext is pushed with bufferevent_flush(EV_WRITE, BEV_FLUSH),
//   which calls the output filter whatever the amounts.
// - The input filter is called again only while the socket's input holds bytes (or new ones
//   arrive). mbedTLS reads exactly one record at a time from bio_recv, so undecrypted data
//   always stays visible to libevent; but plaintext mbedTLS has decrypted and not handed out
//   would be invisible, so the input filter empties mbedTLS's buffer even past dst_limit
//   (overshooting the read high-watermark by at most one record).
// - bufferevent_flush(EV_WRITE, BEV_FINISHED) calls the output filter with mode
//   BEV_FINISHED: that is tls_shutdown(), which needs no access to our state.
#include "net/tls_bufferevent.h"

#include "net/tls_internal.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include <fmt/format.h>

#include <algorithm>

#if !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "tls_info() reports the peer's certificate: needs MBEDTLS_SSL_KEEP_PEER_CERTIFICATE"
#endif

namespace mf::net {

class TlsConnection : public TlsBioUser {
 public:
  enum class State { kHandshake, kOpen, kClosed, kFailed };

  TlsConnection() { mbedtls_ssl_init(&ssl); }
  ~TlsConnection() {
    // The socket bufferevent is still allocated here: libevent drops the filter's reference
    // to it only after this destructor has run.
    if (drain_cb != nullptr) evbuffer_remove_cb_entry(bufferevent_get_output(underlying), drain_cb);
    mbedtls_ssl_free(&ssl);
  }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Declared first so that it is destroyed last: ssl points into the context's config.
  std::shared_ptr<const void> context;
  mbedtls_ssl_context ssl;
  bufferevent* filter = nullptr;
  bufferevent* underlying = nullptr;
  evbuffer_cb_entry* drain_cb = nullptr;
  State state = State::kHandshake;
  bool is_client = false;
  bool close_requested = false;  // tls_shutdown() was called
  std::size_t before_close = 0;  // then: plaintext bytes still to send before close_notify
  bool verify_enabled = false;   // client: the context checks the server's certificate
  bool close_sent = false;       // our close_notify is queued
  std::string last_error;
  std::string server_name_sent;
  std::size_t discarded = 0;
};

namespace {

// The largest plaintext handed to mbedtls_ssl_read or _write at once: one full record.
constexpr std::size_t kRecordPlaintext = 16384;

TlsConnection* from_bio(void* ctx) {
  return static_cast<TlsConnection*>(static_cast<TlsBioUser*>(ctx));
}

int bio_send(void* ctx, const unsigned char* buf, size_t len) {
  TlsConnection* c = from_bio(ctx);
  if (evbuffer_add(bufferevent_get_output(c->underlying), buf, len) != 0) {
    return MBEDTLS_ERR_SSL_ALLOC_FAILED;
  }
  return static_cast<int>(len);
}

int bio_recv(void* ctx, unsigned char* buf, size_t len) {
  TlsConnection* c = from_bio(ctx);
  int n = evbuffer_remove(bufferevent_get_input(c->underlying), buf, len);
  return n > 0 ? n : MBEDTLS_ERR_SSL_WANT_READ;
}

void drain_all(evbuffer* buf) {
  evbuffer_drain(buf, evbuffer_get_length(buf));
}

void fail(TlsConnection* c, std::string_view what, int rc, short direction) {
  if (c->state == TlsConnection::State::kFailed) return;
  c->state = TlsConnection::State::kFailed;
  c->last_error = fmt::format("{}: {}", what, tls_error_text(rc));
  bufferevent_trigger_event(c->filter, static_cast<short>(BEV_EVENT_ERROR | direction),
                            BEV_TRIG_DEFER_CALLBACKS);
}

void send_close_notify(TlsConnection* c) {
  if (c->close_sent) return;
  c->close_sent = true;
  // With our bio_send this cannot block; a failure here changes nothing for the peer.
  (void)mbedtls_ssl_close_notify(&c->ssl);
}

// The peer sent close_notify (or mbedTLS saw the end of the stream).
void peer_closed(TlsConnection* c) {
  c->state = TlsConnection::State::kClosed;
  send_close_notify(c);
  bufferevent_trigger_event(c->filter, BEV_EVENT_EOF | BEV_EVENT_READING, BEV_TRIG_DEFER_CALLBACKS);
}

enum class Step { kMore, kDone, kFailed };

// Runs the handshake as far as the received bytes allow.
Step handshake(TlsConnection* c) {
  int rc = mbedtls_ssl_handshake(&c->ssl);
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return Step::kMore;
  if (rc != 0) {
    fail(c, "TLS handshake failed", rc, BEV_EVENT_READING);
    return Step::kFailed;
  }
  c->state = TlsConnection::State::kOpen;
  bufferevent_trigger_event(c->filter, BEV_EVENT_CONNECTED, BEV_TRIG_DEFER_CALLBACKS);
  // Send what the session wrote during the handshake (and a pending close_notify).
  bufferevent_flush(c->filter, EV_WRITE, BEV_FLUSH);
  return Step::kDone;
}

bufferevent_filter_result filter_in(evbuffer* src, evbuffer* dst, ev_ssize_t dst_limit,
                                    bufferevent_flush_mode /*mode*/, void* arg) {
  auto* c = static_cast<TlsConnection*>(arg);
  using State = TlsConnection::State;
  if (c->state == State::kFailed || c->state == State::kClosed) {
    drain_all(src);  // nothing after an error or the peer's close_notify is believed
    return BEV_ERROR;
  }
  if (c->state == State::kHandshake) {
    Step s = handshake(c);
    if (s == Step::kMore) return BEV_NEED_MORE;
    if (s == Step::kFailed) {
      drain_all(src);
      return BEV_ERROR;
    }
    // Done; application data may follow the Finished message in the same read.
  }

  // Decrypted into a stack buffer, then copied: reserving evbuffer space for a read that
  // may return WANT_READ would leave a 16 KB empty chain in the input of every idle
  // connection.
  unsigned char buf[kRecordPlaintext];
  std::size_t produced = 0;
  for (;;) {
    // Past the limit, only what mbedTLS already holds decrypted is taken (see the top).
    if (dst_limit >= 0 && produced >= static_cast<std::size_t>(dst_limit) &&
        mbedtls_ssl_get_bytes_avail(&c->ssl) == 0) {
      break;
    }
    int n = mbedtls_ssl_read(&c->ssl, buf, sizeof buf);
    if (n > 0) {
      if (evbuffer_add(dst, buf, static_cast<std::size_t>(n)) != 0) {
        fail(c, "TLS read failed", MBEDTLS_ERR_SSL_ALLOC_FAILED, BEV_EVENT_READING);
        break;
      }
      produced += static_cast<std::size_t>(n);
      continue;
    }
    if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) break;
    if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || n == 0) {
      peer_closed(c);
      break;
    }
    fail(c, "TLS read failed", n, BEV_EVENT_READING);
    break;
  }
  mbedtls_platform_zeroize(buf, sizeof buf);
  if (c->state == State::kFailed) drain_all(src);
  if (produced > 0) return BEV_OK;
  return c->state == State::kFailed ? BEV_ERROR : BEV_NEED_MORE;
}

bufferevent_filter_result filter_out(evbuffer* src, evbuffer* /*dst*/, ev_ssize_t dst_limit,
                                     bufferevent_flush_mode mode, void* arg) {
  auto* c = static_cast<TlsConnection*>(arg);
  using State = TlsConnection::State;
  if (mode == BEV_FINISHED && !c->close_requested) {
    // tls_shutdown(): what the session wrote so far is sent, nothing written later.
    c->close_requested = true;
    c->before_close = evbuffer_get_length(src);
  }
  if (c->state == State::kFailed || c->state == State::kClosed || c->close_sent) {
    drain_all(src);  // the connection is over for writing
    return c->state == State::kFailed ? BEV_ERROR : BEV_NEED_MORE;
  }
  if (c->state == State::kHandshake) return BEV_NEED_MORE;  // held until handshake() flushes

  std::size_t written = 0;
  while (evbuffer_get_length(src) > 0) {
    if (dst_limit >= 0 && written >= static_cast<std::size_t>(dst_limit)) break;
    int max_payload = mbedtls_ssl_get_max_out_record_payload(&c->ssl);
    std::size_t chunk = std::min(evbuffer_get_length(src), kRecordPlaintext);
    if (c->close_requested) {
      if (c->before_close == 0) break;
      chunk = std::min(chunk, c->before_close);
    }
    if (max_payload > 0) chunk = std::min(chunk, static_cast<std::size_t>(max_payload));
    unsigned char* p = evbuffer_pullup(src, static_cast<ev_ssize_t>(chunk));
    if (p == nullptr) {
      fail(c, "TLS write failed", MBEDTLS_ERR_SSL_ALLOC_FAILED, BEV_EVENT_WRITING);
      break;
    }
    int n = mbedtls_ssl_write(&c->ssl, p, chunk);
    if (n > 0) {
      evbuffer_drain(src, static_cast<std::size_t>(n));
      written += static_cast<std::size_t>(n);
      if (c->close_requested) c->before_close -= static_cast<std::size_t>(n);
      continue;
    }
    // bio_send never blocks, so WANT_WRITE cannot happen; stop rather than spin if it does.
    if (n == MBEDTLS_ERR_SSL_WANT_WRITE || n == MBEDTLS_ERR_SSL_WANT_READ) break;
    fail(c, "TLS write failed", n, BEV_EVENT_WRITING);
    break;
  }
  if (c->state == State::kFailed) {
    drain_all(src);
    return BEV_ERROR;
  }
  if (c->close_requested && c->before_close == 0) {
    send_close_notify(c);
    drain_all(src);
  }
  return written > 0 ? BEV_OK : BEV_NEED_MORE;
}

// On the socket's output: when it has drained completely, run the session's write callback,
// so that "write callback with tls_unsent_bytes() == 0" means everything reached the kernel.
void on_socket_output(evbuffer* buf, const evbuffer_cb_info* info, void* arg) {
  auto* c = static_cast<TlsConnection*>(arg);
  if (info->n_deleted == 0 || evbuffer_get_length(buf) != 0) return;
  if (c->filter == nullptr || c->state == TlsConnection::State::kHandshake) return;
  if (evbuffer_get_length(bufferevent_get_output(c->filter)) != 0) return;
  bufferevent_trigger(c->filter, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
}

void free_connection(void* arg) {
  delete static_cast<TlsConnection*>(arg);
}

Result<TlsWrapped> wrap(event_base* base, bufferevent* underlying,
                        std::shared_ptr<const void> context, const mbedtls_ssl_config* conf,
                        bool is_client, std::string server_name) {
  if (underlying == nullptr) return invalid_argument("TLS wrap: no bufferevent");
  if (base != nullptr && bufferevent_get_base(underlying) != base) {
    return invalid_argument("TLS wrap: the bufferevent belongs to another event_base");
  }
  auto conn = std::make_unique<TlsConnection>();
  conn->context = std::move(context);
  conn->is_client = is_client;
  conn->underlying = underlying;
  int rc = mbedtls_ssl_setup(&conn->ssl, conf);
  if (rc != 0) return resource_exhausted("TLS wrap: " + tls_error_text(rc));
  if (is_client && !server_name.empty()) {
    rc = mbedtls_ssl_set_hostname(&conn->ssl, server_name.c_str());
    if (rc != 0) return invalid_argument("TLS wrap: server name: " + tls_error_text(rc));
    conn->server_name_sent = std::move(server_name);
  }
  mbedtls_ssl_set_bio(&conn->ssl, static_cast<TlsBioUser*>(conn.get()), bio_send, bio_recv,
                      nullptr);

  conn->drain_cb =
      evbuffer_add_cb(bufferevent_get_output(underlying), on_socket_output, conn.get());
  if (conn->drain_cb == nullptr) return resource_exhausted("TLS wrap: out of memory");
  // Added before the filter exists so that no failure can follow the filter's creation
  // (which takes the socket bufferevent over); it does nothing until `filter` is set.
  bufferevent* filter = bufferevent_filter_new(underlying, filter_in, filter_out,
                                               BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS,
                                               free_connection, conn.get());
  if (filter == nullptr) return resource_exhausted("TLS wrap: cannot create the filter");

  TlsConnection* c = conn.release();  // the filter owns it now (free_connection)
  c->filter = filter;
  // The STARTTLS injection defence (see the header): plaintext that followed STARTTLS.
  evbuffer* pending = bufferevent_get_input(underlying);
  c->discarded = evbuffer_get_length(pending);
  drain_all(pending);

  bufferevent_enable(filter, EV_READ | EV_WRITE);
  if (is_client) (void)handshake(c);  // sends the ClientHello; failures become events
  return TlsWrapped{filter, c, c->discarded};
}

}  // namespace

Result<TlsWrapped> tls_wrap_server(event_base* base, bufferevent* underlying,
                                   std::shared_ptr<TlsServerContext> context) {
  if (!context) return invalid_argument("TLS wrap: no server context");
  const mbedtls_ssl_config* conf = context->ssl_config();
  return wrap(base, underlying, std::move(context), conf, false, {});
}

Result<TlsWrapped> tls_wrap_client(event_base* base, bufferevent* underlying,
                                   std::shared_ptr<TlsClientContext> context,
                                   std::string server_name) {
  if (!context) return invalid_argument("TLS wrap: no client context");
  const mbedtls_ssl_config* conf = context->ssl_config();
  bool verify = context->verify() != TlsVerify::kNone;
  auto wrapped = wrap(base, underlying, std::move(context), conf, true, std::move(server_name));
  if (wrapped.is_ok()) wrapped->tls->verify_enabled = verify;
  return wrapped;
}

void tls_shutdown(bufferevent* bev) {
  bufferevent_flush(bev, EV_WRITE, BEV_FINISHED);
}

std::size_t tls_unsent_bytes(bufferevent* bev) {
  std::size_t n = evbuffer_get_length(bufferevent_get_output(bev));
  if (bufferevent* u = bufferevent_get_underlying(bev))
    n += evbuffer_get_length(bufferevent_get_output(u));
  return n;
}

bool tls_handshake_done(const TlsConnection& tls) {
  return tls.state != TlsConnection::State::kHandshake &&
         mbedtls_ssl_get_ciphersuite(&tls.ssl) != nullptr &&
         tls.ssl.state == MBEDTLS_SSL_HANDSHAKE_OVER;
}

TlsSessionInfo tls_info(const TlsConnection& tls) {
  TlsSessionInfo info;
  if (!tls_handshake_done(tls)) return info;
  info.version = mbedtls_ssl_get_version(&tls.ssl);
  info.cipher = mbedtls_ssl_get_ciphersuite(&tls.ssl);
  info.server_name = tls.is_client ? tls.server_name_sent : tls.sni_received;
  if (!tls.is_client) return info;
  if (const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&tls.ssl)) {
    char buf[1024];
    if (mbedtls_x509_dn_gets(buf, sizeof buf, &peer->subject) > 0) info.peer_subject = buf;
  }
  uint32_t flags = mbedtls_ssl_get_verify_result(&tls.ssl);
  info.peer_verified = tls.verify_enabled && flags == 0;
  if (!tls.verify_enabled) {
    info.verify_error = "not verified (verification is off)";
  } else if (flags != 0) {
    char buf[1024];
    int n = mbedtls_x509_crt_verify_info(buf, sizeof buf, "", flags);
    if (n > 0) {
      info.verify_error.assign(buf, static_cast<std::size_t>(n));
      // One reason per line in mbedTLS's text; one line here.
      std::replace(info.verify_error.begin(), info.verify_error.end(), '\n', ';');
      while (!info.verify_error.empty() && info.verify_error.back() == ';')
        info.verify_error.pop_back();
    }
  }
  return info;
}

const std::string& tls_last_error(const TlsConnection& tls) {
  return tls.last_error;
}

std::string tls_received_clause(const TlsSessionInfo& info) {
  if (info.version.empty()) return {};
  return fmt::format("using {} with cipher {}", info.version, info.cipher);
}

}  // namespace mf::net
