// VaultDynamicSecret reconciliation.
#include "controller/vault_dynamic_secret_reconciler.h"

#include <algorithm>

#include "controller/secret_object.h"
#include "controller/spec_fields.h"
#include "controller/vault_static_secret_reconciler.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

using runtime::ReconcileResult;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr const char* kKind = kKindVaultDynamicSecret;
inline constexpr const char* kController = "vaultdynamicsecret";

std::string Source(const VaultDynamicSecret& v) { return v.spec.mount + "/" + v.spec.path; }

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

bool SameSecond(const std::optional<TimePoint>& a, const std::optional<TimePoint>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || UnixSeconds(*a) == UnixSeconds(*b);
}

std::string Time(TimePoint t) { return FormatRfc3339(t); }

milliseconds Until(TimePoint t, TimePoint now) {
  return std::chrono::duration_cast<milliseconds>(t - now);
}

std::string LeaseJson(const LeaseState& l, const std::optional<TimePoint>& issued) {
  std::string out = "{\"id\":" + json::Quote(l.id) +
                    ",\"duration\":" + std::to_string(l.requested.count()) +
                    ",\"renewable\":" + (l.renewable ? "true" : "false");
  if (issued) out += ",\"issuedTime\":" + StatusTimeJson(*issued);
  out += ",\"expireTime\":" + StatusTimeJson(l.expire) + "}";
  return out;
}

std::string PendingJson(const std::vector<PendingRevocation>& pending) {
  std::string out = "[";
  for (const auto& p : pending) {
    if (out.size() > 1) out += ",";
    out += "{\"id\":" + json::Quote(p.lease_id) + ",\"revokeTime\":" + StatusTimeJson(p.revoke_at) +
           "}";
  }
  return out + "]";
}

bool SamePending(const std::vector<PendingRevocation>& a, const std::vector<PendingRevocation>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].lease_id != b[i].lease_id ||
        UnixSeconds(a[i].revoke_at) != UnixSeconds(b[i].revoke_at))
      return false;
  }
  return true;
}

}  // namespace

VaultDynamicSecretReconciler::VaultDynamicSecretReconciler(
    VaultDynamicSecretReconcilerDeps deps, VaultDynamicSecretReconcilerOptions options)
    : deps_(deps),
      options_(std::move(options)),
      finalizer_(*deps.cluster, kKind, kLeaseRevokeFinalizer) {
  if (deps_.logger == nullptr) deps_.logger = &log::Default();
}

void VaultDynamicSecretReconciler::Forget(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_.erase(key);
    failures_.erase(key);
    identities_.erase(key);
  }
  transformations_.Forget(key);
  if (deps_.restarter != nullptr) deps_.restarter->Forget(kKind, key);
  size_t slash = key.find('/');
  if (deps_.expiry != nullptr && slash != std::string::npos) {
    deps_.expiry->RemoveLease(key.substr(0, slash), key.substr(slash + 1));
  }
}

milliseconds VaultDynamicSecretReconciler::NextRetry(const std::string& key) {
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++failures_[key];
  }
  milliseconds d(1000LL << std::min(n - 1, 16));
  return std::min(d, options_.max_retry);
}

ReconcileResult VaultDynamicSecretReconciler::Fail(const VaultDynamicSecret& v,
                                                   const std::string& reason, const Status& st,
                                                   bool terminal,
                                                   std::optional<milliseconds> requeue) {
  if (deps_.metrics != nullptr) deps_.metrics->ObserveSecretSync(metrics::SyncResult::kError);
  ReadyState want{false, reason, st.message()};
  if (!ReadyUpToDate(v.status.ready, want, v.meta.generation)) {
    Status patched = deps_.cluster->PatchStatus(
        kKind, v.meta.namespace_, v.meta.name,
        StatusPatch(v.status.ready, want, v.meta.generation, deps_.clock->Now()));
    if (!patched.ok()) {
      deps_.logger->Warn("status update failed", {{"controller", kController},
                                                  {"namespace", v.meta.namespace_},
                                                  {"name", v.meta.name},
                                                  {"error", patched.ToString()}});
    }
  }
  deps_.events->Emit(kKind, v.meta, true, reason, st.message());
  deps_.logger->Warn("reconcile failed", {{"controller", kController},
                                          {"namespace", v.meta.namespace_},
                                          {"name", v.meta.name},
                                          {"reason", reason},
                                          {"error", st.message()}});
  if (terminal) return ReconcileResult::Terminal(st);
  ReconcileResult r = ReconcileResult::Retry(st);
  r.requeue_after = requeue;
  return r;
}

