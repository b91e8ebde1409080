// Tests of the control socket: a ControlServer on a real event_base in a temporary
// directory, asked by a plain blocking client on another thread while the test's thread
// runs the loop.
#include "control.h"
#include "status_json.h"

#include <doctest/doctest.h>
#include <event2/event.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace mailfountaind {
namespace {

// A fresh directory, removed with its contents at the end of the test. Short paths: a
// UNIX socket path holds 107 bytes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/mfd-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct BaseDeleter {
  void operator()(event_base* base) const { event_base_free(base); }
};
using Base = std::unique_ptr<event_base, BaseDeleter>;

int connect_to(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout{5, 0};  // a test that fails must not hang
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

// Everything the peer sends until it closes.
std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

// Runs `client` on its own thread while this thread runs `base`'s loop, until it returns.
template <typename F>
void with_loop(event_base* base, F client) {
  std::atomic<bool> done{false};
  std::thread thread([&] {
    client();
    done = true;
  });
  while (!done) {
    event_base_loop(base, EVLOOP_NONBLOCK);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  thread.join();
  event_base_loop(base, EVLOOP_NONBLOCK);  // let the server finish closing
}

// Sends `request` as is, closes the writing side when asked, and returns the reply.
std::string ask(event_base* base, const std::string& path, const std::string& request,
                bool close_writing = false) {
  std::string reply;
  with_loop(base, [&] {
    int fd = connect_to(path);
    if (fd < 0) {
      reply = "(cannot connect)";
      return;
    }
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    if (close_writing) shutdown(fd, SHUT_WR);
    reply = read_all(fd);
    close(fd);
  });
  return reply;
}

mf::ServerStatus sample_status() {
  mf::ServerStatus status;
  status.listeners.push_back({mf::ListenerRole::kMx, "127.0.0.1", 2525});
  status.listeners.push_back({mf::ListenerRole::kSubmissions, "::1", 2465});
  status.connections = 3;
  status.connections_total = 120;
  status.messages_accepted = 100;
  status.messages_refused = 2;
  status.recipients_delivered = 150;
  status.started_at = 1714557600;
  return status;
}

ControlHandlers sample_handlers() {
  return ControlHandlers{[] { return status_to_json(sample_status(), 4242, "0.1.0"); }};
}

std::unique_ptr<ControlServer> start_ok(event_base* base, const std::string& path,
                                        const std::string& data_dir) {
  auto server = ControlServer::start(base, path, data_dir, sample_handlers());
  INFO(server.status().to_string());
  REQUIRE(server.is_ok());
  return std::move(server).value();
}

TEST_CASE("the control socket answers status with the server's status as one JSON line") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());

  std::string reply = ask(base.get(), dir.sub("control.sock"), "status\n");
  REQUIRE(!reply.empty());
  CHECK(reply.back() == '\n');
  CHECK(reply.find('\n') == reply.size() - 1);
  Json doc = Json::parse(reply);
  CHECK(doc["version"] == "0.1.0");
  CHECK(doc["pid"] == 4242);
  CHECK(doc["started_at"] == 1714557600);
  REQUIRE(doc["listeners"].size() == 2);
  CHECK(doc["listeners"][0]["role"] == "smtp");
  CHECK(doc["listeners"][0]["address"] == "127.0.0.1");
  CHECK(doc["listeners"][0]["port"] == 2525);
  CHECK(doc["listeners"][1]["role"] == "submissions");
  CHECK(doc["listeners"][1]["address"] == "::1");
  CHECK(doc["connections"] == 3);
  CHECK(doc["connections_total"] == 120);
  CHECK(doc["messages_accepted"] == 100);
  CHECK(doc["messages_refused"] == 2);
  CHECK(doc["recipients_delivered"] == 150);
  CHECK(server->open_connections() == 0);
}

TEST_CASE("the control socket takes CRLF, and a request ended by closing the writing side") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status\r\n"))["pid"] == 4242);
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status", true))["pid"] == 4242);
  // Closing without a request gets nothing, and the connection is released.
  CHECK(ask(base.get(), dir.sub("control.sock"), "", true).empty());
  CHECK(server->open_connections() == 0);
}

TEST_CASE("an unknown control request gets an error naming the known ones") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  Json doc = Json::parse(ask(base.get(), dir.sub("control.sock"), "stats\n"));
  CHECK(doc["error"] == "unknown request 'stats' (requests: status, queue ...)");
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "STATUS\n")).contains("error"));
}

