// Compares a recorded JSON answer with the emulator's: same keys, same value types, equal
// values except where a value is inherently different per run (uids, resourceVersions,
// timestamps, tokens, ages), managedFields compared by entry shape only.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "util/json.h"

namespace vaultsync::kubeemu::testing {

struct ShapeOptions {
  // Keys whose scalar values differ per run: only the JSON type is compared.
  std::set<std::string> volatile_keys = {"uid",
                                         "resourceVersion",
                                         "creationTimestamp",
                                         "time",
                                         "lastTransitionTime",
                                         "deletionTimestamp",
                                         "continue",
                                         "token",
                                         "serverAddress",
                                         "expirationTimestamp",
                                         "lastUpdateTime",
                                         "storageVersionHash"};
  // Dotted paths (array indices written as []) whose content is not compared at all.
  std::set<std::string> ignored_paths;
  // When non-empty, `message` values only need to start with this.
  std::string message_prefix;
  // Arrays at these paths may be shorter in the emulator's answer (a subset, matched by the
  // member named in the value), e.g. discovery group lists {"groups", "name"}.
  std::vector<std::pair<std::string, std::string>> subset_arrays;
};

// Differences as human-readable lines ("metadata.labels: key app missing"); empty = match.
std::vector<std::string> CompareShape(const json::Value& expected, const json::Value& actual,
                                      const ShapeOptions& options);

}  // namespace vaultsync::kubeemu::testing
