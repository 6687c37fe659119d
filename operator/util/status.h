// Errors as values. Every layer above the HTTP transport returns Status or Result<T>
// instead of throwing, so callers must look at failures and a reconciler can map each
// kind of failure to its own condition reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vaultsync {

// The kind of failure. Deliberately coarse: it is what callers branch on. The HTTP
// status and the server's own words travel alongside in Status::http_status/message.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the request or input is malformed; retrying will not help
  kNotFound,            // the object or path does not exist
  kAlreadyExists,       // create of something that exists
  kConflict,            // optimistic-concurrency failure (stale resourceVersion, cas mismatch)
  kPermissionDenied,    // authenticated but not allowed (403)
  kUnauthenticated,     // no or bad credentials (401; Vault's 400 "missing client token")
  kUnavailable,         // connection failed, server down or sealed (503, refused, reset)
  kDeadlineExceeded,    // the request timed out
  kRateLimited,         // 429
  kGone,                // 410: resourceVersion or continue token expired
  kFailedPrecondition,  // the system is not in a state that allows this (e.g. soft-deleted)
  kInternal,            // the server failed (500) or answered something we cannot parse
  kCancelled,           // the caller gave up (shutdown)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int http_status = 0)
      : code_(code), http_status_(http_status), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Human-readable; never contains a secret value, token or JWT.
  const std::string& message() const { return message_; }
  // The HTTP status that produced this error, or 0 when none did (connection failure,
  // local validation).
  int http_status() const { return http_status_; }
  // Seconds the server asked us to wait (Retry-After), if it said (never negative).
  std::optional<int> retry_after_seconds() const {
    if (retry_after_ < 0) return std::nullopt;
    return retry_after_;
  }
  Status& set_retry_after_seconds(int s) {
    retry_after_ = s < 0 ? 0 : s;
    return *this;
  }
  // Non-zero: the id of an event whose coming makes a retry worthwhile (NewWakeSignal), such
  // as "the Vault at this address is healthy again". The runtime parks the failed key on it
  // (runtime::WakeBoard) and retries it when it fires, instead of on its own backoff alone.
  uint32_t wake_signal() const { return wake_signal_; }
  Status& set_wake_signal(uint32_t id) {
    wake_signal_ = id;
    return *this;
  }

  // The same failure (code, HTTP status, Retry-After, wake signal) with `prefix` put before
  // the message:
  // for callers that add context without losing what the retry logic needs.
  Status WithPrefix(std::string_view prefix) const {
    Status s = *this;
    s.message_ = std::string(prefix) + message_;
    return s;
  }

  // "NotFound: secret/data/app: ..." style text for logs.
  std::string ToString() const;

  bool operator==(const Status& o) const { return code_ == o.code_ && message_ == o.message_; }

 private:
  // Small fields first, four bytes each: 48 bytes in all (every cached resource holds a
  // Status).
  StatusCode code_ = StatusCode::kOk;
  int http_status_ = 0;
  int retry_after_ = -1;  // -1: none
  uint32_t wake_signal_ = 0;
  std::string message_;
};

// A process-unique wake signal id (never 0). Thread-safe.
uint32_t NewWakeSignal();

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }

// Holds either a T or a non-OK Status (Abseil's StatusOr, in small).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok())
      v_ = Status(StatusCode::kInternal, "Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK status when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

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

}  // namespace vaultsync

// Early-return helpers: VS_RETURN_IF_ERROR(expr) and VS_ASSIGN_OR_RETURN(lhs, expr).
#define VS_RETURN_IF_ERROR(expr)         \
  do {                                   \
    ::vaultsync::Status vs_st_ = (expr); \
    if (!vs_st_.ok()) return vs_st_;     \
  } while (0)

#define VS_CONCAT_INNER_(a, b) a##b
#define VS_CONCAT_(a, b) VS_CONCAT_INNER_(a, b)
#define VS_ASSIGN_OR_RETURN(lhs, expr) \
  VS_ASSIGN_OR_RETURN_IMPL_(VS_CONCAT_(vs_res_, __LINE__), lhs, expr)
#define VS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