ReconcileResult VaultDynamicSecretReconciler::FailVault(const VaultDynamicSecret& v,
                                                        const LeaseState* lease, const Status& st,
                                                        const std::string& doing) {
  milliseconds retry = NextRetry(v.meta.Key());
  const TimePoint now = deps_.clock->Now();
  const std::string& dest = v.spec.destination.name;
  std::string reason = VaultErrorReason(st);
  std::string message = doing + ": " + st.message();
  if (lease != nullptr) {
    const LeasePolicy policy{v.spec.renewal_percent, v.spec.rotate_before};
    if (now >= lease->expire) {
      reason = kReasonLeaseExpired;
      message = "the lease of " + Source(v) + " ended at " + Time(lease->expire) +
                " and Vault gives no new credentials (" + doing + ": " + st.message() +
                "); Secret " + dest + " keeps the last credentials until it does";
    } else {
      if (now >= PlanLease(*lease, policy).at) {
        reason = kReasonLeaseExpiring;
        message = "cannot renew or replace the lease of " + Source(v) + " (" + doing + ": " +
                  st.message() + "); the credentials in Secret " + dest + " stay valid until " +
                  Time(lease->expire);
      } else {
        message += " (the credentials in Secret " + dest + " stay valid until " +
                   Time(lease->expire) + ")";
      }
      // Look again when the lease ends at the latest, to report it.
      retry = std::min(retry,
                       std::max(Until(lease->expire, now) + milliseconds(100), milliseconds(100)));
    }
  }
  return Fail(v, reason, Status(st.code(), message, st.http_status()), false, retry);
}

VaultDynamicSecretReconciler::Intact VaultDynamicSecretReconciler::SecretIntact(
    const VaultDynamicSecret& v, uint64_t mac_digest) {
  if (mac_digest == 0) return Intact::kNo;
  const std::string& ns = v.meta.namespace_;
  const std::string& dest = v.spec.destination.name;
  auto ours = [&](const ManagedSecret& s) {
    return s.owner_uid == v.meta.uid && s.OwnerKind() == kKind && s.data_mac == mac_digest;
  };
  // Cached with another shard label (moved within this replica): the live path relabels it.
  if (auto cached = deps_.managed->Get(ns + "/" + dest);
      cached != nullptr && ours(*cached) && ShardLabelInSync(*cached, v.meta)) {
    return Intact::kYes;
  }
  // The cache may not have seen our own last write yet: ask the API server.
  auto live = deps_.cluster->GetSecret(ns, dest);
  if (!live.ok()) return Intact::kUnknown;
  if (!live->has_value()) return Intact::kNo;
  auto state = ManagedSecretDecoder(&options_.hmac_key)(**live);
  if (!state.ok() || !ours(*state)) return Intact::kNo;
  // Out of the cache but ours and intact: most likely moved here from another shard.
  if (Status st = deps_.writer->FollowShard(SecretOwner{kKind, &v.meta}, dest, **live); !st.ok()) {
    deps_.logger->Warn("cannot label the Secret for this shard yet", {{"controller", kController},
                                                                      {"namespace", ns},
                                                                      {"name", v.meta.name},
                                                                      {"error", st.ToString()}});
  }
  return Intact::kYes;
}

