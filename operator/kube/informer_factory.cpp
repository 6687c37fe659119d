// The shared informer registry.
#include "kube/informer_factory.h"

#include <algorithm>

namespace vaultsync::kube {

namespace {
std::string RegistryKey(const ResourceType& rt, const InformerScope& scope) {
  std::vector<std::string> ns = scope.namespaces;
  std::sort(ns.begin(), ns.end());
  ns.erase(std::unique(ns.begin(), ns.end()), ns.end());
  std::string key = rt.group + "/" + rt.version + "/" + rt.resource + "|";
  for (const auto& n : ns) key += n + ",";
  // '\n' cannot occur in a selector, so the parts cannot run into each other.
  key += "\n" + scope.label_selector + "\n" + scope.field_selector;
  return key;
}
}  // namespace

Result<std::shared_ptr<InformerCore>> InformerFactory::Obtain(
    const ResourceType& rt, InformerScope scope, std::type_index type,
    const std::function<ErasedDecoder()>& make_decoder) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return InvalidArgument("informer factory is stopped");
  std::sort(scope.namespaces.begin(), scope.namespaces.end());
  scope.namespaces.erase(std::unique(scope.namespaces.begin(), scope.namespaces.end()),
                         scope.namespaces.end());
  std::string key = RegistryKey(rt, scope);
  auto it = informers_.find(key);
  if (it != informers_.end()) {
    if (it->second.type != type)
      return InvalidArgument("an informer for " + rt.QualifiedName() +
                             " with this scope already exists with another object type");
    return it->second.core;
  }
  auto core =
      std::make_shared<InformerCore>(client_, rt, std::move(scope), make_decoder(), options_);
  informers_.emplace(key, Registered{type, core});
  if (started_) core->Start();
  return core;
}

void InformerFactory::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& [k, r] : informers_) r.core->Start();
}

void InformerFactory::Stop() {
  std::map<std::string, Registered> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    all = informers_;
  }
  for (auto& [k, r] : all) r.core->Stop();
}

bool InformerFactory::WaitForCacheSync(std::chrono::milliseconds timeout) {
  std::vector<std::shared_ptr<InformerCore>> cores;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [k, r] : informers_) cores.push_back(r.core);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& c : cores) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!c->WaitForSync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

}  // namespace vaultsync::kube
