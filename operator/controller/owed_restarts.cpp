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

OwedRestart AdvanceOwedRestart(RolloutRestarter& restarter, Cluster& cluster,
                               const Lister<ManagedSecret>& managed, const std::string& hmac_key,
                               const OwedRestartInput& in) {
  if (in.owed == 0) return OwedRestart::kNone;
  const std::string& ns = in.owner.meta->namespace_;
  auto ours = [&](const ManagedSecret& s) {
    return s.OwnerUid() == in.owner.meta->uid && s.OwnerKind() == in.owner.kind;
  };
  // What the Secret holds: the cache when it already shows the owed data (the usual case),
  // else a live read (the cache may not have seen our last write yet).
  std::optional<uint64_t> holds;
  if (auto cached = managed.Get(ns + "/" + *in.destination);
      cached != nullptr && ours(*cached) && FoldDigest(cached->data_mac) == in.owed) {
    holds = cached->data_mac;
  } else {
    auto live = cluster.GetSecret(ns, *in.destination);
    if (!live.ok()) return OwedRestart::kPending;  // cannot tell now
    if (live->has_value()) {
      auto state = ManagedSecretDecoder(&hmac_key)(**live);
      if (state.ok() && ours(*state)) holds = state->data_mac;
    }
  }
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
