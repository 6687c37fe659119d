// The per-secret series, vaultsync_secret_last_sync_timestamp_seconds{namespace,name} and
// vaultsync_secret_refresh_interval_seconds{namespace,name}, kept in one compact table
// instead of two prometheus-cpp gauge families.
//
// Why not prometheus-cpp gauges: a gauge child costs a std::map of label copies, a hashed
// Labels key, the Gauge object and our ChildCache's own key copies; with one entry per
// managed resource (the operator must hold 10,000 of them in 40 MiB) that dominated the
// per-resource footprint, and a second family would have doubled it. Here one hash-map node
// per resource holds both values; the label strings are only built when Prometheus scrapes.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace vaultsync::metrics {

// Thread-safe: Set/Remove from the reconcile workers, Collect from the scrape thread.
class SecretSyncTable final : public prometheus::Collectable {
 public:
  static constexpr const char* kLastSyncName = "vaultsync_secret_last_sync_timestamp_seconds";
  static constexpr const char* kRefreshName = "vaultsync_secret_refresh_interval_seconds";

  SecretSyncTable() = default;
  SecretSyncTable(const SecretSyncTable&) = delete;
  SecretSyncTable& operator=(const SecretSyncTable&) = delete;

  // Creates or overwrites both series of namespace/name.
  void Set(std::string_view ns, std::string_view name, double last_sync_seconds,
           double refresh_seconds);
  // Drops both series of namespace/name; no-op when there are none.
  void Remove(std::string_view ns, std::string_view name);
  // Number of resources with series (for tests).
  std::size_t size() const;

  // The two gauge families (last sync first), each series labelled {name, namespace} and
  // sorted by namespace then name. Nothing at all while the table is empty: like every
  // labelled prometheus-cpp family, a family shows in a scrape once it has a series.
  std::vector<prometheus::MetricFamily> Collect() const override;

  // The same two families appended to `out` in Prometheus' text format, byte for byte what
  // prometheus::TextSerializer writes for Collect(), without building a MetricFamily: at
  // 10,000 resources a scrape through Collect() held ~10 MB of label copies at once, this
  // holds the text and one copy of the keys.
  void AppendText(std::string* out) const;

 private:
  struct Values {
    double last_sync = 0;
    double refresh = 0;
  };
  // namespace and name as one string: the namespace's length (base-128 varint), the
  // namespace, the name. Unambiguous for any bytes, and one allocation at most per resource.
  struct Key {
    std::string_view ns;
    std::string_view name;
  };
  static std::string Encode(Key k);
  // Every (encoded key, values), sorted by namespace then name; copied under the lock.
  std::vector<std::pair<std::string, Values>> SortedRows() const;
  static Key Decode(std::string_view encoded) noexcept;

  // Transparent, so that lookups by Key need no encoded copy.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(Key k) const noexcept;
    std::size_t operator()(const std::string& encoded) const noexcept {
      return (*this)(Decode(encoded));
    }
  };
  struct Equal {
    using is_transparent = void;
    static Key AsKey(Key k) noexcept { return k; }
    static Key AsKey(const std::string& encoded) noexcept { return Decode(encoded); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const noexcept {
      Key x = AsKey(a);
      Key y = AsKey(b);
      return x.ns == y.ns && x.name == y.name;
    }
  };

  mutable std::mutex mu_;
  std::unordered_map<std::string, Values, Hash, Equal> entries_;
};

}  // namespace vaultsync::metrics
