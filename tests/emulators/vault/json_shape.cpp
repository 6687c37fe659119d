// Recursive shape-and-value comparison.
#include "json_shape.h"

namespace vaultsync::vaultemu::testing {
namespace {

void Compare(const json::Value& r, const json::Value& a, const std::string& path,
             bool volatile_value, const ShapeRules& rules, std::vector<std::string>& diffs) {
  auto type = [](const json::Value& v) { return std::string(json::TypeName(v)); };
  if (type(r) != type(a)) {
    diffs.push_back(path + ": recorded " + type(r) + ", emulator " + type(a) + " (" +
                    json::Serialize(a).substr(0, 200) + ")");
    return;
  }
  if (r.IsObject()) {
    for (const auto& m : r.GetObject()) {
      std::string key(json::View(m.name));
      const json::Value* other = json::Find(a, key);
      if (other == nullptr) {
        diffs.push_back(path + "." + key + ": missing in emulator answer");
        continue;
      }
      Compare(m.value, *other, path + "." + key, rules.volatile_keys.count(key) > 0, rules, diffs);
    }
    for (const auto& m : a.GetObject()) {
      if (json::Find(r, json::View(m.name)) == nullptr) {
        diffs.push_back(path + "." + std::string(json::View(m.name)) + ": not in recorded answer");
      }
    }
    return;
  }
  if (r.IsArray()) {
    if (r.Size() != a.Size()) {
      diffs.push_back(path + ": recorded " + std::to_string(r.Size()) + " items, emulator " +
                      std::to_string(a.Size()) + " (" + json::Serialize(a).substr(0, 300) + ")");
      return;
    }
    for (rapidjson::SizeType i = 0; i < r.Size(); ++i) {
      Compare(r[i], a[i], path + "[" + std::to_string(i) + "]", volatile_value, rules, diffs);
    }
    return;
  }
  if (volatile_value) {
    if (r.IsString() && (r.GetStringLength() == 0) != (a.GetStringLength() == 0)) {
      diffs.push_back(path + ": recorded " + (r.GetStringLength() ? "non-empty" : "empty") +
                      ", emulator \"" + std::string(json::View(a)) + "\"");
    }
    return;
  }
  if (r != a) {
    diffs.push_back(path + ": recorded " + json::Serialize(r) + ", emulator " + json::Serialize(a));
  }
}

}  // namespace

std::vector<std::string> CompareJsonShape(const json::Value& recorded, const json::Value& actual,
                                          const ShapeRules& rules) {
  std::vector<std::string> diffs;
  Compare(recorded, actual, "$", false, rules, diffs);
  return diffs;
}

}  // namespace vaultsync::vaultemu::testing
