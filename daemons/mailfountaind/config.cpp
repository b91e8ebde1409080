// mailfountaind/config.cpp — reads the TOML configuration into DaemonConfig.
//
// Each table is read through a list of its known keys, each with the code that checks and
// stores its value; anything else in the table is an unknown key and refused. Messages
// carry the line of the offending key or value, as toml++ records it.
#include "config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <utility>

namespace mailfountaind {
namespace {

// A configuration file is a few dozen lines; a huge one is a mistake (a wrong --config).
constexpr size_t kMaxConfigFileBytes = 1 << 20;

// The roles and their standard ports; their names are the library's listener_role_name().
struct RolePort {
  mf::ListenerRole role;
  uint16_t default_port;
};
constexpr RolePort kRoles[] = {
    {mf::ListenerRole::kMx, 25},
    {mf::ListenerRole::kSubmission, 587},
    {mf::ListenerRole::kSubmissions, 465},
    {mf::ListenerRole::kImap, 143},
    {mf::ListenerRole::kImaps, 993},
    {mf::ListenerRole::kPop3, 110},
    {mf::ListenerRole::kPop3s, 995},
    {mf::ListenerRole::kHttp, 80},
};

// "smtp, submission, ..." (or with quotes and "or" before the last) for error messages.
std::string role_names(bool quoted) {
  std::string out;
  const size_t n = std::size(kRoles);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += (quoted && i + 1 == n) ? " or " : ", ";
    std::string_view name = mf::listener_role_name(kRoles[i].role);
    out += quoted ? fmt::format("\"{}\"", name) : std::string(name);
  }
  return out;
}

uint16_t default_port(mf::ListenerRole role) {
  for (const auto& r : kRoles) {
    if (r.role == role) return r.default_port;
  }
  return 0;
}

// Whether `text` is an IPv4 or IPv6 address literal (no brackets, no prefix).
bool is_ip_literal(std::string_view text) {
  std::string s(text);
  in6_addr buf;
  return inet_pton(AF_INET, s.c_str(), &buf) == 1 || inet_pton(AF_INET6, s.c_str(), &buf) == 1;
}

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// `key` as TOML writes it: bare when it can be, quoted otherwise ("ma-societe.fr").
std::string toml_key(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) bare = bare && is_bare_key_char(c);
  if (bare) return std::string(key);
  std::string quoted = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? toml_key(key) : path + "." + toml_key(key);
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A host name as it may appear in a greeting: dot-separated labels of letters, digits and
// hyphens, no label empty, longer than 63 or starting or ending with a hyphen.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  char previous = '.';
  for (char c : name) {
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else if (is_bare_key_char(c) && c != '_') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label > 0 && previous != '-';
}

using Handler = std::function<mf::Status(const toml::node& value, const std::string& path)>;

struct Key {
  std::string_view name;
  Handler read;
};

// The checks every key reading shares, with the file name for messages.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  mf::Status error(const toml::source_region& where, std::string_view message) const {
    return mf::invalid_argument(fmt::format("{}:{}: {}", source_, where.begin.line, message));
  }

  // Runs the handler of each member of `table`, in file order; refuses a member whose key
  // is not among `keys`.
  mf::Status read_table(const toml::table& table, const std::string& path,
                        const std::vector<Key>& keys) const {
    // toml::table iterates in key order; report problems in the order of the file.
    std::vector<std::pair<const toml::key*, const toml::node*>> members;
    for (const auto& [key, value] : table) members.emplace_back(&key, &value);
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      return a.first->source().begin < b.first->source().begin;
    });
    for (const auto& [key, value] : members) {
      const Key* known = nullptr;
      for (const auto& k : keys) {
        if (k.name == key->str()) known = &k;
      }
      if (known == nullptr) {
        std::vector<std::string> names;
        for (const auto& k : keys) names.emplace_back(k.name);
        return error(key->source(),
                     fmt::format("unknown key {} (known {}: {})", join_path(path, key->str()),
                                 path.empty() ? "top-level keys" : "keys in [" + path + "]",
                                 fmt::join(names, ", ")));
      }
      MF_RETURN_IF_ERROR(known->read(*value, join_path(path, key->str())));
    }
    return mf::Status::ok();
  }

  mf::Result<const toml::table*> table(const toml::node& value, const std::string& path) const {
    if (const toml::table* t = value.as_table()) return t;
    return error(value.source(), fmt::format("{} must be a table ([{}])", path, path));
  }

  mf::Result<std::string> string(const toml::node& value, const std::string& path) const {
    if (const auto* s = value.as_string()) return s->get();
    return error(value.source(), fmt::format("{} must be a string", path));
  }

  mf::Result<std::string> absolute_path(const toml::node& value, const std::string& path) const {
    MF_ASSIGN_OR_RETURN(std::string text, string(value, path));
    if (text.empty() || text.front() != '/') {
      return error(value.source(), fmt::format("{} must be an absolute path", path));
    }
    return text;
  }

  // An integer within [min, max]; the message says what is expected.
  mf::Result<uint64_t> integer(const toml::node& value, const std::string& path, uint64_t min,
                               uint64_t max) const {
    const auto* number = value.as_integer();
    if (number != nullptr && number->get() >= 0) {
      auto n = static_cast<uint64_t>(number->get());
      if (n >= min && n <= max) return n;
      if (n >= min) return error(value.source(), fmt::format("{} must be at most {}", path, max));
    }
    if (min == 0)
      return error(value.source(), fmt::format("{} must be a non-negative integer", path));
    if (min == 1) return error(value.source(), fmt::format("{} must be a positive integer", path));
    return error(value.source(),
                 fmt::format("{} must be an integer from {} to {}", path, min, max));
  }

  // A Key storing an integer of at least `min` into `field`.
  template <typename T>
  Key number(std::string_view name, T& field, uint64_t min) const {
    return Key{name, [this, &field, min](const toml::node& value, const std::string& path) {
                 MF_ASSIGN_OR_RETURN(uint64_t n,
                                     integer(value, path, min, std::numeric_limits<T>::max()));
                 field = static_cast<T>(n);
                 return mf::Status::ok();
               }};
  }

 private:
  std::string source_;
};

