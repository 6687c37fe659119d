// VaultPKISecret reconciliation.
#include "controller/vault_pki_secret_reconciler.h"

#include <algorithm>

#include "controller/certificate_pem.h"
#include "controller/certificate_schedule.h"
#include "controller/secret_object.h"
#include "controller/vault_static_secret_reconciler.h"
#include "util/base64.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

using runtime::ReconcileResult;
using std::chrono::milliseconds;

inline constexpr const char* kKind = kKindVaultPKISecret;
inline constexpr const char* kController = "vaultpkisecret";

std::string Issuer(const VaultPkiSecret& v) { return v.spec.mount + "/issue/" + v.spec.role; }

milliseconds Until(TimePoint t, TimePoint now) {
  return std::chrono::duration_cast<milliseconds>(t - now);
}

std::string WithNewline(std::string pem) {
  if (!pem.empty() && pem.back() != '\n') pem += '\n';
  return pem;
}

// tls.crt: the certificate, then the chain Vault sent (without the certificate itself);
// without a ca_chain (a certificate issued straight from a root), the issuing CA.
std::string TlsChain(const IssuedCertificateData& c) {
  std::string out = WithNewline(c.certificate);
  if (c.ca_chain.empty()) return out + WithNewline(c.issuing_ca);
  for (const auto& pem : c.ca_chain) {
    if (pem != c.certificate) out += WithNewline(pem);
  }
  return out;
}

std::optional<std::string> DataValue(const json::Value& secret, const char* key) {
  const json::Value* data = json::Find(secret, "data");
  const json::Value* v = data != nullptr ? json::Find(*data, key) : nullptr;
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return base64::Decode(json::View(*v));
}

}  // namespace

VaultPkiSecretReconciler::VaultPkiSecretReconciler(VaultPkiSecretReconcilerDeps deps,
                                                   VaultPkiSecretReconcilerOptions options)
    : deps_(deps),
      options_(std::move(options)),
      finalizer_(*deps.cluster, kKind, kCertificateRevokeFinalizer) {
  if (deps_.logger == nullptr) deps_.logger = &log::Default();
}

void VaultPkiSecretReconciler::Forget(const std::string& key) {
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
    deps_.expiry->RemoveCertificate(key.substr(0, slash), key.substr(slash + 1));
  }
}

milliseconds VaultPkiSecretReconciler::NextRetry(const std::string& key) {
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++failures_[key];
  }
  milliseconds d(1000LL << std::min(n - 1, 16));
  return std::min(d, options_.max_retry);
}

