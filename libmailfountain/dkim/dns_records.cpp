// dkim/dns_records.cpp — the DNS records of a mail domain and their zone-file form
// (declared in mailfountain/dkim.h). Pure functions over their inputs.
#include <mailfountain/dkim.h>

#include <fmt/format.h>

namespace mf {

namespace {

constexpr size_t kMaxTxtString = 255;

std::string fqdn(const std::string& name) {
  return !name.empty() && name.back() == '.' ? name : name + ".";
}

// A TXT value as quoted strings; our texts hold no quote or backslash, but escape anyway.
std::string quoted(const std::vector<std::string>& strings) {
  std::string out;
  for (const std::string& s : strings) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

DnsRecord txt(std::string name, const std::string& text, std::string comment) {
  DnsRecord r;
  r.name = std::move(name);
  r.type = "TXT";
  r.strings = split_txt_strings(text);
  r.value = quoted(r.strings);
  r.comment = std::move(comment);
  return r;
}

DnsRecord simple(std::string name, std::string type, std::string value, std::string comment) {
  DnsRecord r;
  r.name = std::move(name);
  r.type = std::move(type);
  r.value = std::move(value);
  r.comment = std::move(comment);
  return r;
}

}  // namespace

std::vector<std::string> split_txt_strings(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size(); i += kMaxTxtString)
    out.push_back(text.substr(i, kMaxTxtString));
  if (out.empty()) out.emplace_back();
  return out;
}

std::vector<DnsRecord> domain_dns_records(const DnsRecordInputs& in) {
  const std::string domain = fqdn(in.domain);
  const std::string host = fqdn(in.host);
  std::vector<DnsRecord> out;
  out.push_back(simple(domain, "MX", fmt::format("10 {}", host),
                       fmt::format("mail for {} goes to {}", in.domain, in.host)));
  DnsRecord a = simple(host, "A", in.ipv4.empty() ? "<the server's public IPv4 address>" : in.ipv4,
                       "the mail server's address (give --ipv4 to fill it in)");
  a.placeholder = in.ipv4.empty();
  if (!a.placeholder) a.comment = "the mail server's address";
  out.push_back(std::move(a));
  if (!in.ipv6.empty()) {
    out.push_back(simple(host, "AAAA", in.ipv6, "the mail server's IPv6 address"));
  }
  out.push_back(
      txt(domain, "v=spf1 mx -all", "SPF: only the domain's MX hosts send its mail; others fail"));
  for (const auto& key : in.dkim_keys) {
    out.push_back(txt(fmt::format("{}._domainkey.{}", key.selector, domain),
                      fmt::format("v=DKIM1; k=rsa; p={}", key.public_key),
                      fmt::format("DKIM public key, selector {}", key.selector)));
  }
  out.push_back(txt(fmt::format("_dmarc.{}", domain),
                    fmt::format("v=DMARC1; p=quarantine; rua=mailto:postmaster@{}", in.domain),
                    "DMARC: quarantine mail passing neither aligned SPF nor aligned DKIM; "
                    "reports to postmaster"));
  struct Srv {
    const char* service;
    int priority;
    int port;
    const char* what;
  };
  // RFC 8314 §5.1 prefers implicit TLS (465, 993, 995) to STARTTLS (587, 143, 110): the
  // lower priority number is tried first. RFC 6186 §3.4 lets the priorities of the IMAP
  // and POP3 records say which of the two a client should take: IMAP, which keeps the
  // mail on the server for every device.
  const Srv services[] = {
      {"_submissions._tcp", 0, 465, "mail submission over TLS (RFC 8314)"},
      {"_submission._tcp", 1, 587, "mail submission with STARTTLS (RFC 6186)"},
      {"_imaps._tcp", 0, 993, "IMAP over TLS (RFC 6186)"},
      {"_imap._tcp", 1, 143, "IMAP with STARTTLS (RFC 6186)"},
      {"_pop3s._tcp", 10, 995, "POP3 over TLS (RFC 6186; IMAP is preferred)"},
      {"_pop3._tcp", 11, 110, "POP3 with STLS (RFC 6186; IMAP is preferred)"},
  };
  for (const Srv& s : services) {
    out.push_back(simple(fmt::format("{}.{}", s.service, domain), "SRV",
                         fmt::format("{} 1 {} {}", s.priority, s.port, host), s.what));
  }
  // The host names mail clients ask for their settings (docs/autoconfig.md), served by
  // the mail host's http listener.
  out.push_back(simple(fmt::format("autoconfig.{}", domain), "CNAME", host,
                       "Thunderbird's autoconfiguration (http listener)"));
  out.push_back(simple(fmt::format("autodiscover.{}", domain), "CNAME", host,
                       "Outlook's Autodiscover (http listener)"));
  return out;
}

std::string dns_zone_text(const std::vector<DnsRecord>& records) {
  std::string out;
  for (const DnsRecord& r : records) {
    out += fmt::format("; {}\n", r.comment);
    // A placeholder is printed commented out, so that pasting the output never publishes it.
    out += fmt::format("{}{}\tIN\t{}\t{}\n", r.placeholder ? "; " : "", r.name, r.type, r.value);
  }
  return out;
}

}  // namespace mf