std::optional<ReconcileResult> VaultDynamicSecretReconciler::Issue(const VaultDynamicSecret& v,
                                                                   const VaultIdentity& identity,
                                                                   Held& held, bool had_previous,
                                                                   bool old_lease_alive,
                                                                   const std::string& why) {
  const std::string& ns = v.meta.namespace_;
  const std::string& dest = v.spec.destination.name;
  const LeaseState* old = held.lease.expire != TimePoint{} ? &held.lease : nullptr;
  // Refuse before minting anything when the destination cannot be written: every attempt
  // would leave a set of credentials behind.
  if (auto cached = deps_.managed->Get(ns + "/" + dest);
      cached == nullptr || cached->owner_uid != v.meta.uid || cached->OwnerKind() != kKind) {
    auto live = deps_.cluster->GetSecret(ns, dest);
    if (live.ok() && !live->has_value() && !v.spec.destination.create) {
      return Fail(
          v, kReasonDestinationNotFound,
          NotFound("Secret " + dest + " does not exist and spec.destination.create is false"),
          false, options_.max_retry);
    }
    if (live.ok() && live->has_value()) {
      const bool mine = OwnerUid(**live) == v.meta.uid && OwnerOf(**live).first == kKind;
      if (!mine && !v.spec.destination.overwrite) {
        return Fail(v, kReasonSecretConflict,
                    Status(StatusCode::kAlreadyExists,
                           "Secret " + dest + " exists and is not managed by this " + kKind +
                               "; set spec.destination.overwrite: true to take it over"),
                    false, options_.max_retry);
      }
    }
  }
  auto transformation = transformations_.Get(v.meta, v.spec.destination.More());
  if (!transformation.ok()) return Fail(v, kReasonInvalidSpec, transformation.status(), true, {});

  LeasedReadRequest req{v.spec.mount, v.spec.path, v.spec.post, v.spec.params};
  auto creds = deps_.leases->Read(identity, req);
  if (!creds.ok()) {
    return FailVault(v, old, creds.status(), "reading " + Source(v) + " from Vault");
  }
  const TimePoint now = deps_.clock->Now();
  auto give_back = [&]() {
    if (creds->lease_id.empty()) return;
    Status st = deps_.leases->Revoke(identity, creds->lease_id);
    if (!st.ok()) {
      deps_.logger->Warn("could not revoke unused credentials", {{"controller", kController},
                                                                 {"namespace", ns},
                                                                 {"name", v.meta.name},
                                                                 {"error", st.ToString()}});
    }
  };
  if (creds->lease_duration.count() <= 0) {
    give_back();
    return Fail(v, kReasonInvalidSpec,
                InvalidArgument(Source(v) +
                                " answered without a lease duration: it is not a dynamic secret "
                                "(a secret without a lease belongs in a VaultStaticSecret)"),
                true, {});
  }
  std::vector<KvEntry> entries;
  entries.reserve(creds->entries.size() + 1);
  for (auto& e : creds->entries) {
    if (e.key != "_ttl") entries.push_back(std::move(e));
  }
  entries.push_back(KvEntry{"_ttl", true, std::to_string(creds->lease_duration.count())});
  std::sort(entries.begin(), entries.end(),
            [](const KvEntry& a, const KvEntry& b) { return a.key < b.key; });
  auto data = BuildSecretData(entries, **transformation);
  if (!data.ok()) {
    // The answer's keys or the transformation are at fault; retrying would mint again.
    give_back();
    return Fail(v, kReasonInvalidSpec, data.status(), true, {});
  }
  const std::string mac = DataMac(options_.hmac_key, *data);
  // New credentials owe the targets a restart (not the first ones). It is recorded in status
  // before the Secret is written, so that it survives the operator dying in between; when a
  // restart is owed already, the mark stands and moves to the new data below.
  const auto& targets = v.spec.destination.More().rollout_targets;
  const uint64_t previous = held.mac_digest != 0 ? held.mac_digest : v.status.secret_mac;
  const bool owes = deps_.restarter != nullptr &&
                    (held.owed_restart != 0 ||
                     NewDataOwesRestart(had_previous, previous, MacDigest(mac), targets));
  if (owes && held.owed_restart == 0) {
    Status st = deps_.cluster->PatchStatus(kKind, ns, v.meta.name, OwedRestartPatch(mac));
    if (!st.ok()) {
      give_back();  // nothing written: the next attempt reads new credentials
      return ReconcileResult::Retry(st.WithPrefix("recording the rollout restart owed: "));
    }
  }
  WriteFailure wf;
  auto written = deps_.writer->Write(SecretOwner{kKind, &v.meta},
                                     TargetOfDestination(v.spec.destination), *data, mac, &wf);
  if (!written.ok()) {
    give_back();
    return Fail(v, wf.reason, wf.status, false, NextRetry(v.meta.Key()));
  }
  if (old != nullptr && old_lease_alive && !old->id.empty()) {
    held.pending.push_back(PendingRevocation{old->id, now + v.spec.revoke_after_rotation});
  }
  if (had_previous) ++held.rotations;
  held.uid = v.meta.uid;
  held.request_hash = v.spec.RequestHash();
  held.lease = LeaseState{creds->lease_id,
                          creds->renewable,
                          false,
                          now,
                          creds->lease_duration,
                          now + creds->lease_duration,
                          creds->lease_duration};
  held.issued = now;
  held.last_renewal.reset();
  held.mac = mac;
  held.mac_digest = MacDigest(mac);
  // New credentials answer the force-sync value the resource carries now (force_sync.h).
  held.force_sync.Answer(v.force_sync_value);
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveSecretSync(written->outcome == WriteOutcome::kCreated
                                         ? metrics::SyncResult::kCreated
                                         : metrics::SyncResult::kUpdated);
  }
  const bool rotated = had_previous;
  deps_.events->Emit(kKind, v.meta, false, rotated ? "CredentialsRotated" : "CredentialsIssued",
                     std::string(rotated ? "New" : "Issued") + " credentials from " + Source(v) +
                         " in Secret " + dest + " (lease " +
                         std::to_string(creds->lease_duration.count()) + "s): " + why);
  deps_.logger->Info(rotated ? "credentials rotated" : "credentials issued",
                     {{"controller", kController},
                      {"namespace", ns},
                      {"name", v.meta.name},
                      {"secret", dest},
                      {"why", why}});
  if (owes) {
    // The Secret holds the new credentials: the restarter coalesces and retries; the mark
    // stays until it says done.
    held.owed_restart = ShortDigest(mac);
    held.owed_mac = mac;
    if (deps_.restarter->Request(SecretOwner{kKind, &v.meta}, targets, mac) ==
        RestartProgress::kDone) {
      held.owed_restart = 0;
      held.owed_mac.clear();
    }
  }
  return std::nullopt;
}

