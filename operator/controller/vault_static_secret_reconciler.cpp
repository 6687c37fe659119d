// VaultStaticSecret reconciliation.
#include "controller/vault_static_secret_reconciler.h"

#include "controller/owed_restarts.h"
#include "controller/refresh_schedule.h"
#include "controller/secret_object.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

inline constexpr const char* kKind = kKindVaultStaticSecret;

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

std::chrono::milliseconds VaultStaticSecretReconciler::RefreshInterval(
    const VaultStaticSecret& vss, const GatheredData& data) const {
  if (vss.spec.refresh_after) return *vss.spec.refresh_after;
  if (data.stamps.empty()) return options_.default_refresh;
  std::optional<std::chrono::milliseconds> shortest;
  for (const ReadStamp& s : data.stamps) {
    auto want = s.v1_ttl ? std::chrono::duration_cast<std::chrono::milliseconds>(*s.v1_ttl)
                         : options_.default_refresh;
    if (!shortest || want < *shortest) shortest = want;
  }
  return *shortest;
}

std::chrono::milliseconds VaultStaticSecretReconciler::NextRefresh(
    const GatheredData& data, std::chrono::milliseconds interval) const {
  std::optional<TimePoint> due;
  for (const ReadStamp& s : data.stamps) {
    TimePoint d = NextRefreshAt(s.read_at, s.share_key, interval);
    if (!due || d < *due) due = d;
  }
  const auto floor = std::chrono::milliseconds(std::min<int64_t>(1000, interval.count()));
  if (!due) return std::max(interval, floor);
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*due - deps_.clock->Now());
  // A shared read older than its interval (a slow reconcile): look again soon, not at once.
  return std::max(wait, floor);
}

bool VaultStaticSecretReconciler::DataChangedSinceLastSync(const VaultStaticSecret& vss,
                                                           const std::string& mac) const {
  uint64_t last = vss.status.synced_before ? vss.status.secret_mac : 0;
  if (last == 0 && deps_.managed != nullptr) {
    // Status does not say what the Secret holds: no secretMAC, a first sync, or a resource
    // cache still behind our own status write (a reconcile woken by the Secret's watch event
    // before the resource's). The Secret says it, when it is ours: as cached, else live
    // (only resources with restart targets get here, so a cold start pays no extra reads).
    bool read_failed = false;
    last = OwnSecretDataMac(
               SecretOwner{kKind, &vss.meta}, vss.spec.dest_name, *deps_.cluster, *deps_.managed,
               options_.hmac_key, [](const ManagedSecret&) { return true; }, &read_failed)
               .value_or(0);
  }
  // Not knowing what was there before is not a change: no restart without a reason.
  return last != 0 && last != MacDigest(mac);
}

bool VaultStaticSecretReconciler::OwedRestartDone(const VaultStaticSecret& vss) {
  const uint32_t owed = vss.status.rollout_restart_mac;
  if (owed == 0 || deps_.restarter == nullptr || deps_.managed == nullptr) return false;
  auto cached = deps_.managed->Get(vss.meta.namespace_ + "/" + vss.spec.dest_name);
  // Only for data the Secret holds: a restart before the data is written would be wasted.
  if (cached == nullptr || cached->owner_uid != vss.meta.uid ||
      cached->OwnerKind() != kKindVaultStaticSecret || FoldDigest(cached->data_mac) != owed) {
    return false;
  }
  return deps_.restarter->Request(SecretOwner{kKind, &vss.meta}, vss.spec.More().rollout_targets,
                                  owed) == RestartProgress::kDone;
}

