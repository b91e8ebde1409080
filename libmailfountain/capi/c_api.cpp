// capi/c_api.cpp — the C API shim (mailfountain.h), part one: the shared helpers, the
// library-wide functions, options, contexts and principals. The directory operations are
// in c_api_directory.cpp, the result accessors in c_api_results.cpp.
#include "capi/c_api_internal.h"

#include <mailfountain/version.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace mf::capi {

namespace {

// A malloc'd copy of `text`, or NULL when memory ran out.
char* copy_for_caller(const char* text, size_t size) noexcept {
  char* copy = static_cast<char*>(std::malloc(size + 1));
  if (copy == nullptr) return nullptr;
  std::memcpy(copy, text, size);
  copy[size] = '\0';
  return copy;
}

}  // namespace

int report(const Status& status, char** errmsg) noexcept {
  if (errmsg != nullptr) {
    *errmsg = status.is_ok() ? nullptr
                             : copy_for_caller(status.message().data(), status.message().size());
  }
  return static_cast<int>(status.code());
}

int report_exception(const char* function, std::exception_ptr error, char** errmsg) noexcept {
  static constexpr char kOutOfMemory[] = "out of memory";
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    if (errmsg != nullptr) *errmsg = copy_for_caller(kOutOfMemory, sizeof kOutOfMemory - 1);
    return MF_E_RESOURCE_EXHAUSTED;
  } catch (const std::exception& e) {
    try {
      return report(internal_error(fmt::format("{}: unexpected exception: {}", function, e.what())),
                    errmsg);
    } catch (...) {
      // Formatting the message failed (memory ran out): the code alone must do.
    }
  } catch (...) {
    try {
      return report(internal_error(fmt::format("{}: unexpected exception", function)), errmsg);
    } catch (...) {
      // As above.
    }
  }
  if (errmsg != nullptr) *errmsg = nullptr;
  return MF_E_INTERNAL;
}

Status null_argument(const char* function, const char* parameter) {
  return invalid_argument(fmt::format("{}: {} is NULL", function, parameter));
}

namespace {

Status bad_enum(const char* function, const char* parameter, int value, const char* allowed) {
  return invalid_argument(
      fmt::format("{}: {} is {}, which is not one of {}", function, parameter, value, allowed));
}

}  // namespace

Result<Removal> removal_from(const char* function, int mode) {
  switch (mode) {
    case MF_REMOVAL_REFUSE_IF_IN_USE:
      return Removal::kRefuseIfInUse;
    case MF_REMOVAL_FORCE:
      return Removal::kForce;
    default:
      return bad_enum(function, "mode", mode, "the MF_REMOVAL_* values");
  }
}

Result<SendAs> send_as_from(const char* function, int send_as) {
  switch (send_as) {
    case MF_SEND_AS_MEMBERS_MAY_SEND:
      return SendAs::kMembersMaySend;
    case MF_SEND_AS_MEMBERS_MAY_NOT_SEND:
      return SendAs::kMembersMayNotSend;
    default:
      return bad_enum(function, "send_as", send_as, "the MF_SEND_AS_* values");
  }
}

Result<KeepCopy> keep_copy_from(const char* function, int keep) {
  switch (keep) {
    case MF_KEEP_COPY_NO:
      return KeepCopy::kNo;
    case MF_KEEP_COPY_YES:
      return KeepCopy::kYes;
    default:
      return bad_enum(function, "keep", keep, "the MF_KEEP_COPY_* values");
  }
}

Result<AccountState> account_state_from(const char* function, int state) {
  switch (state) {
    case MF_ACCOUNT_ENABLED:
      return AccountState::kEnabled;
    case MF_ACCOUNT_DISABLED:
      return AccountState::kDisabled;
    default:
      return bad_enum(function, "state", state, "the MF_ACCOUNT_* values");
  }
}

Result<Service> service_from(const char* function, int service) {
  switch (service) {
    case MF_SERVICE_ADMIN:
      return Service::kAdmin;
    case MF_SERVICE_SMTP:
      return Service::kSmtp;
    case MF_SERVICE_IMAP:
      return Service::kImap;
    case MF_SERVICE_POP3:
      return Service::kPop3;
    case MF_SERVICE_WEB:
      return Service::kWeb;
    default:
      return bad_enum(function, "service", service, "the MF_SERVICE_* values");
  }
}

