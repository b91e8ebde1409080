// smtp/reply_or.h — ReplyOr<T>: what the SMTP parsers return. Either the parsed value or
// the Reply that refuses the client's input, ready to send.
//
// It is the SMTP counterpart of mf::Result<T>: a client's malformed command is not a
// library failure (a Status) but a protocol answer, so the parsers return the answer
// itself. Calling value() on a reply, or reply() on a value, is a bug (asserted).
#ifndef MF_SMTP_REPLY_OR_H
#define MF_SMTP_REPLY_OR_H

#include "smtp/reply.h"

#include <cassert>
#include <utility>
#include <variant>

namespace mf::smtp {

template <typename T>
class [[nodiscard]] ReplyOr {
 public:
  ReplyOr(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  ReplyOr(Reply reply) : v_(std::in_place_index<1>, std::move(reply)) {}  // NOLINT: implicit

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The refusal. Only when !is_ok().
  const Reply& reply() const {
    assert(!is_ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Reply> v_;
};

}  // namespace mf::smtp

#endif  // MF_SMTP_REPLY_OR_H
