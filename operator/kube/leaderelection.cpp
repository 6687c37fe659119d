// Lease-based leader election (client-go's algorithm).
#include "kube/leaderelection.h"

#include <random>

#include "kube/identity.h"
#include "util/time_format.h"

namespace vaultsync::kube {

namespace {

int64_t CeilSeconds(std::chrono::milliseconds d) {
  return std::max<int64_t>(1, (d.count() + 999) / 1000);
}

std::string OptString(const json::Value& spec, std::string_view key) {
  auto v = json::OptionalString(spec, key, "spec");
  return v.ok() && v->has_value() ? std::string(**v) : std::string();
}

int64_t OptInt(const json::Value& spec, std::string_view key) {
  auto v = json::OptionalInt64(spec, key, "spec");
  return v.ok() && v->has_value() ? **v : 0;
}

void SetSpec(json::Document& doc, const std::string& holder, int64_t duration,
             const std::string& acquire, const std::string& renew, int64_t transitions) {
  auto& a = doc.GetAllocator();
  json::Value spec(rapidjson::kObjectType);
  spec.AddMember("holderIdentity", json::StringValue(holder, a), a);
  spec.AddMember("leaseDurationSeconds", json::Value(duration), a);
  spec.AddMember("acquireTime", json::StringValue(acquire, a), a);
  spec.AddMember("renewTime", json::StringValue(renew, a), a);
  spec.AddMember("leaseTransitions", json::Value(transitions), a);
  if (doc.HasMember("spec"))
    doc["spec"] = spec;
  else
    doc.AddMember("spec", spec, a);
}

}  // namespace

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  if (c.lease_name.empty() || c.lease_namespace.empty())
    return InvalidArgument("leader election needs a lease name and namespace");
  if (c.retry_period.count() <= 0)
    return InvalidArgument("leader election retry period must be > 0");
  if (c.lease_duration <= c.renew_deadline)
    return InvalidArgument(
        "leader election lease duration must be greater than the renew deadline");
  if (static_cast<double>(c.renew_deadline.count()) <=
      1.2 * static_cast<double>(c.retry_period.count()))
    return InvalidArgument(
        "leader election renew deadline must be greater than 1.2 times the retry period");
  return Status::Ok();
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client),
      config_(std::move(config)),
      log_(config_.logger != nullptr ? *config_.logger : log::Default()) {
  if (config_.identity.empty()) config_.identity = HostName() + "_" + NewUuid();
}

LeaderElector::~LeaderElector() { Stop(); }

Status LeaderElector::Start() {
  VS_RETURN_IF_ERROR(ValidateLeaderElectionConfig(config_));
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stop_)
    return Status(StatusCode::kFailedPrecondition, "leader elector already used");
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  watchdog_ = std::thread([this] { Watchdog(); });
  return Status::Ok();
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
  finished_ = true;
}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_.holder;
}

bool LeaderElector::Sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void LeaderElector::SetLeader(bool leading) {
  leader_ = leading;
  if (config_.hooks != nullptr) config_.hooks->SetLeader(config_.lease_name, leading);
}

void LeaderElector::Observe(const Record& r) {
  bool changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed = r.holder != observed_.holder;
    observed_ = r;
  }
  observed_at_ = config_.clock->Now();
  if (changed && !r.holder.empty()) {
    log_.Info("new leader observed", {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                                      {"leader", r.holder}});
    if (config_.on_new_leader) config_.on_new_leader(r.holder);
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const Clock& clock = *config_.clock;
  const TimePoint now = clock.Now();
  const std::string now_s = FormatRfc3339(now, 6);  // MicroTime: exactly 6 digits
  const int64_t duration = CeilSeconds(config_.lease_duration);
  const ResourceType& rt = resources::Lease();

  auto got = client_.Get(rt, config_.lease_namespace, config_.lease_name);
  if (!got.ok()) {
    if (got.status().code() != StatusCode::kNotFound) {
      log_.Warn("cannot read leader election lease",
                {{"lease", config_.lease_name}, {"error", got.status().ToString()}});
      return false;
    }
    json::Document d;
    d.SetObject();
    auto& a = d.GetAllocator();
    d.AddMember("apiVersion", "coordination.k8s.io/v1", a);
    d.AddMember("kind", "Lease", a);
    json::Value md(rapidjson::kObjectType);
    md.AddMember("name", json::StringValue(config_.lease_name, a), a);
    md.AddMember("namespace", json::StringValue(config_.lease_namespace, a), a);
    d.AddMember("metadata", md, a);
    SetSpec(d, config_.identity, duration, now_s, now_s, 0);
    auto created = client_.Create(rt, d);
    if (!created.ok()) return false;  // most likely another candidate created it first
    lease_ = std::move(*created);
    Observe(Record{config_.identity, duration, now_s, now_s, 0});
    return true;
  }

  Record old;
  if (const json::Value* spec = json::Find(*got, "spec"); spec != nullptr && spec->IsObject()) {
    old.holder = OptString(*spec, "holderIdentity");
    old.lease_duration_seconds = OptInt(*spec, "leaseDurationSeconds");
    old.acquire_time = OptString(*spec, "acquireTime");
    old.renew_time = OptString(*spec, "renewTime");
    old.transitions = OptInt(*spec, "leaseTransitions");
  }
  if (!(old == observed_)) Observe(old);
  int64_t held_for = old.lease_duration_seconds > 0 ? old.lease_duration_seconds : duration;
  if (!old.holder.empty() && old.holder != config_.identity &&
      observed_at_ + std::chrono::seconds(held_for) > now) {
    return false;  // someone else holds a lease that has not expired
  }
  Record next{config_.identity, duration, now_s, now_s, old.transitions + 1};
  if (old.holder == config_.identity) {
    next.acquire_time = old.acquire_time;
    next.transitions = old.transitions;
  }
  SetSpec(*got, next.holder, next.lease_duration_seconds, next.acquire_time, next.renew_time,
          next.transitions);
  auto updated = client_.Update(rt, *got);
  if (!updated.ok()) {
    if (updated.status().code() != StatusCode::kConflict) {
      log_.Warn("cannot update leader election lease",
                {{"lease", config_.lease_name}, {"error", updated.status().ToString()}});
    }
    return false;
  }
  lease_ = std::move(*updated);
  Observe(next);
  return true;
}