ReconcileResult VaultStaticSecretReconciler::Fail(const VaultStaticSecret& vss, const Failure& f,
                                                  bool clear_owed) {
  if (deps_.metrics != nullptr) deps_.metrics->ObserveSecretSync(metrics::SyncResult::kError);
  ReadyState want{false, f.reason, f.status.message()};
  if (!ReadyUpToDate(vss.status.ready, want, vss.meta.generation) || clear_owed) {
    std::vector<std::pair<std::string, std::string>> extra;
    if (clear_owed) extra.emplace_back("rolloutRestartMAC", "null");
    Status st = deps_.cluster->PatchStatus(
        kKind, vss.meta.namespace_, vss.meta.name,
        StatusPatch(vss.status.ready, want, vss.meta.generation, deps_.clock->Now(), extra));
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

ReconcileResult VaultStaticSecretReconciler::Reconcile(const std::string& key) {
  auto vss_ptr = deps_.secrets->Get(key);
  if (vss_ptr == nullptr) {
    // Deleted: the garbage collector removes the Secret we created; forget its series.
    size_t slash = key.find('/');
    if (deps_.metrics != nullptr && slash != std::string::npos) {
      deps_.metrics->RemoveSecret(key.substr(0, slash), key.substr(slash + 1));
    }
    if (deps_.restarter != nullptr) deps_.restarter->Forget(kKind, key);
    transformations_.Forget(key);
    finds_.Forget(key);
    forced_.Forget(key);
    return ReconcileResult::Done();
  }
  const VaultStaticSecret& vss = *vss_ptr;
  if (vss.meta.deleting) return ReconcileResult::Done();
  if (!vss.spec_error.ok())
    return Fail(vss, Failure{kReasonInvalidSpec, vss.spec_error, true, std::nullopt});

  // From here on a failure still carries out (and then forgets) a restart owed for the data
  // the Secret already holds.
  const bool owed_done = OwedRestartDone(vss);
  auto fail = [&](const Failure& f) { return Fail(vss, f, owed_done); };

  IdentityError ierr;
  auto identity = ResolveIdentity(vss.meta.namespace_, vss.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok()) return fail(Failure{ierr.reason, ierr.status, ierr.terminal, std::nullopt});

  const VaultStaticSecretExtras& more = vss.spec.More();
  static const std::shared_ptr<const CompiledFinds> kNoFinds = std::make_shared<CompiledFinds>();
  auto finds = more.finds.empty()
                   ? Result<std::shared_ptr<const CompiledFinds>>(kNoFinds)
                   : finds_.Get(vss.meta, [&] { return CompiledFinds::Compile(more.finds); });
  if (!finds.ok()) return fail(Failure{kReasonInvalidSpec, finds.status(), true, std::nullopt});

  // Reads shared with every resource naming the same secrets, unless this sync was forced.
  std::chrono::milliseconds hint = vss.spec.refresh_after.value_or(options_.default_refresh);
  ReadPolicy policy{hint / 2, !vss.spec.refresh_after.has_value(), forced_.Take(vss.meta)};
  if (policy.force) {
    deps_.logger->Info("sync forced by annotation", {{"controller", "vaultstaticsecret"},
                                                     {"namespace", vss.meta.namespace_},
                                                     {"name", vss.meta.name}});
  }
  GatherFailure gf;
  auto gathered = GatherSecretData(*deps_.vault, *identity, vss.spec, **finds, policy, &gf);
  if (!gathered.ok()) {
    if (gf.reason.empty())
      return fail(Failure{VaultErrorReason(gf.status), gf.status, false, std::nullopt});
    // KeyConflict or TooManySecrets: what is in Vault is at fault; look again at the next
    // refresh rather than hammering it with backoff retries.
    return fail(Failure{gf.reason, gf.status, false, Jittered(hint)});
  }
  std::chrono::milliseconds interval = RefreshInterval(vss, *gathered);

  auto transformation = transformations_.Get(vss.meta, more);
  if (!transformation.ok())
    return fail(Failure{kReasonInvalidSpec, transformation.status(), true, std::nullopt});
  auto data = BuildSecretData(gathered->entries, **transformation);
  if (!data.ok()) {
    // The Vault data or the transformation is at fault; look again at the next refresh.
    return fail(Failure{kReasonInvalidSpec, data.status(), false, Jittered(interval)});
  }
  std::string mac = DataMac(options_.hmac_key, *data);

  // A data change owes the targets a restart. It is recorded in status before the Secret is
  // written, so that it survives the operator dying between the write and the restart.
  const auto& targets = more.rollout_targets;
  uint32_t owed = deps_.restarter != nullptr ? vss.status.rollout_restart_mac : 0;
  if (owed == 0 && deps_.restarter != nullptr && !targets.empty() &&
      DataChangedSinceLastSync(vss, mac)) {
    Status st =
        deps_.cluster->PatchStatus(kKind, vss.meta.namespace_, vss.meta.name,
                                   "{\"status\":{\"rolloutRestartMAC\":" + json::Quote(mac) + "}}");
    if (!st.ok()) {
      // Not written: the Secret is not changed either, so nothing is lost; try again.
      return ReconcileResult::Retry(st.WithPrefix("recording the rollout restart owed: "));
    }
    owed = ShortDigest(mac);
  }

  WriteFailure wf;
  auto written = deps_.writer->Write(SecretOwner{kKind, &vss.meta}, TargetOf(vss), *data, mac, &wf);
  if (!written.ok()) {
    Failure failure{wf.reason, wf.status, false, std::nullopt};
    if (failure.reason == kReasonSecretConflict || failure.reason == kReasonDestinationNotFound) {
      failure.requeue_after = Jittered(interval);  // unmanaged Secrets are not watched: poll
    }
    return fail(failure);
  }
  // The Secret holds the data now: hand the owed restart to the restarter (again at every
  // reconcile until it is done; it coalesces and retries), and forget it once done.
  std::string keep_owed;
  if (owed != 0 && deps_.restarter->Request(SecretOwner{kKind, &vss.meta}, targets, mac) ==
                       RestartProgress::kPending) {
    keep_owed = mac;
  }

  const std::string outcome(WriteOutcomeName(written->outcome));
  TimePoint now = deps_.clock->Now();
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveSecretSync(outcome == "created"   ? metrics::SyncResult::kCreated
                                     : outcome == "updated" ? metrics::SyncResult::kUpdated
                                                            : metrics::SyncResult::kUnchanged);
    deps_.metrics->SetLastSync(vss.meta.namespace_, vss.meta.name, now, interval);
  }
  if (outcome != "unchanged") {
    std::string verb = outcome == "created" ? "Created" : "Updated";
    deps_.events->Emit(
        kKind, vss.meta, false, "Secret" + verb,
        verb + " Secret " + vss.spec.dest_name + " from " + DescribeSources(vss.spec));
    deps_.logger->Info("secret " + outcome, {{"controller", "vaultstaticsecret"},
                                             {"namespace", vss.meta.namespace_},
                                             {"name", vss.meta.name},
                                             {"secret", vss.spec.dest_name}});
  }

  std::string message = "Secret " + vss.spec.dest_name + " is in sync with " +
                        DescribeSources(vss.spec, gathered->path_version);
  ReadyState want{true, kReasonSynced, message};
  std::string want_mac = vss.spec.hmac_secret_data ? mac : "";
  // Status reports the data: a write of our metadata alone (labels put back, or the shard
  // label of a resource moved between shards) leaves it as it is.
  const bool data_written = written->outcome == WriteOutcome::kCreated || written->data_changed;
  bool status_current =
      ReadyUpToDate(vss.status.ready, want, vss.meta.generation) &&
      vss.status.secret_mac == (want_mac.empty() ? 0 : MacDigest(want_mac)) &&
      vss.status.source_version == gathered->path_version &&
      vss.status.observed_generation == vss.meta.generation && !data_written &&
      vss.status.rollout_restart_mac == (keep_owed.empty() ? 0 : ShortDigest(keep_owed));
  if (!status_current) {
    std::vector<std::pair<std::string, std::string>> extra = {
        {"lastSyncTime", json::Quote(FormatRfc3339(now))},
        {"nextRefreshTime", json::Quote(FormatRfc3339(now + NextRefresh(*gathered, interval)))},
        {"secretMAC", want_mac.empty() ? "null" : json::Quote(want_mac)},
        {"sourceVersion", OptionalInt(gathered->path_version)},
        {"rolloutRestartMAC", keep_owed.empty() ? "null" : json::Quote(keep_owed)},
    };
    Status st = deps_.cluster->PatchStatus(
        kKind, vss.meta.namespace_, vss.meta.name,
        StatusPatch(vss.status.ready, want, vss.meta.generation, now, extra));
    if (!st.ok()) {
      // The Secret is written; only the report failed. Retry soon so status catches up.
      return ReconcileResult::Retry(st.WithPrefix("updating status: "));
    }
  }
  return ReconcileResult::After(NextRefresh(*gathered, interval));
}

}  // namespace vaultsync::controller
