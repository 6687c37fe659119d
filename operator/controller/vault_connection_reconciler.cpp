// The Ready condition of VaultConnection.
#include "controller/vault_connection_reconciler.h"

#include "controller/identity.h"
#include "controller/status.h"
#include "controller/vault_auth_reconciler.h"

namespace vaultsync::controller {

ReconcileResult VaultConnectionReconciler::Reconcile(const std::string& key) {
  auto conn = connections_.Get(key);
  if (conn == nullptr || conn->meta.deleting) return ReconcileResult::Done();
  ReadyState want{true, kReasonValid, "VaultConnection is valid (" + conn->spec.address + ")"};
  if (!conn->spec_error.ok()) want = {false, kReasonInvalidSpec, conn->spec_error.message()};
  return ReportValidity(cluster_, clock_, kKindVaultConnection, conn->meta, conn->ready, want);
}

}  // namespace vaultsync::controller
