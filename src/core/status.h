// Errors as values: every fallible call returns Status or Result<T>.
//
// A Status carries a code (what kind of failure), a message a person can act on, and whether
// retrying the same call may succeed. Connectors decide retryability, not the scheduler.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace sluice {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user: job file, option, expression
  kNotFound,         // a table, column, file or key that does not exist
  kIoError,          // file system or network failure
  kConnection,       // cannot reach or authenticate to a server
  kDataError,        // a value that cannot be converted or stored
  kConflict,         // a target that does not fit, a key collision
  kCancelled,        // stopped by a signal
  kLimitExceeded,    // the dirty-row limit was passed
  kOutcomeUnknown,   // a COMMIT whose result never came back: it may or may not have landed
  kBusy,             // the job is running elsewhere: another process holds its lease
  kInternal,         // a bug in sluice
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, bool retryable = false)
      : code_(code), message_(std::move(message)), retryable_(retryable) {}
  // So that SLUICE_RETURN_IF_ERROR works in functions returning Status as well as Result<T>.
  Status(std::unexpected<Status> error) : Status(std::move(error.error())) {}  // NOLINT

  static Status OK() { return Status(); }
  template <typename... Args>
  static Status Invalid(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status NotFound(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kNotFound, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status IoError(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kIoError, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status DataError(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kDataError, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Conflict(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kConflict, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Status Internal(fmt::format_string<Args...> f, Args&&... args) {
    return Status(StatusCode::kInternal, fmt::format(f, std::forward<Args>(args)...));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return retryable_; }

  // Returns a copy whose message is prefixed with `context`, e.g. "table orders: ".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, fmt::format("{}: {}", context, message_), retryable_);
  }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool retryable_ = false;
};

template <typename T>
using Result = std::expected<T, Status>;

// Lets `return Status::Invalid(...)` work in a function returning Result<T>.
inline std::unexpected<Status> Err(Status s) {
  return std::unexpected<Status>(std::move(s));
}

namespace internal {
inline Status ToStatus(const Status& s) {
  return s;
}
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.has_value() ? Status::OK() : r.error();
}
}  // namespace internal

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns the error of a Status-returning expression from the enclosing function. Works in
// functions returning Status and Result<T> alike.
#define SLUICE_RETURN_IF_ERROR(expr)                                    \
  do {                                                                  \
    ::sluice::Status _sluice_st = ::sluice::internal::ToStatus((expr)); \
    if (!_sluice_st.ok()) return ::sluice::Err(std::move(_sluice_st));  \
  } while (false)

// `SLUICE_ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a Result or returns its error.
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_sluice_r_, __LINE__), lhs, expr)
#define SLUICE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                  \
  auto tmp = (expr);                                                  \
  if (!tmp.has_value()) return ::sluice::Err(std::move(tmp.error())); \
  lhs = std::move(*tmp)
