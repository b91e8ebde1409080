// net/tls_bufferevent.h — TLS over libevent bufferevents with mbedTLS: the glue every TLS
// listener (SMTP STARTTLS, submission 587 and 465, later IMAP and POP3) and the SMTP client
// use. libevent 2.1 ships TLS bufferevents for OpenSSL only; this is the mbedTLS one.
//
// tls_wrap_server() and tls_wrap_client() put a filtering bufferevent
// (bufferevent_filter_new) on top of a connected socket bufferevent. The protocol session
// then uses the returned bufferevent exactly like a plain one: what it reads is plaintext,
// what it writes is encrypted. The handshake runs inside the filters as records arrive; what
// the session writes before the handshake completes is held and sent once it has.
//
// Ownership and lifetime
// - The filter owns the socket bufferevent (BEV_OPT_CLOSE_ON_FREE): bufferevent_free() on the
//   returned bufferevent frees both, the socket too if the socket bufferevent had
//   BEV_OPT_CLOSE_ON_FREE. After a wrap, never touch the underlying bufferevent's callbacks.
// - The filter owns the per-connection TLS state (TlsConnection) and a shared_ptr to the
//   context; a context outlives every connection made from it. The TlsConnection pointer of
//   TlsWrapped is valid until bufferevent_free() of the bufferevent.
// - On failure the wrap functions return an error and leave `underlying` untouched (still the
//   caller's, callbacks unchanged apart from the discarded input, see below).
//
// Events (the user's event callback on the returned bufferevent)
// - Callbacks are deferred (BEV_OPT_DEFER_CALLBACKS): they run from the event loop, never from
//   inside the filters, so freeing the bufferevent in any callback is safe.
// - BEV_EVENT_CONNECTED once the handshake has completed (libevent runs it before the read
//   callback of the same loop turn). Waiting for it is not required to write.
// - BEV_EVENT_ERROR|BEV_EVENT_READING (or WRITING) on a failed handshake, a bad record, or any
//   mbedTLS error; errno is meaningless then: read tls_last_error(). Socket errors and
//   timeouts of the socket bufferevent are passed through unchanged, as libevent does.
// - BEV_EVENT_EOF|BEV_EVENT_READING when the peer sent close_notify (plaintext received
//   before it is delivered first); we answer with our own close_notify. A TCP close without
//   close_notify is reported as libevent reports it (BEV_EVENT_EOF from the socket).
// - The write callback runs as for a plain bufferevent, and also when the socket's own output
//   has fully drained. Because encrypted bytes wait in the socket bufferevent, "the filter's
//   output is empty" does not mean "sent": before freeing after a last reply, check that
//   tls_unsent_bytes() is 0.
// - Read and write timeouts set with bufferevent_set_timeouts() on the returned bufferevent
//   also bound the handshake (a handshake in progress does not reset the read timeout).
//   Disabling EV_READ on it pauses the handshake too: the handshake is driven by reads.
//
// STARTTLS (the injection defence): the wrap functions assume the underlying input buffer is
// empty, i.e. that the caller has consumed the STARTTLS command line and nothing after it.
// Anything still there at wrap time was pipelined in plaintext after STARTTLS, where an
// attacker on the path can inject commands (CVE-2011-0411 and its kin); it is discarded,
// never fed to TLS nor to the session, and counted in TlsWrapped::discarded_plaintext so the
// caller may log it. The caller also resets its protocol state (RFC 3207 §4.2).
//
// Memory per connection: the mbedtls_ssl_context (about 0.5 KB) and its two record buffers of
// MBEDTLS_SSL_IN_BUFFER_LEN and MBEDTLS_SSL_OUT_BUFFER_LEN bytes — Debian's build keeps the
// default 16 KB content length (MBEDTLS_SSL_IN/OUT_CONTENT_LEN = 16384) and no variable-length
// buffers, so about 2 x 16.7 KB — plus the session and the keys (a few hundred bytes for AES-GCM,
// more on the client side, which keeps the server's certificate), and the libevent filter
// (under 1 KB). The handshake's temporary state (several KB) is freed when it ends. The unit
// tests measure it: about 40 KB per established idle connection (docs/tls.md).
//
// Threading: a connection belongs to the thread of its event_base. Contexts: tls_context.h.
#ifndef MF_NET_TLS_BUFFEREVENT_H
#define MF_NET_TLS_BUFFEREVENT_H

#include "net/tls_context.h"

#include <mailfountain/status.h>

#include <cstddef>
#include <memory>
#include <string>

struct bufferevent;
struct event_base;

namespace mf::net {

// The TLS state of one wrapped connection (opaque; owned by its bufferevent).
class TlsConnection;

struct TlsWrapped {
  bufferevent* bev = nullptr;           // the filtering bufferevent the session uses
  TlsConnection* tls = nullptr;         // for tls_info() and tls_last_error()
  std::size_t discarded_plaintext = 0;  // bytes dropped from the underlying input at wrap time
};

// Wraps a connected socket bufferevent `underlying` of `base` as the server side of TLS.
// Enables EV_READ and EV_WRITE on the result. Errors: kInvalidArgument (null bufferevent,
// or one of another event_base); kResourceExhausted (out of memory).
Result<TlsWrapped> tls_wrap_server(event_base* base, bufferevent* underlying,
                                   std::shared_ptr<TlsServerContext> context);

// The client side: sends the ClientHello at once. `server_name` is sent as SNI and, with
// TlsVerify::kRequired or kOptional, is the name the certificate must carry; empty means no
// SNI and no name check (the chain is still verified).
Result<TlsWrapped> tls_wrap_client(event_base* base, bufferevent* underlying,
                                   std::shared_ptr<TlsClientContext> context,
                                   std::string server_name);

// A graceful TLS close: everything written so far is encrypted and sent, then a
// close_notify alert; later writes are discarded. Does not free anything: the caller frees
// the bufferevent once tls_unsent_bytes() is 0 (write callback) or on its own timeout.
// Before the handshake has completed, the close_notify follows the handshake.
// `bev` must come from tls_wrap_server/tls_wrap_client.
void tls_shutdown(bufferevent* bev);

// Bytes written by the session that have not yet reached the kernel: plaintext waiting in
// the filter plus records waiting in the socket bufferevent.
std::size_t tls_unsent_bytes(bufferevent* bev);

// What was negotiated; the fields are empty before the handshake has completed.
struct TlsSessionInfo {
  std::string version;       // "TLSv1.2"
  std::string cipher;        // mbedTLS's name: "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"
  std::string server_name;   // server: the SNI name received (empty if none); client: the one sent
  std::string peer_subject;  // client: the server certificate's subject ("CN=mx.example.com")
  bool peer_verified = false;  // client: chain and name verified against the CAs
  std::string verify_error;    // client: mbedTLS's reasons when not verified
};

bool tls_handshake_done(const TlsConnection& tls);
TlsSessionInfo tls_info(const TlsConnection& tls);
// The first failure, e.g. "TLS handshake failed: SSL - The server has no ciphersuites in
// common with the client (-0x7380)"; empty if none.
const std::string& tls_last_error(const TlsConnection& tls);

// The Received header's TLS clause: "using TLSv1.2 with cipher
// TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384".
std::string tls_received_clause(const TlsSessionInfo& info);

}  // namespace mf::net

#endif  // MF_NET_TLS_BUFFEREVENT_H