Result<bool> VaultDynamicSecretReconciler::AdvanceRestart(const VaultDynamicSecret& v, Held& held,
                                                          bool known) {
  if (deps_.restarter == nullptr || held.owed_restart == 0) return false;
  OwedRestartInput in{SecretOwner{kKind, &v.meta}, &v.spec.destination.name,
                      &v.spec.destination.More().rollout_targets, held.owed_restart,
                      known ? held.mac_digest : v.status.secret_mac};
  OwedRestart progress =
      AdvanceOwedRestart(*deps_.restarter, *deps_.cluster, *deps_.managed, options_.hmac_key, in);
  if (progress != OwedRestart::kDone && progress != OwedRestart::kStale) return false;
  if (progress == OwedRestart::kStale) {
    deps_.logger->Info(
        "dropped a rollout restart owed for credentials never written",
        {{"controller", kController}, {"namespace", v.meta.namespace_}, {"name", v.meta.name}});
  }
  Status st =
      deps_.cluster->PatchStatus(kKind, v.meta.namespace_, v.meta.name, kOwedRestartClearedPatch);
  if (!st.ok()) return st.WithPrefix("clearing the rollout restart done: ");
  held.owed_restart = 0;
  held.owed_mac.clear();
  if (known) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = held_.find(v.meta.Key()); it != held_.end() && it->second.uid == v.meta.uid) {
      it->second.owed_restart = 0;
      it->second.owed_mac.clear();
    }
  }
  return true;
}

