// VaultPushSecret: watches the Secrets it pushes (through a filtered cache that keeps only
// those some VaultPushSecret names, and only a MAC of their data), its identity objects, and
// the other resources on its Vault path.
#include "controller/vault_push_secret_controller.h"

#include "controller/identity_dependents.h"
#include "controller/kind_served.h"
#include "controller/predicates.h"
#include "controller/vault_kv_writer.h"
#include "controller/vault_push_secret_reconciler.h"
#include "metrics/push_counters.h"
#include "runtime/builder.h"

namespace vaultsync::controller {

Status SetupVaultPushSecretController(OperatorContext& ctx) {
  namespace r = kube::resources;
  using Ptr = std::shared_ptr<const VaultPushSecret>;
  // A round-2 kind: an operator upgraded before its CRD is applied runs the other kinds.
  if (!KindServed(ctx, r::VaultPushSecret())) return Status::Ok();
  VS_ASSIGN_OR_RETURN(auto informer,
                      ctx.manager.informers().For<VaultPushSecret>(
                          r::VaultPushSecret(), ctx.ReconciledScope(), DecodeVaultPushSecret));
  VS_RETURN_IF_ERROR(informer->AddIndex(kIndexVaultAuthRef, [](const VaultPushSecret& v) {
    return AuthRefIndexValues(v.spec.auth_ref);
  }));
  VS_RETURN_IF_ERROR(informer->AddIndex(kIndexPushSourceSecret, PushSourceIndexValues));
  VS_RETURN_IF_ERROR(informer->AddIndex(kIndexPushVaultPath, PushVaultPathIndexValues));
  auto& list = ctx.Own<InformerLister<VaultPushSecret>>(informer);

  // Every Secret of the watched namespaces passes through this informer's decoder, which keeps
  // only those a VaultPushSecret names (and only their MAC): the watch costs traffic, not
  // memory. Its first list waits for the VaultPushSecret cache, so it is decoded against it.
  // Weak: the Secret cache must not keep the VaultPushSecret cache alive (nor the other way).
  std::weak_ptr<kube::Informer<VaultPushSecret>> weak = informer;
  PushSourceNamers namers = [weak](const std::string& key) {
    auto pushes = weak.lock();
    return pushes ? pushes->ByIndex(kIndexPushSourceSecret, key)
                  : std::vector<std::shared_ptr<const VaultPushSecret>>{};
  };
  // The Secrets vaultsync writes itself are left out by the server (a label selector), so
  // the thousands a large installation manages cost this watch nothing: pushing a Secret
  // that is itself synced from Vault would be a loop anyway (README, VaultPushSecret).
  kube::InformerScope scope = ctx.Scope();
  scope.label_selector = std::string(kManagedByLabel) + "!=vaultsync";
  VS_ASSIGN_OR_RETURN(auto sources,
                      ctx.manager.informers().ForFiltered<PushSource>(
                          r::Secret(), scope, PushSourceDecoder(&ctx.hmac_key, namers)));
  sources->ListAfter(informer);
  auto& source_list = ctx.Own<InformerLister<PushSource>>(sources);

  VaultPushSecretReconcilerDeps deps;
  deps.pushes = &list;
  deps.sources = &source_list;
  deps.admit_source = [sources](const json::Value& secret) { sources->Admit(secret); };
  deps.auths = &ctx.auth_list;
  deps.connections = &ctx.connection_list;
  deps.cluster = &ctx.cluster;
  deps.events = &ctx.events;
  deps.vault = &ctx.Own<VaultKvWriter>(ctx.vault, &ctx.manager.abort());
  deps.clock = &ctx.clock;
  deps.metrics = &ctx.Own<metrics::PushCounters>(ctx.metrics.registry());
  VaultPushSecretReconcilerOptions ropts;
  ropts.defaults = ctx.options.defaults;
  ropts.hmac_key = ctx.hmac_key;
  auto& reconciler = ctx.Own<VaultPushSecretReconciler>(deps, ropts);
  auto& users = ctx.Own<IdentityDependents<VaultPushSecret>>(
      list, ctx.auth_list, ctx.connection_list, ctx.options.operator_namespace,
      [](const VaultPushSecret& v) -> const AuthRef& { return v.spec.auth_ref; });

  runtime::Controller& controller =
      runtime::ControllerBuilder(ctx.manager, "vaultpushsecret")
          .For<VaultPushSecret>(informer, KeyOf<VaultPushSecret>,
                                SpecOrLifecycleChanged<VaultPushSecret>)
          .Watches<PushSource>(
              sources,
              [weak](const PushSource& s) {
                std::vector<std::string> keys;
                auto pushes = weak.lock();
                if (pushes == nullptr) return keys;
                for (const auto& v : pushes->ByIndex(kIndexPushSourceSecret, s.key))
                  keys.push_back(v->meta.Key());
                return keys;
              },
              [](const PushSource& a, const PushSource& b) { return a.macs != b.macs; })
          .Watches<VaultAuth>(
              ctx.auths, [&users](const VaultAuth& a) { return users.OfAuth(a.meta.Key()); },
              GenerationChanged<VaultAuth>)
          .Watches<VaultConnection>(
              ctx.connections,
              [&users](const VaultConnection& c) { return users.OfConnection(c.meta.Key()); },
              GenerationChanged<VaultConnection>)
          .WatchesKeys(ctx.credential_changes,
                       [&users](const std::string& secret) { return users.OfSecret(secret); })
          .Workers(ctx.options.max_concurrent_reconciles)
          .Complete([&reconciler](const std::string& k) { return reconciler.Reconcile(k); });

  // A resource that leaves a Vault path (moved, being deleted, gone) may let a younger one on
  // that path write; one that moves onto a path may stop a younger one there. And a Secret
  // that no resource names any more leaves the filtered cache (a relist would not decode it
  // again while it is unchanged).
  // These handlers live in the VaultPushSecret cache itself: they hold both caches weakly
  // (a strong reference would be a cycle, and both caches would outlive the operator).
  std::weak_ptr<kube::Informer<PushSource>> weak_sources = sources;
  auto requeue_peers = [weak, &controller](const VaultPushSecret& v) {
    auto pushes = weak.lock();
    if (pushes == nullptr) return;
    for (const auto& peer : pushes->ByIndex(kIndexPushVaultPath, v.spec.VaultPath())) {
      if (peer->meta.Key() != v.meta.Key()) controller.Enqueue(peer->meta.Key());
    }
  };
  auto release_source = [weak, weak_sources](const VaultPushSecret& v) {
    auto pushes = weak.lock();
    auto secrets = weak_sources.lock();
    if (pushes == nullptr || secrets == nullptr) return;
    for (const std::string& key : PushSourceIndexValues(v)) {
      if (pushes->ByIndex(kIndexPushSourceSecret, key).empty()) secrets->Evict(key);
    }
  };
  informer->AddEventHandler({nullptr,
                             [requeue_peers, release_source](const Ptr& a, const Ptr& b) {
                               if (a->spec.VaultPath() != b->spec.VaultPath() ||
                                   a->meta.deleting != b->meta.deleting ||
                                   a->spec_error.ok() != b->spec_error.ok()) {
                                 requeue_peers(*a);
                                 requeue_peers(*b);
                               }
                               if (a->spec.secret_name != b->spec.secret_name) release_source(*a);
                             },
                             [requeue_peers, release_source](const Ptr& v) {
                               requeue_peers(*v);
                               release_source(*v);
                             }});
  return Status::Ok();
}

}  // namespace vaultsync::controller
