// http/server.cpp — requests, routing and the evhttp glue (declared in http/server.h).
#include "http/server.h"

#include "base/text.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fmt/format.h>

namespace mf::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : "Error";
  }
}

Method method_of(evhttp_cmd_type type) {
  switch (type) {
    case EVHTTP_REQ_GET:
      return Method::kGet;
    case EVHTTP_REQ_HEAD:
      return Method::kHead;
    case EVHTTP_REQ_POST:
      return Method::kPost;
    default:
      return Method::kOther;
  }
}

// `text` fit for one log line: at most 200 bytes, control characters as '?'.
std::string loggable(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  if (text.size() > 200) out += "...";
  return out;
}

}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

const std::string* Request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return &value;
  return nullptr;
}

Response text_response(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.body = std::string(text) + "\n";
  return r;
}

void Router::add(std::string path, Handler handler, Case match) {
  routes_.push_back(Route{std::move(path), match, std::move(handler)});
}

Response Router::dispatch(const Request& request) const {
  for (const Route& route : routes_) {
    const bool same = route.match == Case::kSensitive ? route.path == request.path
                                                      : ascii_iequals(route.path, request.path);
    if (same) return route.handler(request);
  }
  return text_response(404, fmt::format("Nothing is served at {}.", request.path));
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(part), std::string());
    } else {
      out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
    }
  }
  return out;
}

Result<std::unique_ptr<Server>> Server::create(event_base* base, ServerLimits limits, Router router,
                                               Log log) {
  if (base == nullptr) return invalid_argument("no event base given to the HTTP server");
  std::unique_ptr<Server> server(new Server(std::move(router), std::move(log)));
  server->http_ = evhttp_new(base);
  if (server->http_ == nullptr) return internal_error("cannot create the HTTP server (evhttp)");
  evhttp_set_max_body_size(server->http_, static_cast<ev_ssize_t>(limits.max_body_bytes));
  evhttp_set_max_headers_size(server->http_, static_cast<ev_ssize_t>(limits.max_header_bytes));
  evhttp_set_timeout(server->http_, limits.timeout_seconds);
  // Read (and drop) the rest of an oversized body before closing, so that the client sees
  // the 413 rather than a reset connection.
  evhttp_set_flags(server->http_, EVHTTP_SERVER_LINGERING_CLOSE);
  evhttp_set_gencb(server->http_, &Server::request_cb, server.get());
  return server;
}

Server::~Server() {
  close();
}

Status Server::serve(evconnlistener* listener) {
  if (http_ == nullptr) {
    evconnlistener_free(listener);
    return failed_precondition("the HTTP server is closed");
  }
  if (evhttp_bind_listener(http_, listener) == nullptr) {
    evconnlistener_free(listener);
    return internal_error("cannot serve HTTP on the listener (evhttp)");
  }
  return Status::ok();
}

void Server::close() {
  if (http_ == nullptr) return;
  // Frees the bound listeners and every connection.
  evhttp_free(http_);
  http_ = nullptr;
}

void Server::request_cb(evhttp_request* req, void* arg) {
  static_cast<Server*>(arg)->on_request(req);
}

void Server::on_request(evhttp_request* req) {
  Request request;
  request.method = method_of(evhttp_request_get_command(req));
  if (const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req)) {
    const char* path = evhttp_uri_get_path(uri);
    request.path = percent_decode(path != nullptr && path[0] != '\0' ? path : "/");
    if (const char* query = evhttp_uri_get_query(uri)) request.query = parse_query(query);
  }
  if (const char* host = evhttp_request_get_host(req)) request.host = ascii_lower(host);
  evbuffer* input = evhttp_request_get_input_buffer(req);
  const size_t length = evbuffer_get_length(input);
  if (length > 0) {
    request.body.resize(length);
    evbuffer_remove(input, request.body.data(), length);
  }
  if (evhttp_connection* connection = evhttp_request_get_connection(req)) {
    char* address = nullptr;
    uint16_t port = 0;
    evhttp_connection_get_peer(connection, &address, &port);
    if (address != nullptr) request.peer = address;
  }

  Response response = router_.dispatch(request);

  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", response.content_type.c_str());
  // Per-account documents: no cache keeps them.
  evhttp_add_header(headers, "Cache-Control", "no-store");
  evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers)
    evhttp_add_header(headers, name.c_str(), value.c_str());
  evbuffer* output = evbuffer_new();
  if (output == nullptr) {
    evhttp_send_error(req, 500, nullptr);
    return;
  }
  evbuffer_add(output, response.body.data(), response.body.size());
  const std::string reason(reason_phrase(response.status));
  evhttp_send_reply(req, response.status, reason.c_str(), output);
  evbuffer_free(output);
  if (log_) {
    log_(response.status >= 500 ? LogLevel::kWarning : LogLevel::kInfo,
         fmt::format("http: {} {} from [{}]: {}", method_name(request.method),
                     loggable(request.path), request.peer, response.status));
  }
}

}  // namespace mf::http
