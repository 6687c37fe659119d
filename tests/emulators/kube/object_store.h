// The emulator's etcd: objects by (storage key, namespace, name), one global monotonically
// increasing resourceVersion, and per-resource event windows that watches replay from.
// Objects are immutable snapshots (shared_ptr<const Document>) so a watch can hold an event
// while writers carry on.
//
// Not thread-safe: KubeEmulator holds its lock around every call.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "util/json.h"

namespace vaultsync::kubeemu {

using ObjectPtr = std::shared_ptr<const json::Document>;

struct WatchEvent {
  int64_t rv = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string ns;
  std::string name;
  ObjectPtr object;  // the object as of this event (for DELETED: last state, with the new rv)
  ObjectPtr prev;    // the version before (nullptr for ADDED), for selector transitions
};

// etcd's order of a resource's objects: their keys "<namespace>/<name>" (cluster-scoped:
// "<name>") compared as strings, which is not the order of (namespace, name) pairs ("a-b/x"
// sorts before "a/x"). Also compares a pair with such a key, to seek to a continue token.
struct EtcdKeyLess {
  using is_transparent = void;
  bool operator()(const std::pair<std::string, std::string>& a,
                  const std::pair<std::string, std::string>& b) const;
  bool operator()(const std::pair<std::string, std::string>& a, std::string_view b) const;
  bool operator()(std::string_view a, const std::pair<std::string, std::string>& b) const;
};

class ObjectStore {
 public:
  explicit ObjectStore(size_t window) : window_(window == 0 ? 1 : window) {}

  int64_t current_rv() const { return rv_; }
  // Reserves the next resourceVersion.
  int64_t NextRv() { return ++rv_; }

  ObjectPtr Get(const std::string& key, const std::string& ns, const std::string& name) const;
  // Objects of one storage key, in etcd's order (EtcdKeyLess); ns "" = all.
  std::vector<ObjectPtr> List(const std::string& key, const std::string& ns) const;
  // Visits the objects of one storage key in etcd's order, from just after the etcd key
  // `after` ("" = from the start), within namespace `ns` ("" = all), until fn returns false.
  // A page of a list costs what it visits, not the whole resource.
  void Scan(const std::string& key, const std::string& ns, std::string_view after,
            const std::function<bool(const ObjectPtr&)>& fn) const;
  // Namespaces that hold at least one object of `key`.
  std::vector<std::string> Keys() const;

  // Stores obj (whose metadata.resourceVersion is rv) and records an event.
  void Put(const std::string& key, const std::string& ns, const std::string& name, ObjectPtr obj,
           int64_t rv, const std::string& event_type, ObjectPtr prev);
  // Removes the object and records DELETED with `final_state` (carrying rv).
  void Remove(const std::string& key, const std::string& ns, const std::string& name,
              ObjectPtr final_state, int64_t rv);

  // Events of `key` with rv > since, in order. Returns false (and sets *oldest_minus_one) when
  // `since` is older than the retained window, as the watch cache does.
  bool EventsSince(const std::string& key, int64_t since, std::vector<WatchEvent>* out,
                   int64_t* oldest_minus_one) const;
  // The resourceVersion of the newest event of `key` (0 when it has none), so a watch of
  // one resource can tell whether anything of its own changed.
  int64_t LatestRv(const std::string& key) const;
  // Whether a list at exactly `rv` could still be served (Exact match / continue tokens).
  bool RvRetained(int64_t rv) const { return rv >= compacted_rv_; }

  // Changes the window and evicts accordingly.
  void SetWindow(size_t window);
  // Forgets every version older than the current one, as an etcd compaction does.
  void Compact() { compacted_rv_ = rv_; }

 private:
  void Record(const std::string& key, WatchEvent ev);

  size_t window_;
  int64_t rv_ = 1;
  int64_t compacted_rv_ = 0;  // resourceVersions below this are gone for Exact lists
  std::map<std::string, std::map<std::pair<std::string, std::string>, ObjectPtr, EtcdKeyLess>>
      objects_;
  struct Log {
    std::deque<WatchEvent> events;
    int64_t evicted_rv = 0;  // rv of the newest evicted event (0 = none evicted)
  };
  std::map<std::string, Log> logs_;
};

}  // namespace vaultsync::kubeemu
