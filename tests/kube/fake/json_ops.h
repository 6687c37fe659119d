// JSON document operations the fake API server performs the way the real one does: JSON
// merge patch (RFC 7386), JSON patch (RFC 6902: add, remove, replace, test, copy, move)
// and label selector matching.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kube::fake {

// Applies `patch` to `target` in place (objects merge, null deletes, anything else
// replaces).
void MergePatch(json::Value& target, const json::Value& patch, json::Allocator& a);

// Applies a JSON patch (an array of operations) to `doc`. kInvalidArgument for a malformed
// patch or a failed "test"; the document is then unspecified (callers patch a copy).
Status JsonPatch(json::Document& doc, const json::Value& ops);

// One requirement of a label selector ("app=demo", "tier!=db", "env", "!env",
// "k in (a,b)", "k notin (a,b)").
struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kExists, kNotExists, kIn, kNotIn } op;
  std::string key;
  std::vector<std::string> values;
};
using LabelSelector = std::vector<LabelRequirement>;

// kInvalidArgument for a selector that cannot be parsed.
Result<LabelSelector> ParseLabelSelector(std::string_view text);
bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels);

}  // namespace vaultsync::kube::fake
