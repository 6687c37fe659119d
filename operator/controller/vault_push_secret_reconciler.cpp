// VaultPushSecret reconciliation.
#include "controller/vault_push_secret_reconciler.h"

#include "controller/push_data.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

inline constexpr const char* kKind = kKindVaultPushSecret;
inline constexpr const char* kController = "vaultpushsecret";

// The MAC of Vault's data as pushed data would have it; "" when a value is not a string
// (a push always writes strings, so such data never equals a Secret's).
std::string VaultDataMac(const std::string& hmac_key, const std::vector<KvEntry>& entries) {
  SecretData data;
  for (const KvEntry& e : entries) {
    if (!e.is_string) return "";
    data.emplace(e.key, e.text);
  }
  return DataMac(hmac_key, data);
}

// The Vault secret was changed since this resource last synced it (Replace reports this
// before any push replaces it).
bool ChangedOutside(KvType type, const std::optional<int64_t>& synced_version, uint64_t synced_mac,
                    const KvState& state, uint64_t vault_digest) {
  if (!state.exists) return true;  // deleted
  if (type == KvType::kV2) return !synced_version || state.current_version != *synced_version;
  return vault_digest != synced_mac;
}

// A deterministic text for one foreign change: its digest in the Ready condition is how a
// later reconcile knows that exactly this change was reported.
std::string ChangedMessage(const VaultPushSecret& vps, const std::optional<int64_t>& synced_version,
                           const KvState& state) {
  const std::string path = vps.spec.VaultPath();
  const bool v2 = vps.spec.type == KvType::kV2;
  std::string ours = v2 && synced_version ? " (this resource last synced version " +
                                                std::to_string(*synced_version) + ")"
                                          : "";
  if (!state.exists) {
    std::string which = v2 && state.current_version > 0
                            ? " at version " + std::to_string(state.current_version)
                            : "";
    return path + " was deleted in Vault" + which + " outside this VaultPushSecret" + ours +
           "; the next push writes it again";
  }
  std::string which = v2 ? ": it is at version " + std::to_string(state.current_version) : "";
  return path + " was changed in Vault outside this VaultPushSecret" + which + ours +
         "; the next push replaces it (updatePolicy Replace)";
}

}  // namespace

const char* PushErrorReason(const Status& s) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kUnauthenticated:
      return "AuthFailed";
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return "VaultError";
    default:
      return "VaultUnavailable";
  }
}

VaultPushSecretReconciler::VaultPushSecretReconciler(VaultPushSecretReconcilerDeps deps,
                                                     VaultPushSecretReconcilerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      finalizer_(*deps_.cluster, kKind, kPushCleanupFinalizer),
      rng_(std::random_device{}()) {
  if (deps_.logger == nullptr) deps_.logger = &log::Default();
}

void VaultPushSecretReconciler::Observe(metrics::PushResult r) const {
  if (deps_.metrics != nullptr) deps_.metrics->ObservePush(r);
}

bool VaultPushSecretReconciler::Due(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = next_check_.find(key);
  return it == next_check_.end() || deps_.clock->Now() >= it->second;
}

void VaultPushSecretReconciler::Forget(const std::string& key) {
  forced_.Forget(key);
  std::lock_guard<std::mutex> lock(mu_);
  next_check_.erase(key);
  synced_.erase(key);
}

VaultPushSecretReconciler::Synced VaultPushSecretReconciler::LastSynced(
    const VaultPushSecret& vps) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = synced_.find(vps.meta.Key());
    if (it != synced_.end()) return it->second;
  }
  Synced s{vps.status.vault_path, vps.status.destination_version, vps.status.secret_mac, 0};
  return s;
}

void VaultPushSecretReconciler::Remember(const std::string& key, Synced synced) {
  std::lock_guard<std::mutex> lock(mu_);
  synced_[key] = std::move(synced);
}