ReconcileResult VaultDynamicSecretReconciler::Finalize(const VaultDynamicSecret& v) {
  const std::string key = v.meta.Key();
  if (!v.meta.HasFinalizer(kLeaseRevokeFinalizer)) return ReconcileResult::Done();
  std::vector<std::string> ids;
  std::optional<VaultIdentity> identity;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(key);
    if (it != held_.end() && it->second.uid == v.meta.uid) {
      if (!it->second.lease.id.empty()) ids.push_back(it->second.lease.id);
      for (const auto& p : it->second.pending) ids.push_back(p.lease_id);
    } else {
      if (v.status.lease && !v.status.lease->id.empty()) ids.push_back(v.status.lease->id);
      for (const auto& p : v.status.pending_revocations) ids.push_back(p.lease_id);
    }
    if (auto id = identities_.find(key); id != identities_.end()) identity = id->second;
  }
  IdentityError ierr;
  auto resolved = ResolveIdentity(v.meta.namespace_, v.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  // The VaultAuth may be deleted with the namespace: revoke as the identity last used.
  if (resolved.ok()) identity = *resolved;
  auto cleanup = [&]() -> Status {
    if (!v.spec.revoke || ids.empty()) return Status::Ok();
    if (!identity) return ierr.status;
    for (const auto& id : ids) {
      Status st = deps_.leases->Revoke(*identity, id);
      if (!st.ok()) return st.WithPrefix("revoking lease " + id + ": ");
    }
    return Status::Ok();
  };
  Status st = finalizer_.Finalize(v.meta, cleanup);
  if (!st.ok()) {
    std::string message = "cannot revoke the credentials of " + Source(v) + ": " + st.message() +
                          ". The finalizer " + kLeaseRevokeFinalizer + " keeps this " + kKind +
                          " until Vault accepts the revocation; to delete it without revoking, "
                          "remove the finalizer: kubectl patch vaultdynamicsecret " +
                          v.meta.name + " -n " + v.meta.namespace_ +
                          " --type merge -p '{\"metadata\":{\"finalizers\":null}}'";
    return Fail(v, kReasonRevokeFailed, Status(st.code(), message, st.http_status()), false,
                NextRetry(key));
  }
  if (v.spec.revoke && !ids.empty()) {
    deps_.events->Emit(kKind, v.meta, false, "LeaseRevoked",
                       "Revoked the lease of " + Source(v) + " before deletion");
  }
  return ReconcileResult::Done();
}

