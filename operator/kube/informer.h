// Informer<T>: a watched, locally cached view of one resource type (client-go's
// SharedIndexInformer). The cache holds, per "namespace/name" key, only the T that the
// user's decoder made of the object, so an informer over 10,000 Secrets costs what their
// few used fields cost, not their data (VSO and ESO ran out of memory caching whole
// Secrets). A filtering decoder goes further and declines the objects it does not want, so
// they cost nothing at all (see FilteringDecoder). Handlers hear of every add/update/delete
// exactly once, in order, on one thread.
// See informer_core.h for the list/watch/relist machinery and InformerFactory
// (informer_factory.h) for sharing one informer among consumers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/informer_core.h"

namespace vaultsync::kube {

// Thread-safe. Objects handed out are immutable and stay valid while referenced.
template <typename T>
class Informer {
 public:
  using Ptr = std::shared_ptr<const T>;
  // Turns one API object into what the cache keeps; an error skips the object (logged).
  using Decoder = std::function<Result<T>(const json::Value&)>;
  // Like Decoder, but std::nullopt declines the object: it is not cached, announced or
  // logged, and an entry it had is dropped (announced as a delete). For an informer that
  // must see every object of a type but keep only a few (whose choice may depend on other
  // caches: see Admit, Evict and ListAfter).
  using FilteringDecoder = std::function<Result<std::optional<T>>(const json::Value&)>;

  struct Handlers {
    std::function<void(const Ptr&)> on_add;
    std::function<void(const Ptr& old_obj, const Ptr& new_obj)> on_update;
    std::function<void(const Ptr&)> on_delete;  // the last cached state
  };

  Informer(Client& client, ResourceType rt, InformerScope scope, Decoder decode,
           InformerOptions options = {})
      : core_(std::make_shared<InformerCore>(client, std::move(rt), std::move(scope),
                                             Erase(std::move(decode)), options)) {}
  Informer(Client& client, ResourceType rt, InformerScope scope, FilteringDecoder decode,
           InformerOptions options = {})
      : core_(std::make_shared<InformerCore>(client, std::move(rt), std::move(scope),
                                             EraseFiltering(std::move(decode)), options)) {}
  // Wraps a core made by InformerFactory (whose objects are T).
  explicit Informer(std::shared_ptr<InformerCore> core) : core_(std::move(core)) {}

  // May be called before or after Start; a late handler first gets an add per cached
  // object. Handlers must not block for long: they delay every later notification.
  void AddEventHandler(Handlers h) {
    ErasedHandlers e;
    if (h.on_add) e.on_add = [f = std::move(h.on_add)](const ErasedObject& o) { f(Cast(o)); };
    if (h.on_update)
      e.on_update = [f = std::move(h.on_update)](const ErasedObject& a, const ErasedObject& b) {
        f(Cast(a), Cast(b));
      };
    if (h.on_delete)
      e.on_delete = [f = std::move(h.on_delete)](const ErasedObject& o) { f(Cast(o)); };
    core_->AddHandlers(std::move(e));
  }

  // Call before Start: the first list waits until `other` has synced (or this informer is
  // stopped), for a filtering decoder that consults `other`'s cache.
  template <typename U>
  void ListAfter(std::shared_ptr<Informer<U>> other) {
    // Weak: a gate must not keep the other cache alive (the two may refer to each other).
    std::weak_ptr<Informer<U>> weak = other;
    core_->SetListGate([weak](std::chrono::milliseconds wait) {
      auto o = weak.lock();
      return o == nullptr || o->WaitForSync(wait);
    });
  }

  // An object read outside the watch (a live GET): cached when the cache has no entry for it
  // or one of the same resourceVersion (decoded again, as a filtering decoder may now answer
  // differently); see InformerCore::Admit. True when the object is cached afterwards.
  bool Admit(const json::Value& obj) { return core_->Admit(obj); }
  // Drops the entry of `key` (announced as a delete), e.g. when a filtering decoder would now
  // decline it: a relist does not decode unchanged objects again. False when none was cached.
  bool Evict(std::string_view key) { return core_->Evict(key); }

  void Start() { core_->Start(); }
  void Stop() { core_->Stop(); }
  bool HasSynced() const { return core_->HasSynced(); }
  bool WaitForSync(std::chrono::milliseconds timeout) const { return core_->WaitForSync(timeout); }

  // The cached object for "namespace/name" (or "name"), nullptr when absent.
  Ptr Get(std::string_view key) const { return Cast(core_->Get(key)); }
  std::vector<Ptr> List() const {
    std::vector<Ptr> out;
    for (auto& o : core_->List()) out.push_back(Cast(o));
    return out;
  }
  std::vector<std::string> Keys() const { return core_->Keys(); }
  size_t Size() const { return core_->Size(); }

  // A field index over the cache (controller-runtime's IndexField): `values` gives what an
  // object is filed under (nothing = not indexed). See InformerCore::AddIndex.
  Status AddIndex(const std::string& name,
                  std::function<std::vector<std::string>(const T&)> values) {
    return core_->AddIndex(name, [f = std::move(values)](const ErasedObject& o) {
      return f(*std::static_pointer_cast<const T>(o));
    });
  }
  // The cached objects filed under `value` in index `name`: cost proportional to them.
  std::vector<Ptr> ByIndex(std::string_view name, std::string_view value) const {
    std::vector<Ptr> out;
    for (auto& o : core_->ByIndex(name, value)) out.push_back(Cast(o));
    return out;
  }

  static ErasedDecoder Erase(Decoder d) {
    return [d = std::move(d)](const json::Value& v) -> Result<ErasedObject> {
      auto r = d(v);
      if (!r.ok()) return r.status();
      return ErasedObject(std::make_shared<const T>(std::move(r).value()));
    };
  }
  static ErasedDecoder EraseFiltering(FilteringDecoder d) {
    return [d = std::move(d)](const json::Value& v) -> Result<ErasedObject> {
      auto r = d(v);
      if (!r.ok()) return r.status();
      if (!r->has_value()) return ErasedObject();  // declined
      return ErasedObject(std::make_shared<const T>(std::move(**r)));
    };
  }

 private:
  static Ptr Cast(const ErasedObject& o) { return std::static_pointer_cast<const T>(o); }

  std::shared_ptr<InformerCore> core_;
};

}  // namespace vaultsync::kube