void LeaderElector::Release() {
  if (!lease_) return;
  std::string now_s = FormatRfc3339(config_.clock->Now(), 6);
  int64_t transitions = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    transitions = observed_.transitions;
  }
  SetSpec(*lease_, "", 1, now_s, now_s, transitions);
  auto st = client_.Update(resources::Lease(), *lease_);
  if (!st.ok()) {
    log_.Warn("could not release leader election lease",
              {{"lease", config_.lease_name}, {"error", st.status().ToString()}});
    return;
  }
  Observe(Record{"", 1, now_s, now_s, transitions});
  log_.Info("released leader election lease", {{"lease", config_.lease_name}});
}

void LeaderElector::Run() {
  std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.2);  // client-go's JitterFactor
  const std::string lease = config_.lease_namespace + "/" + config_.lease_name;
  log_.Info("attempting to acquire leader lease",
            {{"lease", lease}, {"identity", config_.identity}});
  while (!TryAcquireOrRenew()) {
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(
        static_cast<double>(config_.retry_period.count()) * (1.0 + jitter(rng))));
    if (!Sleep(wait)) {
      finished_ = true;
      return;
    }
  }
  log_.Info("acquired leader lease", {{"lease", lease}, {"identity", config_.identity}});
  {
    std::lock_guard<std::mutex> lock(mu_);
    renewed_at_ = std::chrono::steady_clock::now();
    leading_ = true;
  }
  cv_.notify_all();
  SetLeader(true);
  if (config_.on_started_leading) config_.on_started_leading();

  bool stopped = false;
  while (!term_ended_) {
    if (!Sleep(config_.retry_period)) {
      stopped = true;
      break;
    }
    if (term_ended_) break;  // the watchdog ended it while we slept
    if (TryAcquireOrRenew()) {
      std::lock_guard<std::mutex> lock(mu_);
      renewed_at_ = std::chrono::steady_clock::now();
      cv_.notify_all();
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (std::chrono::steady_clock::now() - renewed_at_ >= config_.renew_deadline) {
      lock.unlock();
      log_.Error("failed to renew leader lease within the renew deadline; leadership lost",
                 {{"lease", lease}, {"identity", config_.identity}});
      break;
    }
  }
  EndTerm(stopped && config_.release_on_cancel);
}

void LeaderElector::Watchdog() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_ && !term_ended_) {
    if (!leading_) {
      cv_.wait(lock);
      continue;
    }
    const auto deadline = renewed_at_ + config_.renew_deadline;
    if (std::chrono::steady_clock::now() < deadline) {
      cv_.wait_until(lock, deadline);
      continue;  // re-read: a renewal or Stop() may have woken us
    }
    lock.unlock();
    log_.Error("failed to renew leader lease within the renew deadline; leadership lost",
               {{"lease", config_.lease_namespace + "/" + config_.lease_name},
                {"identity", config_.identity}});
    EndTerm(false);
    return;
  }
}

void LeaderElector::EndTerm(bool release) {
  if (term_ended_.exchange(true)) return;
  SetLeader(false);
  if (release) Release();
  finished_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
  if (config_.on_stopped_leading) config_.on_stopped_leading();
}

}  // namespace vaultsync::kube
