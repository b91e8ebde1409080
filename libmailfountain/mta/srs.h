// mta/srs.h — the Sender Rewriting Scheme: when a redirection sends a message on to an
// external address, the envelope sender is rewritten into an address of the forwarding
// domain, so the next server's SPF check sees a sender the forwarder may use; a bounce to
// that address is recognised, checked and routed back to the original sender.
// Pure functions over strings: no I/O, no clock (the caller passes the time), no global
// state; the secrets are the caller's.
//
// The address forms are those of libsrs2 and Postfix's postsrsd, so a site migrating from
// them keeps its secret and the bounces to addresses they issued still come home:
//
//   SRS0=HHHH=TT=orig-domain=orig-local@forward-domain
//   SRS1=HHHH=first-forwarder==HHHH=TT=orig-domain=orig-local@forward-domain
//
//   - TT is the day (Unix time / 86400) modulo 1024 in two base32 characters
//     ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", high five bits first);
//   - HHHH is the first four characters of the base64 HMAC-SHA1, keyed with the secret,
//     of TT, orig-domain and orig-local concatenated and ASCII-lower-cased (SRS0), or of
//     first-forwarder and the part of the SRS0 local part after "SRS0" (SRS1).
//   HMAC-SHA1 rather than HMAC-SHA-256: it is what libsrs2 and postsrsd compute, so the
//   formats interoperate, and the strength lies in the 24-bit truncation anyway, not in the
//   hash (HMAC-SHA1 has no known weakness as a MAC). A forger needs about 2^21 tries per
//   address, each a full message to the forwarder, before it relays one bounce.
//
//   - SRS1: an SRS0 (or SRS1) sender is not wrapped again, which would grow the address at
//     every hop; it becomes an SRS1 address that names the first forwarder, whose SRS0
//     address the bounce is sent back to. SRS1 has no timestamp: the SRS0 inside still has.
//   - Case: some MTAs lower-case local parts. The hash covers lower-cased text, the
//     timestamp and the hash are compared without regard to case, so a lower-cased address
//     still reverses (its original local part then comes back lower-cased).
//   - The tag and the separator after it: "SRS0"/"SRS1" in any case, followed by '=', '+'
//     or '-' (libsrs2 accepts all three); the fields after it are separated by '='. The
//     original local part is everything after the third '=', so it may hold '=' itself.
//
// Addresses are given and returned in canonical SMTP form, as smtp::Path::mailbox()
// writes them: "local@domain", the local part quoted when it is not a dot-string
// ("\"john doe\"@example.org"). A quoted original local part survives the round trip.
// The rewritten local part is often longer than RFC 5321's 64 octets, as with every SRS
// implementation: receiving servers accept it in practice; forward() refuses only an
// address over 256 octets (the whole path limit).
//
// What is not rewritten, by design: the null sender (bounces are never rewritten: forward()
// returns "" for ""), and a sender already in the forwarding domain (returned unchanged).
// Whether a sender is local to this server (for example one of its own accounts forwarding
// through a redirection of another of its domains) is the caller's decision: call
// forward() only for mail that leaves the server through a redirection.
//
// Thread-safety: an Srs is immutable after create(); any number of threads may use one.
#ifndef MF_MTA_SRS_H
#define MF_MTA_SRS_H

#include <mailfountain/status.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::mta {

struct SrsOptions {
  // The keys, at least one, none empty. The first signs new addresses; every one is tried
  // when checking, so a new key can be put first while the old one still verifies the
  // addresses issued within the last max_age_days.
  std::vector<std::string> secrets;
  // Days an SRS0 address stays valid (libsrs2's default is 21). At most 1000: the
  // timestamp wraps around after 1024 days.
  int max_age_days = 21;
};

// Whether `address` (canonical form) has an SRS0 or SRS1 local part: the cue for the
// delivery side to call reverse() on a recipient of one of its forwarding domains.
bool is_srs_address(std::string_view address);

class Srs {
 public:
  // kInvalidArgument when there is no secret, an empty one, or max_age_days is not in
  // 1..1000.
  static Result<Srs> create(SrsOptions options);

  // The envelope sender to use when forwarding a message from `sender` through
  // `forward_domain` (a domain of this server, without '@'), at Unix time `now`:
  //   - "" for "" (the null sender is never rewritten);
  //   - `sender` itself when its domain is `forward_domain` (compared ignoring ASCII case);
  //   - an SRS1 address when `sender` is an SRS0 or SRS1 address, else an SRS0 address.
  // kInvalidArgument when `sender` has no '@', an empty local part or domain, a domain
  // holding '=', an unterminated quoted local part, or a control character; when `forward_domain`
  // is empty or holds '@'; when an SRS sender's fields are missing; when the result would be longer
  // than 256 octets.
  Result<std::string> forward(std::string_view sender, std::string_view forward_domain,
                              int64_t now) const;

  // The address a bounce to `address` (an SRS address of this server, any domain) goes to:
  //   - for SRS0, the original sender "orig-local@orig-domain";
  //   - for SRS1, the first forwarder's SRS0 address "SRS0=...@first-forwarder", which that
  //     forwarder reverses in turn.
  // Errors, each with a sentence saying what is wrong:
  //   - kInvalidArgument: not an SRS address, or a field is missing or malformed (a
  //     timestamp that is not two base32 characters, a hash of the wrong length);
  //   - kPermissionDenied: the hash matches none of the secrets (forged or altered);
  //   - kFailedPrecondition: an SRS0 address older than max_age_days.
  Result<std::string> reverse(std::string_view address, int64_t now) const;

 private:
  explicit Srs(SrsOptions options) : options_(std::move(options)) {}

  // The four hash characters of `parts` under secrets_[index].
  std::string hash(size_t index, std::initializer_list<std::string_view> parts) const;
  // Whether `given` matches the hash of `parts` under any secret, ignoring case.
  bool verify(std::string_view given, std::initializer_list<std::string_view> parts) const;

  SrsOptions options_;
};

}  // namespace mf::mta

#endif  // MF_MTA_SRS_H
