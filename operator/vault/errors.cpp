// Mapping of Vault's HTTP answers onto StatusCode, and the message hygiene around it.
#include "vault/errors.h"

#include "util/json.h"

namespace vaultsync::vault {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 403:
      return "permission denied";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 429:
      return "too many requests";
    case 500:
      return "internal server error";
    case 501:
      return "not implemented (Vault not initialized?)";
    case 502:
      return "bad gateway";
    case 503:
      return "service unavailable";
    case 504:
      return "gateway timeout";
    default:
      return "unexpected answer";
  }
}

StatusCode CodeFor(int status, std::string_view errors) {
  switch (status) {
    case 400:
      if (errors.find("missing client token") != std::string_view::npos) {
        return StatusCode::kUnauthenticated;
      }
      if (errors.find("check-and-set parameter did not match") != std::string_view::npos) {
        return StatusCode::kConflict;
      }
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 405:
      return StatusCode::kInvalidArgument;
    case 409:
      return StatusCode::kConflict;
    case 412:
      return StatusCode::kFailedPrecondition;
    case 429:
      return StatusCode::kRateLimited;
    case 500:
      return StatusCode::kInternal;
    case 501:
    case 502:
    case 503:
    case 504:
      return StatusCode::kUnavailable;
    default:
      if (status >= 500) return StatusCode::kInternal;
      return StatusCode::kInvalidArgument;
  }
}

std::string Prefix(Operation op, std::string_view path) {
  std::string s(OperationName(op));
  s += ' ';
  s += path;
  s += ": ";
  return s;
}

}  // namespace

std::string JoinedErrors(std::string_view body) {
  if (body.empty()) return "";
  auto doc = json::Parse(body);
  if (!doc.ok()) return "";
  auto arr = json::OptionalArray(*doc, "errors");
  if (!arr.ok() || *arr == nullptr) return "";
  std::string out;
  for (const auto& e : (*arr)->GetArray()) {
    if (!e.IsString()) continue;
    if (!out.empty()) out += "; ";
    out += json::View(e);
  }
  return out;
}

Status ErrorFromResponse(Operation op, std::string_view path, const http::Response& resp) {
  std::string errors = JoinedErrors(resp.body);
  StatusCode code = CodeFor(resp.status, errors);
  std::string msg = Prefix(op, path);
  msg += errors.empty() ? std::string(ReasonPhrase(resp.status)) : errors;
  msg += " (HTTP " + std::to_string(resp.status) + ")";
  Status st(code, std::move(msg), resp.status);
  if (resp.status == 429 || resp.status == 503) {
    std::string_view ra = resp.Header("Retry-After");
    // At most 6 digits (11 days), checked before any arithmetic: a longer value is ignored
    // and cannot overflow `secs`.
    int secs = 0;
    bool digits = !ra.empty() && ra.size() < 7;
    for (size_t i = 0; digits && i < ra.size(); ++i) {
      if (ra[i] < '0' || ra[i] > '9') {
        digits = false;
        break;
      }
      secs = secs * 10 + (ra[i] - '0');
    }
    if (digits) st.set_retry_after_seconds(secs);
  }
  return st;
}

Status ErrorFromTransport(Operation op, std::string_view path, const Status& transport_error) {
  return Status(transport_error.code(), Prefix(op, path) + transport_error.message(), 0);
}

bool IsRetryable(const Status& status) {
  switch (status.http_status()) {
    case 0:
      return status.code() == StatusCode::kUnavailable ||
             status.code() == StatusCode::kDeadlineExceeded;
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

}  // namespace vaultsync::vault
