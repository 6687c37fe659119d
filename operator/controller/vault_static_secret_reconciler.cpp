// VaultStaticSecret reconciliation.
#include "controller/vault_static_secret_reconciler.h"

#include "controller/secret_object.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

inline constexpr const char* kKind = kKindVaultStaticSecret;

std::string Source(const VaultStaticSecret& vss) { return vss.spec.mount + "/" + vss.spec.path; }

std::string OptionalInt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

}  // namespace

const char* VaultErrorReason(const Status& s) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kUnauthenticated:
      return "AuthFailed";
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
      return "NotFound";
    case StatusCode::kInvalidArgument:
      return "VaultError";
    default:
      return "VaultUnavailable";
  }
}

VaultStaticSecretReconciler::VaultStaticSecretReconciler(VaultStaticSecretReconcilerDeps deps,
                                                         VaultStaticSecretReconcilerOptions options)
    : deps_(deps), options_(std::move(options)), rng_(std::random_device{}()) {
  if (deps_.logger == nullptr) deps_.logger = &log::Default();
}

std::chrono::milliseconds VaultStaticSecretReconciler::Jittered(std::chrono::milliseconds d) {
  std::lock_guard<std::mutex> lock(rng_mu_);
  std::uniform_real_distribution<double> dist(1.0 - options_.jitter, 1.0 + options_.jitter);
  return std::chrono::milliseconds(static_cast<int64_t>(double(d.count()) * dist(rng_)));
}

std::chrono::milliseconds VaultStaticSecretReconciler::RefreshInterval(const VaultStaticSecret& vss,
                                                                       const KvResult& kv) const {
  if (vss.spec.refresh_after) return *vss.spec.refresh_after;
  if (vss.spec.type == KvType::kV1 && kv.ttl && kv.ttl->count() > 0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*kv.ttl);
  }
  return options_.default_refresh;
}

std::chrono::milliseconds VaultStaticSecretReconciler::NextRefresh(
    const KvResult& kv, std::chrono::milliseconds interval, const std::string& share_key) const {
  double unit = double(std::hash<std::string>{}(share_key) % 10007) / 10006.0;  // [0, 1]
  double factor = 1.0 + options_.jitter * (2.0 * unit - 1.0);
  auto due = kv.read_at +
             std::chrono::milliseconds(static_cast<int64_t>(double(interval.count()) * factor));
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - deps_.clock->Now());
  // A shared read older than its interval (a slow reconcile): look again soon, not at once.
  return std::max(wait, std::chrono::milliseconds(std::min<int64_t>(1000, interval.count())));
}

ReconcileResult VaultStaticSecretReconciler::Fail(const VaultStaticSecret& vss, const Failure& f) {
  if (deps_.metrics != nullptr) deps_.metrics->ObserveSecretSync(metrics::SyncResult::kError);
  ReadyState want{false, f.reason, f.status.message()};
  if (!ReadyUpToDate(vss.status.ready, want, vss.meta.generation)) {
    Status st = deps_.cluster->PatchStatus(
        kKind, vss.meta.namespace_, vss.meta.name,
        StatusPatch(vss.status.ready, want, vss.meta.generation, deps_.clock->Now()));
    if (!st.ok()) {
      deps_.logger->Warn("status update failed", {{"controller", "vaultstaticsecret"},
                                                  {"namespace", vss.meta.namespace_},
                                                  {"name", vss.meta.name},
                                                  {"error", st.ToString()}});
    }
  }
  deps_.events->Emit(kKind, vss.meta, true, f.reason, f.status.message());
  deps_.logger->Warn("sync failed", {{"controller", "vaultstaticsecret"},
                                     {"namespace", vss.meta.namespace_},
                                     {"name", vss.meta.name},
                                     {"reason", f.reason},
                                     {"error", f.status.message()}});
  if (f.terminal) return ReconcileResult::Terminal(f.status);
  ReconcileResult r = ReconcileResult::Retry(f.status);
  r.requeue_after = f.requeue_after;
  return r;
}

