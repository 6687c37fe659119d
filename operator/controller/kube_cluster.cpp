// Kubernetes writes of the reconcilers.
#include "controller/kube_cluster.h"

namespace vaultsync::controller {

const kube::ResourceType* ResourceTypeOfKind(const std::string& kind) {
  namespace r = kube::resources;
  if (kind == "VaultStaticSecret") return &r::VaultStaticSecret();
  if (kind == "VaultAuth") return &r::VaultAuth();
  if (kind == "VaultConnection") return &r::VaultConnection();
  if (kind == "VaultPushSecret") return &r::VaultPushSecret();
  if (kind == "VaultDynamicSecret") return &r::VaultDynamicSecret();
  if (kind == "VaultPKISecret") return &r::VaultPKISecret();
  if (kind == "Deployment") return &r::Deployment();
  if (kind == "StatefulSet") return &r::StatefulSet();
  if (kind == "DaemonSet") return &r::DaemonSet();
  if (kind == kKindArgoRollout) {
    static const kube::ResourceType kRollout =
        kube::CustomResource("argoproj.io", "v1alpha1", "rollouts", "Rollout");
    return &kRollout;
  }
  return nullptr;
}

Result<std::optional<json::Document>> KubeCluster::GetSecret(const std::string& ns,
                                                             const std::string& name) {
  auto doc = client_.Get(kube::resources::Secret(), ns, name);
  if (!doc.ok()) {
    if (doc.status().code() == StatusCode::kNotFound) return std::optional<json::Document>();
    return doc.status();
  }
  return std::optional<json::Document>(std::move(*doc));
}

Status KubeCluster::CreateSecret(const std::string&, const json::Value& secret) {
  return client_.Create(kube::resources::Secret(), secret).status();
}

Status KubeCluster::UpdateSecret(const std::string&, const std::string&,
                                 const json::Value& secret) {
  return client_.Update(kube::resources::Secret(), secret).status();
}

Status KubeCluster::PatchStatus(const std::string& kind, const std::string& ns,
                                const std::string& name, const std::string& merge_patch) {
  const kube::ResourceType* rt = ResourceTypeOfKind(kind);
  if (rt == nullptr) return InvalidArgument("unknown kind " + kind);
  kube::PatchOptions opts;
  opts.subresource = "status";
  return client_.Patch(*rt, ns, name, kube::PatchType::kMerge, merge_patch, opts).status();
}

Status KubeCluster::PatchObject(const std::string& kind, const std::string& ns,
                                const std::string& name, const std::string& merge_patch) {
  const kube::ResourceType* rt = ResourceTypeOfKind(kind);
  if (rt == nullptr) return InvalidArgument("unknown kind " + kind);
  return client_.Patch(*rt, ns, name, kube::PatchType::kMerge, merge_patch).status();
}

Status KubeCluster::PatchWorkload(const std::string& kind, const std::string& ns,
                                  const std::string& name, const std::string& patch) {
  const kube::ResourceType* rt = ResourceTypeOfKind(kind);
  if (rt == nullptr) return InvalidArgument("unknown kind " + kind);
  // A custom resource (an Argo Rollout) takes no strategic-merge patch (415).
  const auto type =
      rt->group == "apps" ? kube::PatchType::kStrategicMerge : kube::PatchType::kMerge;
  return client_.Patch(*rt, ns, name, type, patch).status();
}

Result<std::optional<std::string>> KubeCluster::ObjectUid(const std::string& kind,
                                                          const std::string& ns,
                                                          const std::string& name) {
  const kube::ResourceType* rt = ResourceTypeOfKind(kind);
  if (rt == nullptr) return std::optional<std::string>();  // not a kind that owns Secrets
  // A list by name, not a GET: the chart grants list (the informers') and no get.
  kube::ListOptions lo;
  lo.field_selector = "metadata.name=" + name;
  auto list = client_.List(*rt, ns, lo);
  if (!list.ok()) {
    // The kind is not served (its CRD is not installed): no such owner.
    if (list.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return list.status();
  }
  const json::Value* items = json::Find(*list, "items");
  if (items == nullptr || !items->IsArray() || items->Empty()) return std::optional<std::string>();
  const json::Value* md = json::Find((*items)[0], "metadata");
  const json::Value* uid = md != nullptr ? json::Find(*md, "uid") : nullptr;
  if (uid == nullptr || !uid->IsString()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(json::View(*uid)));
}

Result<std::string> KubeCluster::CreateServiceAccountToken(
    const std::string& ns, const std::string& sa, const std::vector<std::string>& audiences,
    int64_t expiration_seconds) {
  kube::TokenRequestOptions opts;
  opts.audiences = audiences;
  opts.expiration_seconds = expiration_seconds;
  VS_ASSIGN_OR_RETURN(kube::TokenResult t, client_.CreateToken(ns, sa, opts));
  return std::move(t.token);
}

}  // namespace vaultsync::controller