// Reads a whole configuration document.
class ConfigReader {
 public:
  ConfigReader(std::string_view source, const std::string& data_dir)
      : r_(source), data_dir_(data_dir) {}

  mf::Result<DaemonConfig> read(const toml::table& root) {
    config_.control_socket = data_dir_ + "/control.sock";
    MF_RETURN_IF_ERROR(r_.read_table(
        root, "",
        {
            {"hostname", [this](const auto& v, const auto& p) { return read_hostname(v, p); }},
            {"trusted_networks",
             [this](const auto& v, const auto& p) { return read_networks(v, p); }},
            {"log", [this](const auto& v, const auto& p) { return read_log(v, p); }},
            {"control", [this](const auto& v, const auto& p) { return read_control(v, p); }},
            {"listen", [this](const auto& v, const auto& p) { return read_listeners(v, p); }},
            {"tls", [this](const auto& v, const auto& p) { return read_tls(v, p); }},
            {"limits", [this](const auto& v, const auto& p) { return read_limits(v, p); }},
            {"sending", [this](const auto& v, const auto& p) { return read_sending(v, p); }},
            {"auth_throttle",
             [this](const auto& v, const auto& p) { return read_auth_throttle(v, p); }},
            {"outbound", [this](const auto& v, const auto& p) { return read_outbound(v, p); }},
            {"imap", [this](const auto& v, const auto& p) { return read_imap(v, p); }},
            {"pop3", [this](const auto& v, const auto& p) { return read_pop3(v, p); }},
        }));
    if (config_.control_socket.size() > max_socket_path_length()) {
      const toml::source_region where = socket_where_;
      std::string message = fmt::format(
          "the control socket path {} is longer than the {} bytes a UNIX socket address holds; "
          "set control.socket to a shorter path",
          config_.control_socket, max_socket_path_length());
      if (where.begin.line == 0) return mf::invalid_argument(message);
      return r_.error(where, message);
    }
    return std::move(config_);
  }

 private:
  mf::Status read_hostname(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(std::string name, r_.string(value, path));
    if (!is_host_name(name)) {
      return r_.error(value.source(),
                      fmt::format("{} must be a host name (letters, digits, '-' and '.'), not '{}'",
                                  path, name));
    }
    config_.server.hostname = std::move(name);
    return mf::Status::ok();
  }

