// The labelled children of one prometheus-cpp family, cached by label values.
//
// prometheus-cpp's Family::Add builds a std::map of label names to copied values and hashes
// it on every call; on hot paths (every work-queue add, every API request) we look the child
// up here instead, by a fixed-size array of string_views: a hit costs one hash of the values
// and no allocation. Children that can disappear (a deleted secret, a dropped token) are
// only touched while the cache's lock is held, so Remove can never free a child another
// thread is updating.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>

namespace vaultsync::metrics {

// Thread-safe. Metric is prometheus::Counter, Gauge or Histogram; N is the number of labels.
template <typename Metric, std::size_t N>
class ChildCache {
 public:
  using Names = std::array<std::string, N>;
  using Values = std::array<std::string_view, N>;

  // `family` must outlive the cache. `buckets` is used for histograms only.
  ChildCache(prometheus::Family<Metric>& family, Names names, std::vector<double> buckets = {})
      : family_(family), names_(std::move(names)), buckets_(std::move(buckets)) {}

  ChildCache(const ChildCache&) = delete;
  ChildCache& operator=(const ChildCache&) = delete;

  // Calls fn(child) for the child labelled `values`, creating it on first use. fn runs under
  // the cache's lock: keep it to an Increment/Set/Observe.
  template <typename Fn>
  void With(const Values& values, Fn&& fn) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      auto it = children_.find(values);
      if (it != children_.end()) {
        fn(*it->second);
        return;
      }
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto it = children_.find(values);
    if (it == children_.end()) {
      prometheus::Labels labels;
      Key key;
      for (std::size_t i = 0; i < N; ++i) {
        key[i] = std::string(values[i]);
        labels.emplace(names_[i], key[i]);
      }
      Metric* child = &AddToFamily(labels);
      it = children_.emplace(std::move(key), child).first;
    }
    fn(*it->second);
  }

  // Removes the child labelled `values` from the family (its series vanishes from the next
  // scrape). No-op when there is none.
  void Remove(const Values& values) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto it = children_.find(values);
    if (it == children_.end()) return;
    family_.Remove(it->second);
    children_.erase(it);
  }

  // Number of cached children (for tests).
  std::size_t size() const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return children_.size();
  }

 private:
  using Key = std::array<std::string, N>;

  // Transparent hash and equality so that lookups by string_views need no owned key.
  struct Hash {
    using is_transparent = void;
    template <typename S>
    std::size_t operator()(const std::array<S, N>& a) const {
      std::size_t h = 0;
      for (const auto& s : a) {
        h = h * 1000003u ^ std::hash<std::string_view>{}(std::string_view(s));
      }
      return h;
    }
  };
  struct Equal {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      for (std::size_t i = 0; i < N; ++i) {
        if (std::string_view(a[i]) != std::string_view(b[i])) return false;
      }
      return true;
    }
  };

  Metric& AddToFamily(const prometheus::Labels& labels) {
    if constexpr (std::is_same_v<Metric, prometheus::Histogram>) {
      return family_.Add(labels, prometheus::Histogram::BucketBoundaries(buckets_));
    } else {
      return family_.Add(labels);
    }
  }

  prometheus::Family<Metric>& family_;
  const Names names_;
  const std::vector<double> buckets_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, Metric*, Hash, Equal> children_;
};

}  // namespace vaultsync::metrics
