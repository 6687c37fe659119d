// Ready conditions of VaultAuth and VaultConnection.
#include "controller/vault_auth_reconciler.h"

#include "controller/identity.h"
#include "controller/status.h"

namespace vaultsync::controller {
namespace {

ReconcileResult Report(Cluster& cluster, const Clock& clock, const std::string& kind,
                       const ObjectMeta& meta, const ReadyCondition& current,
                       const ReadyState& want) {
  if (ReadyUpToDate(current, want, meta.generation)) {
    return want.ready ? ReconcileResult::Done()
                      : ReconcileResult::Terminal(InvalidArgument(want.message));
  }
  Status st = cluster.PatchStatus(kind, meta.namespace_, meta.name,
                                  StatusPatch(current, want, meta.generation, clock.Now()));
  if (!st.ok() && st.code() != StatusCode::kNotFound) return ReconcileResult::Retry(st);
  return want.ready ? ReconcileResult::Done()
                    : ReconcileResult::Terminal(InvalidArgument(want.message));
}

}  // namespace

ReconcileResult VaultAuthReconciler::Reconcile(const std::string& key) {
  auto auth = auths_.Get(key);
  if (auth == nullptr || auth->meta.deleting) return ReconcileResult::Done();
  ReadyState want{true, kReasonValid,
                  "VaultAuth is valid (method " + std::string(AuthMethodName(auth->spec.method)) +
                      ", mount " + auth->spec.mount + ")"};
  if (!auth->spec_error.ok()) {
    want = {false, kReasonInvalidSpec, auth->spec_error.message()};
  } else if (!auth->spec.vault_connection_ref.empty()) {
    std::string ck = auth->meta.namespace_ + "/" + auth->spec.vault_connection_ref;
    auto conn = connections_.Get(ck);
    if (conn == nullptr) {
      want = {false, kReasonConnectionNotFound, "VaultConnection " + ck + " not found"};
    } else if (!conn->spec_error.ok()) {
      want = {false, kReasonInvalidSpec,
              "VaultConnection " + ck + " is invalid: " + conn->spec_error.message()};
    }
  }
  return Report(cluster_, clock_, "VaultAuth", auth->meta, auth->ready, want);
}

ReconcileResult VaultConnectionReconciler::Reconcile(const std::string& key) {
  auto conn = connections_.Get(key);
  if (conn == nullptr || conn->meta.deleting) return ReconcileResult::Done();
  ReadyState want{true, kReasonValid, "VaultConnection is valid (" + conn->spec.address + ")"};
  if (!conn->spec_error.ok()) want = {false, kReasonInvalidSpec, conn->spec_error.message()};
  return Report(cluster_, clock_, "VaultConnection", conn->meta, conn->ready, want);
}

}  // namespace vaultsync::controller
