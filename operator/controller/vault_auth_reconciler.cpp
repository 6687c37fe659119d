// The Ready condition of VaultAuth.
#include "controller/vault_auth_reconciler.h"

#include "controller/status.h"

namespace vaultsync::controller {

ReconcileResult ReportValidity(Cluster& cluster, const Clock& clock, const std::string& kind,
                               const ObjectMeta& meta, const ReadyCondition& current,
                               const ReadyState& want) {
  auto outcome = [&] {
    return want.ready ? ReconcileResult::Done()
                      : ReconcileResult::Terminal(InvalidArgument(want.message));
  };
  if (ReadyUpToDate(current, want, meta.generation)) return outcome();
  Status st = cluster.PatchStatus(kind, meta.namespace_, meta.name,
                                  StatusPatch(current, want, meta.generation, clock.Now()));
  if (!st.ok() && st.code() != StatusCode::kNotFound) return ReconcileResult::Retry(st);
  return outcome();
}

ReconcileResult VaultAuthReconciler::Reconcile(const std::string& key) {
  auto auth = auths_.Get(key);
  if (auth == nullptr || auth->meta.deleting) return ReconcileResult::Done();
  ReadyState want{true, kReasonValid,
                  "VaultAuth is valid (method " + std::string(AuthMethodName(auth->spec.method)) +
                      ", mount " + auth->spec.mount + ")"};
  if (!auth->spec_error.ok()) {
    want = {false, kReasonInvalidSpec, auth->spec_error.message()};
  } else if (!auth->spec.connection_ref_name.empty()) {
    std::string ck = auth->spec.connection_ref_namespace + "/" + auth->spec.connection_ref_name;
    auto conn = connections_.Get(ck);
    if (conn == nullptr) {
      want = {false, kReasonConnectionNotFound, "VaultConnection " + ck + " not found"};
    } else if (!conn->spec_error.ok()) {
      want = {false, kReasonInvalidSpec,
              "VaultConnection " + ck + " is invalid: " + conn->spec_error.message()};
    }
  } else {
    auto conn = connections_.Get(defaults_.operator_namespace + "/" + kDefaultObjectName);
    if (conn == nullptr && defaults_.vault_address.empty()) {
      want = {false, kReasonConnectionNotFound,
              "spec.vaultConnectionRef is empty, there is no VaultConnection \"" +
                  std::string(kDefaultObjectName) + "\" in the operator's namespace " +
                  defaults_.operator_namespace + " and the operator has no default Vault address"};
    }
  }
  return ReportValidity(cluster_, clock_, kKindVaultAuth, auth->meta, auth->ready, want);
}

}  // namespace vaultsync::controller
