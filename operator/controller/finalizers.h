// Finalizers, shared by every kind that must clean up outside Kubernetes before its object
// may go (a VaultPushSecret deleting what it wrote to Vault, a VaultDynamicSecret revoking
// its lease). controller-runtime's pattern: while the object lives, make sure our finalizer
// is on it; once it is being deleted, run the cleanup and remove the finalizer only when the
// cleanup succeeded, so a failed cleanup keeps the object (and is retried). A finalizer is
// never added to an object being deleted (the API server forbids it, and it would hold the
// object for nothing). Patches carry the resourceVersion the decision was made on, so a
// concurrent change of the list answers Conflict instead of being overwritten.
#pragma once

#include <functional>
#include <string>

#include "controller/ports.h"

namespace vaultsync::controller {

// Thread-safe (the Cluster is).
class Finalizer {
 public:
  // `kind`: the vaultsync.io kind whose objects carry finalizer `name`.
  Finalizer(Cluster& cluster, std::string kind, std::string name)
      : cluster_(cluster), kind_(std::move(kind)), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // For an object that is not being deleted: adds the finalizer when missing. Returns true
  // when it patched (the reconcile may stop here: the update brings the object back), false
  // when nothing was needed, or the patch's error (kConflict when the object changed).
  Result<bool> Ensure(const ObjectMeta& meta);

  // For an object that is not being deleted and no longer needs the cleanup (its policy
  // changed): removes the finalizer when present. Returns true when it patched, false when
  // nothing was needed, or the patch's error.
  Result<bool> Remove(const ObjectMeta& meta);

  // For an object being deleted: when our finalizer is on it, runs `cleanup` and, when that
  // succeeds, removes the finalizer (the API server then deletes the object once no other
  // finalizer is left). Returns cleanup's error (the finalizer stays; retry later), the
  // patch's error, or OK (also when the finalizer was not there).
  Status Finalize(const ObjectMeta& meta, const std::function<Status()>& cleanup);

 private:
  Status Patch(const ObjectMeta& meta, const std::vector<std::string>& finalizers);

  Cluster& cluster_;
  const std::string kind_;
  const std::string name_;
};

}  // namespace vaultsync::controller