  mf::Status read_networks(const toml::node& value, const std::string& path) {
    const toml::array* list = value.as_array();
    if (list == nullptr) {
      return r_.error(value.source(), fmt::format("{} must be an array of strings", path));
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      std::string item_path = fmt::format("{}[{}]", path, i);
      MF_ASSIGN_OR_RETURN(std::string text, r_.string(item, item_path));
      mf::Status network = mf::check_network(text);
      if (!network.is_ok()) {
        return r_.error(item.source(), fmt::format("{}: {}", item_path, network.message()));
      }
      config_.server.trusted_networks.push_back(std::move(text));
    }
    return mf::Status::ok();
  }

  mf::Status read_log(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    return r_.read_table(*table, path, {{"destination", [this](const auto& v, const auto& p) {
                                           MF_ASSIGN_OR_RETURN(std::string d, r_.string(v, p));
                                           if (d == "stderr") {
                                             config_.log_destination = LogDestination::kStderr;
                                           } else if (d == "syslog") {
                                             config_.log_destination = LogDestination::kSyslog;
                                           } else {
                                             return r_.error(
                                                 v.source(),
                                                 fmt::format("{} must be \"stderr\" or \"syslog\", "
                                                             "not \"{}\"",
                                                             p, d));
                                           }
                                           return mf::Status::ok();
                                         }}});
  }

  mf::Status read_control(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    return r_.read_table(*table, path, {{"socket", [this](const auto& v, const auto& p) {
                                           MF_ASSIGN_OR_RETURN(config_.control_socket,
                                                               r_.absolute_path(v, p));
                                           socket_where_ = v.source();
                                           return mf::Status::ok();
                                         }}});
  }

