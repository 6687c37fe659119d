// Structural comparison of a recorded JSON answer with the emulator's: same keys at every
// level, same JSON value types, and the same values except where a value is by nature
// different between two servers (ids, tokens, accessors, timestamps). Test-only.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "util/json.h"

namespace vaultsync::vaultemu::testing {

struct ShapeRules {
  // Keys whose string values only need the same emptiness ("" vs non-empty), and whose
  // number values are not compared.
  std::set<std::string> volatile_keys;
};

// The differences, each naming its JSON path ("$.data.metadata.version: ..."); empty when
// the shapes (and stable values) agree.
std::vector<std::string> CompareJsonShape(const json::Value& recorded, const json::Value& actual,
                                          const ShapeRules& rules);

}  // namespace vaultsync::vaultemu::testing