std::vector<RolloutTarget> VaultStaticSecretReconciler::TakeOwedRestarts(const std::string& key) {
  std::lock_guard<std::mutex> lock(owed_mu_);
  auto it = owed_restarts_.find(key);
  if (it == owed_restarts_.end()) return {};
  std::vector<RolloutTarget> out = std::move(it->second);
  owed_restarts_.erase(it);
  return out;
}

void VaultStaticSecretReconciler::RestartTargets(const VaultStaticSecret& vss,
                                                 const std::vector<RolloutTarget>& targets) {
  std::string now = FormatRfc3339(deps_.clock->Now());
  std::string patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" +
                      std::string(kRestartedAtAnnotation) + "\":\"" + now + "\"}}}}}";
  std::vector<RolloutTarget> owed;
  for (const RolloutTarget& t : targets) {
    Status st = deps_.cluster->PatchWorkload(t.kind, vss.meta.namespace_, t.name, patch);
    const bool may_pass = !st.ok() && st.code() != StatusCode::kNotFound &&
                          st.code() != StatusCode::kInvalidArgument &&
                          st.code() != StatusCode::kPermissionDenied;
    if (may_pass) owed.push_back(t);
    if (st.ok()) {
      deps_.events->Emit(kKind, vss.meta, false, "RolloutRestarted",
                         "Restarted " + t.kind + " " + t.name);
    } else {
      deps_.events->Emit(kKind, vss.meta, true, "RolloutRestartFailed",
                         "Could not restart " + t.kind + " " + t.name + ": " + st.message());
      deps_.logger->Warn("rollout restart failed", {{"controller", "vaultstaticsecret"},
                                                    {"namespace", vss.meta.namespace_},
                                                    {"name", vss.meta.name},
                                                    {"target", t.kind + "/" + t.name},
                                                    {"error", st.ToString()}});
    }
  }
  if (!owed.empty()) {
    std::lock_guard<std::mutex> lock(owed_mu_);
    owed_restarts_[vss.meta.Key()] = std::move(owed);
  }
}