ReconcileResult VaultDynamicSecretReconciler::Reconcile(const std::string& key) {
  auto obj = deps_.secrets->Get(key);
  if (obj == nullptr) {
    Forget(key);
    return ReconcileResult::Done();
  }
  const VaultDynamicSecret& v = *obj;
  if (v.meta.deleting) return Finalize(v);
  if (!v.spec_error.ok()) return Fail(v, kReasonInvalidSpec, v.spec_error, true, {});
  if (v.spec.revoke) {
    auto added = finalizer_.Ensure(v.meta);
    if (!added.ok()) return ReconcileResult::Retry(added.status().WithPrefix("adding finalizer: "));
  }
  Held held;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(key);
    if (it != held_.end() && it->second.uid == v.meta.uid) {
      held = it->second;
      known = true;
    }
  }
  if (!known) held.owed_restart = v.status.rollout_restart_mac;
  // A restart owed for the credentials the Secret holds goes ahead whatever happens next
  // (Vault down, an identity problem).
  auto cleared = AdvanceRestart(v, held, known);
  if (!cleared.ok()) return ReconcileResult::Retry(cleared.status());
  const uint32_t status_owed = *cleared ? 0 : v.status.rollout_restart_mac;

  const TimePoint now = deps_.clock->Now();
  const auto& sl = v.status.lease;
  // The current grant runs from the last renewal (or the issue) to the lease's end.
  auto grant_from = [&](TimePoint expire) {
    held.lease.expire = expire;
    held.lease.grant_start =
        held.last_renewal.value_or(held.issued.value_or(expire - held.lease.requested));
    held.lease.granted = std::chrono::duration_cast<seconds>(expire - held.lease.grant_start);
    if (held.lease.granted.count() <= 0) {
      held.lease.granted = held.lease.requested;
      held.lease.grant_start = expire - held.lease.granted;
    }
  };
  if (!known) {
    // No memory of this resource (a restart, a new leader): start from the lease status
    // names. Its end is exported at once, before anything is asked of Vault, so the
    // lease-expiry alert can fire while Vault cannot be reached.
    held.uid = v.meta.uid;
    held.rotations = v.status.rotations;
    held.pending = v.status.pending_revocations;
    held.force_sync.Adopt(v.status.force_sync, sl.has_value() || v.status.secret_mac != 0,
                          v.force_sync_value);
    if (sl) {
      held.lease.id = sl->id;
      held.lease.renewable = sl->renewable;
      held.lease.requested = seconds(sl->duration_seconds);
      held.issued = sl->issued;
      held.last_renewal = v.status.last_renewal;
      grant_from(sl->expire.value_or(now));
      if (sl->expire && v.status.secret_mac != 0 && deps_.expiry != nullptr) {
        deps_.expiry->SetLease(v.meta.namespace_, v.meta.name, held.lease.expire,
                               held.lease.granted);
      }
    }
  }

  IdentityError ierr;
  auto identity = ResolveIdentity(v.meta.namespace_, v.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok()) return Fail(v, ierr.reason, ierr.status, ierr.terminal, {});

  const std::string hash = v.spec.RequestHash();
  const std::string& dest = v.spec.destination.name;
  const bool had_previous = known || v.status.lease.has_value() || v.status.secret_mac != 0;
  std::string why;  // non-empty: new credentials are needed, and this says why
  bool old_alive = false;
  // A force-sync value the credentials do not answer yet asks for new credentials now.
  const bool forced = held.force_sync.Forces(v.force_sync_value, v.meta.force_sync);

  if (!known) {
    // Take over the lease status names when the Secret still holds what status describes
    // and Vault still knows the lease.
    if (!sl || v.status.secret_mac == 0) {
      why = had_previous ? "status names no lease to keep" : "first credentials";
    } else if (v.status.request_hash != hash) {
      why = "the spec changed";
      old_alive = true;
    } else if (SecretIntact(v, v.status.secret_mac) == Intact::kNo) {
      why = "Secret " + dest + " no longer holds the credentials";
      old_alive = true;
    } else if (!sl->id.empty()) {
      auto found = deps_.leases->Lookup(*identity, sl->id);
      if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
        why = "the lease is gone from Vault";
      } else if (!found.ok()) {
        return FailVault(v, &held.lease, found.status(), "looking up the lease of " + Source(v));
      } else {
        TimePoint expire = now + found->ttl;
        // Keep status' time when Vault's agrees with it (no status write for a restart).
        if (sl->expire && std::chrono::abs(*sl->expire - expire) <= seconds(2)) {
          expire = *sl->expire;
        }
        held.lease.renewable = found->renewable;
        if (held.lease.requested.count() <= 0) held.lease.requested = found->ttl;
        grant_from(expire);
      }
    }
    if (why.empty()) {
      held.mac_digest = v.status.secret_mac;
      held.request_hash = hash;
    }
    if (why.empty() && !forced) {
      deps_.logger->Info(
          "kept the lease named in status",
          {{"controller", kController}, {"namespace", v.meta.namespace_}, {"name", v.meta.name}});
    }
  } else if (held.request_hash != hash) {
    why = "the spec changed";
    old_alive = true;
  } else if (SecretIntact(v, held.mac_digest) == Intact::kNo) {
    why = "Secret " + dest + " no longer holds the credentials";
    old_alive = true;
  }
  // Forced: new credentials now, as a rotation (the lease replaced stays alive
  // revokeAfterRotation, for the pods to roll onto the new credentials).
  if (why.empty() && forced) {
    why = std::string("sync forced by annotation ") + kForceSyncAnnotation;
    old_alive = true;
    deps_.logger->Info(
        "sync forced by annotation",
        {{"controller", kController}, {"namespace", v.meta.namespace_}, {"name", v.meta.name}});
  }

  if (why.empty()) {
    const LeasePlan plan = PlanLease(held.lease, {v.spec.renewal_percent, v.spec.rotate_before});
    if (now >= plan.at && plan.action == LeaseAction::kRenew) {
      const seconds increment =
          held.lease.requested.count() > 0 ? held.lease.requested : held.lease.granted;
      auto renewed = deps_.leases->Renew(*identity, held.lease.id, increment);
      if (renewed.ok() && renewed->lease_duration.count() > 0) {
        const TimePoint at = deps_.clock->Now();
        held.lease.final = held.lease.final || !renewed->renewable ||
                           RenewalCapped(increment, renewed->lease_duration);
        held.lease.renewable = renewed->renewable;
        held.lease.grant_start = at;
        held.lease.granted = renewed->lease_duration;
        held.lease.expire = at + renewed->lease_duration;
        held.last_renewal = at;
        deps_.logger->Info("lease renewed",
                           {{"controller", kController},
                            {"namespace", v.meta.namespace_},
                            {"name", v.meta.name},
                            {"granted_seconds", std::to_string(renewed->lease_duration.count())},
                            {"final", held.lease.final ? "true" : "false"}});
      } else if (renewed.ok()) {
        why = "Vault renewed the lease for no time";
        old_alive = true;
      } else if (renewed.status().code() == StatusCode::kNotFound) {
        why = "the lease is gone from Vault";
      } else if (renewed.status().code() == StatusCode::kFailedPrecondition) {
        why = "the lease cannot be renewed any more";
        old_alive = true;
      } else {
        return FailVault(v, &held.lease, renewed.status(), "renewing the lease of " + Source(v));
      }
    } else if (now >= plan.at) {
      why = held.lease.id.empty() ? "the credentials are due to be read again"
                                  : "the lease reaches its end and cannot be renewed further";
      old_alive = true;
    }
  }

  bool wrote = false;
  if (!why.empty()) {
    if (auto failed = Issue(v, *identity, held, had_previous, old_alive, why)) return *failed;
    wrote = true;
  }

  // Replaced leases whose time has come.
  const TimePoint after = deps_.clock->Now();
  for (auto it = held.pending.begin(); it != held.pending.end();) {
    if (it->revoke_at > after) {
      ++it;
      continue;
    }
    Status st = deps_.leases->Revoke(*identity, it->lease_id);
    if (st.ok()) {
      deps_.events->Emit(kKind, v.meta, false, "LeaseRevoked",
                         "Revoked the replaced lease of " + Source(v));
      it = held.pending.erase(it);
    } else {
      deps_.logger->Warn("revoking a replaced lease failed; will retry",
                         {{"controller", kController},
                          {"namespace", v.meta.namespace_},
                          {"name", v.meta.name},
                          {"error", st.ToString()}});
      it->revoke_at = after + NextRetry(key);
      ++it;
    }
  }

  {
    std::lock_guard<std::mutex> lock(mu_);
    held_[key] = held;
    identities_[key] = *identity;
    if (wrote || why.empty()) failures_.erase(key);
  }
  if (deps_.expiry != nullptr) {
    deps_.expiry->SetLease(v.meta.namespace_, v.meta.name, held.lease.expire, held.lease.granted);
  }

  // Status: only what changed (a steady state writes nothing).
  const std::string message = "Secret " + dest + " holds credentials from " + Source(v);
  ReadyState want{true, kReasonSynced, message};
  const bool lease_current =
      sl && sl->id == held.lease.id && sl->duration_seconds == held.lease.requested.count() &&
      sl->renewable == held.lease.renewable && SameSecond(sl->issued, held.issued) &&
      SameSecond(sl->expire, held.lease.expire);
  const bool status_current =
      ReadyUpToDate(v.status.ready, want, v.meta.generation) &&
      v.status.observed_generation == v.meta.generation && lease_current &&
      SameSecond(v.status.last_renewal, held.last_renewal) &&
      v.status.rotations == held.rotations && v.status.request_hash == held.request_hash &&
      v.status.secret_mac == held.mac_digest &&
      SamePending(v.status.pending_revocations, held.pending) && status_owed == held.owed_restart &&
      held.force_sync.InStatus(v.status.force_sync);
  if (!status_current) {
    std::vector<std::pair<std::string, std::string>> extra = {
        {"lease", LeaseJson(held.lease, held.issued)},
        {"lastRenewalTime", held.last_renewal ? StatusTimeJson(*held.last_renewal) : "null"},
        {"rotations", std::to_string(held.rotations)},
        {"requestHash", json::Quote(held.request_hash)},
        {"pendingRevocations", PendingJson(held.pending)},
    };
    if (!held.mac.empty()) extra.emplace_back("secretMAC", json::Quote(held.mac));
    if (status_owed != held.owed_restart && (held.owed_restart == 0 || !held.owed_mac.empty())) {
      extra.emplace_back("rolloutRestartMAC",
                         held.owed_restart == 0 ? "null" : json::Quote(held.owed_mac));
    }
    const auto force_sync = held.force_sync.ToWrite(v.status.force_sync);
    if (force_sync) extra.emplace_back("forceSync", json::Quote(*force_sync));
    Status st = deps_.cluster->PatchStatus(
        kKind, v.meta.namespace_, v.meta.name,
        StatusPatch(v.status.ready, want, v.meta.generation, deps_.clock->Now(), extra));
    if (!st.ok()) return ReconcileResult::Retry(st.WithPrefix("updating status: "));
    if (force_sync) {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = held_.find(key); it != held_.end()) it->second.force_sync.Written();
    }
  }

  TimePoint next = PlanLease(held.lease, {v.spec.renewal_percent, v.spec.rotate_before}).at;
  for (const auto& p : held.pending) next = std::min(next, p.revoke_at);
  const TimePoint end = deps_.clock->Now();
  return ReconcileResult::After(std::max(Until(next, end), milliseconds(200)));
}

}  // namespace vaultsync::controller
