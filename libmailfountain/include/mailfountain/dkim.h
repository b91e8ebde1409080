// mailfountain/dkim.h — a domain's DKIM keys and the DNS records it must publish
// (docs/dkim.md). The signing itself is internal to the library (the outbound queue signs).
//
// Keys are files under DATA/dkim/DOMAIN/ (one PEM private key per selector, mode 0600;
// "active" names the signing one). Functions that generate a key (dkim_ensure_key,
// dkim_rotate_key) take 0.1 to 1 s of CPU for the RSA-2048 prime search and fsync: call
// them from a tool such as mfctl, or on a worker thread, never on an event loop thread.
// Thread-safety: no shared state; two processes rotating the same domain at once is not
// supported. Domains are given in ASCII (A-labels), lower case.
#ifndef MAILFOUNTAIN_DKIM_H
#define MAILFOUNTAIN_DKIM_H

#include <mailfountain/export.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

// One DKIM key of a domain.
struct DkimKey {
  std::string domain;
  std::string selector;    // "mf202611": the month the key was made, then b, c, ... if needed
  bool active = false;     // the key that signs; the others are kept for mail in transit
  std::string public_key;  // base64 DER SubjectPublicKeyInfo: the p= of the TXT record
  unsigned bits = 0;
  std::string path;  // the private key file
};

// The active key of `domain` under the data directory `data_dir`, generating the first
// one when there is none (`now`, Unix seconds, names its selector). kInvalidArgument for a
// domain that is not lower-case ASCII; kIOError when the files cannot be written.
MF_EXPORT Result<DkimKey> dkim_ensure_key(const std::string& data_dir, std::string_view domain,
                                          int64_t now);

// Generates a new key and makes it active; the previous keys stay (their TXT records must
// stay published until mail signed with them has been delivered, a week to be safe).
MF_EXPORT Result<DkimKey> dkim_rotate_key(const std::string& data_dir, std::string_view domain,
                                          int64_t now);

// The keys of `domain`, the active one first, then the others newest first. kNotFound
// when it has none.
MF_EXPORT Result<std::vector<DkimKey>> dkim_list_keys(const std::string& data_dir,
                                                      std::string_view domain);

// What the DNS records of a mail domain are made from.
struct DnsRecordInputs {
  std::string domain;  // ASCII (A-labels), e.g. "example.org"
  std::string host;    // the mail server's host name (MX and SRV target)
  std::string ipv4;    // the host's public IPv4 address; empty: a commented placeholder
  std::string ipv6;    // empty: no AAAA record
  struct Key {
    std::string selector;
    std::string public_key;
  };
  std::vector<Key> dkim_keys;  // every key still kept, so mail signed before a rotation verifies
};

// One record, with its name fully qualified ("_dmarc.example.org.").
struct DnsRecord {
  std::string name;
  std::string type;                  // "MX", "A", "AAAA", "TXT", "SRV", "CNAME"
  std::string value;                 // RDATA in zone-file form; for TXT the quoted strings
  std::vector<std::string> strings;  // TXT only: the strings, each at most 255 octets
  std::string comment;               // what the record is for, one line
  bool placeholder = false;          // the value must be filled in by hand
};

// The records, in this order: MX, A, AAAA, SPF (v=spf1 mx -all), DKIM (one TXT per key),
// DMARC (p=quarantine, reports to postmaster@), the SRV records of RFC 6186 and RFC 8314
// (_submissions 465, _submission 587, _imaps 993, _imap 143, _pop3s 995, _pop3 110;
// implicit TLS first, IMAP before POP3), and the CNAMEs autoconfig.DOMAIN and
// autodiscover.DOMAIN to the host, for mail-client autoconfiguration.
MF_EXPORT std::vector<DnsRecord> domain_dns_records(const DnsRecordInputs& in);

// The records in zone-file syntax (RFC 1035 §5), a comment line above each; a placeholder
// record is printed commented out, so pasting the text never publishes it.
MF_EXPORT std::string dns_zone_text(const std::vector<DnsRecord>& records);

// `text` cut into TXT character-strings of at most 255 octets (RFC 1035 §3.3.14).
MF_EXPORT std::vector<std::string> split_txt_strings(const std::string& text);

}  // namespace mf

#endif  // MAILFOUNTAIN_DKIM_H
