// The process-wide table of sharding label values.
#include "controller/shard_label.h"

#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vaultsync::controller {
namespace {

struct Table {
  std::mutex mu;
  std::deque<std::string> values;  // values[id - 1]; a deque never moves its elements
  std::unordered_map<std::string_view, ShardLabelId> ids;  // views into `values`
};

Table& TheTable() {
  static Table* t = new Table();  // never destroyed: views handed out must outlive exit
  return *t;
}

}  // namespace

Result<ShardLabelId> InternShardLabel(std::string_view value) {
  Table& t = TheTable();
  std::lock_guard<std::mutex> lock(t.mu);
  if (auto it = t.ids.find(value); it != t.ids.end()) return it->second;
  if (t.values.size() >= std::numeric_limits<ShardLabelId>::max()) {
    return InvalidArgument("metadata.labels: more than 65535 distinct values of " +
                           std::string(kShardLabel) + " in one cluster; use a few shard names");
  }
  t.values.emplace_back(value);
  auto id = static_cast<ShardLabelId>(t.values.size());
  t.ids.emplace(t.values.back(), id);
  return id;
}

ShardLabelId FindShardLabel(std::string_view value) {
  Table& t = TheTable();
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.ids.find(value);
  return it == t.ids.end() ? 0 : it->second;
}

std::string_view ShardLabelValue(ShardLabelId id) {
  if (id == 0) return {};
  Table& t = TheTable();
  std::lock_guard<std::mutex> lock(t.mu);
  if (id > t.values.size()) return {};
  return t.values[id - 1];
}

}  // namespace vaultsync::controller
