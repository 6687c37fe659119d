// The force-sync annotation (`vaultsync.io/force-sync`, any new value) for every kind: the
// decoder keeps a digest of its value in ObjectMeta::force_sync, the predicate
// SpecOrLifecycleChanged (predicates.h) lets a new value through to the work queue, where
// it is processed at once (an Add jumps over a pending refresh or backoff), and this tracker
// tells the reconcile that it is the forced one, so that it bypasses what it would otherwise
// share (the read cache). A kind uses the three pieces; nothing else is needed.
//
// The tracker is memory only: after an operator restart, a resource that carries the
// annotation looks forced once, which costs one unshared read at start-up and nothing else.
// That is fine for a read, not for a sync that mints: VaultDynamicSecret (new credentials)
// and VaultPKISecret (a new certificate) do not use the tracker but record the value they
// answered in status.forceSync, and compare the annotation with that, so a restart never
// mints for a value already answered and a forced sync that failed is tried again. Every new
// set of credentials or certificate records the value it answers, "" when there is none, so
// a status without the key was written before status.forceSync existed (or by a CRD that
// drops the field): AnsweredForceSync then takes the current value as answered, and an
// upgrade (or any restart under such a CRD) mints nothing for it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "controller/resources.h"

namespace vaultsync::controller {

// For VaultDynamicSecret and VaultPKISecret: the digest of the force-sync value an operator
// with no memory of a resource takes as answered. `status_digest` is ShortDigest of
// status.forceSync, 0 when the key is absent; `has_credentials`: status describes
// credentials (or a certificate) already written; `annotation`: the current value.
inline uint32_t AnsweredForceSync(uint32_t status_digest, bool has_credentials,
                                  const std::string& annotation) {
  if (status_digest != 0 || !has_credentials) return status_digest;
  return ShortDigest(annotation);  // status from before status.forceSync: nothing owed
}

// Thread-safe.
class ForceSyncTracker {
 public:
  // True when `meta` carries a force-sync value this tracker has not yet seen for its key
  // (and remembers it, so the next reconcile is an ordinary one again).
  bool Take(const ObjectMeta& meta);
  // The resource is gone.
  void Forget(const std::string& key);

 private:
  std::mutex mu_;
  std::map<std::string, uint32_t> seen_;  // key -> digest last taken
};

}  // namespace vaultsync::controller
