// capi/c_api_internal.h — what the C API shim's files share: the definitions of the opaque
// handles of mailfountain.h and the guard that turns a C++ Status (or any exception) into
// a C result code and message.
//
// Every exported function of the shim has the same shape:
//
//   int mf_thing_do(mf_context_t* ctx, ..., char** errmsg) {
//     return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
//       MF_CAPI_REQUIRE(fn, ctx);
//       ...
//     });
//   }
//
// so that no exception crosses the C boundary and every NULL argument is reported by
// name ("mf_domain_add: name is NULL").
#ifndef MAILFOUNTAIN_CAPI_C_API_INTERNAL_H
#define MAILFOUNTAIN_CAPI_C_API_INTERNAL_H

#include <mailfountain/context.h>
#include <mailfountain/directory.h>
#include <mailfountain/mailfountain.h>
#include <mailfountain/principal.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// ---- The opaque handles: each wraps the C++ object it stands for (leveldb's rep). ----

struct mf_options_t {
  mf::Options rep;
};

struct mf_context_t {
  std::unique_ptr<mf::Context> rep;
};

struct mf_principal_t {
  mf::Principal rep;
};

struct mf_resolution_t {
  mf::Resolution rep;
};

struct mf_domain_t {
  mf::DomainInfo rep;
};

struct mf_account_t {
  mf::AccountInfo rep;
};

struct mf_alias_t {
  mf::AliasInfo rep;
};

struct mf_redirection_t {
  mf::RedirectionInfo rep;
};

struct mf_manager_t {
  mf::ManagerGrant rep;
};

struct mf_audit_entry_t {
  mf::AuditEntry rep;
};

struct mf_notice_t {
  mf::Notice rep;
};

// A list owns its records; mf_X_list_get() hands out pointers into `items`.
struct mf_domain_list_t {
  std::vector<mf_domain_t> items;
};

struct mf_account_list_t {
  std::vector<mf_account_t> items;
};

struct mf_alias_list_t {
  std::vector<mf_alias_t> items;
};

struct mf_redirection_list_t {
  std::vector<mf_redirection_t> items;
};

struct mf_manager_list_t {
  std::vector<mf_manager_t> items;
};

struct mf_audit_list_t {
  std::vector<mf_audit_entry_t> items;
};

struct mf_notice_list_t {
  std::vector<mf_notice_t> items;
};

namespace mf::capi {

// Returns the code of `status` and, when `errmsg` is not NULL, stores a malloc'd copy of
// its message there (NULL on success, or if the copy cannot be allocated).
int report(const Status& status, char** errmsg) noexcept;

// The outcome of an exception caught at the boundary: std::bad_alloc is
// kResourceExhausted, anything else kInternal naming the function.
int report_exception(const char* function, std::exception_ptr error, char** errmsg) noexcept;

// Runs `body(function)`, which returns a Status, and reports its outcome; catches every
// exception. `function` is the exported function's name, for messages.
template <typename Body>
int guard(char** errmsg, const char* function, Body&& body) noexcept {
  if (errmsg != nullptr) *errmsg = nullptr;
  try {
    return report(body(function), errmsg);
  } catch (...) {
    return report_exception(function, std::current_exception(), errmsg);
  }
}

// kInvalidArgument "FUNCTION: PARAMETER is NULL".
Status null_argument(const char* function, const char* parameter);

// Converts the C enumerations to the C++ ones; a value outside the enum is
// kInvalidArgument naming the function and the parameter.
Result<Removal> removal_from(const char* function, int mode);
Result<SendAs> send_as_from(const char* function, int send_as);
Result<KeepCopy> keep_copy_from(const char* function, int keep);
Result<AccountState> account_state_from(const char* function, int state);
Result<Service> service_from(const char* function, int service);

// The `count` strings of `items` as a vector; kInvalidArgument if `items` or one of its
// entries is NULL while count says it should be there.
Result<std::vector<std::string>> strings_from(const char* function, const char* parameter,
                                              const char* const* items, size_t count);

// An optional quota from a nullable pointer.
inline std::optional<uint64_t> optional_from(const uint64_t* value) {
  if (value == nullptr) return std::nullopt;
  return *value;
}

// Wraps each C++ record of `records` into the list type `List`.
template <typename List, typename Record>
std::unique_ptr<List> make_list(std::vector<Record> records) {
  auto list = std::make_unique<List>();
  list->items.reserve(records.size());
  for (Record& r : records) list->items.push_back({std::move(r)});
  return list;
}

// Bounds-checked access for the accessors: NULL for a NULL list or an index out of range.
template <typename List>
auto list_item(const List* list, size_t i) -> decltype(&list->items[0]) {
  if (list == nullptr || i >= list->items.size()) return nullptr;
  return &list->items[i];
}

inline const char* string_item(const std::vector<std::string>& items, size_t i) {
  return i < items.size() ? items[i].c_str() : nullptr;
}

}  // namespace mf::capi

// Returns kInvalidArgument from the enclosing guard body when `p` is NULL.
#define MF_CAPI_REQUIRE(function, p)                                      \
  do {                                                                    \
    if ((p) == nullptr) return ::mf::capi::null_argument((function), #p); \
  } while (0)

#endif  // MAILFOUNTAIN_CAPI_C_API_INTERNAL_H
