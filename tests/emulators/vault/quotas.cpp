// Rate-limit quotas.
#include "quotas.h"

#include <cmath>

#include "go_json.h"

namespace vaultsync::vaultemu {
namespace {

const std::vector<std::string> kExemptPaths = {"/v1/sys/generate-recovery-token/attempt",
                                               "/v1/sys/generate-recovery-token/update",
                                               "/v1/sys/generate-root/attempt",
                                               "/v1/sys/generate-root/update",
                                               "/v1/sys/health",
                                               "/v1/sys/seal-status",
                                               "/v1/sys/unseal"};

std::string RenderNumber(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  return GoFloat(d);
}

}  // namespace

Reply Quotas::Handle(const Call& c, std::string_view sub) {
  if (sub == "config") return Config(c);
  constexpr std::string_view kRate = "rate-limit";
  if (sub.substr(0, kRate.size()) != kRate) return Error(404, {"unsupported path"});
  std::string_view rest = sub.substr(kRate.size());
  if (rest.empty() || rest == "/") {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [name, q] : limits_) keys.push_back(name);
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  return RateLimitPath(c, std::string(rest.substr(1)));
}

Reply Quotas::Config(const Call& c) {
  if (c.op == Op::kRead) {
    std::string out = "{\"enable_rate_limit_audit_logging\":";
    out += audit_logging_ ? "true" : "false";
    out += ",\"enable_rate_limit_response_headers\":";
    out += response_headers_ ? "true" : "false";
    out += ",\"rate_limit_exempt_paths\":" + GoStringList(kExemptPaths) + "}";
    return DataJson(out);
  }
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  for (Status st : {BodyBool(c, "enable_rate_limit_response_headers", response_headers_),
                    BodyBool(c, "enable_rate_limit_audit_logging", audit_logging_)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  return NoContent();
}

Reply Quotas::RateLimitPath(const Call& c, const std::string& name) {
  switch (c.op) {
    case Op::kRead: {
      auto it = limits_.find(name);
      if (it == limits_.end()) return Error(404, {});
      const RateLimit& q = it->second;
      std::string out = "{\"block_interval\":" + std::to_string(Seconds(q.block_interval));
      out += ",\"interval\":" + std::to_string(Seconds(q.interval));
      out += ",\"name\":" + GoQuote(q.name);
      out += ",\"path\":" + GoQuote(q.path);
      out += ",\"rate\":" + RenderNumber(q.rate);
      out += ",\"type\":\"rate-limit\"}";
      return DataJson(out);
    }
    case Op::kCreate:
    case Op::kUpdate: {
      RateLimit q;
      if (auto it = limits_.find(name); it != limits_.end()) q = it->second;
      q.name = name;
      const json::Value* rate = c.body ? json::Find(*c.body, "rate") : nullptr;
      if (rate != nullptr && rate->IsNumber()) q.rate = rate->GetDouble();
      if (q.rate <= 0) return Error(400, {"invalid avg rate: " + RenderNumber(q.rate)});
      for (Status st : {BodyString(c, "path", q.path), BodyDuration(c, "interval", q.interval),
                        BodyDuration(c, "block_interval", q.block_interval)}) {
        if (!st.ok()) return Error(400, {st.message()});
      }
      if (q.interval.count() <= 0) q.interval = std::chrono::seconds(1);
      q.window_start.reset();
      q.used = 0;
      q.blocked_until.reset();
      limits_[name] = q;
      return NoContent();
    }
    case Op::kDelete:
      limits_.erase(name);
      return NoContent();
    case Op::kList:
      return Unsupported();
  }
  return Unsupported();
}

std::optional<Reply> Quotas::Apply(std::string_view logical_path, TimePoint now,
                                   emu::Headers& headers) {
  std::string full = "/v1/" + std::string(logical_path);
  for (const auto& exempt : kExemptPaths) {
    if (full == exempt) return std::nullopt;
  }
  // The most specific quota applies (a mount's over the global one).
  RateLimit* q = nullptr;
  for (auto& [name, limit] : limits_) {
    if (logical_path.substr(0, limit.path.size()) != limit.path) continue;
    if (q == nullptr || limit.path.size() > q->path.size()) q = &limit;
  }
  if (q == nullptr) return std::nullopt;
  auto limit = static_cast<int64_t>(q->rate);
  bool blocked = q->blocked_until && now < *q->blocked_until;
  if (!q->window_start || now >= *q->window_start + q->interval) {
    q->window_start = now;
    q->used = 0;
  }
  TimePoint reset_at = *q->window_start + q->interval;
  if (blocked) reset_at = *q->blocked_until;
  bool allowed = !blocked && q->used < limit;
  if (allowed) ++q->used;
  if (!allowed && q->block_interval.count() > 0 && !blocked) {
    q->blocked_until = now + q->block_interval;
    reset_at = *q->blocked_until;
  }
  int64_t reset = std::chrono::duration_cast<std::chrono::seconds>(reset_at - now).count();
  int64_t remaining = std::max<int64_t>(0, limit - q->used);
  if (allowed) {
    if (response_headers_) {
      headers.emplace_back("X-Ratelimit-Limit", std::to_string(limit));
      headers.emplace_back("X-Ratelimit-Remaining", std::to_string(remaining));
      headers.emplace_back("X-Ratelimit-Reset", std::to_string(reset));
    }
    return std::nullopt;
  }
  Reply r = Error(429, {"request path " + GoQuote(logical_path) + ": rate limit quota exceeded"});
  if (response_headers_) {
    r.response.headers.emplace_back("Retry-After", std::to_string(reset));
    r.response.headers.emplace_back("X-Ratelimit-Limit", std::to_string(limit));
    r.response.headers.emplace_back("X-Ratelimit-Remaining", "0");
    r.response.headers.emplace_back("X-Ratelimit-Reset", std::to_string(reset));
  }
  return r;
}

}  // namespace vaultsync::vaultemu