TEST_CASE("a queue request runs off the loop thread, and flush or release wake the engine") {
  TempDir dir;
  Base base(event_base_new());
  std::thread::id loop_thread = std::this_thread::get_id();
  std::atomic<bool> ran_on_loop{false};
  int woken = 0;
  ControlHandlers handlers = sample_handlers();
  handlers.queue = [&](std::string_view request, const std::atomic<bool>&) {
    if (std::this_thread::get_id() == loop_thread) ran_on_loop = true;
    // Long enough that a reply sent before the handler finished would be seen empty.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return BlockingReply{Json{{"echo", std::string(request)}}, request == "queue flush"};
  };
  handlers.queue_changed = [&] { ++woken; };
  auto server = ControlServer::start(base.get(), dir.sub("control.sock"), dir.path(), handlers);
  REQUIRE(server.is_ok());

  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "queue counts\n"))["echo"] ==
        "queue counts");
  CHECK(woken == 0);
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "queue flush\n"))["echo"] ==
        "queue flush");
  CHECK(woken == 1);
  CHECK_FALSE(ran_on_loop.load());
  // Status is still answered on the loop, and nothing is left open.
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status\n"))["pid"] == 4242);
  CHECK((*server)->open_connections() == 0);
}

TEST_CASE("destroying the control server waits for the queue requests under way") {
  TempDir dir;
  Base base(event_base_new());
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  ControlHandlers handlers = sample_handlers();
  handlers.queue = [&](std::string_view, const std::atomic<bool>& stopping) {
    started = true;
    while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    saw_stop = true;
    return BlockingReply{Json{{"ok", true}}, false};
  };
  auto server = ControlServer::start(base.get(), dir.sub("control.sock"), dir.path(), handlers);
  REQUIRE(server.is_ok());
  int fd = connect_to(dir.sub("control.sock"));
  REQUIRE(fd >= 0);
  REQUIRE(send(fd, "queue flush\n", 12, MSG_NOSIGNAL) == 12);
  for (int i = 0; i < 5000 && !started; ++i) {
    event_base_loop(base.get(), EVLOOP_NONBLOCK);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(started.load());
  server->reset();  // must tell the request to stop and wait for it
  CHECK(saw_stop.load());
  close(fd);
}

TEST_CASE("a control request longer than 4 KiB is refused") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());

  Json doc = Json::parse(ask(base.get(), dir.sub("control.sock"), std::string(100000, 'a')));
  CHECK(doc["error"] == "request longer than 4096 bytes");
  doc = Json::parse(ask(base.get(), dir.sub("control.sock"), std::string(4097, 'a') + "\n"));
  CHECK(doc["error"] == "request longer than 4096 bytes");
  // 4096 bytes is still a request (an unknown one).
  doc = Json::parse(ask(base.get(), dir.sub("control.sock"), std::string(4096, 'a') + "\n"));
  CHECK(doc["error"].get<std::string>().rfind("unknown request 'aaaa", 0) == 0);
  CHECK(server->open_connections() == 0);
}

