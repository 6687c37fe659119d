// VaultAuth: its Ready condition, which depends on its VaultConnection.
#include "controller/vault_auth_controller.h"

#include "controller/identity_dependents.h"
#include "controller/predicates.h"
#include "controller/vault_auth_reconciler.h"
#include "runtime/builder.h"

namespace vaultsync::controller {

Status SetupVaultAuthController(OperatorContext& ctx) {
  auto& reconciler = ctx.Own<VaultAuthReconciler>(ctx.auth_list, ctx.connection_list, ctx.cluster,
                                                  ctx.clock, ctx.options.defaults);
  const Lister<VaultAuth>& auths = ctx.auth_list;
  const std::string& operator_namespace = ctx.options.operator_namespace;
  runtime::ControllerBuilder(ctx.manager, "vaultauth")
      .For<VaultAuth>(ctx.auths, KeyOf<VaultAuth>, GenerationChanged<VaultAuth>)
      .Watches<VaultConnection>(
          ctx.connections,
          [&auths, &operator_namespace](const VaultConnection& c) {
            return AuthsUsingConnection(auths, c.meta.Key(), operator_namespace);
          },
          GenerationChanged<VaultConnection>)
      .Complete([&reconciler](const std::string& k) { return reconciler.Reconcile(k); });
  return Status::Ok();
}

}  // namespace vaultsync::controller