Result<std::vector<std::string>> strings_from(const char* function, const char* parameter,
                                              const char* const* items, size_t count) {
  std::vector<std::string> out;
  if (count == 0) return out;
  if (items == nullptr) {
    return invalid_argument(
        fmt::format("{}: {} is NULL but its count is {}", function, parameter, count));
  }
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (items[i] == nullptr) {
      return invalid_argument(fmt::format("{}: {}[{}] is NULL", function, parameter, i));
    }
    out.emplace_back(items[i]);
  }
  return out;
}

}  // namespace mf::capi

// The C codes are mf::Code's values; the header promises it, this keeps it true.
static_assert(MF_OK == static_cast<int>(mf::Code::kOk));
static_assert(MF_E_INVALID_ARGUMENT == static_cast<int>(mf::Code::kInvalidArgument));
static_assert(MF_E_NOT_FOUND == static_cast<int>(mf::Code::kNotFound));
static_assert(MF_E_ALREADY_EXISTS == static_cast<int>(mf::Code::kAlreadyExists));
static_assert(MF_E_PERMISSION_DENIED == static_cast<int>(mf::Code::kPermissionDenied));
static_assert(MF_E_UNAUTHENTICATED == static_cast<int>(mf::Code::kUnauthenticated));
static_assert(MF_E_FAILED_PRECONDITION == static_cast<int>(mf::Code::kFailedPrecondition));
static_assert(MF_E_RESOURCE_EXHAUSTED == static_cast<int>(mf::Code::kResourceExhausted));
static_assert(MF_E_IO_ERROR == static_cast<int>(mf::Code::kIOError));
static_assert(MF_E_CORRUPTION == static_cast<int>(mf::Code::kCorruption));
static_assert(MF_E_UNSUPPORTED == static_cast<int>(mf::Code::kUnsupported));
static_assert(MF_E_INTERNAL == static_cast<int>(mf::Code::kInternal));

using mf::capi::guard;

// ---- Library-wide ----

const char* mf_version(void) {
  return MF_VERSION_STRING;
}

uint32_t mf_schema_version(void) {
  return mf::Context::schema_version();
}

const char* mf_code_name(int code) {
  switch (code) {
    case MF_OK:
      return "ok";
    case MF_E_INVALID_ARGUMENT:
      return "invalid_argument";
    case MF_E_NOT_FOUND:
      return "not_found";
    case MF_E_ALREADY_EXISTS:
      return "already_exists";
    case MF_E_PERMISSION_DENIED:
      return "permission_denied";
    case MF_E_UNAUTHENTICATED:
      return "unauthenticated";
    case MF_E_FAILED_PRECONDITION:
      return "failed_precondition";
    case MF_E_RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case MF_E_IO_ERROR:
      return "io_error";
    case MF_E_CORRUPTION:
      return "corruption";
    case MF_E_UNSUPPORTED:
      return "unsupported";
    case MF_E_INTERNAL:
      return "internal";
    default:
      return "unknown";
  }
}

void mf_free(void* ptr) {
  std::free(ptr);
}

// ---- Options ----

mf_options_t* mf_options_create(void) {
  return new (std::nothrow) mf_options_t{};
}

void mf_options_free(mf_options_t* options) {
  delete options;
}

void mf_options_set_password_cost(mf_options_t* options, unsigned cost) {
  if (options != nullptr) options->rep.password_cost = cost;
}

void mf_options_set_initial_map_size(mf_options_t* options, uint64_t bytes) {
  if (options != nullptr) options->rep.initial_map_size = bytes;
}

void mf_options_set_max_map_size(mf_options_t* options, uint64_t bytes) {
  if (options != nullptr) options->rep.max_map_size = bytes;
}

void mf_options_set_auth_workers(mf_options_t* options, unsigned workers) {
  if (options != nullptr) options->rep.auth_workers = workers;
}

// ---- Contexts ----

namespace {

const mf::Options& options_or_default(const mf_options_t* options) {
  static const mf::Options kDefaults;
  return options != nullptr ? options->rep : kDefaults;
}

}  // namespace