  mf::Status read_listeners(const toml::node& value, const std::string& path) {
    const toml::array* list = value.as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
      return r_.error(
          value.source(),
          fmt::format("{} must be an array of tables: write each as [[{}]]", path, path));
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const toml::table& table = *list->get(i)->as_table();
      std::string item_path = fmt::format("{}[{}]", path, i);
      mf::ListenerConfig listener;
      listener.address = "0.0.0.0";
      bool has_role = false;
      bool has_port = false;
      MF_RETURN_IF_ERROR(r_.read_table(
          table, item_path,
          {
              {"role",
               [&](const auto& v, const auto& p) {
                 MF_ASSIGN_OR_RETURN(std::string name, r_.string(v, p));
                 auto role = parse_listener_role(name);
                 if (!role.is_ok())
                   return r_.error(v.source(), fmt::format("{}: {}", p, role.status().message()));
                 listener.role = *role;
                 has_role = true;
                 return mf::Status::ok();
               }},
              {"address",
               [&](const auto& v, const auto& p) {
                 MF_ASSIGN_OR_RETURN(std::string address, r_.string(v, p));
                 if (!is_ip_literal(address)) {
                   return r_.error(
                       v.source(),
                       fmt::format("{} must be an IPv4 or IPv6 address, not '{}'", p, address));
                 }
                 listener.address = std::move(address);
                 return mf::Status::ok();
               }},
              {"port",
               [&](const auto& v, const auto& p) {
                 MF_ASSIGN_OR_RETURN(uint64_t port, r_.integer(v, p, 0, 65535));
                 listener.port = static_cast<uint16_t>(port);
                 has_port = true;
                 return mf::Status::ok();
               }},
          }));
      if (!has_role) {
        return r_.error(table.source(),
                        fmt::format("{} needs a role: {}", item_path, role_names(true)));
      }
      if (!has_port) listener.port = default_port(listener.role);
      listeners_.push_back(listener);
      listener_where_.push_back(table.source());
    }
    // Reported here rather than at bind time, with the line of the second one.
    for (size_t i = 0; i < listeners_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (listeners_[i].port != 0 && listeners_[i].port == listeners_[j].port &&
            listeners_[i].address == listeners_[j].address) {
          return r_.error(
              listener_where_[i],
              fmt::format("{}[{}] listens on {} like {}[{}]", path, i,
                          format_endpoint(listeners_[i].address, listeners_[i].port), path, j));
        }
      }
    }
    config_.server.listeners = listeners_;
    return mf::Status::ok();
  }

  mf::Status read_tls(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& tls = config_.server.tls;
    MF_RETURN_IF_ERROR(
        r_.read_table(*table, path,
                      {
                          {"cert_file",
                           [&](const auto& v, const auto& p) {
                             MF_ASSIGN_OR_RETURN(tls.cert_file, r_.absolute_path(v, p));
                             return mf::Status::ok();
                           }},
                          {"key_file",
                           [&](const auto& v, const auto& p) {
                             MF_ASSIGN_OR_RETURN(tls.key_file, r_.absolute_path(v, p));
                             return mf::Status::ok();
                           }},
                      }));
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      return r_.error(table->source(),
                      "tls.cert_file and tls.key_file go together: give both, or neither for a "
                      "self-signed certificate");
    }
    return mf::Status::ok();
  }

  Key boolean(std::string_view name, bool& field) const {
    return Key{name, [this, &field](const toml::node& value, const std::string& path) {
                 const auto* b = value.as_boolean();
                 if (b == nullptr)
                   return r_.error(value.source(), fmt::format("{} must be true or false", path));
                 field = b->get();
                 return mf::Status::ok();
               }};
  }

  Key text(std::string_view name, std::string& field) const {
    return Key{name, [this, &field](const toml::node& value, const std::string& path) {
                 MF_ASSIGN_OR_RETURN(field, r_.string(value, path));
                 return mf::Status::ok();
               }};
  }

  std::vector<Key> destination_limit_keys(mf::DestinationLimitsConfig& l) const {
    return {
        r_.number("max_connections", l.max_connections, 1),
        r_.number("initial_connections", l.initial_connections, 1),
        r_.number("messages_per_connection", l.messages_per_connection, 1),
        r_.number("messages_per_minute", l.messages_per_minute, 0),
        r_.number("failures_before_dead", l.failures_before_dead, 0),
        r_.number("dead_seconds", l.dead_seconds, 1),
    };
  }

  // [outbound], with [outbound.ports] (destination = port) and [outbound.limits] (the
  // defaults, and one table per destination that replaces them for it).
  mf::Status read_outbound(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& o = config_.server.outbound;
    return r_.read_table(
        *table, path,
        {
            boolean("enabled", o.enabled),
            {"dns_servers",
             [&](const auto& v, const auto& p) -> mf::Status {
               const toml::array* list = v.as_array();
               if (list == nullptr)
                 return r_.error(v.source(), fmt::format("{} must be an array of strings", p));
               for (size_t i = 0; i < list->size(); ++i) {
                 MF_ASSIGN_OR_RETURN(std::string server,
                                     r_.string(*list->get(i), fmt::format("{}[{}]", p, i)));
                 o.dns_servers.push_back(std::move(server));
               }
               return mf::Status::ok();
             }},
            r_.number("port", o.port, 1),
            {"ports",
             [&](const auto& v, const auto& p) -> mf::Status {
               MF_ASSIGN_OR_RETURN(const toml::table* ports, r_.table(v, p));
               for (const auto& [key, item] : *ports) {
                 MF_ASSIGN_OR_RETURN(uint64_t port,
                                     r_.integer(item, join_path(p, key.str()), 1, 65535));
                 o.destination_ports[ascii_lower(key.str())] = static_cast<uint16_t>(port);
               }
               return mf::Status::ok();
             }},
            text("relay_host", o.relay_host),
            text("relay_user", o.relay_user),
            text("relay_password", o.relay_password),
            boolean("require_tls", o.require_tls),
            text("helo_name", o.helo_name),
            text("bind_address", o.bind_address),
            r_.number("max_connections", o.max_connections, 1),
            r_.number("retry_initial_seconds", o.retry_initial_seconds, 1),
            r_.number("retry_max_seconds", o.retry_max_seconds, 1),
            r_.number("max_lifetime_seconds", o.max_lifetime_seconds, 1),
            r_.number("delay_notice_seconds", o.delay_notice_seconds, 0),
            r_.number("max_loaded_recipients", o.max_loaded_recipients, 1),
            {"sending_domain",
             [&](const auto& v, const auto& p) -> mf::Status {
               MF_ASSIGN_OR_RETURN(const toml::table* domains, r_.table(v, p));
               for (const auto& [key, item] : *domains) {
                 std::string item_path = join_path(p, key.str());
                 MF_ASSIGN_OR_RETURN(const toml::table* t, r_.table(item, item_path));
                 mf::SendingIdentityConfig identity;
                 MF_RETURN_IF_ERROR(r_.read_table(*t, item_path,
                                                  {
                                                      text("helo_name", identity.helo_name),
                                                      text("bind_address", identity.bind_address),
                                                  }));
                 o.sending_domains[ascii_lower(key.str())] = std::move(identity);
               }
               return mf::Status::ok();
             }},
            {"limits",
             [&](const auto& v, const auto& p) -> mf::Status {
               MF_ASSIGN_OR_RETURN(const toml::table* limits, r_.table(v, p));
               std::vector<Key> keys = destination_limit_keys(o.limits);
               std::vector<std::pair<std::string, const toml::table*>> per;
               keys.push_back({"destination", [&](const auto& dv, const auto& dp) -> mf::Status {
                                 MF_ASSIGN_OR_RETURN(const toml::table* dests, r_.table(dv, dp));
                                 for (const auto& [key, item] : *dests) {
                                   std::string item_path = join_path(dp, key.str());
                                   MF_ASSIGN_OR_RETURN(const toml::table* t,
                                                       r_.table(item, item_path));
                                   per.emplace_back(ascii_lower(key.str()), t);
                                 }
                                 return mf::Status::ok();
                               }});
               MF_RETURN_IF_ERROR(r_.read_table(*limits, p, keys));
               // Per-destination tables start from the defaults, read whole first.
               for (const auto& [name, t] : per) {
                 mf::DestinationLimitsConfig l = o.limits;
                 MF_RETURN_IF_ERROR(r_.read_table(*t, join_path(join_path(p, "destination"), name),
                                                  destination_limit_keys(l)));
                 o.limits_per_destination[name] = l;
               }
               return mf::Status::ok();
             }},
        });
  }

  mf::Status read_limits(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& l = config_.server.limits;
    return r_.read_table(
        *table, path,
        {
            r_.number("max_message_bytes", l.max_message_bytes, 1),
            r_.number("max_recipients", l.max_recipients, 1),
            r_.number("max_command_line", l.max_command_line, 1),
            r_.number("max_header_bytes", l.max_header_bytes, 1),
            r_.number("max_received_headers", l.max_received_headers, 1),
            r_.number("max_errors", l.max_errors, 1),
            r_.number("max_connections", l.max_connections, 1),
            r_.number("max_connections_per_address", l.max_connections_per_address, 1),
            r_.number("command_timeout_seconds", l.command_timeout_seconds, 1),
            r_.number("data_timeout_seconds", l.data_timeout_seconds, 1),
        });
  }

  mf::Status read_imap(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& i = config_.server.imap;
    return r_.read_table(
        *table, path,
        {
            r_.number("max_append_bytes", i.max_append_bytes, 1),
            r_.number("login_timeout_seconds", i.login_timeout_seconds, 1),
            r_.number("idle_timeout_seconds", i.idle_timeout_seconds, 1),
            r_.number("max_bad_commands", i.max_bad_commands, 1),
            r_.number("workers", i.workers, 1),
            r_.number("max_connections_per_address", i.max_connections_per_address, 1),
        });
  }

  mf::Status read_pop3(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& p = config_.server.pop3;
    return r_.read_table(*table, path,
                         {
                             r_.number("login_timeout_seconds", p.login_timeout_seconds, 1),
                             r_.number("idle_timeout_seconds", p.idle_timeout_seconds, 1),
                             r_.number("max_bad_commands", p.max_bad_commands, 1),
                         });
  }

  // [sending] and its per-domain and per-account tables. An override table gives only the
  // limits it changes; the others come from the account's domain table if there is one,
  // else from [sending] itself. The overrides are applied after [sending] is read whole,
  // since the file may give them in any order.
  mf::Status read_sending(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& sending = config_.server.sending;
    const toml::table* domains = nullptr;
    const toml::table* accounts = nullptr;
    std::string domains_path;
    std::string accounts_path;
    MF_RETURN_IF_ERROR(
        r_.read_table(*table, path,
                      {
                          r_.number("messages_per_hour", sending.messages_per_hour, 0),
                          r_.number("recipients_per_hour", sending.recipients_per_hour, 0),
                          {"domain",
                           [&](const auto& v, const auto& p) {
                             MF_ASSIGN_OR_RETURN(domains, r_.table(v, p));
                             domains_path = p;
                             return mf::Status::ok();
                           }},
                          {"account",
                           [&](const auto& v, const auto& p) {
                             MF_ASSIGN_OR_RETURN(accounts, r_.table(v, p));
                             accounts_path = p;
                             return mf::Status::ok();
                           }},
                      }));
    if (domains != nullptr) {
      MF_RETURN_IF_ERROR(read_overrides(*domains, domains_path, /*accounts=*/false));
    }
    if (accounts != nullptr) {
      MF_RETURN_IF_ERROR(read_overrides(*accounts, accounts_path, /*accounts=*/true));
    }
    return mf::Status::ok();
  }

  mf::Status read_overrides(const toml::table& table, const std::string& path, bool accounts) {
    auto& server = config_.server;
    auto& target = accounts ? server.sending_per_account : server.sending_per_domain;
    for (const auto& [key, value] : table) {
      std::string item_path = join_path(path, key.str());
      // Domains are stored lower-case; so is the domain part of an address.
      std::string name = ascii_lower(key.str());
      std::string domain = name;
      if (accounts) {
        size_t at = key.str().rfind('@');
        if (at == std::string_view::npos || at == 0 || at + 1 == key.str().size()) {
          return r_.error(
              key.source(),
              fmt::format("{}: an account is named by its address (user@domain)", item_path));
        }
        name = std::string(key.str().substr(0, at + 1)) + ascii_lower(key.str().substr(at + 1));
        domain = name.substr(at + 1);
      } else if (name.empty() || name.find('@') != std::string::npos) {
        return r_.error(key.source(),
                        fmt::format("{}: a domain is named without '@' (example.fr)", item_path));
      }
      if (target.count(name) != 0) {
        return r_.error(key.source(), fmt::format("{}: given twice (names are compared without "
                                                  "regard to the case of the domain)",
                                                  item_path));
      }
      mf::SendingLimits limits = server.sending;
      if (accounts) {
        auto inherited = server.sending_per_domain.find(domain);
        if (inherited != server.sending_per_domain.end()) limits = inherited->second;
      }
      MF_ASSIGN_OR_RETURN(const toml::table* entry, r_.table(value, item_path));
      MF_RETURN_IF_ERROR(
          r_.read_table(*entry, item_path,
                        {
                            r_.number("messages_per_hour", limits.messages_per_hour, 0),
                            r_.number("recipients_per_hour", limits.recipients_per_hour, 0),
                        }));
      target[name] = limits;
    }
    return mf::Status::ok();
  }

  mf::Status read_auth_throttle(const toml::node& value, const std::string& path) {
    MF_ASSIGN_OR_RETURN(const toml::table* table, r_.table(value, path));
    auto& a = config_.server.auth_throttle;
    MF_RETURN_IF_ERROR(
        r_.read_table(*table, path,
                      {
                          r_.number("delay_step_ms", a.delay_step_ms, 0),
                          r_.number("max_delay_ms", a.max_delay_ms, 0),
                          r_.number("lockout_after", a.lockout_after, 1),
                          r_.number("lockout_seconds", a.lockout_seconds, 1),
                          r_.number("per_address_lockout_after", a.per_address_lockout_after, 1),
                          r_.number("window_seconds", a.window_seconds, 1),
                      }));
    if (a.max_delay_ms < a.delay_step_ms) {
      return r_.error(table->source(),
                      fmt::format("{}.max_delay_ms ({}) must not be below {}.delay_step_ms ({})",
                                  path, a.max_delay_ms, path, a.delay_step_ms));
    }
    return mf::Status::ok();
  }

  Reader r_;
  std::string data_dir_;
  DaemonConfig config_;
  std::vector<mf::ListenerConfig> listeners_;
  std::vector<toml::source_region> listener_where_;
  toml::source_region socket_where_;
};