ReconcileResult VaultStaticSecretReconciler::Reconcile(const std::string& key) {
  auto vss_ptr = deps_.secrets->Get(key);
  if (vss_ptr == nullptr) {
    // Deleted: the garbage collector removes the Secret we created; forget its series.
    size_t slash = key.find('/');
    if (deps_.metrics != nullptr && slash != std::string::npos) {
      deps_.metrics->RemoveSecret(key.substr(0, slash), key.substr(slash + 1));
    }
    TakeOwedRestarts(key);
    transformations_.Forget(key);
    return ReconcileResult::Done();
  }
  const VaultStaticSecret& vss = *vss_ptr;
  if (vss.meta.deleting) return ReconcileResult::Done();
  if (!vss.spec_error.ok())
    return Fail(vss, Failure{kReasonInvalidSpec, vss.spec_error, true, std::nullopt});

  IdentityError ierr;
  auto identity = ResolveIdentity(vss.meta.namespace_, vss.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok())
    return Fail(vss, Failure{ierr.reason, ierr.status, ierr.terminal, std::nullopt});

  std::chrono::milliseconds hint = vss.spec.refresh_after.value_or(options_.default_refresh);
  KvRequest req{vss.spec.mount, vss.spec.path, vss.spec.type, vss.spec.version, hint / 2};
  req.follow_ttl = !vss.spec.refresh_after && vss.spec.type == KvType::kV1;
  auto kv = deps_.vault->Read(*identity, req);
  if (!kv.ok()) {
    const Status& st = kv.status();
    return Fail(vss, Failure{VaultErrorReason(st),
                             st.WithPrefix("reading " + Source(vss) + " from Vault: "), false,
                             std::nullopt});
  }
  std::chrono::milliseconds interval = RefreshInterval(vss, **kv);

  auto transformation = transformations_.Get(vss.meta, vss.spec.More());
  if (!transformation.ok())
    return Fail(vss, Failure{kReasonInvalidSpec, transformation.status(), true, std::nullopt});
  auto data = BuildSecretData((*kv)->entries, **transformation);
  if (!data.ok()) {
    // The Vault data or the transformation is at fault; look again at the next refresh.
    return Fail(vss, Failure{kReasonInvalidSpec, data.status(), false, Jittered(interval)});
  }
  std::string mac = DataMac(options_.hmac_key, *data);
  WriteFailure wf;
  auto written = deps_.writer->Write(SecretOwner{kKind, &vss.meta}, TargetOf(vss), *data, mac, &wf);
  if (!written.ok()) {
    Failure failure{wf.reason, wf.status, false, std::nullopt};
    if (failure.reason == kReasonSecretConflict || failure.reason == kReasonDestinationNotFound) {
      failure.requeue_after = Jittered(interval);  // unmanaged Secrets are not watched: poll
    }
    return Fail(vss, failure);
  }
  const std::string outcome(WriteOutcomeName(written->outcome));
  const bool first_sync = !vss.status.synced_before;
  if (written->outcome == WriteOutcome::kUpdated && written->data_changed && !first_sync) {
    TakeOwedRestarts(vss.meta.Key());  // a full restart supersedes what was owed
    const auto& targets = vss.spec.More().rollout_targets;
    if (!targets.empty()) RestartTargets(vss, targets);
  } else if (auto owed = TakeOwedRestarts(vss.meta.Key()); !owed.empty()) {
    RestartTargets(vss, owed);  // a restart that failed earlier for a reason that may pass
  }
  TimePoint now = deps_.clock->Now();
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveSecretSync(outcome == "created"   ? metrics::SyncResult::kCreated
                                     : outcome == "updated" ? metrics::SyncResult::kUpdated
                                                            : metrics::SyncResult::kUnchanged);
    deps_.metrics->SetLastSync(vss.meta.namespace_, vss.meta.name, now, interval);
  }
  if (outcome != "unchanged") {
    std::string verb = outcome == "created" ? "Created" : "Updated";
    deps_.events->Emit(kKind, vss.meta, false, "Secret" + verb,
                       verb + " Secret " + vss.spec.dest_name + " from " + Source(vss));
    deps_.logger->Info("secret " + outcome, {{"controller", "vaultstaticsecret"},
                                             {"namespace", vss.meta.namespace_},
                                             {"name", vss.meta.name},
                                             {"secret", vss.spec.dest_name}});
  }

  std::string message = "Secret " + vss.spec.dest_name + " is in sync with " + Source(vss);
  if ((*kv)->version) message += " (version " + std::to_string(*(*kv)->version) + ")";
  ReadyState want{true, kReasonSynced, message};
  std::string want_mac = vss.spec.hmac_secret_data ? mac : "";
  bool status_current = ReadyUpToDate(vss.status.ready, want, vss.meta.generation) &&
                        vss.status.secret_mac == (want_mac.empty() ? 0 : MacDigest(want_mac)) &&
                        vss.status.source_version == (*kv)->version &&
                        vss.status.observed_generation == vss.meta.generation &&
                        outcome == "unchanged";
  if (!status_current) {
    std::vector<std::pair<std::string, std::string>> extra = {
        {"lastSyncTime", json::Quote(FormatRfc3339(now))},
        {"nextRefreshTime", json::Quote(FormatRfc3339((*kv)->read_at + interval))},
        {"secretMAC", want_mac.empty() ? "null" : json::Quote(want_mac)},
        {"sourceVersion", OptionalInt((*kv)->version)},
    };
    Status st = deps_.cluster->PatchStatus(
        kKind, vss.meta.namespace_, vss.meta.name,
        StatusPatch(vss.status.ready, want, vss.meta.generation, now, extra));
    if (!st.ok()) {
      // The Secret is written; only the report failed. Retry soon so status catches up.
      return ReconcileResult::Retry(Status(st.code(), "updating status: " + st.message()));
    }
  }
  std::string share_key = identity->key + "#" + vss.spec.mount + "/" + vss.spec.path + "#" +
                          (vss.spec.version ? std::to_string(*vss.spec.version) : "latest");
  return ReconcileResult::After(NextRefresh(**kv, interval, share_key));
}

}  // namespace vaultsync::controller
