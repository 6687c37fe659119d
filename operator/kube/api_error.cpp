// Apiserver Status objects → vaultsync Status values.
#include "kube/api_error.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>

namespace vaultsync::kube {

namespace {

StatusCode CodeFor(int http, std::string_view reason) {
  if (reason == "AlreadyExists") return StatusCode::kAlreadyExists;
  if (reason == "Timeout" || reason == "ServerTimeout") return StatusCode::kDeadlineExceeded;
  switch (http) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kConflict;
    case 410:
      return StatusCode::kGone;
    case 422:
      return StatusCode::kInvalidArgument;
    case 429:
      return StatusCode::kRateLimited;
    case 500:
      return StatusCode::kInternal;
    case 504:
      return StatusCode::kDeadlineExceeded;
    default:
      break;
  }
  if (http >= 500) return StatusCode::kUnavailable;
  return StatusCode::kInvalidArgument;
}

std::string_view DefaultReason(int http) {
  switch (http) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

std::optional<int> ParseSeconds(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Appends the causes whose field the message does not already mention (the apiserver's
// message usually lists them all; a JSON-patch test failure lists none).
void AppendCauses(std::string& msg, const json::Value& details) {
  auto causes = json::OptionalArray(details, "causes", "details");
  if (!causes.ok() || *causes == nullptr) return;
  std::string extra;
  for (const auto& c : (*causes)->GetArray()) {
    auto field = json::OptionalString(c, "field");
    auto cmsg = json::OptionalString(c, "message");
    std::string_view f = field.ok() && field->has_value() ? **field : std::string_view();
    std::string_view m = cmsg.ok() && cmsg->has_value() ? **cmsg : std::string_view();
    if (!f.empty() && msg.find(f) != std::string::npos) continue;
    if (f.empty() && (m.empty() || msg.find(m) != std::string::npos)) continue;
    if (!extra.empty()) extra += "; ";
    if (!f.empty()) extra.append(f).append(": ");
    extra.append(m);
  }
  if (!extra.empty()) msg += " [" + extra + "]";
}

// A server's (or an admission webhook's) words are kept to kMaxMessage bytes: they go into
// conditions, Events and logs, where an unbounded message would bloat every status write.
constexpr size_t kMaxMessage = 1024;
void BoundLength(std::string& text) {
  if (text.size() <= kMaxMessage) return;
  size_t cut = kMaxMessage;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  const size_t dropped = text.size() - cut;
  text.resize(cut);
  text += "... (" + std::to_string(dropped) + " more bytes)";
}

// `http` is the status to classify by; the body's `code` replaces it when use_body_code.
Status FromStatusObject(const json::Value& status, int http, bool use_body_code) {
  if (auto code = json::OptionalInt64(status, "code");
      use_body_code && code.ok() && code->has_value() && **code > 0)
    http = static_cast<int>(**code);
  std::string reason;
  if (auto r = json::OptionalString(status, "reason"); r.ok() && r->has_value())
    reason = std::string(**r);
  std::string message;
  if (auto m = json::OptionalString(status, "message"); m.ok() && m->has_value())
    message = std::string(**m);
  if (reason.empty()) reason = std::string(DefaultReason(http));
  std::string text = reason;
  if (!message.empty()) text += ": " + message;
  std::optional<int> retry_after;
  if (auto d = json::OptionalObject(status, "details"); d.ok() && *d != nullptr) {
    AppendCauses(text, **d);
    if (auto ra = json::OptionalInt64(**d, "retryAfterSeconds", "details");
        ra.ok() && ra->has_value() && **ra >= 0)
      retry_after = static_cast<int>(std::min<int64_t>(**ra, std::numeric_limits<int>::max()));
  }
  BoundLength(text);
  Status st(CodeFor(http, reason), std::move(text), http);
  if (retry_after) st.set_retry_after_seconds(*retry_after);
  return st;
}

}  // namespace

Status StatusFromStatusObject(const json::Value& status, int fallback_http_status) {
  return FromStatusObject(status, fallback_http_status, true);
}

Status StatusFromResponse(const http::Response& resp) {
  Status st;
  auto doc = json::Parse(resp.body);
  bool is_status = false;
  if (doc.ok() && doc->IsObject()) {
    auto kind = json::OptionalString(*doc, "kind");
    is_status = kind.ok() && kind->has_value() && **kind == "Status";
  }
  if (is_status) {
    // The HTTP status is what happened on the wire; trust it over the body's code.
    st = FromStatusObject(*doc, resp.status, false);
  } else {
    // Not from the apiserver itself (a proxy, a load balancer): say what came back without
    // copying an arbitrary body into logs.
    std::string text(DefaultReason(resp.status));
    text += ": HTTP " + std::to_string(resp.status);
    auto ct = resp.Header("Content-Type");
    if (!ct.empty())
      text += " (" + std::string(ct) + ", " + std::to_string(resp.body.size()) + " bytes)";
    st = Status(CodeFor(resp.status, ""), std::move(text), resp.status);
  }
  if (auto ra = ParseSeconds(resp.Header("Retry-After")); ra) st.set_retry_after_seconds(*ra);
  return st;
}

}  // namespace vaultsync::kube
