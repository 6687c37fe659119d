// --watch-label-selector (Flux's sharding convention): the label selector that picks which
// custom resources this replica reconciles, and the Lease name each shard elects its leader
// with. Parsed and checked here, at start, so a typo is a usage error naming the flag rather
// than an API server refusing every list; written back in one canonical form, so replicas of
// one shard that spell the selector differently still share one Lease.
#pragma once

#include <string>
#include <string_view>

#include "controller/shard_label.h"
#include "util/status.h"

namespace vaultsync::controller {

// True when every requirement of `canonical_selector` (non-empty, from
// CanonicalLabelSelector) is on kShardLabel, so the Secrets this replica's resources write
// (which carry their owner's value of that label) can be watched with the same selector.
bool SelectsOnlyByShardLabel(std::string_view canonical_selector);

// Checks `selector` against the grammar of Kubernetes' string label selectors
// (`key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>n`,
// `key<n`, comma-separated; keys and values as Kubernetes validates labels) and returns it in
// canonical form: requirements sorted by key, set values sorted and deduplicated, no spaces
// but those around `in`/`notin`. "" (or only blanks) selects everything and returns "".
// kInvalidArgument naming the offending requirement otherwise.
Result<std::string> CanonicalLabelSelector(std::string_view selector);

// The Lease a shard elects its leader with: `base` itself without a selector (so an
// unsharded install keeps its Lease across upgrades), else `base` + "-" + 8 hex digits of a
// 32-bit FNV-1a hash of the canonical selector (stable across versions and machines).
std::string ShardLeaseName(std::string_view base, std::string_view canonical_selector);

}  // namespace vaultsync::controller
