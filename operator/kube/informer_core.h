// The type-erased engine behind Informer<T> (informer.h): client-go's reflector + store +
// processor in one object. For each watched namespace (or once for all) a thread lists
// (paged) and then watches from the list's resourceVersion, resuming from the last seen
// resourceVersion after a cut and relisting on 410 Gone. Every change is applied to one
// cache keyed "namespace/name" that holds only what the user's decoder kept, and is
// announced to the handlers from a single dispatcher thread, in order. A relist announces
// only the differences from the cache, so nothing is missed or applied twice across a
// reconnect. Use Informer<T>; this header is its implementation detail.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kube/client.h"
#include "util/log.h"

namespace vaultsync::kube {

// What an informer watches.
struct InformerScope {
  std::vector<std::string> namespaces;  // empty = all namespaces (or a cluster-scoped type)
  std::string label_selector;
  std::string field_selector;
};

struct InformerOptions {
  int64_t page_size = 500;          // initial list and relists: limit + continue
  int watch_timeout_seconds = 300;  // asked of the server, jittered up to twice (client-go)
  std::chrono::milliseconds backoff_initial{800};  // after a failed list/watch, doubling...
  std::chrono::milliseconds backoff_max{30000};    // ...up to this (client-go's reflector)
  log::Logger* logger = nullptr;                   // nullptr = log::Default()
};

using ErasedObject = std::shared_ptr<const void>;
// A decoder that returns a null ErasedObject declines the object: it is not cached, not
// announced and not logged (a filtering informer's "not one of mine").
using ErasedDecoder = std::function<Result<ErasedObject>(const json::Value&)>;
// The values an object is indexed under (controller-runtime's IndexField extract function);
// empty for an object the index should not hold.
using ErasedIndexFn = std::function<std::vector<std::string>(const ErasedObject&)>;

struct ErasedHandlers {
  std::function<void(const ErasedObject&)> on_add;
  std::function<void(const ErasedObject& old_obj, const ErasedObject& new_obj)> on_update;
  std::function<void(const ErasedObject&)> on_delete;
};

// Thread-safe. Handlers run on the dispatcher thread, never concurrently with each other,
// and may call Get/List.
class InformerCore {
 public:
  InformerCore(Client& client, ResourceType rt, InformerScope scope, ErasedDecoder decode,
               InformerOptions options);
  ~InformerCore();  // Stop()s
  InformerCore(const InformerCore&) = delete;
  InformerCore& operator=(const InformerCore&) = delete;

  // A handler added after objects are cached first gets an add for each cached object.
  void AddHandlers(ErasedHandlers handlers);
  // Makes every first list wait until `ready(wait)` returns true (it is called again, with a
  // short wait, until then or until Stop()): for an informer whose decoder consults another
  // cache, so that its first list is decoded against that cache complete. Call before Start.
  void SetListGate(std::function<bool(std::chrono::milliseconds wait)> ready);
  void Start();  // idempotent; a stopped informer cannot be restarted
  // Ends watches, joins the threads; pending notifications are dropped. Idempotent.
  void Stop();

  bool HasSynced() const;  // every namespace's first list has been applied
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  ErasedObject Get(std::string_view key) const;  // nullptr when absent
  std::vector<ErasedObject> List() const;
  std::vector<std::string> Keys() const;
  size_t Size() const;

  // A field index (client-go's Indexer): `fn` gives the values each cached object is filed
  // under; ByIndex then finds the objects with a value without scanning the cache. May be
  // added at any time (objects already cached are indexed at once). kInvalidArgument when an
  // index of that name exists.
  Status AddIndex(const std::string& name, ErasedIndexFn fn);
  // The cached objects filed under `value` in index `name` (none for an unknown index).
  std::vector<ErasedObject> ByIndex(std::string_view name, std::string_view value) const;

  // For a filtering decoder, whose answer may depend on more than the object:
  // Admit caches the decoding of `obj` (an object read outside the watch, e.g. a live GET)
  // when the cache has no entry for it or one of the same resourceVersion (decoded again);
  // an entry of another resourceVersion is left alone (the watch brings the newest).
  // Announced as an add or update. Returns true when the object is cached afterwards. A
  // declined object is not cached (and a cached entry of the same version is evicted).
  bool Admit(const json::Value& obj);
  // Drops the cached entry of `key` (announced as a delete): the decoder would now decline
  // it, and an unchanged object is not decoded again by a relist. The next event or list
  // of the object decodes it afresh. False when nothing was cached.
  bool Evict(std::string_view key);

  // What the cache keeps of a resourceVersion (compared for equality only): the number when
  // it is a canonical decimal (etcd's always are: exact), else a hash with the top bit set.
  // 8 bytes per cached object instead of a string.
  static uint64_t VersionKey(std::string_view resource_version);

  const ResourceType& resource() const { return rt_; }
  const InformerScope& scope() const { return scope_; }

 private:
  struct Entry {
    ErasedObject obj;
    uint64_t version = 0;  // VersionKey(metadata.resourceVersion): only compared for equality
  };

  enum class Kind { kAdd, kUpdate, kDelete, kReplay };
  struct Notification {
    Kind kind;
    ErasedObject old_obj, new_obj;
    size_t handlers = 0;               // deliver to handlers [0, handlers) ...
    size_t target = 0;                 // ...or, for kReplay, to this one
    std::vector<ErasedObject> replay;  // kReplay: the cache at registration
  };

  struct Index {
    ErasedIndexFn fn;
    std::unordered_map<std::string, std::unordered_set<std::string>> keys;  // value -> keys
  };

  // Keeps every index in step with one cache change (either object may be null).
  // Caller holds cache_mu_ exclusively.
  void ReindexLocked(const std::string& key, const ErasedObject& old_obj,
                     const ErasedObject& new_obj);
  void RunListWatch(size_t index);
  Status ListAndReplace(size_t index, std::string& resource_version);
  void ApplyEvent(WatchEvent& ev, std::string& resource_version);
  // Removes the entry at `it` and announces its deletion. Caller holds cache_mu_ exclusively.
  void EraseLocked(std::unordered_map<std::string, Entry>::iterator it);
  void Push(Notification n);  // caller holds cache_mu_ exclusively
  void Dispatch();
  bool SleepUnlessStopped(std::chrono::milliseconds d);
  std::chrono::milliseconds NextBackoff(std::chrono::milliseconds& current, const Status& why);

  Client& client_;
  const ResourceType rt_;
  const InformerScope scope_;
  const std::vector<std::string> watch_namespaces_;  // {""} for all
  const ErasedDecoder decode_;
  const InformerOptions options_;
  std::function<bool(std::chrono::milliseconds)> list_gate_;  // set before Start
  log::Logger& log_;

  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, Entry> cache_;
  std::map<std::string, Index, std::less<>> indexes_;  // by index name
  std::vector<bool> synced_;                           // per watch namespace
  mutable std::condition_variable_any synced_cv_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Notification> queue_;
  std::deque<ErasedHandlers> handlers_;  // only grows; a deque keeps references valid

  std::mutex run_mu_;  // Start/Stop
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  http::CancelFlag cancel_;
  std::vector<std::thread> threads_;
  std::thread dispatcher_;
};

}  // namespace vaultsync::kube