int mf_init(const char* dir, const char* admin_name, const char* admin_password,
            const mf_options_t* options, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, dir);
    MF_CAPI_REQUIRE(fn, admin_name);
    MF_CAPI_REQUIRE(fn, admin_password);
    return mf::Context::init(dir, admin_name, admin_password, options_or_default(options));
  });
}

int mf_open(const char* dir, const mf_options_t* options, mf_context_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, dir);
    MF_CAPI_REQUIRE(fn, out);
    auto handle = std::make_unique<mf_context_t>();
    MF_ASSIGN_OR_RETURN(handle->rep, mf::Context::open(dir, options_or_default(options)));
    *out = handle.release();
    return mf::Status::ok();
  });
}

void mf_close(mf_context_t* ctx) {
  delete ctx;
}

const char* mf_context_data_dir(const mf_context_t* ctx) {
  return ctx != nullptr ? ctx->rep->data_dir().c_str() : nullptr;
}

int mf_set_admin_password(mf_context_t* ctx, const mf_principal_t* who, const char* new_password,
                          char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, who);
    MF_CAPI_REQUIRE(fn, new_password);
    return ctx->rep->set_admin_password(who->rep, new_password);
  });
}

// ---- Principals ----

int mf_local_administrator(mf_context_t* ctx, const char* origin, mf_principal_t** out,
                           char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, origin);
    MF_CAPI_REQUIRE(fn, out);
    *out = new mf_principal_t{ctx->rep->local_administrator(origin)};
    return mf::Status::ok();
  });
}

int mf_authenticate(mf_context_t* ctx, const char* login, const char* password, int service,
                    const char* origin, mf_principal_t** out, char** errmsg) {
  if (out != nullptr) *out = nullptr;
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, login);
    MF_CAPI_REQUIRE(fn, password);
    MF_CAPI_REQUIRE(fn, origin);
    MF_CAPI_REQUIRE(fn, out);
    MF_ASSIGN_OR_RETURN(mf::Service svc, mf::capi::service_from(fn, service));
    MF_ASSIGN_OR_RETURN(mf::Principal who, ctx->rep->authenticate(login, password, svc, origin));
    *out = new mf_principal_t{std::move(who)};
    return mf::Status::ok();
  });
}

namespace {

// Delivers the outcome of an asynchronous login to the C callback, exactly once. Runs on
// a worker thread of the context: nothing may escape it.
void deliver_login(mf_auth_callback done, void* arg, mf::Result<mf::Principal> result) noexcept {
  int code = MF_OK;
  const char* message = nullptr;
  mf_principal_t* principal = nullptr;
  std::string text;
  try {
    if (result.is_ok()) {
      principal = new mf_principal_t{std::move(result).value()};
    } else {
      code = static_cast<int>(result.status().code());
      text = result.status().message();
      message = text.c_str();
    }
  } catch (...) {
    code = MF_E_RESOURCE_EXHAUSTED;
    message = "out of memory";
  }
  done(arg, code, message, principal);
}

}  // namespace

int mf_authenticate_async(mf_context_t* ctx, const char* login, const char* password, int service,
                          const char* origin, mf_auth_callback done, void* arg, char** errmsg) {
  return guard(errmsg, __func__, [&](const char* fn) -> mf::Status {
    MF_CAPI_REQUIRE(fn, ctx);
    MF_CAPI_REQUIRE(fn, login);
    MF_CAPI_REQUIRE(fn, password);
    MF_CAPI_REQUIRE(fn, origin);
    MF_CAPI_REQUIRE(fn, done);
    MF_ASSIGN_OR_RETURN(mf::Service svc, mf::capi::service_from(fn, service));
    ctx->rep->authenticate_async(login, password, svc, origin,
                                 [done, arg](mf::Result<mf::Principal> result) {
                                   deliver_login(done, arg, std::move(result));
                                 });
    return mf::Status::ok();
  });
}

void mf_principal_free(mf_principal_t* principal) {
  delete principal;
}

int mf_principal_is_administrator(const mf_principal_t* principal) {
  return principal != nullptr && principal->rep.is_administrator() ? 1 : 0;
}

const char* mf_principal_name(const mf_principal_t* principal) {
  return principal != nullptr ? principal->rep.name().c_str() : nullptr;
}

const char* mf_principal_origin(const mf_principal_t* principal) {
  return principal != nullptr ? principal->rep.origin().c_str() : nullptr;
}
