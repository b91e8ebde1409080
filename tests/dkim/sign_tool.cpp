// sign_tool — DKIM-signs a message with MailFountain's signer (libmailfountain/dkim/) for
// the tests: tests/dkim/test_dkim_verify.py checks its output with dkimpy.
//
//   sign_tool --key FILE --domain D --selector S [--time T] [--downgrade] [--chunk N]
//       reads a message on stdin (LF line ends become CRLF, as SMTP would send it), with
//       --downgrade applies the 7-bit downgrade first, signs it feeding the body in chunks
//       of N bytes (default: whole), and writes the DKIM-Signature field then the message
//       to stdout.
//   sign_tool --generate FILE     writes a new RSA-2048 private key (PEM, mode 0600)
//   sign_tool --public-key FILE   prints the base64 public key (the p= of the TXT record)
// Exit status 0, or 1 with the error on stderr. Reads and writes nothing else.
#include "dkim/canonical.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "mime/downgrade.h"
#include "mime/header.h"
#include "net/key_generation.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

int fail(const std::string& what) {
  std::cerr << "sign_tool: " << what << "\n";
  return 1;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// LF-only line ends become CRLF; CRLF stays.
std::string to_crlf(const std::string& in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out += '\r';
    out += in[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string key_file, domain, selector, generate, public_key;
  int64_t now = std::time(nullptr);
  bool downgrade = false;
  size_t chunk = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--key")
      key_file = value();
    else if (arg == "--domain")
      domain = value();
    else if (arg == "--selector")
      selector = value();
    else if (arg == "--time")
      now = std::atoll(value().c_str());
    else if (arg == "--downgrade")
      downgrade = true;
    else if (arg == "--chunk")
      chunk = std::strtoul(value().c_str(), nullptr, 10);
    else if (arg == "--generate")
      generate = value();
    else if (arg == "--public-key")
      public_key = value();
    else
      return fail("unknown argument " + arg);
  }

  if (!generate.empty()) {
    auto pem = mf::net::generate_rsa_key_pem(2048);
    if (!pem.is_ok()) return fail(pem.status().to_string());
    mf::Status s = mf::net::write_new_file(generate, *pem, 0600);
    return s.is_ok() ? 0 : fail(s.to_string());
  }
  if (!public_key.empty()) {
    std::string pem;
    if (!read_file(public_key, &pem)) return fail("cannot read " + public_key);
    auto pub = mf::dkim::public_key_of(pem);
    if (!pub.is_ok()) return fail(pub.status().to_string());
    std::cout << pub->first << "\n";
    return 0;
  }

  std::string pem;
  if (!read_file(key_file, &pem)) return fail("cannot read the key file '" + key_file + "'");
  auto signer = mf::dkim::DkimSigner::create(domain, selector, pem);
  if (!signer.is_ok()) return fail(signer.status().to_string());

  std::string message = to_crlf(
      std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()));
  if (downgrade) {
    auto seven = mf::mime::downgrade_to_7bit(message);
    if (!seven.is_ok()) return fail(seven.status().to_string());
    message = std::move(seven).value();
  }
  auto block = mf::mime::parse_header_block(message);
  if (!block.is_ok()) return fail(block.status().to_string());
  std::string_view header = std::string_view(message).substr(0, block->body_offset);
  std::string_view body = std::string_view(message).substr(block->body_offset);
  std::vector<std::string_view> chunks;
  if (chunk == 0) chunk = body.size() + 1;
  for (size_t at = 0; at < body.size(); at += chunk) chunks.push_back(body.substr(at, chunk));
  auto field = (*signer)->sign(header, chunks, now);
  if (!field.is_ok()) return fail(field.status().to_string());
  std::cout << *field << message;
  return std::cout.good() ? 0 : 1;
}
