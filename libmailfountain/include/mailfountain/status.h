// mailfountain/status.h — the one error type of libmailfountain.
//
// Every fallible operation returns a Status or a Result<T>. No exception crosses the
// library boundary: bad input, a missing object, a denied right and a broken environment
// are all reported here, with a code a program can act on and a message a person can read.
//
// Thread-safety: Status and Result are values; distinct objects may be used from distinct
// threads freely.
#ifndef MAILFOUNTAIN_STATUS_H
#define MAILFOUNTAIN_STATUS_H

#include <mailfountain/export.h>

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mf {

// What kind of failure a Status reports. The numeric values are part of the C API
// (mailfountain.h mirrors them as MF_E_*) and never change once released.
enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,     // the caller's input is malformed (a bad address, a bad size)
  kNotFound = 2,            // the named object does not exist
  kAlreadyExists = 3,       // the object or address is already taken (a conflict)
  kPermissionDenied = 4,    // the acting principal lacks the right for this operation
  kUnauthenticated = 5,     // wrong credentials, or a login refused for this service
  kFailedPrecondition = 6,  // the operation is valid but the state forbids it now
  kResourceExhausted = 7,   // a limit was hit (store size limit, recursion limit)
  kIOError = 8,             // the environment failed (disk, permissions, LMDB)
  kCorruption = 9,          // stored data is unreadable
  kUnsupported = 10,        // e.g. a data directory written by a newer schema version
  kInternal = 11,           // a broken invariant inside the library (a bug)
};

// The stable lower-case name of a code ("not_found"), used in JSON output.
MF_EXPORT std::string_view code_name(Code code);

class MF_EXPORT Status {
 public:
  // An OK status.
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  // A full sentence naming what is wrong and, where it helps, how to fix it.
  const std::string& message() const { return message_; }
  // "not_found: no such domain: x.fr"
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context` and ": ".
  Status with_context(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Shorthands for building failures: mf::not_found("no such domain: x.fr").
inline Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status already_exists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status permission_denied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status io_error(std::string m) { return {Code::kIOError, std::move(m)}; }
inline Status corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
inline Status unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
inline Status internal_error(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value of T, or the Status saying why there is none. A Result built from an OK Status
// is a bug (asserted in debug builds; reported as kInternal otherwise).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).is_ok());
    if (std::get<Status>(v_).is_ok()) v_ = Status(Code::kInternal, "Result built from an OK status");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  // The status: OK when a value is held.
  Status status() const { return is_ok() ? Status() : std::get<Status>(v_); }

  // The value. Calling these on a failed Result is a bug.
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

namespace detail {
inline Status to_status(const Status& s) { return s; }
template <typename T>
Status to_status(const Result<T>& r) { return r.status(); }
}  // namespace detail

}  // namespace mf

// MF_RETURN_IF_ERROR(expr): evaluates a Status or Result expression and returns its
// failure from the enclosing function.
#define MF_CONCAT_INNER_(a, b) a##b
#define MF_CONCAT_(a, b) MF_CONCAT_INNER_(a, b)

#define MF_RETURN_IF_ERROR(expr) MF_RETURN_IF_ERROR_IMPL_(MF_CONCAT_(mf_status_, __COUNTER__), expr)
#define MF_RETURN_IF_ERROR_IMPL_(tmp, expr)                 \
  do {                                                      \
    ::mf::Status tmp = ::mf::detail::to_status((expr));     \
    if (!tmp.is_ok()) return tmp;                           \
  } while (0)

// MF_ASSIGN_OR_RETURN(lhs, expr): evaluates a Result expression; on failure returns its
// status, otherwise moves the value into lhs (which may be a declaration: `auto x`).
#define MF_ASSIGN_OR_RETURN(lhs, expr) \
  MF_ASSIGN_OR_RETURN_IMPL_(MF_CONCAT_(mf_result_, __COUNTER__), lhs, expr)
#define MF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.is_ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // MAILFOUNTAIN_STATUS_H
