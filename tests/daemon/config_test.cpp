// Tests of mailfountaind's configuration file: every key, the defaults, the command line's
// listeners, and the exact error of each kind of mistake.
#include "config.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace mailfountaind {
namespace {

const std::string kDataDir = "/var/lib/mailfountain";

DaemonConfig parse_ok(const std::string& text, const ConfigOverrides& overrides = {}) {
  auto config = parse_config(text, "config.toml", kDataDir, overrides);
  INFO(config.status().to_string());
  REQUIRE(config.is_ok());
  return std::move(config).value();
}

// The message of the failure `text` causes.
std::string error_of(const std::string& text) {
  auto config = parse_config(text, "config.toml", kDataDir);
  REQUIRE_FALSE(config.is_ok());
  CHECK(config.status().code() == mf::Code::kInvalidArgument);
  return config.status().message();
}

TEST_CASE("an empty configuration gives the library's defaults and the default listeners of every role") {
  DaemonConfig config = parse_ok("");
  const mf::ServerConfig defaults;
  CHECK(config.server.hostname.empty());
  CHECK(config.server.trusted_networks.empty());
  CHECK(config.server.limits.max_message_bytes == defaults.limits.max_message_bytes);
  CHECK(config.server.limits.max_recipients == defaults.limits.max_recipients);
  CHECK(config.server.sending.messages_per_hour == defaults.sending.messages_per_hour);
  CHECK(config.server.auth_throttle.lockout_after == defaults.auth_throttle.lockout_after);
  CHECK(config.server.tls.cert_file.empty());
  CHECK(config.log_destination == LogDestination::kStderr);
  CHECK(config.control_socket == "/var/lib/mailfountain/control.sock");

  REQUIRE(config.server.listeners.size() == 8);
  CHECK(config.server.listeners[0].role == mf::ListenerRole::kMx);
  CHECK(config.server.listeners[0].address == "0.0.0.0");
  CHECK(config.server.listeners[0].port == 25);
  CHECK(config.server.listeners[1].role == mf::ListenerRole::kSubmission);
  CHECK(config.server.listeners[1].port == 587);
  CHECK(config.server.listeners[2].role == mf::ListenerRole::kSubmissions);
  CHECK(config.server.listeners[2].port == 465);
  CHECK(config.server.listeners[3].role == mf::ListenerRole::kImap);
  CHECK(config.server.listeners[3].port == 143);
  CHECK(config.server.listeners[4].role == mf::ListenerRole::kImaps);
  CHECK(config.server.listeners[4].port == 993);
  CHECK(config.server.listeners[5].role == mf::ListenerRole::kPop3);
  CHECK(config.server.listeners[5].port == 110);
  CHECK(config.server.listeners[6].role == mf::ListenerRole::kPop3s);
  CHECK(config.server.listeners[6].port == 995);
  CHECK(config.server.listeners[7].role == mf::ListenerRole::kHttp);
  CHECK(config.server.listeners[7].port == 80);
}

TEST_CASE("no configuration file means the defaults") {
  auto config = load_config("", kDataDir);
  REQUIRE(config.is_ok());
  CHECK(config->server.listeners.size() == 8);
}

TEST_CASE("every documented key is read into the configuration") {
  DaemonConfig config = parse_ok(R"(
hostname = "mail.ma-societe.fr"
trusted_networks = ["192.0.2.0/24", "2001:db8::/32", "198.51.100.7"]

[log]
destination = "syslog"

[control]
socket = "/run/mailfountain/control.sock"

[[listen]]
role = "smtp"
address = "127.0.0.1"
port = 2525

[[listen]]
role = "submission"
address = "::1"
port = 2587

[[listen]]
role = "submissions"

[tls]
cert_file = "/etc/mailfountain/cert.pem"
key_file = "/etc/mailfountain/key.pem"

[limits]
max_message_bytes = 10485760
max_recipients = 100
max_command_line = 1000
max_header_bytes = 65536
max_received_headers = 30
max_errors = 5
max_connections = 500
max_connections_per_address = 10
command_timeout_seconds = 360
data_timeout_seconds = 700

[sending]
messages_per_hour = 200
recipients_per_hour = 800

[sending.domain."ma-societe.fr"]
messages_per_hour = 1000

[sending.account."emma.durand@ma-societe.fr"]
recipients_per_hour = 0

[sending.account."jean@autre.fr"]
messages_per_hour = 5

[auth_throttle]
delay_step_ms = 250
max_delay_ms = 4000
lockout_after = 8
lockout_seconds = 600
per_address_lockout_after = 40
window_seconds = 1800
)");
  const mf::ServerConfig& s = config.server;
  CHECK(s.hostname == "mail.ma-societe.fr");
  CHECK(s.trusted_networks ==
        std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7"});
  CHECK(config.log_destination == LogDestination::kSyslog);
  CHECK(config.control_socket == "/run/mailfountain/control.sock");

  REQUIRE(s.listeners.size() == 3);
  CHECK(s.listeners[0].role == mf::ListenerRole::kMx);
  CHECK(s.listeners[0].address == "127.0.0.1");
  CHECK(s.listeners[0].port == 2525);
  CHECK(s.listeners[1].role == mf::ListenerRole::kSubmission);
  CHECK(s.listeners[1].address == "::1");
  CHECK(s.listeners[1].port == 2587);
  // Address and port left out: every address, the role's standard port.
  CHECK(s.listeners[2].role == mf::ListenerRole::kSubmissions);
  CHECK(s.listeners[2].address == "0.0.0.0");
  CHECK(s.listeners[2].port == 465);

  CHECK(s.tls.cert_file == "/etc/mailfountain/cert.pem");
  CHECK(s.tls.key_file == "/etc/mailfountain/key.pem");

  CHECK(s.limits.max_message_bytes == 10485760);
  CHECK(s.limits.max_recipients == 100);
  CHECK(s.limits.max_command_line == 1000);
  CHECK(s.limits.max_header_bytes == 65536);
  CHECK(s.limits.max_received_headers == 30);
  CHECK(s.limits.max_errors == 5);
  CHECK(s.limits.max_connections == 500);
  CHECK(s.limits.max_connections_per_address == 10);
  CHECK(s.limits.command_timeout_seconds == 360);
  CHECK(s.limits.data_timeout_seconds == 700);

  CHECK(s.sending.messages_per_hour == 200);
  CHECK(s.sending.recipients_per_hour == 800);
  REQUIRE(s.sending_per_domain.count("ma-societe.fr") == 1);
  // What a domain table leaves out comes from [sending].
  CHECK(s.sending_per_domain.at("ma-societe.fr").messages_per_hour == 1000);
  CHECK(s.sending_per_domain.at("ma-societe.fr").recipients_per_hour == 800);
  // What an account table leaves out comes from its domain's table, else from [sending].
  REQUIRE(s.sending_per_account.count("emma.durand@ma-societe.fr") == 1);
  CHECK(s.sending_per_account.at("emma.durand@ma-societe.fr").messages_per_hour == 1000);
  CHECK(s.sending_per_account.at("emma.durand@ma-societe.fr").recipients_per_hour == 0);
  REQUIRE(s.sending_per_account.count("jean@autre.fr") == 1);
  CHECK(s.sending_per_account.at("jean@autre.fr").messages_per_hour == 5);
  CHECK(s.sending_per_account.at("jean@autre.fr").recipients_per_hour == 800);

  CHECK(s.auth_throttle.delay_step_ms == 250);
  CHECK(s.auth_throttle.max_delay_ms == 4000);
  CHECK(s.auth_throttle.lockout_after == 8);
  CHECK(s.auth_throttle.lockout_seconds == 600);
  CHECK(s.auth_throttle.per_address_lockout_after == 40);
  CHECK(s.auth_throttle.window_seconds == 1800);
}

TEST_CASE("per-domain and per-account sending keys are compared with the domain lower-cased") {
  DaemonConfig config = parse_ok(R"(
[sending.domain."MA-Societe.FR"]
messages_per_hour = 7
[sending.account."Emma.Durand@MA-SOCIETE.fr"]
recipients_per_hour = 9
)");
  CHECK(config.server.sending_per_domain.count("ma-societe.fr") == 1);
  // The local part keeps its case (the directory decides how to compare it).
  REQUIRE(config.server.sending_per_account.count("Emma.Durand@ma-societe.fr") == 1);
  CHECK(config.server.sending_per_account.at("Emma.Durand@ma-societe.fr").messages_per_hour == 7);

  CHECK(error_of("[sending.domain.\"a.fr\"]\nmessages_per_hour = 1\n"
                 "[sending.domain.\"A.FR\"]\nmessages_per_hour = 2\n")
            .find("given twice") != std::string::npos);
}

TEST_CASE("the file's tables may come in any order") {
  DaemonConfig config = parse_ok(R"(
[sending.account."emma@ma-societe.fr"]
recipients_per_hour = 3
[sending.domain."ma-societe.fr"]
messages_per_hour = 11
[sending]
messages_per_hour = 1
)");
  CHECK(config.server.sending.messages_per_hour == 1);
  CHECK(config.server.sending_per_account.at("emma@ma-societe.fr").messages_per_hour == 11);
}

TEST_CASE("sending limits may be 0, meaning no limit, but other limits may not") {
  DaemonConfig config = parse_ok("[sending]\nmessages_per_hour = 0\nrecipients_per_hour = 0\n");
  CHECK(config.server.sending.messages_per_hour == 0);
  CHECK(error_of("[limits]\nmax_errors = 0\n") ==
        "config.toml:2: limits.max_errors must be a positive integer");
}

TEST_CASE("the [imap] section sets the IMAP server's limits") {
  DaemonConfig config = parse_ok(
      "[imap]\nmax_append_bytes = 1048576\nidle_timeout_seconds = 3600\nworkers = 2\n"
      "max_connections_per_address = 40\n");
  CHECK(config.server.imap.max_append_bytes == 1048576);
  CHECK(config.server.imap.idle_timeout_seconds == 3600);
  CHECK(config.server.imap.workers == 2);
  CHECK(config.server.imap.max_connections_per_address == 40);
  CHECK(config.server.imap.login_timeout_seconds == mf::ImapConfig{}.login_timeout_seconds);
  CHECK(error_of("[imap]\nworkers = 0\n") ==
        "config.toml:2: imap.workers must be a positive integer");
  CHECK(error_of("[imap]\nmax_append = 1\n").find("max_append") != std::string::npos);
}

TEST_CASE("the [pop3] section sets the POP3 server's timeouts and bad-command limit") {
  DaemonConfig config = parse_ok(
      "[pop3]\nlogin_timeout_seconds = 60\nidle_timeout_seconds = 900\nmax_bad_commands = 5\n");
  CHECK(config.server.pop3.login_timeout_seconds == 60);
  CHECK(config.server.pop3.idle_timeout_seconds == 900);
  CHECK(config.server.pop3.max_bad_commands == 5);
  CHECK(parse_ok("").server.pop3.idle_timeout_seconds == mf::Pop3Config{}.idle_timeout_seconds);
  CHECK(error_of("[pop3]\nidle_timeout_seconds = 0\n") ==
        "config.toml:2: pop3.idle_timeout_seconds must be a positive integer");
  CHECK(error_of("[pop3]\nworkers = 2\n").find("workers") != std::string::npos);
}

TEST_CASE("a limit that is not a positive integer is refused with its file and line") {
  CHECK(error_of("hostname = \"mx.example.fr\"\n\n[limits]\nmax_recipients = -3\n") ==
        "config.toml:4: limits.max_recipients must be a positive integer");
  CHECK(error_of("[limits]\nmax_recipients = \"100\"\n") ==
        "config.toml:2: limits.max_recipients must be a positive integer");
  CHECK(error_of("[limits]\nmax_recipients = 1.5\n") ==
        "config.toml:2: limits.max_recipients must be a positive integer");
  CHECK(error_of("[sending]\nmessages_per_hour = -1\n") ==
        "config.toml:2: sending.messages_per_hour must be a non-negative integer");
}

TEST_CASE("a limit too large for its field is refused rather than truncated") {
  CHECK(error_of("[limits]\nmax_recipients = 4294967296\n") ==
        "config.toml:2: limits.max_recipients must be at most 4294967295");
  DaemonConfig config = parse_ok("[limits]\nmax_message_bytes = 107374182400\n");
  CHECK(config.server.limits.max_message_bytes == 107374182400ULL);
}

TEST_CASE("unknown keys are refused, naming the known ones") {
  CHECK(error_of("[limits]\nmax_recipient = 10\n") ==
        "config.toml:2: unknown key limits.max_recipient (known keys in [limits]: "
        "max_message_bytes, max_recipients, max_command_line, max_header_bytes, "
        "max_received_headers, max_errors, max_connections, max_connections_per_address, "
        "command_timeout_seconds, data_timeout_seconds)");
  CHECK(error_of("host_name = \"x\"\n")
            .rfind("config.toml:1: unknown key host_name (known top-level keys: hostname, ", 0) ==
        0);
  CHECK(error_of("[dns]\nresolver = \"1.1.1.1\"\n").rfind("config.toml:1: unknown key dns", 0) ==
        0);
  CHECK(error_of("[[listen]]\nrole = \"smtp\"\nprot = 25\n")
            .rfind("config.toml:3: unknown key listen[0].prot", 0) == 0);
  CHECK(error_of("[sending.domain.\"a.fr\"]\nmessages = 3\n")
            .rfind("config.toml:2: unknown key sending.domain.\"a.fr\".messages", 0) == 0);
  CHECK(error_of("[tls]\ncert = \"/a\"\n").rfind("config.toml:2: unknown key tls.cert", 0) == 0);
  CHECK(error_of("[log]\ndestination = \"stderr\"\nfacility = \"mail\"\n")
            .rfind("config.toml:3: unknown key log.facility", 0) == 0);
  CHECK(error_of("[auth_throttle]\nlockout = 3\n")
            .rfind("config.toml:2: unknown key auth_throttle.lockout", 0) == 0);
}

TEST_CASE("values of the wrong type are refused") {
  CHECK(error_of("hostname = 12\n") == "config.toml:1: hostname must be a string");
  CHECK(error_of("limits = 3\n") == "config.toml:1: limits must be a table ([limits])");
  CHECK(error_of("trusted_networks = \"192.0.2.0/24\"\n") ==
        "config.toml:1: trusted_networks must be an array of strings");
  CHECK(error_of("trusted_networks = [\"192.0.2.0/24\", 7]\n") ==
        "config.toml:1: trusted_networks[1] must be a string");
  CHECK(error_of("[listen]\nrole = \"smtp\"\n") ==
        "config.toml:1: listen must be an array of tables: write each as [[listen]]");
  CHECK(error_of("[log]\ndestination = \"file\"\n") ==
        "config.toml:2: log.destination must be \"stderr\" or \"syslog\", not \"file\"");
}

TEST_CASE("listener mistakes are refused: role, address, port, duplicates") {
  CHECK(error_of("[[listen]]\nrole = \"pop2\"\n") ==
        "config.toml:2: listen[0].role: unknown listener role 'pop2' (roles: smtp, submission, "
        "submissions, imap, imaps, pop3, pop3s, http)");
  CHECK(error_of("[[listen]]\nport = 25\n") ==
        "config.toml:1: listen[0] needs a role: \"smtp\", \"submission\", \"submissions\", "
        "\"imap\", \"imaps\", \"pop3\", \"pop3s\" or \"http\"");
  CHECK(error_of("[[listen]]\nrole = \"smtp\"\naddress = \"localhost\"\n") ==
        "config.toml:3: listen[0].address must be an IPv4 or IPv6 address, not 'localhost'");
  CHECK(error_of("[[listen]]\nrole = \"smtp\"\nport = 65536\n") ==
        "config.toml:3: listen[0].port must be at most 65535");
  CHECK(error_of("[[listen]]\nrole = \"smtp\"\nport = -1\n") ==
        "config.toml:3: listen[0].port must be a non-negative integer");
  CHECK(error_of("[[listen]]\nrole = \"smtp\"\n\n[[listen]]\nrole = \"submission\"\nport = 25\n") ==
        "config.toml:4: listen[1] listens on 0.0.0.0:25 like listen[0]");
  // Port 0 (a free port, for tests) may repeat.
  DaemonConfig config = parse_ok(
      "[[listen]]\nrole = \"smtp\"\nport = 0\n[[listen]]\nrole = \"submission\"\nport = 0\n");
  CHECK(config.server.listeners.size() == 2);
}

TEST_CASE("trusted networks are checked as CIDR, with the offending entry named") {
  CHECK(error_of("trusted_networks = [\"192.0.2.0/33\"]\n") ==
        "config.toml:1: trusted_networks[0]: 192.0.2.0/33: the prefix length must be a number "
        "from 0 to 32");
  CHECK(error_of("trusted_networks = [\n  \"10.0.0.0/8\",\n  \"192.0.2.300\",\n]\n") ==
        "config.toml:3: trusted_networks[1]: 192.0.2.300: 192.0.2.300 is not an IPv4 or IPv6 "
        "address");
  CHECK(error_of("trusted_networks = [\"192.0.2.1/24\"]\n").find("did you mean 192.0.2.0/24?") !=
        std::string::npos);
}

TEST_CASE("tls files must be absolute and come in pairs") {
  CHECK(error_of("[tls]\ncert_file = \"cert.pem\"\nkey_file = \"/k\"\n") ==
        "config.toml:2: tls.cert_file must be an absolute path");
  CHECK(error_of("[tls]\ncert_file = \"/etc/c.pem\"\n") ==
        "config.toml:1: tls.cert_file and tls.key_file go together: give both, or neither for a "
        "self-signed certificate");
}

TEST_CASE("a bad host name, control socket or throttle is refused") {
  CHECK(error_of("hostname = \"mail example\"\n") ==
        "config.toml:1: hostname must be a host name (letters, digits, '-' and '.'), not 'mail "
        "example'");
  CHECK(error_of("hostname = \"-mx.example.fr\"\n").rfind("config.toml:1: hostname must be", 0) ==
        0);
  CHECK(error_of("[control]\nsocket = \"control.sock\"\n") ==
        "config.toml:2: control.socket must be an absolute path");
  CHECK(error_of("[control]\nsocket = \"/" + std::string(200, 'x') + "\"\n")
            .rfind("config.toml:2: the control socket path /xxx", 0) == 0);
  CHECK(error_of("[auth_throttle]\ndelay_step_ms = 900\nmax_delay_ms = 100\n") ==
        "config.toml:1: auth_throttle.max_delay_ms (100) must not be below "
        "auth_throttle.delay_step_ms (900)");
}

TEST_CASE("a data directory too deep for a socket path is reported when no socket is set") {
  auto config = parse_config("", "config.toml", "/" + std::string(150, 'd'));
  REQUIRE_FALSE(config.is_ok());
  CHECK(config.status().message().find("set control.socket to a shorter path") !=
        std::string::npos);
}

TEST_CASE("TOML syntax errors name the file and line") {
  std::string message = error_of("hostname = \"a.fr\"\n[limits\nmax_errors = 3\n");
  CHECK(message.rfind("config.toml:2: ", 0) == 0);
}

TEST_CASE("--listen parses ROLE=ADDRESS:PORT, IPv6 in brackets") {
  auto smtp = parse_listen_option("smtp=127.0.0.1:2525");
  REQUIRE(smtp.is_ok());
  CHECK(smtp->role == mf::ListenerRole::kMx);
  CHECK(smtp->address == "127.0.0.1");
  CHECK(smtp->port == 2525);
  auto v6 = parse_listen_option("submissions=[::1]:0");
  REQUIRE(v6.is_ok());
  CHECK(v6->role == mf::ListenerRole::kSubmissions);
  CHECK(v6->address == "::1");
  CHECK(v6->port == 0);

  for (const char* bad :
       {"smtp", "smtp=127.0.0.1", "pop2=127.0.0.1:110", "smtp=::1:25", "smtp=[127.0.0.1]:25",
        "smtp=127.0.0.1:65536", "smtp=127.0.0.1:2x", "smtp=127.0.0.1:", "smtp=host:25"}) {
    auto result = parse_listen_option(bad);
    INFO(bad);
    CHECK_FALSE(result.is_ok());
    CHECK(result.status().message().rfind(std::string("--listen ") + bad + ": ", 0) == 0);
  }
}

TEST_CASE("--listen options replace the file's listeners, also on reload") {
  ConfigOverrides overrides;
  overrides.listeners.push_back(*parse_listen_option("smtp=127.0.0.1:2525"));
  overrides.listeners.push_back(*parse_listen_option("submission=127.0.0.1:2587"));
  DaemonConfig config =
      parse_ok("[[listen]]\nrole = \"smtp\"\naddress = \"0.0.0.0\"\nport = 25\n", overrides);
  REQUIRE(config.server.listeners.size() == 2);
  CHECK(config.server.listeners[0].port == 2525);
  CHECK(config.server.listeners[1].role == mf::ListenerRole::kSubmission);

  overrides.listeners.push_back(*parse_listen_option("submissions=127.0.0.1:2525"));
  auto twice = parse_config("", "config.toml", kDataDir, overrides);
  REQUIRE_FALSE(twice.is_ok());
  CHECK(twice.status().message() == "--listen: 127.0.0.1:2525 is given twice");
}

TEST_CASE("a configuration file that cannot be read is reported with its path") {
  auto missing = load_config("/nonexistent/mailfountaind.toml", kDataDir);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == mf::Code::kNotFound);
  CHECK(missing.status().message() ==
        "cannot read the configuration file /nonexistent/mailfountaind.toml: No such file or "
        "directory");
}

TEST_CASE("a configuration file's errors carry its path") {
  char path[] = "/tmp/mfd-config-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::FILE* file = fdopen(fd, "w");
  std::fputs("[limits]\n\nmax_recipients = 0\n", file);
  std::fclose(file);
  auto config = load_config(path, kDataDir);
  std::remove(path);
  REQUIRE_FALSE(config.is_ok());
  CHECK(config.status().message() ==
        std::string(path) + ":3: limits.max_recipients must be a positive integer");
}

TEST_CASE("endpoints print IPv6 addresses in brackets") {
  CHECK(format_endpoint("127.0.0.1", 25) == "127.0.0.1:25");
  CHECK(format_endpoint("::1", 2525) == "[::1]:2525");
  CHECK(listener_role_text(mf::ListenerRole::kSubmissions) == "submissions");
}

}  // namespace
}  // namespace mailfountaind