ReconcileResult VaultPkiSecretReconciler::Fail(const VaultPkiSecret& v, const std::string& reason,
                                               const Status& st, bool terminal,
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

bool VaultPkiSecretReconciler::SecretIntact(const VaultPkiSecret& v, uint64_t mac_digest) {
  const std::string& ns = v.meta.namespace_;
  const std::string& dest = v.spec.destination.name;
  auto ours = [&](const ManagedSecret& s) {
    return s.owner_uid == v.meta.uid && s.OwnerKind() == kKind && s.data_mac == mac_digest;
  };
  // Cached with another shard label (moved within this replica): the live path relabels it.
  if (auto cached = deps_.managed->Get(ns + "/" + dest);
      cached != nullptr && ours(*cached) && ShardLabelInSync(*cached, v.meta)) {
    return true;
  }
  auto live = deps_.cluster->GetSecret(ns, dest);
  if (!live.ok()) return true;  // cannot tell now: never issue on an API server hiccup
  if (!live->has_value()) return false;
  auto state = ManagedSecretDecoder(&options_.hmac_key)(**live);
  if (!state.ok() || !ours(*state)) return false;
  // Out of the cache but ours and intact: most likely moved here from another shard.
  if (Status st = deps_.writer->FollowShard(SecretOwner{kKind, &v.meta}, dest, **live); !st.ok()) {
    deps_.logger->Warn("cannot label the Secret for this shard yet", {{"controller", kController},
                                                                      {"namespace", ns},
                                                                      {"name", v.meta.name},
                                                                      {"error", st.ToString()}});
  }
  return true;
}

std::optional<VaultPkiSecretReconciler::Held> VaultPkiSecretReconciler::Adopt(
    const VaultPkiSecret& v) {
  const VaultPkiSecretStatus& st = v.status;
  if (st.secret_mac == 0) return std::nullopt;
  auto live = deps_.cluster->GetSecret(v.meta.namespace_, v.spec.destination.name);
  if (!live.ok() || !live->has_value()) return std::nullopt;
  const json::Value& secret = **live;
  auto state = ManagedSecretDecoder(&options_.hmac_key)(secret);
  if (!state.ok() || state->owner_uid != v.meta.uid || state->OwnerKind() != kKind ||
      state->data_mac != st.secret_mac) {
    return std::nullopt;
  }
  Held held;
  held.uid = v.meta.uid;
  held.request_hash = st.request_hash;
  held.mac_digest = st.secret_mac;
  held.force_sync.Adopt(st.force_sync, true, v.force_sync_value);
  // The certificate itself says when it ends; status only when a transformation left
  // tls.crt out of the Secret.
  auto crt = DataValue(secret, "tls.crt");
  auto info = crt ? ParseFirstCertificate(*crt) : Result<CertificateInfo>(NotFound("no tls.crt"));
  if (info.ok()) {
    held.serial = info->serial_number;
    held.not_after = info->not_after;
    // When it was issued is not in the certificate (notBefore is backdated): status' renewal
    // time, when status describes this very certificate, else from notBefore.
    if (st.serial_number == info->serial_number && st.next_renewal &&
        *st.next_renewal <= info->not_after) {
      held.renew_at = *st.next_renewal;
    } else {
      held.renew_at =
          CertificateRenewalTime(info->not_before, info->not_after, v.spec.renew_before);
    }
  } else if (st.not_after && st.next_renewal && !st.serial_number.empty()) {
    held.serial = st.serial_number;
    held.not_after = *st.not_after;
    held.renew_at = *st.next_renewal;
  } else {
    return std::nullopt;
  }
  return held;
}

std::optional<ReconcileResult> VaultPkiSecretReconciler::Issue(const VaultPkiSecret& v,
                                                               const VaultIdentity& identity,
                                                               Held& held, bool had_previous,
                                                               const std::string& why) {
  const std::string& dest = v.spec.destination.name;
  auto transformation = transformations_.Get(v.meta, v.spec.destination.More());
  if (!transformation.ok()) return Fail(v, kReasonInvalidSpec, transformation.status(), true, {});
  CertificateIssueRequest req{v.spec.mount,   v.spec.role,     v.spec.common_name, v.spec.alt_names,
                              v.spec.ip_sans, v.spec.uri_sans, v.spec.ttl,         v.spec.pkcs1};
  auto cert = deps_.pki->Issue(identity, req);
  const TimePoint now = deps_.clock->Now();
  if (!cert.ok()) {
    const Status& st = cert.status();
    std::string reason = VaultErrorReason(st);
    std::string message = "issuing a certificate from " + Issuer(v) + ": " + st.message();
    milliseconds retry = NextRetry(v.meta.Key());
    if (held.not_after != TimePoint{}) {
      if (now >= held.not_after) {
        reason = kReasonCertificateExpired;
        message +=
            "; the certificate in Secret " + dest + " expired at " + FormatRfc3339(held.not_after);
      } else {
        message += "; the certificate in Secret " + dest + " stays valid until " +
                   FormatRfc3339(held.not_after);
        retry = std::min(retry, std::max(Until(held.not_after, now), milliseconds(100)));
      }
    }
    return Fail(v, reason, Status(st.code(), message, st.http_status()), false, retry);
  }
  auto info = ParseFirstCertificate(cert->certificate);
  if (!info.ok()) {
    return Fail(v, "VaultError",
                Internal("the certificate Vault issued cannot be read: " + info.status().message()),
                false, NextRetry(v.meta.Key()));
  }
  auto give_back = [&]() {
    if (!v.spec.revoke) return;
    Status st = deps_.pki->Revoke(identity, v.spec.mount, cert->serial_number);
    if (!st.ok()) {
      deps_.logger->Warn("could not revoke an unused certificate",
                         {{"controller", kController},
                          {"namespace", v.meta.namespace_},
                          {"name", v.meta.name},
                          {"error", st.ToString()}});
    }
  };
  std::vector<KvEntry> entries = {
      {"ca.crt", true, WithNewline(cert->issuing_ca)},
      {"tls.crt", true, TlsChain(*cert)},
      {"tls.key", true, WithNewline(cert->private_key)},
  };
  auto data = BuildSecretData(entries, **transformation);
  if (!data.ok()) {
    give_back();
    return Fail(v, kReasonInvalidSpec, data.status(), true, {});
  }
  const std::string mac = DataMac(options_.hmac_key, *data);
  // A new certificate owes the targets a restart (not the first one). It is recorded in
  // status before the Secret is written, so that it survives the operator dying in between;
  // when a restart is owed already, the mark stands and moves to the new data below.
  const auto& targets = v.spec.destination.More().rollout_targets;
  const uint64_t previous = held.mac_digest != 0 ? held.mac_digest : v.status.secret_mac;
  const bool owes = deps_.restarter != nullptr &&
                    (held.owed_restart != 0 ||
                     NewDataOwesRestart(had_previous, previous, MacDigest(mac), targets));
  if (owes && held.owed_restart == 0) {
    Status st =
        deps_.cluster->PatchStatus(kKind, v.meta.namespace_, v.meta.name, OwedRestartPatch(mac));
    if (!st.ok()) {
      give_back();  // nothing written: the next attempt issues a new certificate
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
  const std::string replaced = held.serial;
  held.uid = v.meta.uid;
  held.request_hash = v.spec.RequestHash();
  held.serial = info->serial_number;
  held.not_after = info->not_after;
  held.renew_at = CertificateRenewalTime(now, info->not_after, v.spec.renew_before);
  held.mac = mac;
  held.mac_digest = MacDigest(mac);
  // A new certificate answers the force-sync value the resource carries now (force_sync.h).
  held.force_sync.Answer(v.force_sync_value);
  if (v.spec.revoke && !replaced.empty() && replaced != held.serial) {
    held.unrevoked.push_back(replaced);
  }
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveSecretSync(written->outcome == WriteOutcome::kCreated
                                         ? metrics::SyncResult::kCreated
                                         : metrics::SyncResult::kUpdated);
  }
  deps_.events->Emit(kKind, v.meta, false, "CertificateIssued",
                     "Issued certificate " + held.serial + " for " + v.spec.common_name +
                         " into Secret " + dest + ", valid until " + FormatRfc3339(held.not_after) +
                         ": " + why);
  deps_.logger->Info("certificate issued", {{"controller", kController},
                                            {"namespace", v.meta.namespace_},
                                            {"name", v.meta.name},
                                            {"serial", held.serial},
                                            {"why", why}});
  if (owes) {
    // The Secret holds the new certificate: the restarter coalesces and retries; the mark
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

Result<bool> VaultPkiSecretReconciler::AdvanceRestart(const VaultPkiSecret& v, Held& held,
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
        "dropped a rollout restart owed for a certificate never written",
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

ReconcileResult VaultPkiSecretReconciler::Finalize(const VaultPkiSecret& v) {
  const std::string key = v.meta.Key();
  if (!v.meta.HasFinalizer(kCertificateRevokeFinalizer)) return ReconcileResult::Done();
  std::vector<std::string> serials;
  std::optional<VaultIdentity> identity;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(key);
    if (it != held_.end() && it->second.uid == v.meta.uid) {
      serials = it->second.unrevoked;
      if (!it->second.serial.empty()) serials.push_back(it->second.serial);
    } else if (!v.status.serial_number.empty()) {
      serials.push_back(v.status.serial_number);
    }
    if (auto id = identities_.find(key); id != identities_.end()) identity = id->second;
  }
  IdentityError ierr;
  auto resolved = ResolveIdentity(v.meta.namespace_, v.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (resolved.ok()) identity = *resolved;
  auto cleanup = [&]() -> Status {
    if (!v.spec.revoke || serials.empty()) return Status::Ok();
    if (!identity) return ierr.status;
    for (const auto& serial : serials) {
      Status st = deps_.pki->Revoke(*identity, v.spec.mount, serial);
      if (!st.ok()) return st.WithPrefix("revoking certificate " + serial + ": ");
    }
    return Status::Ok();
  };
  Status st = finalizer_.Finalize(v.meta, cleanup);
  if (!st.ok()) {
    std::string message = "cannot revoke the certificate: " + st.message() + ". The finalizer " +
                          kCertificateRevokeFinalizer + " keeps this " + kKind +
                          " until Vault accepts the revocation; to delete it without revoking, "
                          "remove the finalizer: kubectl patch vaultpkisecret " +
                          v.meta.name + " -n " + v.meta.namespace_ +
                          " --type merge -p '{\"metadata\":{\"finalizers\":null}}'";
    return Fail(v, kReasonRevokeFailed, Status(st.code(), message, st.http_status()), false,
                NextRetry(key));
  }
  return ReconcileResult::Done();
}

ReconcileResult VaultPkiSecretReconciler::Reconcile(const std::string& key) {
  auto obj = deps_.secrets->Get(key);
  if (obj == nullptr) {
    Forget(key);
    return ReconcileResult::Done();
  }
  const VaultPkiSecret& v = *obj;
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
  const uint32_t owed_in_status = v.status.rollout_restart_mac;
  if (!known) held.owed_restart = owed_in_status;
  // A restart owed for the certificate the Secret holds goes ahead whatever happens next
  // (Vault down, an identity problem).
  auto cleared = AdvanceRestart(v, held, known);
  if (!cleared.ok()) return ReconcileResult::Retry(cleared.status());
  const uint32_t status_owed = *cleared ? 0 : owed_in_status;

  const std::string hash = v.spec.RequestHash();
  const std::string& dest = v.spec.destination.name;
  const bool had_previous = known || v.status.secret_mac != 0 || !v.status.serial_number.empty();
  std::string why;
  bool adopted = false;
  if (!known) {
    // No memory of this resource (a restart, a new leader): the certificate the Secret holds,
    // whose notAfter is exported at once, before anything is asked of Vault, so the expiry
    // alerts can fire while Vault cannot be reached.
    if (auto taken = Adopt(v)) {
      const uint32_t owed = held.owed_restart;
      held = std::move(*taken);
      held.owed_restart = owed;
      adopted = true;
      if (deps_.expiry != nullptr) {
        deps_.expiry->SetCertificate(v.meta.namespace_, v.meta.name, held.not_after, held.renew_at);
      }
    } else {
      why = had_previous ? "the Secret does not hold the certificate status describes"
                         : "first certificate";
      // The certificate being replaced, for spec.revoke and for the condition while Vault
      // cannot issue the next one.
      held.serial = v.status.serial_number;
      held.not_after = v.status.not_after.value_or(TimePoint{});
      held.force_sync.Adopt(v.status.force_sync, v.status.secret_mac != 0, v.force_sync_value);
    }
  }

  IdentityError ierr;
  auto identity = ResolveIdentity(v.meta.namespace_, v.spec.auth_ref, *deps_.auths,
                                  *deps_.connections, options_.defaults, &ierr);
  if (!identity.ok()) return Fail(v, ierr.reason, ierr.status, ierr.terminal, {});

  // A force-sync value the certificate does not answer yet asks for a new one now.
  const bool forced = held.force_sync.Forces(v.force_sync_value, v.meta.force_sync);
  const TimePoint now = deps_.clock->Now();
  if (why.empty()) {
    if (held.request_hash != hash) {
      why = "the spec changed";
    } else if (!SecretIntact(v, held.mac_digest)) {
      why = "Secret " + dest + " no longer holds the certificate";
    } else if (now >= held.renew_at) {
      why = "the certificate is due for renewal";
    } else if (forced) {
      // As a renewal: restart targets, revoke the replaced certificate when asked.
      why = std::string("sync forced by annotation ") + kForceSyncAnnotation;
      deps_.logger->Info(
          "sync forced by annotation",
          {{"controller", kController}, {"namespace", v.meta.namespace_}, {"name", v.meta.name}});
    }
  }
  if (adopted && why.empty()) {
    deps_.logger->Info("kept the certificate the Secret holds", {{"controller", kController},
                                                                 {"namespace", v.meta.namespace_},
                                                                 {"name", v.meta.name},
                                                                 {"serial", held.serial}});
  }
  if (!why.empty()) {
    if (auto failed = Issue(v, *identity, held, had_previous, why)) return *failed;
  }
  for (auto it = held.unrevoked.begin(); it != held.unrevoked.end();) {
    Status st = deps_.pki->Revoke(*identity, v.spec.mount, *it);
    if (st.ok()) {
      deps_.events->Emit(kKind, v.meta, false, "CertificateRevoked",
                         "Revoked the replaced certificate " + *it);
      it = held.unrevoked.erase(it);
    } else {
      deps_.logger->Warn("revoking a replaced certificate failed; will retry",
                         {{"controller", kController},
                          {"namespace", v.meta.namespace_},
                          {"name", v.meta.name},
                          {"error", st.ToString()}});
      ++it;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_[key] = held;
    identities_[key] = *identity;
    failures_.erase(key);
  }
  if (deps_.expiry != nullptr) {
    deps_.expiry->SetCertificate(v.meta.namespace_, v.meta.name, held.not_after, held.renew_at);
  }

  const std::string message = "Secret " + dest + " holds certificate " + held.serial + " for " +
                              v.spec.common_name + " from " + Issuer(v);
  ReadyState want{true, kReasonSynced, message};
  auto same = [](const std::optional<TimePoint>& a, TimePoint b) {
    return a && std::chrono::duration_cast<std::chrono::seconds>(*a - b).count() == 0;
  };
  const bool status_current =
      ReadyUpToDate(v.status.ready, want, v.meta.generation) &&
      v.status.observed_generation == v.meta.generation && v.status.serial_number == held.serial &&
      same(v.status.not_after, held.not_after) && same(v.status.next_renewal, held.renew_at) &&
      v.status.secret_mac == held.mac_digest && v.status.request_hash == held.request_hash &&
      status_owed == held.owed_restart && held.force_sync.InStatus(v.status.force_sync);
  if (!status_current) {
    std::vector<std::pair<std::string, std::string>> extra = {
        {"serialNumber", json::Quote(held.serial)},
        {"notAfter", StatusTimeJson(held.not_after)},
        {"nextRenewalTime", StatusTimeJson(held.renew_at)},
        {"requestHash", json::Quote(held.request_hash)},
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
  milliseconds wait = std::max(Until(held.renew_at, deps_.clock->Now()), milliseconds(200));
  if (!held.unrevoked.empty()) {
    wait = std::min(wait, options_.max_retry);
  }
  return ReconcileResult::After(wait);
}

}  // namespace vaultsync::controller