std::chrono::milliseconds VaultPushSecretReconciler::Schedule(const VaultPushSecret& vps) {
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_real_distribution<double> dist(1.0 - options_.jitter, 1.0 + options_.jitter);
  auto wait = std::chrono::milliseconds(
      static_cast<int64_t>(double(vps.spec.refresh_after.count()) * dist(rng_)));
  wait = std::max(wait, std::chrono::milliseconds(1000));
  next_check_[vps.meta.Key()] = deps_.clock->Now() + wait;
  return wait;
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::Fail(
    const VaultPushSecret& vps, const Failure& f) {
  if (f.count) Observe(f.result);
  ReadyState want{false, f.reason, f.status.message()};
  if (!ReadyUpToDate(vps.status.ready, want, vps.meta.generation)) {
    Status st = deps_.cluster->PatchStatus(
        kKind, vps.meta.namespace_, vps.meta.name,
        StatusPatch(vps.status.ready, want, vps.meta.generation, deps_.clock->Now()));
    if (!st.ok()) {
      deps_.logger->Warn("status update failed", {{"controller", kController},
                                                  {"namespace", vps.meta.namespace_},
                                                  {"name", vps.meta.name},
                                                  {"error", st.ToString()}});
    }
  }
  deps_.events->Emit(kKind, vps.meta, true, f.reason, f.status.message());
  deps_.logger->Warn("push failed", {{"controller", kController},
                                     {"namespace", vps.meta.namespace_},
                                     {"name", vps.meta.name},
                                     {"reason", f.reason},
                                     {"error", f.status.message()}});
  if (f.terminal) return ReconcileResult::Terminal(f.status);
  ReconcileResult r = ReconcileResult::Retry(f.status);
  r.requeue_after = f.requeue_after;
  return r;
}

Status VaultPushSecretReconciler::Cleanup(const VaultPushSecret& vps) {
  // Only what this resource pushed, at the path it still names: never a path it moved away
  // from unsynced, never another resource's (a PathConflict loser has synced nothing there).
  const std::string synced_path = LastSynced(vps).path;
  if (vps.spec.deletion_policy != DeletionPolicy::kDelete || !vps.spec_error.ok() ||
      synced_path.empty() || synced_path != vps.spec.VaultPath()) {
    return Status::Ok();
  }
  IdentityError ierr;
  auto identity = ResolveIdentity(vps.meta.namespace_, vps.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok()) return ierr.status;
  Status st =
      deps_.vault->Delete(*identity, KvTarget{vps.spec.mount, vps.spec.path, vps.spec.type});
  if (st.ok()) {
    deps_.logger->Info("deleted from Vault", {{"controller", kController},
                                              {"namespace", vps.meta.namespace_},
                                              {"name", vps.meta.name},
                                              {"path", vps.spec.VaultPath()}});
  }
  return st;
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::Finalize(
    const VaultPushSecret& vps) {
  if (!vps.meta.HasFinalizer(kPushCleanupFinalizer)) {
    Forget(vps.meta.Key());
    return ReconcileResult::Done();
  }
  Status cleanup_error;
  Status st = finalizer_.Finalize(vps.meta, [&] {
    cleanup_error = Cleanup(vps);
    return cleanup_error;
  });
  if (st.ok()) {
    Forget(vps.meta.Key());
    return ReconcileResult::Done();
  }
  if (cleanup_error.ok()) return ReconcileResult::Retry(st);  // removing the finalizer failed
  const std::string message =
      "deleting " + vps.spec.VaultPath() + " from Vault failed: " + cleanup_error.message() +
      ". The finalizer " + kPushCleanupFinalizer +
      " keeps this resource until the delete succeeds; to keep the secret in Vault and let "
      "the resource go: kubectl patch vaultpushsecret " +
      vps.meta.name + " -n " + vps.meta.namespace_ +
      " --type=merge -p '{\"metadata\":{\"finalizers\":null}}'";
  Failure f{kReasonDeleteFailed,
            Status(cleanup_error.code(), message, cleanup_error.http_status())};
  f.count = false;
  if (auto ra = cleanup_error.retry_after_seconds(); ra) f.status.set_retry_after_seconds(*ra);
  return Fail(vps, f);
}

std::shared_ptr<const VaultPushSecret> VaultPushSecretReconciler::OlderOnPath(
    const VaultPushSecret& vps, const VaultIdentity& identity) const {
  std::shared_ptr<const VaultPushSecret> oldest;
  for (const auto& peer : deps_.pushes->ByIndex(kIndexPushVaultPath, vps.spec.VaultPath())) {
    if (peer->meta.Key() == vps.meta.Key() || !OlderThan(*peer, vps)) continue;
    // Same mount and path on another Vault (server or Enterprise namespace) is no conflict.
    // A peer whose identity cannot be resolved counts: it may well write here.
    IdentityError ierr;
    auto theirs = ResolveIdentity(peer->meta.namespace_, peer->spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
    if (theirs.ok() && (theirs->address != identity.address ||
                        theirs->vault_namespace != identity.vault_namespace)) {
      continue;
    }
    if (oldest == nullptr || OlderThan(*peer, *oldest)) oldest = peer;
  }
  return oldest;
}

std::optional<VaultPushSecretReconciler::LiveSource> VaultPushSecretReconciler::LoadSource(
    const VaultPushSecret& vps, Failure* failure) {
  const std::string& name = vps.spec.secret_name;
  const std::chrono::milliseconds refresh = vps.spec.refresh_after;
  auto live = deps_.cluster->GetSecret(vps.meta.namespace_, name);
  if (!live.ok()) {
    *failure =
        Failure{kReasonSourceReadFailed, live.status().WithPrefix("reading Secret " + name + ": ")};
    return std::nullopt;
  }
  if (!live->has_value()) {
    // Its creation comes through the watch; the re-check is a safety net.
    *failure = Failure{kReasonSourceNotFound,
                       NotFound("Secret " + name + " not found in namespace " +
                                vps.meta.namespace_ + "; nothing was written"),
                       false, refresh};
    return std::nullopt;
  }
  if (deps_.admit_source) deps_.admit_source(**live);
  auto all = SecretDataOf(**live);
  if (!all.ok()) {
    *failure = Failure{kReasonSourceReadFailed, all.status().WithPrefix("Secret " + name + ": ")};
    return std::nullopt;
  }
  auto selected = SelectKeys(*all, vps.spec.keys);
  if (!selected.ok()) {
    *failure = Failure{kReasonSourceNotFound,
                       NotFound("Secret " + name + " has " + selected.status().message() +
                                " (spec.keys); nothing was written"),
                       false, refresh};
    return std::nullopt;
  }
  if (Status utf8 = CheckUtf8(*selected); !utf8.ok()) {
    // The data, not the spec, is at fault; the Secret's next change brings the resource back
    // through the watch, so waiting for a change is right.
    *failure = Failure{kReasonInvalidSpec, utf8.WithPrefix("Secret " + name + ": "), true};
    return std::nullopt;
  }
  LiveSource out;
  out.mac = DataMac(options_.hmac_key, *selected);
  out.digest = MacDigest(out.mac);
  out.data = std::move(*selected);
  return out;
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::Settle(
    const VaultPushSecret& vps, const std::string& reason, const std::string& message,
    std::vector<std::pair<std::string, std::string>> extra, bool fields_current,
    metrics::PushResult result) {
  Observe(result);
  ReadyState want{true, reason, message};
  const bool current = fields_current &&
                       ReadyUpToDate(vps.status.ready, want, vps.meta.generation) &&
                       vps.status.observed_generation == vps.meta.generation;
  if (!current) {
    Status st = deps_.cluster->PatchStatus(
        kKind, vps.meta.namespace_, vps.meta.name,
        StatusPatch(vps.status.ready, want, vps.meta.generation, deps_.clock->Now(), extra));
    if (!st.ok()) {
      // Vault is as it should be; only the report failed. Retry soon so status catches up.
      return ReconcileResult::Retry(st.WithPrefix("updating status: "));
    }
  }
  return ReconcileResult::After(Schedule(vps));
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::ReportChanged(
    const VaultPushSecret& vps, const std::string& message) {
  Observe(metrics::PushResult::kConflict);
  ReadyState want{false, kReasonVaultChanged, message};
  Status st = deps_.cluster->PatchStatus(
      kKind, vps.meta.namespace_, vps.meta.name,
      StatusPatch(vps.status.ready, want, vps.meta.generation, deps_.clock->Now()));
  deps_.events->Emit(kKind, vps.meta, true, kReasonVaultChanged, message);
  deps_.logger->Warn("vault secret changed outside this resource",
                     {{"controller", kController},
                      {"namespace", vps.meta.namespace_},
                      {"name", vps.meta.name},
                      {"path", vps.spec.VaultPath()}});
  // Not reported until the condition says so: a failed status write is retried, and only
  // a reconcile that finds this very message in status (or knows it wrote it there)
  // replaces the foreign version.
  if (!st.ok()) return ReconcileResult::Retry(st.WithPrefix("updating status: "));
  Synced last = LastSynced(vps);
  last.reported = MessageDigest(message);
  Remember(vps.meta.Key(), std::move(last));
  return ReconcileResult::After(options_.replace_after_report);
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::Check(
    const VaultPushSecret& vps, const VaultIdentity& identity,
    std::optional<uint64_t> cached_digest) {
  const std::string path = vps.spec.VaultPath();
  const KvTarget target{vps.spec.mount, vps.spec.path, vps.spec.type};
  const bool v2 = vps.spec.type == KvType::kV2;
  auto read = deps_.vault->ReadCurrent(identity, target);
  if (!read.ok()) {
    return Fail(vps, Failure{PushErrorReason(read.status()),
                             read.status().WithPrefix("reading " + path + " from Vault: ")});
  }
  const KvState& state = *read;
  const std::string vault_mac = state.exists ? VaultDataMac(options_.hmac_key, state.entries) : "";
  const uint64_t vault_digest = vault_mac.empty() ? 0 : MacDigest(vault_mac);

  std::optional<LiveSource> live;
  auto load = [&](Failure* f) {
    live = LoadSource(vps, f);
    return live.has_value();
  };
  uint64_t source_digest = cached_digest.value_or(0);
  Failure failure;
  if (!cached_digest && !load(&failure)) return Fail(vps, failure);
  if (live) source_digest = live->digest;

  const std::string secret = "Secret " + vps.spec.secret_name;
  auto in_sync = [&] {
    std::string message = path + " in Vault is in sync with " + secret;
    if (v2) message += " (version " + std::to_string(state.current_version) + ")";
    std::vector<std::pair<std::string, std::string>> extra = {
        {"secretMAC", json::Quote(vault_mac)},
        {"vaultPath", json::Quote(path)},
        {"destinationVersion", v2 ? std::to_string(state.current_version) : "null"},
    };
    Remember(vps.meta.Key(),
             Synced{path, v2 ? std::optional<int64_t>(state.current_version) : std::nullopt,
                    vault_digest, 0});
    bool fields = vps.status.secret_mac == vault_digest && vps.status.vault_path == path &&
                  vps.status.destination_version ==
                      (v2 ? std::optional<int64_t>(state.current_version) : std::nullopt);
    return Settle(vps, kReasonSynced, message, std::move(extra), fields,
                  metrics::PushResult::kUnchanged);
  };
  auto holds_source = [&] {
    return state.exists && vault_digest != 0 && vault_digest == source_digest;
  };

  // 1. Vault already holds the data: nothing to write (this also adopts a version that
  //    someone else wrote with the same data).
  if (holds_source()) return in_sync();
  const bool if_not_exists = vps.spec.update_policy == UpdatePolicy::kIfNotExists;
  std::string exists_message;
  if (if_not_exists && state.exists) {
    exists_message = path + " already exists in Vault" +
                     (v2 ? " (version " + std::to_string(state.current_version) + ")" : "") +
                     "; updatePolicy IfNotExists leaves it as it is";
    if (!live && vps.status.secret_mac == source_digest) {
      return Settle(vps, kReasonAlreadyExists, exists_message, {}, true,
                    metrics::PushResult::kUnchanged);
    }
  }
  // 2. From here on the Secret's own data is needed (the cache keeps only a digest).
  if (!live) {
    if (!load(&failure)) return Fail(vps, failure);
    source_digest = live->digest;
    if (holds_source()) return in_sync();
  }
  if (if_not_exists && state.exists) {
    return Settle(vps, kReasonAlreadyExists, exists_message,
                  {{"secretMAC", json::Quote(live->mac)}}, vps.status.secret_mac == live->digest,
                  metrics::PushResult::kUnchanged);
  }
  // 3. A change by someone else since this resource last synced the path is reported
  //    before a push replaces it.
  const Synced last = LastSynced(vps);
  const bool synced_here = last.path == path;
  bool replaces_foreign = false;
  if (!if_not_exists && synced_here &&
      ChangedOutside(vps.spec.type, last.version, last.mac, state, vault_digest)) {
    const std::string message = ChangedMessage(vps, last.version, state);
    const uint64_t digest = MessageDigest(message);
    const bool reported =
        last.reported == digest || (vps.status.ready.state == ReadyCondition::State::kFalse &&
                                    vps.status.ready.reason == kReasonVaultChanged &&
                                    vps.status.ready.message_digest == digest &&
                                    vps.status.ready.observed_generation == vps.meta.generation);
    if (!reported) return ReportChanged(vps, message);
    replaces_foreign = true;
  }
  // 4. Write, with check-and-set on the version just read (kv-v2): a write in between
  //    makes this one fail instead of being lost.
  std::optional<int64_t> cas;
  if (v2) cas = state.current_version;
  auto written = deps_.vault->Write(identity, target, live->data, cas);
  if (written.ok()) {
    Remember(vps.meta.Key(),
             Synced{path, v2 ? std::optional<int64_t>(*written) : std::nullopt, live->digest, 0});
  }
  if (!written.ok()) {
    const Status& st = written.status();
    if (st.code() == StatusCode::kConflict) {
      Observe(metrics::PushResult::kConflict);
      deps_.logger->Info("vault secret changed between read and write; checking again",
                         {{"controller", kController},
                          {"namespace", vps.meta.namespace_},
                          {"name", vps.meta.name},
                          {"path", path}});
      return ReconcileResult::Retry(st.WithPrefix("writing " + path + " to Vault: "));
    }
    return Fail(vps,
                Failure{PushErrorReason(st), st.WithPrefix("writing " + path + " to Vault: ")});
  }
  const bool created = !state.exists;
  std::string event;
  std::string now_at = v2 ? " (version " + std::to_string(*written) + ")" : "";
  if (replaces_foreign && state.exists) {
    event = "Replaced " + path + (v2 ? " version " + std::to_string(state.current_version) : "") +
            ", changed outside this VaultPushSecret, with " + secret + now_at;
  } else if (!synced_here && state.exists) {
    event = "Replaced the existing " + path +
            (v2 ? " (version " + std::to_string(state.current_version) + ")" : "") + " with " +
            secret + now_at;
  } else {
    event = std::string(created ? "Created " : "Updated ") + path + now_at + " from " + secret;
  }
  deps_.events->Emit(kKind, vps.meta, false, "Pushed", event);
  deps_.logger->Info(created ? "vault secret created" : "vault secret updated",
                     {{"controller", kController},
                      {"namespace", vps.meta.namespace_},
                      {"name", vps.meta.name},
                      {"path", path}});
  std::string message = path + " in Vault is in sync with " + secret + now_at;
  std::vector<std::pair<std::string, std::string>> extra = {
      {"lastPushTime", json::Quote(FormatRfc3339(deps_.clock->Now()))},
      {"secretMAC", json::Quote(live->mac)},
      {"vaultPath", json::Quote(path)},
      {"destinationVersion", v2 ? std::to_string(*written) : "null"},
  };
  return Settle(vps, kReasonSynced, message, std::move(extra), false,
                created ? metrics::PushResult::kCreated : metrics::PushResult::kUpdated);
}

VaultPushSecretReconciler::ReconcileResult VaultPushSecretReconciler::Reconcile(
    const std::string& key) {
  auto ptr = deps_.pushes->Get(key);
  if (ptr == nullptr) {
    Forget(key);
    return ReconcileResult::Done();
  }
  const VaultPushSecret& vps = *ptr;
  if (vps.meta.deleting) return Finalize(vps);
  if (!vps.spec_error.ok()) return Fail(vps, Failure{kReasonInvalidSpec, vps.spec_error, true});

  // The finalizer follows deletionPolicy; a patch brings the object back with it.
  auto patched = vps.spec.deletion_policy == DeletionPolicy::kDelete ? finalizer_.Ensure(vps.meta)
                                                                     : finalizer_.Remove(vps.meta);
  if (!patched.ok()) return ReconcileResult::Retry(patched.status());
  if (*patched) return ReconcileResult::Done();

  IdentityError ierr;
  auto identity = ResolveIdentity(vps.meta.namespace_, vps.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok()) return Fail(vps, Failure{ierr.reason, ierr.status, ierr.terminal});

  if (auto older = OlderOnPath(vps, *identity); older != nullptr) {
    Failure f{kReasonPathConflict,
              Status(StatusCode::kAlreadyExists,
                     "VaultPushSecret " + older->meta.Key() + " (older) already pushes to " +
                         vps.spec.VaultPath() + "; this one writes nothing while it does"),
              false, vps.spec.refresh_after, metrics::PushResult::kConflict};
    return Fail(vps, f);
  }

  // A forced sync (a new vaultsync.io/force-sync value) checks Vault now, by the usual rules.
  const bool forced = forced_.Take(vps.meta);
  if (forced) {
    deps_.logger->Info(
        "sync forced by annotation",
        {{"controller", kController}, {"namespace", vps.meta.namespace_}, {"name", vps.meta.name}});
  }
  // Nothing can differ: the cached digest of the Secret's data is the one in status, the
  // spec was handled, the last check succeeded, and the re-check is not due.
  std::optional<uint64_t> digest;
  if (deps_.sources != nullptr) {
    if (auto src = deps_.sources->Get(vps.meta.namespace_ + "/" + vps.spec.secret_name)) {
      digest = src->DigestFor(SelectionFingerprint(vps.spec.keys));
    }
  }
  const auto& ready = vps.status.ready;
  const bool settled = ready.state == ReadyCondition::State::kTrue &&
                       (ready.reason == kReasonSynced || ready.reason == kReasonAlreadyExists) &&
                       ready.observed_generation == vps.meta.generation &&
                       vps.status.observed_generation == vps.meta.generation;
  if (!forced && settled && digest && *digest != 0 && *digest == vps.status.secret_mac &&
      !Due(key)) {
    std::lock_guard<std::mutex> lock(mu_);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_check_[key] -
                                                                      deps_.clock->Now());
    return ReconcileResult::After(std::max(wait, std::chrono::milliseconds(1)));
  }
  return Check(vps, *identity, digest);
}

}  // namespace vaultsync::controller
