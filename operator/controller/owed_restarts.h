// The status side of a rollout restart for the kinds that hand out new credentials
// (VaultDynamicSecret, VaultPKISecret): whether a new Secret owes the targets a restart, and
// what to do, at the start of each reconcile, with a restart that status.rolloutRestartMAC
// says is owed. The restarts themselves are the shared RolloutRestarter's
// (rollout_restarter.h); this is only the bookkeeping both kinds would otherwise repeat.
//
// The rule (the same as VaultStaticSecret's): the mark is written to status BEFORE the Secret
// changes and cleared once the restarter says kDone, so an operator killed in between owes
// the restart still. Because a new set of credentials differs every time (unlike a KV read,
// the next read does not give the same data again), a mark whose data never reached the
// Secret (the operator died between the mark and the write) is recognised and dropped:
// the workloads already run with what the Secret holds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controller/ports.h"
#include "controller/rollout_restarter.h"
#include "controller/secret_object.h"

namespace vaultsync::controller {

// The status patch that records an owed restart for the data whose MAC is `mac`, and the
// one that clears it.
std::string OwedRestartPatch(const std::string& mac);
inline constexpr const char* kOwedRestartClearedPatch = "{\"status\":{\"rolloutRestartMAC\":null}}";

// Whether writing new data (MAC digest `new_mac_digest`) owes the targets a restart: not for
// the first data a resource writes (`had_previous` false), not without targets, not when the
// data is what the Secret held (`previous_mac_digest`; 0 when unknown, which after earlier
// credentials still counts as a change: new credentials replace the old ones).
bool NewDataOwesRestart(bool had_previous, uint64_t previous_mac_digest, uint64_t new_mac_digest,
                        const std::vector<RolloutTarget>& targets);

enum class OwedRestart {
  kNone,     // nothing owed
  kPending,  // handed to the restarter (or waiting for the Secret to be written): keep the mark
  kDone,     // every target handled: clear the mark
  kStale,    // the data it was owed for never reached the Secret: clear the mark
};

struct OwedRestartInput {
  SecretOwner owner;
  const std::string* destination = nullptr;  // the Secret's name, in the owner's namespace
  const std::vector<RolloutTarget>* targets = nullptr;
  uint32_t owed = 0;  // ShortDigest of status.rolloutRestartMAC (0: none)
  // MacDigest of the data the resource last wrote, as it knows it (memory, else status).
  uint64_t written_mac_digest = 0;
};

// MacDigest of the data in `owner`'s destination Secret `destination` (in its namespace) when
// that Secret is the owner's: the cached entry when it is the owner's and `use_cached` accepts
// it, else a live read (the cache may not have seen the owner's last write). nullopt when the
// Secret is absent or someone else's, or when the live read failed (*read_failed set). Shared
// by every kind that must know what its Secret holds before deciding on a restart.
std::optional<uint64_t> OwnSecretDataMac(
    const SecretOwner& owner, const std::string& destination, Cluster& cluster,
    const Lister<ManagedSecret>& managed, const std::string& hmac_key,
    const std::function<bool(const ManagedSecret&)>& use_cached, bool* read_failed);

// Requests the owed restart when the destination Secret (the cache, else a live read) holds
// the data it is owed for; kStale when it holds, instead, the data the resource last wrote;
// kPending when it cannot tell (a new write will settle it).
OwedRestart AdvanceOwedRestart(RolloutRestarter& restarter, Cluster& cluster,
                               const Lister<ManagedSecret>& managed, const std::string& hmac_key,
                               const OwedRestartInput& in);

}  // namespace vaultsync::controller
