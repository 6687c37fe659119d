// Object storage and watch windows for the kube emulator.
#include "object_store.h"

#include <algorithm>

namespace vaultsync::kubeemu {

namespace {

// An etcd key in up to three pieces, compared without building the string.
struct KeyPieces {
  std::string_view p[3];
  int n = 0;
};

KeyPieces Pieces(const std::pair<std::string, std::string>& k) {
  if (k.first.empty()) return {{k.second}, 1};
  return {{k.first, "/", k.second}, 3};
}

KeyPieces Pieces(std::string_view k) { return {{k}, 1}; }

int Compare(const KeyPieces& a, const KeyPieces& b) {
  int ai = 0, bi = 0;
  size_t ao = 0, bo = 0;
  while (true) {
    while (ai < a.n && ao == a.p[ai].size()) ++ai, ao = 0;
    while (bi < b.n && bo == b.p[bi].size()) ++bi, bo = 0;
    if (ai == a.n || bi == b.n) return (ai == a.n ? 0 : 1) - (bi == b.n ? 0 : 1);
    unsigned char ca = static_cast<unsigned char>(a.p[ai][ao++]);
    unsigned char cb = static_cast<unsigned char>(b.p[bi][bo++]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
}

}  // namespace

bool EtcdKeyLess::operator()(const std::pair<std::string, std::string>& a,
                             const std::pair<std::string, std::string>& b) const {
  return Compare(Pieces(a), Pieces(b)) < 0;
}
bool EtcdKeyLess::operator()(const std::pair<std::string, std::string>& a,
                             std::string_view b) const {
  return Compare(Pieces(a), Pieces(b)) < 0;
}
bool EtcdKeyLess::operator()(std::string_view a,
                             const std::pair<std::string, std::string>& b) const {
  return Compare(Pieces(a), Pieces(b)) < 0;
}

ObjectPtr ObjectStore::Get(const std::string& key, const std::string& ns,
                           const std::string& name) const {
  auto t = objects_.find(key);
  if (t == objects_.end()) return nullptr;
  auto it = t->second.find({ns, name});
  return it == t->second.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> ObjectStore::List(const std::string& key, const std::string& ns) const {
  std::vector<ObjectPtr> out;
  auto t = objects_.find(key);
  if (t == objects_.end()) return out;
  for (const auto& [k, obj] : t->second) {
    if (ns.empty() || k.first == ns) out.push_back(obj);
  }
  return out;
}

void ObjectStore::Scan(const std::string& key, const std::string& ns, std::string_view after,
                       const std::function<bool(const ObjectPtr&)>& fn) const {
  auto t = objects_.find(key);
  if (t == objects_.end()) return;
  const auto& m = t->second;
  // A namespace's keys share the prefix "<ns>/" (a name has no '/'): one contiguous range.
  const std::string prefix = ns.empty() ? "" : ns + "/";
  auto it = m.begin();
  if (!after.empty() && after >= std::string_view(prefix)) {
    it = m.upper_bound(after);
  } else if (!prefix.empty()) {
    it = m.lower_bound(std::string_view(prefix));
  }
  for (; it != m.end(); ++it) {
    if (!ns.empty() && it->first.first != ns) break;
    if (!fn(it->second)) return;
  }
}

std::vector<std::string> ObjectStore::Keys() const {
  std::vector<std::string> out;
  for (const auto& [k, m] : objects_) {
    if (!m.empty()) out.push_back(k);
  }
  return out;
}

void ObjectStore::Put(const std::string& key, const std::string& ns, const std::string& name,
                      ObjectPtr obj, int64_t rv, const std::string& event_type, ObjectPtr prev) {
  objects_[key][{ns, name}] = obj;
  Record(key, WatchEvent{rv, event_type, ns, name, std::move(obj), std::move(prev)});
}

void ObjectStore::Remove(const std::string& key, const std::string& ns, const std::string& name,
                         ObjectPtr final_state, int64_t rv) {
  auto t = objects_.find(key);
  if (t != objects_.end()) t->second.erase({ns, name});
  ObjectPtr prev = final_state;
  Record(key, WatchEvent{rv, "DELETED", ns, name, std::move(final_state), std::move(prev)});
}

void ObjectStore::Record(const std::string& key, WatchEvent ev) {
  Log& log = logs_[key];
  log.events.push_back(std::move(ev));
  while (log.events.size() > window_) {
    log.evicted_rv = log.events.front().rv;
    log.events.pop_front();
  }
}

bool ObjectStore::EventsSince(const std::string& key, int64_t since, std::vector<WatchEvent>* out,
                              int64_t* oldest_minus_one) const {
  auto it = logs_.find(key);
  if (it == logs_.end()) return true;
  const Log& log = it->second;
  if (log.evicted_rv > 0 && since < log.evicted_rv) {
    // The watch cache reports the oldest version it can still serve from, minus one.
    *oldest_minus_one = log.events.empty() ? rv_ : log.events.front().rv - 1;
    return false;
  }
  // Events are kept in resourceVersion order: start at the first one after `since`.
  auto first = std::partition_point(log.events.begin(), log.events.end(),
                                    [since](const WatchEvent& ev) { return ev.rv <= since; });
  out->insert(out->end(), first, log.events.end());
  return true;
}

int64_t ObjectStore::LatestRv(const std::string& key) const {
  auto it = logs_.find(key);
  if (it == logs_.end()) return 0;
  const Log& log = it->second;
  return log.events.empty() ? log.evicted_rv : log.events.back().rv;
}

void ObjectStore::SetWindow(size_t window) {
  window_ = window == 0 ? 1 : window;
  for (auto& [key, log] : logs_) {
    while (log.events.size() > window_) {
      log.evicted_rv = log.events.front().rv;
      log.events.pop_front();
    }
  }
}

}  // namespace vaultsync::kubeemu