TEST_CASE("control replies survive a failing handler and odd bytes in the request") {
  ControlHandlers throwing{[]() -> Json { throw std::runtime_error("no server yet"); }};
  CHECK(control_reply("status", throwing) == R"({"error":"the request failed: no server yet"})");
  CHECK(control_reply(std::string("st\x1b[2Jx", 7), sample_handlers()) ==
        R"js({"error":"unknown request 'st?[2Jx' (requests: status, queue ...)"})js");
  // Invalid UTF-8 from the server's data does not break the reply.
  ControlHandlers bad_utf8{[] { return Json{{"hostname", std::string("\xff\xfe")}}; }};
  CHECK(control_reply("status", bad_utf8) == "{\"hostname\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

TEST_CASE("the control socket is created mode 0600 and owned by the daemon's user") {
  TempDir dir;
  Base base(event_base_new());
  mode_t previous = umask(0);  // even a permissive umask gives 0600
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  umask(previous);
  struct stat st {};
  REQUIRE(lstat(dir.sub("control.sock").c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_uid == geteuid());
  CHECK(umask(previous) == previous);  // the process's umask is restored
}

TEST_CASE("a second control server is refused while the first one answers") {
  TempDir dir;
  Base base(event_base_new());
  auto first = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  auto second =
      ControlServer::start(base.get(), dir.sub("control.sock"), dir.path(), sample_handlers());
  REQUIRE_FALSE(second.is_ok());
  CHECK(second.status().code() == mf::Code::kFailedPrecondition);
  CHECK(second.status().message() == "another mailfountaind is running on " + dir.path() +
                                         " (it holds " + dir.sub("control.sock.lock") +
                                         "); stop it first");
  // The refused one left the first one's socket alone.
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status\n"))["pid"] == 4242);
}

TEST_CASE("a control socket someone else answers on is not replaced") {
  TempDir dir;
  Base base(event_base_new());
  // A listener without the lock: an older daemon, or any other program.
  int other = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, dir.sub("control.sock").c_str(), sizeof address.sun_path - 1);
  REQUIRE(bind(other, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(other, 4) == 0);
  auto server =
      ControlServer::start(base.get(), dir.sub("control.sock"), dir.path(), sample_handlers());
  REQUIRE_FALSE(server.is_ok());
  CHECK(server.status().message() == "another mailfountaind is running on " + dir.path() +
                                         " (it answers on " + dir.sub("control.sock") +
                                         "); stop it first");
  int client = connect_to(dir.sub("control.sock"));
  CHECK(client >= 0);  // still the other program's socket
  close(client);
  close(other);
}

TEST_CASE("a stale control socket left by a dead daemon is replaced") {
  TempDir dir;
  Base base(event_base_new());
  int dead = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, dir.sub("control.sock").c_str(), sizeof address.sun_path - 1);
  REQUIRE(bind(dead, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  close(dead);  // the file stays; nobody answers on it
  REQUIRE(std::filesystem::exists(dir.sub("control.sock")));

  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status\n"))["pid"] == 4242);
}

TEST_CASE("a file that is not a socket is never replaced by the control socket") {
  TempDir dir;
  Base base(event_base_new());
  std::ofstream(dir.sub("control.sock")) << "precious\n";
  auto server =
      ControlServer::start(base.get(), dir.sub("control.sock"), dir.path(), sample_handlers());
  REQUIRE_FALSE(server.is_ok());
  CHECK(server.status().message() ==
        dir.sub("control.sock") +
            " exists and is not a socket; move it away or set control.socket to another path");
  std::ifstream kept(dir.sub("control.sock"));
  std::string line;
  std::getline(kept, line);
  CHECK(line == "precious");
}

TEST_CASE("stopping the control server removes its socket and frees the place") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  server.reset();
  CHECK_FALSE(std::filesystem::exists(dir.sub("control.sock")));
  CHECK(connect_to(dir.sub("control.sock")) < 0);
  auto again = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  CHECK(Json::parse(ask(base.get(), dir.sub("control.sock"), "status\n"))["pid"] == 4242);
}

TEST_CASE("control connections beyond the limit are closed at once") {
  TempDir dir;
  Base base(event_base_new());
  auto server = start_ok(base.get(), dir.sub("control.sock"), dir.path());
  std::vector<int> idle;
  std::string extra_reply = "(not run)";
  with_loop(base.get(), [&] {
    for (size_t i = 0; i < kMaxControlConnections; ++i)
      idle.push_back(connect_to(dir.sub("control.sock")));
  });
  // Let the loop accept them all before the one too many.
  for (int i = 0; i < 50 && server->open_connections() < kMaxControlConnections; ++i) {
    event_base_loop(base.get(), EVLOOP_NONBLOCK);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(server->open_connections() == kMaxControlConnections);
  extra_reply = ask(base.get(), dir.sub("control.sock"), "status\n");
  CHECK(extra_reply.empty());  // closed without a reply
  for (int fd : idle) close(fd);
  for (int i = 0; i < 50 && server->open_connections() > 0; ++i) {
    event_base_loop(base.get(), EVLOOP_NONBLOCK);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(server->open_connections() == 0);
}

TEST_CASE("the data directory must belong to the user the daemon runs as") {
  TempDir dir;
  CHECK(check_data_dir_owner(dir.path()).is_ok());
  mf::Status missing = check_data_dir_owner(dir.sub("nope"));
  CHECK(missing.code() == mf::Code::kNotFound);
  CHECK(missing.message() ==
        "no data directory at " + dir.sub("nope") + " (create one with mfctl init)");

  // Someone else's directory: as root, one given away; otherwise, the root directory.
  std::string foreign = "/";
  if (geteuid() == 0) {
    REQUIRE(chown(dir.path().c_str(), 65534, 65534) == 0);
    foreign = dir.path();
  }
  mf::Status refused = check_data_dir_owner(foreign);
  CHECK(refused.code() == mf::Code::kPermissionDenied);
  CHECK(refused.message().find("but mailfountaind runs as uid " + std::to_string(geteuid())) !=
        std::string::npos);
}

}  // namespace
}  // namespace mailfountaind
