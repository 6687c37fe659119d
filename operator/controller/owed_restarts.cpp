// Owed rollout restarts of the credential-minting kinds.
#include "controller/owed_restarts.h"

#include <optional>

#include "controller/resources.h"

namespace vaultsync::controller {

std::string OwedRestartPatch(const std::string& mac) {
  return "{\"status\":{\"rolloutRestartMAC\":" + json::Quote(mac) + "}}";
}

bool NewDataOwesRestart(bool had_previous, uint64_t previous_mac_digest, uint64_t new_mac_digest,
                        const std::vector<RolloutTarget>& targets) {
  if (!had_previous || targets.empty()) return false;
  return previous_mac_digest != new_mac_digest;
}

std::optional<uint64_t> OwnSecretDataMac(
    const SecretOwner& owner, const std::string& destination, Cluster& cluster,
    const Lister<ManagedSecret>& managed, const std::string& hmac_key,
    const std::function<bool(const ManagedSecret&)>& use_cached, bool* read_failed) {
  *read_failed = false;
  const std::string& ns = owner.meta->namespace_;
  auto ours = [&](const ManagedSecret& s) {
    return s.owner_uid == owner.meta->uid && s.OwnerKind() == owner.kind;
  };
  if (auto cached = managed.Get(ns + "/" + destination);
      cached != nullptr && ours(*cached) && use_cached(*cached)) {
    return cached->data_mac;
  }
  auto live = cluster.GetSecret(ns, destination);
  if (!live.ok()) {
    *read_failed = true;
    return std::nullopt;
  }
  if (!live->has_value()) return std::nullopt;
  auto state = ManagedSecretDecoder(&hmac_key)(**live);
  if (!state.ok() || !ours(*state)) return std::nullopt;
  return state->data_mac;
}

OwedRestart AdvanceOwedRestart(RolloutRestarter& restarter, Cluster& cluster,
                               const Lister<ManagedSecret>& managed, const std::string& hmac_key,
                               const OwedRestartInput& in) {
  if (in.owed == 0) return OwedRestart::kNone;
  // What the Secret holds: the cache when it already shows the owed data (the usual case),
  // else a live read (the cache may not have seen our last write yet).
  bool read_failed = false;
  std::optional<uint64_t> holds = OwnSecretDataMac(
      in.owner, *in.destination, cluster, managed, hmac_key,
      [&](const ManagedSecret& s) { return FoldDigest(s.data_mac) == in.owed; }, &read_failed);
  if (read_failed) return OwedRestart::kPending;  // cannot tell now
  if (holds && FoldDigest(*holds) == in.owed) {
    return restarter.Request(in.owner, *in.targets, in.owed) == RestartProgress::kDone
               ? OwedRestart::kDone
               : OwedRestart::kPending;
  }
  // The Secret still holds what the resource wrote before the mark: the owed data was never
  // written, and the workloads already read what is there.
  if (holds && in.written_mac_digest != 0 && *holds == in.written_mac_digest) {
    return OwedRestart::kStale;
  }
  return OwedRestart::kPending;
}

}  // namespace vaultsync::controller
