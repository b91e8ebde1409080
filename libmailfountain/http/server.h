// http/server.h — the library's small HTTP/1.1 server, on libevent's evhttp: mail-client
// autoconfiguration today (http/autoconfig_service.h), the web interface later.
//
// Two layers. Request, Response and Router are plain values and pure dispatch: handlers
// take a Request and return a Response, and are tested without sockets. Server is the
// evhttp glue: it turns evhttp requests into Requests, calls the Router and sends the
// Response, within limits (body, headers, idle time).
//
// A Server lives on one event_base and runs on its thread; every method must be called
// there. Handlers run on that thread too and answer at once (they must not block: a
// directory lookup is fine, a password hash is not), so no request is ever left waiting
// between two turns of the loop: closing the server loses nothing.
#ifndef MF_HTTP_SERVER_H
#define MF_HTTP_SERVER_H

#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct event_base;
struct evconnlistener;
struct evhttp;
struct evhttp_request;

namespace mf::http {

enum class Method { kGet, kHead, kPost, kOther };
std::string_view method_name(Method method);  // "GET", "HEAD", "POST", "OTHER"

struct Request {
  Method method = Method::kGet;
  std::string path;  // percent-decoded, without the query
  // The query's parameters, percent-decoded ('+' stays '+': addresses hold it), in order.
  std::vector<std::pair<std::string, std::string>> query;
  std::string host;  // the Host header without its port, lower-cased; empty when absent
  std::string body;  // at most ServerLimits::max_body_bytes
  std::string peer;  // the client's IP address

  // The first value of the query parameter `name` (exact match), or nullptr.
  const std::string* query_value(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers to send
};

// A plain-text response: `text` and a newline.
Response text_response(int status, std::string_view text);

using Handler = std::function<Response(const Request&)>;

// Dispatch by exact path. Routes added with Case::kInsensitive match the path whatever its
// letters' case (Outlook asks /autodiscover/autodiscover.xml and /Autodiscover/...).
class Router {
 public:
  enum class Case { kSensitive, kInsensitive };
  void add(std::string path, Handler handler, Case match = Case::kSensitive);
  // The route's response; 404 when no route has this path.
  Response dispatch(const Request& request) const;

 private:
  struct Route {
    std::string path;
    Case match;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// Splits and percent-decodes a query string ("a=1&b=x%40y"). Malformed escapes are kept as
// they are; a parameter without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// Percent-decodes `text` ('+' is kept). A '%' not followed by two hex digits is kept.
std::string percent_decode(std::string_view text);

struct ServerLimits {
  size_t max_body_bytes = 64 * 1024;   // a larger body is answered 413 (evhttp)
  size_t max_header_bytes = 8 * 1024;  // request line and headers; larger: 400 (evhttp)
  int timeout_seconds = 30;            // a connection silent this long is closed
};

class Server {
 public:
  using Log = std::function<void(LogLevel level, std::string_view line)>;

  // A server on `base` (which must outlive it) answering with `router`; `log` (may be
  // empty) gets one line per request: "http: GET /path from [ip]: 200".
  static Result<std::unique_ptr<Server>> create(event_base* base, ServerLimits limits,
                                                Router router, Log log);
  // Closes the listeners and every connection (close()).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves HTTP on `listener`, a bound evconnlistener on the same base; its callback is
  // replaced with evhttp's. Takes ownership of it: it is freed by close() (or the
  // destructor). kFailedPrecondition after close() (the listener is then freed at once).
  Status serve(evconnlistener* listener);

  // Stops listening and closes every connection now: idle keep-alive connections simply
  // go, since no request is ever in progress (see the top of this file). Idempotent.
  void close();

 private:
  Server(Router router, Log log) : router_(std::move(router)), log_(std::move(log)) {}
  static void request_cb(evhttp_request* req, void* arg);
  void on_request(evhttp_request* req);

  Router router_;
  Log log_;
  evhttp* http_ = nullptr;
};

}  // namespace mf::http

#endif  // MF_HTTP_SERVER_H
