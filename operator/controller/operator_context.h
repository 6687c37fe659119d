// What every kind's controller is wired from: the manager, the shared informer caches of the
// identity objects and managed Secrets (with their field indexes), and the services all
// kinds share (Kubernetes writes, Events, the Vault secret source, the destination writer,
// the feed of changed credential Secrets). RunOperator builds one and hands it to each
// kind's Setup function (vault_static_secret_controller.h, ...); adding a kind is one
// Setup function plus its reconciler, and one line in RunOperator.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/destination_writer.h"
#include "controller/kube_adapters.h"
#include "controller/kube_cluster.h"
#include "controller/operator.h"
#include "controller/rollout_restarter.h"
#include "controller/vault_secret_source.h"
#include "runtime/key_events.h"
#include "runtime/manager.h"

namespace vaultsync::controller {

// The uid of each kind's cached objects, for the destination writer's "is that owner still
// there" check. Each kind that writes Secrets registers its lookup. Thread-safe after setup.
class OwnerRegistry {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string& key)>;
  void Register(std::string kind, Lookup lookup) { lookups_[std::move(kind)] = std::move(lookup); }
  std::optional<std::string> UidOf(std::string_view kind, const std::string& key) const {
    auto it = lookups_.find(kind);
    return it == lookups_.end() ? std::nullopt : it->second(key);
  }

 private:
  std::map<std::string, Lookup, std::less<>> lookups_;
};

struct OperatorContext {
  runtime::Manager& manager;
  const OperatorOptions& options;
  metrics::OperatorMetrics& metrics;
  const std::string& hmac_key;
  const Clock& clock;

  // Shared caches: VaultAuth and VaultConnection (watched in the operator's namespace too,
  // indexed by the Secrets and connection they name) and the Secrets the operator manages.
  std::shared_ptr<kube::Informer<VaultAuth>> auths;
  std::shared_ptr<kube::Informer<VaultConnection>> connections;
  std::shared_ptr<kube::Informer<ManagedSecret>> managed_secrets;
  const Lister<VaultAuth>& auth_list;
  const Lister<VaultConnection>& connection_list;
  const Lister<ManagedSecret>& managed_list;

  KubeCluster& cluster;
  EventSink& events;
  VaultSecretSource& vault;
  DestinationWriter& writer;
  OwnerRegistry& owners;
  // Keys of Secrets named by VaultConnections/VaultAuths that changed (credential rotation).
  runtime::KeyEvents& credential_changes;
  // Rollout restarts of workloads, coalesced across every kind (rollout_restarter.h).
  RolloutRestarter& restarter;

  // Reconcilers and listers made by Setup functions live as long as the operator runs.
  std::vector<std::shared_ptr<void>> keep_alive;
  template <typename T, typename... Args>
  T& Own(Args&&... args) {
    auto p = std::make_shared<T>(std::forward<Args>(args)...);
    keep_alive.push_back(p);
    return *p;
  }

  // The watched namespaces, whole: for the objects every shard must see (Secrets).
  kube::InformerScope Scope() const { return {options.watch_namespaces, "", ""}; }
  // The scope of the kinds a controller reconciles (For): the watched namespaces and, on a
  // sharded replica, --watch-label-selector. An object relabelled out of this shard leaves
  // the watch as DELETED and is only forgotten (no finalizer runs: it is not being deleted).
  kube::InformerScope ReconciledScope() const {
    return {options.watch_namespaces, options.watch_label_selector, ""};
  }
};

}  // namespace vaultsync::controller
