// Check registration and evaluation, the probe handler, and the work-loop heartbeat.
#include "metrics/health.h"

#include <algorithm>

namespace vaultsync::metrics {

namespace {

constexpr char kText[] = "text/plain; charset=utf-8";

}  // namespace

Status HealthChecks::Add(std::string_view name, CheckFn fn) {
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return InvalidArgument("health check name \"" + std::string(name) + "\" is empty or has '/'");
  }
  if (!fn) return InvalidArgument("health check \"" + std::string(name) + "\" has no function");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& c : checks_) {
    if (c.first == name) {
      return InvalidArgument("health check \"" + std::string(name) + "\" already exists");
    }
  }
  checks_.emplace_back(std::string(name), std::move(fn));
  return Status::Ok();
}

std::vector<std::pair<std::string, CheckFn>> HealthChecks::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (checks_.empty()) return {{"ping", PingCheck()}};
  return checks_;
}

EndpointResponse HealthChecks::Aggregate(bool verbose,
                                         const std::vector<std::string>& exclude) const {
  std::vector<std::string> unmatched = exclude;
  std::string lines;
  bool failed = false;
  // Checks run outside the lock: a slow check must not block registration.
  for (const auto& [name, fn] : Snapshot()) {
    auto ex = std::find(unmatched.begin(), unmatched.end(), name);
    if (ex != unmatched.end()) {
      unmatched.erase(std::remove(unmatched.begin(), unmatched.end(), name), unmatched.end());
      lines += "[+]" + name + " excluded: ok\n";
      continue;
    }
    if (fn().ok()) {
      lines += "[+]" + name + " ok\n";
    } else {
      lines += "[-]" + name + " failed: reason withheld\n";
      failed = true;
    }
  }
  if (!unmatched.empty()) {
    lines += "warn: some health checks cannot be excluded: no matches for ";
    for (size_t i = 0; i < unmatched.size(); ++i) {
      lines += (i ? ",\"" : "\"") + unmatched[i] + "\"";
    }
    lines += "\n";
  }
  // controller-runtime's wording, on /readyz as well as /healthz.
  if (failed) return {500, kText, lines + "healthz check failed\n"};
  if (!verbose) return {200, kText, "ok"};
  return {200, kText, lines + "healthz check passed\n"};
}

EndpointResponse HealthChecks::Single(std::string_view name) const {
  for (const auto& [n, fn] : Snapshot()) {
    if (n != name) continue;
    Status st = fn();
    if (st.ok()) return {200, kText, "ok"};
    return {500, kText, "internal server error: " + st.message() + "\n"};
  }
  return {404, kText, "404 page not found\n"};
}

EndpointResponse Probes::Handle(const EndpointRequest& req) const {
  if (req.method != "GET" && req.method != "HEAD") {
    return {405, kText, "method not allowed\n"};
  }
  for (const auto& [prefix, checks] :
       {std::pair<std::string_view, const HealthChecks*>{"/healthz", &healthz_},
        std::pair<std::string_view, const HealthChecks*>{"/readyz", &readyz_}}) {
    std::string_view path = req.path;
    if (path.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = path.substr(prefix.size());
    if (rest.empty() || rest == "/") {
      return checks->Aggregate(req.HasParam("verbose"), req.Params("exclude"));
    }
    if (rest.front() == '/') return checks->Single(rest.substr(1));
  }
  return {404, kText, "404 page not found\n"};
}

CheckFn PingCheck() {
  return [] { return Status::Ok(); };
}

Heartbeat::Heartbeat(const Clock& clock)
    : clock_(clock), last_(clock.Now().time_since_epoch().count()) {}

void Heartbeat::Beat() { last_.store(clock_.Now().time_since_epoch().count()); }

TimePoint Heartbeat::last() const { return TimePoint(TimePoint::duration(last_.load())); }

Status Heartbeat::Check(std::chrono::nanoseconds max_age) const {
  const auto age = clock_.Now() - last();
  if (age <= max_age) return Status::Ok();
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return Unavailable("work loop has not reported for " +
                     std::to_string(duration_cast<milliseconds>(age).count()) + "ms (threshold " +
                     std::to_string(duration_cast<milliseconds>(max_age).count()) + "ms)");
}

CheckFn Heartbeat::Checker(std::chrono::nanoseconds max_age) const {
  return [this, max_age] { return Check(max_age); };
}

}  // namespace vaultsync::metrics
