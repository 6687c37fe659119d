// Which updates of our objects are worth a reconcile (controller-runtime's predicates), for
// ControllerBuilder::For and ::Watches. Our own status writes change neither generation
// nor deletion state, so they do not wake the controller that wrote them.
#pragma once

#include <string>

namespace vaultsync::controller {

// The object's key, "namespace/name" (T has `meta`).
template <typename T>
std::string KeyOf(const T& o) {
  return o.meta.Key();
}

// The spec changed (metadata.generation moves only with the spec).
template <typename T>
bool GenerationChanged(const T& a, const T& b) {
  return a.meta.generation != b.meta.generation;
}

// A new value of the annotation vaultsync.io/force-sync (force_sync.h): a sync now.
template <typename T>
bool ForceSyncRequested(const T& a, const T& b) {
  return b.meta.force_sync != 0 && a.meta.force_sync != b.meta.force_sync;
}

// The spec changed, or deletion started, or the finalizers changed (a finalizer added or
// removed by someone may need our action), or a sync was forced, or the sharding label
// changed (its Secret must follow it: shard_label.h).
template <typename T>
bool SpecOrLifecycleChanged(const T& a, const T& b) {
  return a.meta.generation != b.meta.generation || a.meta.deleting != b.meta.deleting ||
         a.meta.finalizers != b.meta.finalizers || a.meta.shard != b.meta.shard ||
         ForceSyncRequested(a, b);
}

}  // namespace vaultsync::controller
