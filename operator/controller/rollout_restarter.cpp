// Coalesced, retried rollout restarts.
#include "controller/rollout_restarter.h"

#include <algorithm>

#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

std::string WorkloadKey(const std::string& ns, const RolloutTarget& t) {
  return ns + "/" + t.kind + "/" + t.name;
}

// The patch `kubectl rollout restart` would send, with our annotation and nanoseconds.
std::string PodTemplatePatch(TimePoint now) {
  return "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{" +
         json::Quote(kRestartedAtAnnotation) + ":" + json::Quote(FormatRfc3339(now, 9)) + "}}}}}";
}

// The patch `kubectl argo rollouts restart` sends: spec.restartAt in whole seconds. Rounded up,
// so that it is never before the data change it is for.
std::string ArgoRolloutPatch(TimePoint now) {
  auto secs = std::chrono::ceil<std::chrono::seconds>(now.time_since_epoch());
  return "{\"spec\":{\"restartAt\":" +
         json::Quote(
             FormatRfc3339(TimePoint(std::chrono::duration_cast<TimePoint::duration>(secs)))) +
         "}}";
}

// A failure that may pass by itself: worth another try.
bool MayPass(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kRateLimited:
    case StatusCode::kConflict:
    case StatusCode::kInternal:
    case StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool IsObjectNotFound(const Status& s, std::string_view name) {
  return s.code() == StatusCode::kNotFound &&
         s.message().find("\"" + std::string(name) + "\" not found") != std::string::npos;
}

RolloutRestarter::RolloutRestarter(Cluster& cluster, EventSink& events, const Clock& clock,
                                   RolloutRestarterOptions options,
                                   metrics::RolloutRestartMetrics* metrics, log::Logger* logger)
    : cluster_(cluster),
      events_(events),
      clock_(clock),
      options_(options),
      metrics_(metrics),
      logger_(logger != nullptr ? logger : &log::Default()) {}

std::string RolloutRestarter::OwnerKey(std::string_view kind, const std::string& key) {
  return std::string(kind) + "|" + key;
}

runtime::KeyEvents& RolloutRestarter::Done(std::string_view kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = done_events_.find(kind);
  if (it == done_events_.end()) {
    it = done_events_.emplace(std::string(kind), std::make_unique<runtime::KeyEvents>()).first;
  }
  return *it->second;
}

void RolloutRestarter::RemoveFromWorkloadLocked(const std::string& owner, const std::string& ns,
                                                const RolloutTarget& t) {
  auto it = pending_.find(WorkloadKey(ns, t));
  if (it == pending_.end()) return;
  it->second.owners.erase(owner);
  if (it->second.owners.empty()) pending_.erase(it);
}

RestartProgress RolloutRestarter::Request(const SecretOwner& owner,
                                          const std::vector<RolloutTarget>& targets, uint32_t mac) {
  const std::string key = OwnerKey(owner.kind, owner.meta->Key());
  const std::string& ns = owner.meta->namespace_;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto d = done_.find(key); d != done_.end()) {
    if (d->second == mac) return RestartProgress::kDone;
    done_.erase(d);
  }
  std::set<RolloutTarget> wanted(targets.begin(), targets.end());
  auto it = owed_.find(key);
  if (it != owed_.end() && it->second.mac == mac) return RestartProgress::kPending;
  if (it != owed_.end()) {
    // Newer data: the targets still to restart are the new set; a target the owner no longer
    // names is not restarted for it.
    for (const RolloutTarget& t : it->second.remaining) {
      if (wanted.count(t) == 0) RemoveFromWorkloadLocked(key, ns, t);
    }
    owed_.erase(it);
  }
  if (wanted.empty()) {
    done_[key] = mac;
    return RestartProgress::kDone;
  }
  Owed& o = owed_[key];
  o.kind = owner.kind;
  o.meta = *owner.meta;
  o.mac = mac;
  o.remaining = wanted;
  const TimePoint now = clock_.Now();
  for (const RolloutTarget& t : wanted) {
    auto [w, inserted] = pending_.try_emplace(WorkloadKey(ns, t));
    if (inserted) {
      w->second.namespace_ = ns;
      w->second.target = t;
      w->second.due = now + options_.coalesce;  // the window starts with its first request
    }
    w->second.owners[key] = mac;
  }
  woken_ = true;
  wake_.notify_all();
  return RestartProgress::kPending;
}

void RolloutRestarter::Forget(std::string_view kind, const std::string& key) {
  const std::string owner = OwnerKey(kind, key);
  std::lock_guard<std::mutex> lock(mu_);
  done_.erase(owner);
  auto it = owed_.find(owner);
  if (it == owed_.end()) return;
  for (const RolloutTarget& t : it->second.remaining)
    RemoveFromWorkloadLocked(owner, it->second.meta.namespace_, t);
  owed_.erase(it);
}

