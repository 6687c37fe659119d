// The sharding label (README, "Sharding"): the value of `sharding.vaultsync.io/key` a resource
// carries, kept in its cached ObjectMeta as a 16-bit number instead of a string, and copied
// onto the Secret the resource writes so that a shard can watch only its own Secrets. A
// cluster has a handful of shard names, so each distinct value is stored once per process.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace vaultsync::controller {

// The label every shard's selector is written over.
inline constexpr std::string_view kShardLabel = "sharding.vaultsync.io/key";

// 0 = the label is absent; n = the n-th distinct value met by this process.
using ShardLabelId = uint16_t;

// The id of `value` (any string, "" included), assigning the next one on first sight: for the
// resources' labels. Thread-safe. kInvalidArgument past 65,535 distinct values.
Result<ShardLabelId> InternShardLabel(std::string_view value);

// The id of `value` when some resource's label has it, else 0 (nothing is added): for the
// labels of Secrets, which anyone who may label a Secret could fill the table with.
ShardLabelId FindShardLabel(std::string_view value);

// The value behind `id` (from InternShardLabel); "" for 0. The view stays valid for the
// life of the process. Thread-safe.
std::string_view ShardLabelValue(ShardLabelId id);

}  // namespace vaultsync::controller
