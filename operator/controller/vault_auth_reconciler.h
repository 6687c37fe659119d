// VaultAuth has no side effects of its own: its reconciler reports whether the object is
// usable (spec valid, its VaultConnection resolvable) in its Ready condition, writing status
// only when that changes. Whether Vault accepts the identity shows on the resources that
// use it (AuthFailed): a VaultAuth with a tenant ServiceAccount has one identity per
// consuming namespace, so there is no single login to test here.
#pragma once

#include "controller/identity.h"
#include "controller/ports.h"
#include "controller/status.h"
#include "runtime/reconcile_result.h"

namespace vaultsync::controller {

using runtime::ReconcileResult;

// Thread-safe.
class VaultAuthReconciler {
 public:
  VaultAuthReconciler(const Lister<VaultAuth>& auths, const Lister<VaultConnection>& connections,
                      Cluster& cluster, const Clock& clock, const OperatorDefaults& defaults)
      : auths_(auths),
        connections_(connections),
        cluster_(cluster),
        clock_(clock),
        defaults_(defaults) {}
  ReconcileResult Reconcile(const std::string& key);

 private:
  const Lister<VaultAuth>& auths_;
  const Lister<VaultConnection>& connections_;
  Cluster& cluster_;
  const Clock& clock_;
  const OperatorDefaults& defaults_;
};

// Writes `want` as the Ready condition of a VaultAuth or VaultConnection when it differs
// from `current`; Done when ready, Terminal (until the object changes) when not.
ReconcileResult ReportValidity(Cluster& cluster, const Clock& clock, const std::string& kind,
                               const ObjectMeta& meta, const ReadyCondition& current,
                               const ReadyState& want);

}  // namespace vaultsync::controller