std::optional<TimePoint> RolloutRestarter::RunDue() {
  const TimePoint now = clock_.Now();
  std::vector<Workload> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.due <= now) {
        // Out of pending_ while its patch is sent: a request arriving meanwhile (for data
        // written after this patch may have gone out) starts a window of its own.
        due.push_back(std::move(it->second));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Workload& w : due) {
    const bool argo = w.target.kind == kKindArgoRollout;
    Status st = cluster_.PatchWorkload(w.target.kind, w.namespace_, w.target.name,
                                       argo ? ArgoRolloutPatch(now) : PodTemplatePatch(now));
    Settle(w, st, clock_.Now());
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<TimePoint> next;
  for (const auto& [k, w] : pending_) {
    if (!next || w.due < *next) next = w.due;
  }
  return next;
}

void RolloutRestarter::Settle(const Workload& w, const Status& st, TimePoint now) {
  const std::string what = w.target.kind + " " + w.target.name;
  const bool argo = w.target.kind == kKindArgoRollout;
  const char* result = "success";
  const char* reason = kReasonRolloutRestarted;
  std::string message = "Restarted " + what;
  bool retry = false;
  if (!st.ok()) {
    reason = kReasonRolloutRestartFailed;
    message = "Could not restart " + what + ": " + st.message();
    if (argo && st.code() == StatusCode::kNotFound && !IsObjectNotFound(st, w.target.name)) {
      result = "skipped";
      reason = kReasonRolloutRestartSkipped;
      message = "Skipped " + what +
                ": this cluster serves no argoproj.io Rollouts (is the Argo Rollouts CRD "
                "installed?)";
    } else if (MayPass(st)) {
      result = "retry";
      retry = true;
    } else {
      result = "error";
    }
    logger_->Warn("rollout restart failed", {{"namespace", w.namespace_},
                                             {"target", w.target.kind + "/" + w.target.name},
                                             {"result", result},
                                             {"error", st.ToString()}});
  } else {
    logger_->Info("rollout restarted", {{"namespace", w.namespace_},
                                        {"target", w.target.kind + "/" + w.target.name},
                                        {"owners", std::to_string(w.owners.size())}});
  }
  if (metrics_ != nullptr) metrics_->ObserveRolloutRestart(w.target.kind, result);

  std::vector<std::pair<std::string, ObjectMeta>> notify;     // owner kind, meta (Events)
  std::vector<std::pair<std::string, std::string>> finished;  // owner kind, key
  {
    std::lock_guard<std::mutex> lock(mu_);
    Workload again;
    for (const auto& [owner, mac] : w.owners) {
      auto o = owed_.find(owner);
      // Asked since with other data, or forgotten: that request has a workload of its own.
      if (o == owed_.end() || o->second.mac != mac) continue;
      notify.emplace_back(o->second.kind, o->second.meta);
      if (retry) {
        again.owners[owner] = mac;
        continue;
      }
      o->second.remaining.erase(w.target);
      if (o->second.remaining.empty()) {
        done_[owner] = mac;
        finished.emplace_back(o->second.kind, o->second.meta.Key());
        owed_.erase(o);
      }
    }
    if (retry && !again.owners.empty()) {
      auto backoff = options_.retry_base * (1LL << std::min(w.attempts, 16));
      backoff = std::min<std::chrono::milliseconds>(backoff, options_.retry_max);
      if (st.retry_after_seconds())
        backoff = std::max<std::chrono::milliseconds>(
            backoff, std::chrono::seconds(*st.retry_after_seconds()));
      auto [p, inserted] = pending_.try_emplace(WorkloadKey(w.namespace_, w.target));
      if (inserted) {
        p->second.namespace_ = w.namespace_;
        p->second.target = w.target;
        p->second.due = now + backoff;
        p->second.attempts = w.attempts + 1;
      }
      for (const auto& [owner, mac] : again.owners) p->second.owners[owner] = mac;
      woken_ = true;
      wake_.notify_all();
    }
  }
  for (const auto& [kind, meta] : notify) events_.Emit(kind, meta, !st.ok(), reason, message);
  for (const auto& [kind, key] : finished) Done(kind).Publish(key);
}

void RolloutRestarter::WaitForWork(std::chrono::milliseconds max_wait) {
  std::unique_lock<std::mutex> lock(mu_);
  std::chrono::milliseconds wait = max_wait;
  const TimePoint now = clock_.Now();
  for (const auto& [k, w] : pending_) {
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(w.due - now));
  }
  if (wait > std::chrono::milliseconds(0) && !woken_) {
    wake_.wait_for(lock, wait, [this] { return woken_; });
  }
  woken_ = false;
}

void RolloutRestarter::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  woken_ = true;
  wake_.notify_all();
}

size_t RolloutRestarter::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

}  // namespace vaultsync::controller
