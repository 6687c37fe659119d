// VaultConnection has no side effects of its own: its reconciler reports whether the spec
// is valid in its Ready condition, writing status only when that changes. Whether Vault
// answers shows on the resources that use it (VaultUnavailable).
#pragma once

#include "controller/ports.h"
#include "runtime/reconcile_result.h"

namespace vaultsync::controller {

using runtime::ReconcileResult;

// Thread-safe.
class VaultConnectionReconciler {
 public:
  VaultConnectionReconciler(const Lister<VaultConnection>& connections, Cluster& cluster,
                            const Clock& clock)
      : connections_(connections), cluster_(cluster), clock_(clock) {}
  ReconcileResult Reconcile(const std::string& key);

 private:
  const Lister<VaultConnection>& connections_;
  Cluster& cluster_;
  const Clock& clock_;
};

}  // namespace vaultsync::controller
