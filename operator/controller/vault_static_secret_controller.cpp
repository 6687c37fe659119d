// VaultStaticSecret: owns its Secret; follows its identity objects, the Secrets they name, and
// the rollout restarts it asked for.
#include "controller/vault_static_secret_controller.h"

#include "controller/identity_dependents.h"
#include "controller/predicates.h"
#include "controller/vault_static_secret_reconciler.h"
#include "runtime/builder.h"

namespace vaultsync::controller {

Status SetupVaultStaticSecretController(OperatorContext& ctx) {
  namespace r = kube::resources;
  VS_ASSIGN_OR_RETURN(auto informer,
                      ctx.manager.informers().For<VaultStaticSecret>(
                          r::VaultStaticSecret(), ctx.ReconciledScope(), DecodeVaultStaticSecret));
  VS_RETURN_IF_ERROR(informer->AddIndex(kIndexVaultAuthRef, [](const VaultStaticSecret& v) {
    return AuthRefIndexValues(v.spec.auth_ref);
  }));
  auto& list = ctx.Own<InformerLister<VaultStaticSecret>>(informer);
  ctx.owners.Register(kKindVaultStaticSecret,
                      [&list](const std::string& key) -> std::optional<std::string> {
                        auto o = list.Get(key);
                        return o ? std::optional<std::string>(o->meta.uid) : std::nullopt;
                      });

  VaultStaticSecretReconcilerDeps deps;
  deps.secrets = &list;
  deps.auths = &ctx.auth_list;
  deps.connections = &ctx.connection_list;
  deps.managed = &ctx.managed_list;
  deps.cluster = &ctx.cluster;
  deps.writer = &ctx.writer;
  deps.events = &ctx.events;
  deps.vault = &ctx.vault;
  deps.restarter = &ctx.restarter;
  deps.clock = &ctx.clock;
  deps.metrics = &ctx.metrics;
  VaultStaticSecretReconcilerOptions ropts;
  ropts.defaults = ctx.options.defaults;
  ropts.hmac_key = ctx.hmac_key;
  ropts.default_refresh = ctx.options.default_refresh;
  auto& reconciler = ctx.Own<VaultStaticSecretReconciler>(deps, ropts);
  auto& users = ctx.Own<IdentityDependents<VaultStaticSecret>>(
      list, ctx.auth_list, ctx.connection_list, ctx.options.operator_namespace,
      [](const VaultStaticSecret& v) -> const AuthRef& { return v.spec.auth_ref; });

  runtime::ControllerBuilder(ctx.manager, "vaultstaticsecret")
      .For<VaultStaticSecret>(informer, KeyOf<VaultStaticSecret>,
                              SpecOrLifecycleChanged<VaultStaticSecret>)
      .Owns<ManagedSecret>(ctx.managed_secrets,
                           [](const ManagedSecret& s) -> std::optional<std::string> {
                             if (s.OwnerKind() != kKindVaultStaticSecret) return std::nullopt;
                             return s.OwnerKey();
                           })
      .Watches<VaultAuth>(
          ctx.auths, [&users](const VaultAuth& a) { return users.OfAuth(a.meta.Key()); },
          GenerationChanged<VaultAuth>)
      .Watches<VaultConnection>(
          ctx.connections,
          [&users](const VaultConnection& c) { return users.OfConnection(c.meta.Key()); },
          GenerationChanged<VaultConnection>)
      .WatchesKeys(ctx.credential_changes,
                   [&users](const std::string& secret) { return users.OfSecret(secret); })
      // A rollout restart finished: clear status.rolloutRestartMAC.
      .WatchesKeys(ctx.restarter.Done(kKindVaultStaticSecret),
                   [](const std::string& key) { return std::vector<std::string>{key}; })
      .Workers(ctx.options.max_concurrent_reconciles)
      .Complete([&reconciler](const std::string& k) { return reconciler.Reconcile(k); });
  return Status::Ok();
}

}  // namespace vaultsync::controller
