// One informer per (resource, namespaces, selectors), shared by everyone who asks for it
// (controller-runtime's informer cache): two controllers that watch Secrets with the same
// label selector get the same cache and the same single watch.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <vector>

#include "kube/informer.h"

namespace vaultsync::kube {

// Thread-safe.
class InformerFactory {
 public:
  explicit InformerFactory(Client& client, InformerOptions options = {})
      : client_(client), options_(options) {}
  ~InformerFactory() { Stop(); }
  InformerFactory(const InformerFactory&) = delete;
  InformerFactory& operator=(const InformerFactory&) = delete;

  // The informer for (rt, scope), created on first request with `decode`; later requests
  // get the same one (their decoder is not used). Namespace order does not matter. An
  // informer requested after Start() starts at once. Fails with kInvalidArgument when the
  // same (rt, scope) was already requested with a different T, or after Stop().
  template <typename T>
  Result<std::shared_ptr<Informer<T>>> For(const ResourceType& rt, InformerScope scope,
                                           typename Informer<T>::Decoder decode) {
    auto core = Obtain(rt, std::move(scope), std::type_index(typeid(T)),
                       [&decode] { return Informer<T>::Erase(std::move(decode)); });
    if (!core.ok()) return core.status();
    return std::make_shared<Informer<T>>(std::move(*core));
  }

  // The same with a filtering decoder (Informer<T>::FilteringDecoder): an informer that
  // caches only the objects the decoder accepts. Shared like any other (rt, scope).
  template <typename T>
  Result<std::shared_ptr<Informer<T>>> ForFiltered(const ResourceType& rt, InformerScope scope,
                                                   typename Informer<T>::FilteringDecoder decode) {
    auto core = Obtain(rt, std::move(scope), std::type_index(typeid(T)),
                       [&decode] { return Informer<T>::EraseFiltering(std::move(decode)); });
    if (!core.ok()) return core.status();
    return std::make_shared<Informer<T>>(std::move(*core));
  }

  void Start();  // starts every informer made so far and, from now on, every new one
  void Stop();   // stops them all; idempotent
  // True when every informer made so far has synced within `timeout`.
  bool WaitForCacheSync(std::chrono::milliseconds timeout);

 private:
  struct Registered {
    std::type_index type;
    std::shared_ptr<InformerCore> core;
  };
  Result<std::shared_ptr<InformerCore>> Obtain(const ResourceType& rt, InformerScope scope,
                                               std::type_index type,
                                               const std::function<ErasedDecoder()>& make_decoder);

  Client& client_;
  const InformerOptions options_;
  std::mutex mu_;
  bool started_ = false;
  bool stopped_ = false;
  std::map<std::string, Registered> informers_;
};

}  // namespace vaultsync::kube
