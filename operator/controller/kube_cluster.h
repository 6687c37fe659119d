// Cluster (ports.h) over the Kubernetes client: the reconcilers' writes become REST calls.
#pragma once

#include "controller/ports.h"
#include "kube/client.h"

namespace vaultsync::controller {

// Thread-safe (the kube client is).
class KubeCluster final : public Cluster {
 public:
  explicit KubeCluster(kube::Client& client) : client_(client) {}

  Result<std::optional<json::Document>> GetSecret(const std::string& ns,
                                                  const std::string& name) override;
  Status CreateSecret(const std::string& ns, const json::Value& secret) override;
  Status UpdateSecret(const std::string& ns, const std::string& name,
                      const json::Value& secret) override;
  Status PatchStatus(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& merge_patch) override;
  Status PatchObject(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& merge_patch) override;
  Status PatchWorkload(const std::string& kind, const std::string& ns, const std::string& name,
                       const std::string& patch) override;
  Result<std::string> CreateServiceAccountToken(const std::string& ns, const std::string& sa,
                                                const std::vector<std::string>& audiences,
                                                int64_t expiration_seconds) override;

  // A live read (a list by metadata.name) of the uid of the object of `kind` (as
  // ResourceTypeOfKind knows it) ns/name; nullopt when it does not exist.
  Result<std::optional<std::string>> ObjectUid(const std::string& kind, const std::string& ns,
                                               const std::string& name);

 private:
  kube::Client& client_;
};

// The ResourceType of a vaultsync.io kind ("VaultStaticSecret", ...), an apps/v1 workload
// kind or "argoproj.io/Rollout"; nullptr for anything else.
const kube::ResourceType* ResourceTypeOfKind(const std::string& kind);

}  // namespace vaultsync::controller