mf::Status check_overrides(const std::vector<mf::ListenerConfig>& listeners) {
  for (size_t i = 0; i < listeners.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (listeners[i].port != 0 && listeners[i].port == listeners[j].port &&
          listeners[i].address == listeners[j].address) {
        return mf::invalid_argument(
            fmt::format("--listen: {} is given twice",
                        format_endpoint(listeners[i].address, listeners[i].port)));
      }
    }
  }
  return mf::Status::ok();
}

}  // namespace

std::vector<mf::ListenerConfig> default_listeners() {
  std::vector<mf::ListenerConfig> listeners;
  for (const auto& r : kRoles) {
    listeners.push_back(mf::ListenerConfig{r.role, "0.0.0.0", r.default_port});
  }
  return listeners;
}

mf::Result<mf::ListenerRole> parse_listener_role(std::string_view name) {
  for (const auto& r : kRoles) {
    if (mf::listener_role_name(r.role) == name) return r.role;
  }
  return mf::invalid_argument(
      fmt::format("unknown listener role '{}' (roles: {})", name, role_names(false)));
}

std::string_view listener_role_text(mf::ListenerRole role) {
  return mf::listener_role_name(role);
}

std::string format_endpoint(std::string_view address, uint16_t port) {
  if (address.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

size_t max_socket_path_length() {
  return sizeof(sockaddr_un::sun_path) - 1;
}

mf::Result<mf::ListenerConfig> parse_listen_option(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return mf::invalid_argument(
        fmt::format("--listen {}: {} (expected ROLE=ADDRESS:PORT, e.g. smtp=127.0.0.1:2525 or "
                    "submission=[::1]:2587)",
                    text, why));
  };
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) return bad("no '=' after the role");
  auto role = parse_listener_role(text.substr(0, equals));
  if (!role.is_ok()) return bad(role.status().message());

  std::string_view endpoint = text.substr(equals + 1);
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return bad("no ':' before the port");
  std::string_view address = endpoint.substr(0, colon);
  std::string_view port_text = endpoint.substr(colon + 1);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
    if (address.find(':') == std::string_view::npos) return bad("brackets are for IPv6 addresses");
  } else if (address.find(':') != std::string_view::npos) {
    return bad("write an IPv6 address in brackets");
  }
  if (!is_ip_literal(address)) {
    return bad(fmt::format("'{}' is not an IPv4 or IPv6 address", address));
  }
  unsigned port = 0;
  bool decimal = !port_text.empty() && port_text.size() <= 5;
  for (char c : port_text) {
    if (c < '0' || c > '9') decimal = false;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (!decimal || port > 65535) return bad("the port must be a number from 0 to 65535");
  return mf::ListenerConfig{*role, std::string(address), static_cast<uint16_t>(port)};
}

