// bench/outbound/dkim_sign_rate.cpp — how many DKIM signatures (rsa-sha256, RSA-2048) a
// dkim::DkimSigner makes per second on this machine, on one and on several threads; run by
// hand through bench/outbound/run.
//
// Usage: dkim_sign_rate --key FILE --domain D --selector S [--seconds T] [--threads N]...
//
// FILE is the domain's PEM private key (DATA/dkim/D/SELECTOR.key as `mfctl domain add`
// makes it). The message is fixed: a header block like smtp-source's (From, To, Date,
// Message-ID, Subject) and a 1 KB body of 78-column lines. Each thread calls sign() on the
// one shared signer (sign() is const and thread-safe) until T seconds (default 5) of wall
// time have passed. For every --threads N given (default: 1 then 2) it prints:
//   RESULT threads=N signatures=K wall=W cpu=C rate=R
// R = K / W (signatures per second of wall time, all threads together); C is the CPU time
// of the process (user + system) over the same interval. Exit status 1 on any error.
#include "dkim/signer.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "dkim_sign_rate: %s\n", what.c_str());
  return 1;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string body_1kb() {
  std::string body;
  for (int line = 0; body.size() < 1024; ++line) {
    body += static_cast<char>('0' + line % 10);
    body.append(77, 'X');
    body += "\r\n";
  }
  return body;
}

struct Outcome {
  uint64_t signatures = 0;
  double wall = 0;
  double cpu = 0;
  bool failed = false;
};

Outcome measure(const mf::dkim::DkimSigner& signer, std::string_view header, std::string_view body,
                int threads, double seconds) {
  using Clock = std::chrono::steady_clock;
  std::atomic<uint64_t> total{0};
  std::atomic<bool> failed{false};
  const std::string_view chunks[] = {body};
  const double cpu0 = cpu_seconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      uint64_t mine = 0;
      const auto now = static_cast<int64_t>(std::time(nullptr));
      while (Clock::now() < deadline) {
        auto field = signer.sign(header, chunks, now);
        if (!field.is_ok() || field->empty()) {
          failed = true;
          break;
        }
        ++mine;
      }
      total += mine;
    });
  }
  for (std::thread& t : pool) t.join();
  Outcome out;
  out.wall = std::chrono::duration<double>(Clock::now() - start).count();
  out.cpu = cpu_seconds() - cpu0;
  out.signatures = total.load();
  out.failed = failed.load();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string key_file, domain, selector;
  double seconds = 5;
  std::vector<int> thread_counts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--key") {
      key_file = value();
    } else if (arg == "--domain") {
      domain = value();
    } else if (arg == "--selector") {
      selector = value();
    } else if (arg == "--seconds") {
      seconds = std::atof(value().c_str());
    } else if (arg == "--threads") {
      int n = std::atoi(value().c_str());
      if (n < 1 || n > 256) return fail("--threads takes 1 to 256");
      thread_counts.push_back(n);
    } else {
      return fail("unknown argument " + std::string(arg));
    }
  }
  if (key_file.empty() || domain.empty() || selector.empty())
    return fail("--key, --domain and --selector are required");
  if (seconds <= 0) return fail("--seconds must be positive");
  if (thread_counts.empty()) thread_counts = {1, 2};

  std::ifstream in(key_file, std::ios::binary);
  if (!in) return fail("cannot read the key file '" + key_file + "'");
  std::string pem(std::istreambuf_iterator<char>(in), {});
  auto signer = mf::dkim::DkimSigner::create(domain, selector, pem);
  if (!signer.is_ok()) return fail(signer.status().to_string());

  const std::string header = "From: <bench@" + domain +
                             ">\r\n"
                             "To: <rcpt@client.test>\r\n"
                             "Date: Sun, 29 Nov 2026 16:12:44 +0000\r\n"
                             "Message-ID: <dkim-sign-rate@bench.test>\r\n"
                             "Subject: dkim_sign_rate\r\n";
  const std::string body = body_1kb();

  for (int threads : thread_counts) {
    Outcome o = measure(**signer, header, body, threads, seconds);
    if (o.failed) return fail("sign() failed");
    std::printf("RESULT threads=%d signatures=%llu wall=%.3f cpu=%.3f rate=%.1f\n", threads,
                static_cast<unsigned long long>(o.signatures), o.wall, o.cpu,
                static_cast<double>(o.signatures) / o.wall);
    std::fflush(stdout);
  }
  return 0;
}
