// VaultConnection: its Ready condition, from its own spec.
#include "controller/vault_connection_controller.h"

#include "controller/predicates.h"
#include "controller/vault_connection_reconciler.h"
#include "runtime/builder.h"

namespace vaultsync::controller {

Status SetupVaultConnectionController(OperatorContext& ctx) {
  auto& reconciler = ctx.Own<VaultConnectionReconciler>(ctx.connection_list, ctx.cluster, ctx.clock,
                                                        SystemHostResolver);
  runtime::ControllerBuilder(ctx.manager, "vaultconnection")
      .For<VaultConnection>(ctx.connections, KeyOf<VaultConnection>,
                            GenerationChanged<VaultConnection>)
      .Complete([&reconciler](const std::string& k) { return reconciler.Reconcile(k); });
  return Status::Ok();
}

}  // namespace vaultsync::controller
