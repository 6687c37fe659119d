// Declaring a controller, controller-runtime's builder in C++: a controller names the kind
// it reconciles (For), the objects it owns (Owns: a change to one re-queues its owner),
// and any other objects whose changes matter to it (Watches, with a map function from the
// changed object to the keys to re-queue — usually a field-index lookup, so that the cost
// is proportional to the objects affected, never a scan of the cache). Complete() creates
// the controller in the Manager and subscribes it to those informers:
//
//   ControllerBuilder(mgr, "vaultstaticsecret")
//       .For(vss_informer, SpecOrDeletionChanged<VaultStaticSecret>)
//       .Owns(secret_informer, OwnerKeysOf("VaultStaticSecret"))
//       .Watches(auth_informer, users_of_auth, GenerationChanged<VaultAuth>)
//       .Workers(4)
//       .Complete([&](const std::string& key) { return reconciler.Reconcile(key); });
//
// Level-based: an event only says "look at this key again"; what changed is never passed on.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/informer.h"
#include "runtime/controller.h"
#include "runtime/key_events.h"
#include "runtime/manager.h"

namespace vaultsync::runtime {

// Whether an update of an object is worth a reconcile (adds and deletes always are).
// nullptr means always.
template <typename T>
using UpdatePredicate = std::function<bool(const T& old_obj, const T& new_obj)>;
// The keys ("namespace/name") of the reconciled kind that a change to an object affects.
template <typename T>
using MapFn = std::function<std::vector<std::string>(const T& obj)>;

class ControllerBuilder {
 public:
  ControllerBuilder(Manager& manager, std::string name) : manager_(manager) {
    options_.name = std::move(name);
  }

  // The kind this controller reconciles; `key` gives an object's key.
  template <typename T>
  ControllerBuilder& For(std::shared_ptr<kube::Informer<T>> informer,
                         std::function<std::string(const T&)> key,
                         UpdatePredicate<T> changed = nullptr) {
    return Watches<T>(
        std::move(informer),
        [key = std::move(key)](const T& o) -> std::vector<std::string> { return {key(o)}; },
        std::move(changed));
  }

  // Objects this kind owns: every change to one re-queues its owner (nothing when the
  // function finds no owner of this kind).
  template <typename O>
  ControllerBuilder& Owns(std::shared_ptr<kube::Informer<O>> informer,
                          std::function<std::optional<std::string>(const O&)> owner) {
    return Watches<O>(std::move(informer),
                      [owner = std::move(owner)](const O& o) -> std::vector<std::string> {
                        auto k = owner(o);
                        return k ? std::vector<std::string>{*k} : std::vector<std::string>{};
                      });
  }

  // Any other kind whose changes matter: `map` gives the keys to re-queue.
  template <typename O>
  ControllerBuilder& Watches(std::shared_ptr<kube::Informer<O>> informer, MapFn<O> map,
                             UpdatePredicate<O> changed = nullptr) {
    wiring_.push_back(
        [informer, map = std::move(map), changed = std::move(changed)](Controller& c) {
          using Ptr = std::shared_ptr<const O>;
          auto enqueue = [&c, map](const Ptr& o) {
            for (const auto& k : map(*o)) c.Enqueue(k);
          };
          informer->AddEventHandler({enqueue,
                                     [enqueue, changed](const Ptr& a, const Ptr& b) {
                                       if (!changed || changed(*a, *b)) enqueue(b);
                                     },
                                     enqueue});
        });
    return *this;
  }

  // Changes announced by a KeyEvents source (objects not watched by an informer).
  ControllerBuilder& WatchesKeys(KeyEvents& source,
                                 std::function<std::vector<std::string>(const std::string&)> map) {
    wiring_.push_back([&source, map = std::move(map)](Controller& c) {
      source.Subscribe([&c, map](const std::string& key) {
        for (const auto& k : map(key)) c.Enqueue(k);
      });
    });
    return *this;
  }

  ControllerBuilder& Workers(int n) {
    options_.workers = n;
    return *this;
  }
  ControllerBuilder& Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max) {
    options_.backoff_base = base;
    options_.backoff_max = max;
    return *this;
  }

  // Creates the controller in the manager (started with the manager, or when this replica
  // becomes leader) and subscribes it to everything declared above.
  Controller& Complete(ReconcileFn reconcile) {
    Controller& c = manager_.NewController(options_, std::move(reconcile));
    for (auto& wire : wiring_) wire(c);
    return c;
  }

 private:
  Manager& manager_;
  ControllerOptions options_;
  std::vector<std::function<void(Controller&)>> wiring_;
};

}  // namespace vaultsync::runtime