mf::Result<DaemonConfig> parse_config(std::string_view text, std::string_view source_name,
                                      const std::string& data_dir,
                                      const ConfigOverrides& overrides) {
  MF_RETURN_IF_ERROR(check_overrides(overrides.listeners));
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return mf::invalid_argument(
        fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  MF_ASSIGN_OR_RETURN(DaemonConfig config, ConfigReader(source_name, data_dir).read(root));
  if (!overrides.listeners.empty()) {
    config.server.listeners = overrides.listeners;
  } else if (config.server.listeners.empty()) {
    config.server.listeners = default_listeners();
  }
  return config;
}

mf::Result<DaemonConfig> load_config(const std::string& path, const std::string& data_dir,
                                     const ConfigOverrides& overrides) {
  if (path.empty()) return parse_config("", "(defaults)", data_dir, overrides);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    int error = errno;
    std::string message =
        fmt::format("cannot read the configuration file {}: {}", path, std::strerror(error));
    return error == ENOENT ? mf::not_found(message) : mf::io_error(message);
  }
  std::string text;
  char buffer[8192];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(file.gcount()));
    if (text.size() > kMaxConfigFileBytes) {
      return mf::invalid_argument(fmt::format(
          "{}: larger than {} bytes; is it the configuration file?", path, kMaxConfigFileBytes));
    }
  }
  if (file.bad()) {
    return mf::io_error(fmt::format("cannot read the configuration file {}", path));
  }
  return parse_config(text, path, data_dir, overrides);
}

}  // namespace mailfountaind
