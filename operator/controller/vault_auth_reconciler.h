// VaultAuth and VaultConnection have no side effects of their own: their reconcilers report
// whether the object is usable (spec valid, references resolvable) in its Ready condition,
// writing status only when that changes. Whether Vault accepts the identity shows on the
// VaultStaticSecrets that use it (AuthFailed): a VaultAuth with a tenant ServiceAccount
// has one identity per consuming namespace, so there is no single login to test here.
#pragma once

#include "controller/ports.h"
#include "controller/reconcile_result.h"

namespace vaultsync::controller {

// Thread-safe.
class VaultAuthReconciler {
 public:
  VaultAuthReconciler(const Lister<VaultAuth>& auths, const Lister<VaultConnection>& connections,
                      Cluster& cluster, const Clock& clock)
      : auths_(auths), connections_(connections), cluster_(cluster), clock_(clock) {}
  ReconcileResult Reconcile(const std::string& key);

 private:
  const Lister<VaultAuth>& auths_;
  const Lister<VaultConnection>& connections_;
  Cluster& cluster_;
  const Clock& clock_;
};

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
