// VaultPKISecret: owns its Secret; follows its identity objects and the Secrets they name.
#include "controller/vault_pki_secret_controller.h"

#include "controller/identity_dependents.h"
#include "controller/kind_served.h"
#include "controller/predicates.h"
#include "controller/vault_pki_secret_reconciler.h"
#include "controller/vault_pki_source.h"
#include "runtime/builder.h"

namespace vaultsync::controller {

Status SetupVaultPkiSecretController(OperatorContext& ctx) {
  namespace r = kube::resources;
  if (!KindServed(ctx, r::VaultPKISecret())) return Status::Ok();
  VS_ASSIGN_OR_RETURN(auto informer,
                      ctx.manager.informers().For<VaultPkiSecret>(
                          r::VaultPKISecret(), ctx.ReconciledScope(), DecodeVaultPkiSecret));
  VS_RETURN_IF_ERROR(informer->AddIndex(kIndexVaultAuthRef, [](const VaultPkiSecret& v) {
    return AuthRefIndexValues(v.spec.auth_ref);
  }));
  auto& list = ctx.Own<InformerLister<VaultPkiSecret>>(informer);
  ctx.owners.Register(kKindVaultPKISecret,
                      [&list](const std::string& key) -> std::optional<std::string> {
                        auto o = list.Get(key);
                        return o ? std::optional<std::string>(o->meta.uid) : std::nullopt;
                      });

  VaultPkiSecretReconcilerDeps deps;
  deps.secrets = &list;
  deps.auths = &ctx.auth_list;
  deps.connections = &ctx.connection_list;
  deps.managed = &ctx.managed_list;
  deps.cluster = &ctx.cluster;
  deps.writer = &ctx.writer;
  deps.events = &ctx.events;
  deps.pki = &ctx.Own<VaultPkiSource>(ctx.vault);
  deps.restarter = &ctx.restarter;
  deps.clock = &ctx.clock;
  deps.expiry = &ctx.metrics.expiry();
  deps.metrics = &ctx.metrics;
  VaultPkiSecretReconcilerOptions ropts;
  ropts.defaults = ctx.options.defaults;
  ropts.hmac_key = ctx.hmac_key;
  auto& reconciler = ctx.Own<VaultPkiSecretReconciler>(deps, ropts);
  auto& users = ctx.Own<IdentityDependents<VaultPkiSecret>>(
      list, ctx.auth_list, ctx.connection_list, ctx.options.operator_namespace,
      [](const VaultPkiSecret& v) -> const AuthRef& { return v.spec.auth_ref; });

  runtime::ControllerBuilder(ctx.manager, "vaultpkisecret")
      .For<VaultPkiSecret>(informer, KeyOf<VaultPkiSecret>, SpecOrLifecycleChanged<VaultPkiSecret>)
      .Owns<ManagedSecret>(ctx.managed_secrets,
                           [](const ManagedSecret& s) -> std::optional<std::string> {
                             if (s.OwnerKind() != kKindVaultPKISecret) return std::nullopt;
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
      .WatchesKeys(ctx.restarter.Done(kKindVaultPKISecret),
                   [](const std::string& key) { return std::vector<std::string>{key}; })
      .Workers(ctx.options.max_concurrent_reconciles)
      .Complete([&reconciler](const std::string& k) { return reconciler.Reconcile(k); });
  return Status::Ok();
}

}  // namespace vaultsync::controller
