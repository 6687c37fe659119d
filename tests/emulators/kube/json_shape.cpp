// Structural JSON comparison for the contract test.
#include "json_shape.h"

#include <algorithm>

#include "object_json.h"

namespace vaultsync::kubeemu::testing {
namespace {

std::string Kind(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "bool";
  if (v.IsString()) return "string";
  if (v.IsInt64() || v.IsUint64()) return "integer";
  if (v.IsNumber()) return "number";
  if (v.IsArray()) return "array";
  return "object";
}

class Comparer {
 public:
  explicit Comparer(const ShapeOptions& o) : o_(o) {}
  std::vector<std::string> diffs;

  void Compare(const json::Value& e, const json::Value& a, const std::string& path,
               const std::string& key) {
    if (o_.ignored_paths.count(path) > 0) return;
    if (Kind(e) != Kind(a)) {
      diffs.push_back(path + ": expected " + Kind(e) + " " + Compact(e) + ", got " + Kind(a) + " " +
                      Compact(a));
      return;
    }
    if (e.IsObject()) {
      for (const auto& m : e.GetObject()) {
        std::string k(json::View(m.name));
        std::string child = path.empty() ? k : path + "." + k;
        const json::Value* av = json::Find(a, k);
        if (av == nullptr) {
          if (o_.ignored_paths.count(child) == 0) diffs.push_back(child + ": missing");
          continue;
        }
        Compare(m.value, *av, child, k);
      }
      for (const auto& m : a.GetObject()) {
        std::string k(json::View(m.name));
        std::string child = path.empty() ? k : path + "." + k;
        if (json::Find(e, k) == nullptr && o_.ignored_paths.count(child) == 0) {
          diffs.push_back(child + ": unexpected (" + Compact(m.value) + ")");
        }
      }
      return;
    }
    if (e.IsArray()) {
      CompareArray(e, a, path, key);
      return;
    }
    if (o_.volatile_keys.count(key) > 0 || path.find("cells[]") != std::string::npos) return;
    if ((path == "message" || path == "object.message") && !o_.message_prefix.empty() &&
        e.IsString()) {
      std::string av(json::View(a));
      if (av.rfind(o_.message_prefix, 0) != 0) {
        diffs.push_back(path + ": expected a message starting " + json::Quote(o_.message_prefix) +
                        ", got " + json::Quote(av));
      }
      return;
    }
    if (!(e == a)) diffs.push_back(path + ": expected " + Compact(e) + ", got " + Compact(a));
  }

 private:
  void CompareArray(const json::Value& e, const json::Value& a, const std::string& path,
                    const std::string& key) {
    std::string item_path = path + "[]";
    for (const auto& [p, member] : o_.subset_arrays) {
      if (p != path) continue;
      for (const auto& item : a.GetArray()) {
        std::string id = StringAt(item, member);
        const json::Value* match = nullptr;
        for (const auto& x : e.GetArray()) {
          if (StringAt(x, member) == id) match = &x;
        }
        if (match == nullptr) {
          diffs.push_back(path + ": unexpected entry " + id);
        } else {
          Compare(*match, item, item_path, key);
        }
      }
      return;
    }
    if (e.Size() != a.Size()) {
      diffs.push_back(path + ": expected " + std::to_string(e.Size()) + " items, got " +
                      std::to_string(a.Size()) + " " + Compact(a).substr(0, 300));
      return;
    }
    if (key == "managedFields") {
      CompareManagedFields(e, a, item_path);
      return;
    }
    for (rapidjson::SizeType i = 0; i < e.Size(); ++i) Compare(e[i], a[i], item_path, key);
  }

  // Entries compared by (manager, operation, subresource) in any order; fieldsV1 by type only.
  void CompareManagedFields(const json::Value& e, const json::Value& a, const std::string& path) {
    auto id = [](const json::Value& v) {
      return StringAt(v, "manager") + "/" + StringAt(v, "operation") + "/" +
             StringAt(v, "subresource");
    };
    for (const auto& ev : e.GetArray()) {
      const json::Value* match = nullptr;
      for (const auto& av : a.GetArray()) {
        if (id(av) == id(ev)) match = &av;
      }
      if (match == nullptr) {
        diffs.push_back(path + ": no managedFields entry " + id(ev));
        continue;
      }
      ShapeOptions saved = o_;
      for (const auto& m : ev.GetObject()) {
        std::string k(json::View(m.name));
        const json::Value* v = json::Find(*match, k);
        if (v == nullptr) {
          diffs.push_back(path + "." + k + ": missing in entry " + id(ev));
        } else if (k == "fieldsV1") {
          if (!v->IsObject()) diffs.push_back(path + ".fieldsV1: not an object");
        } else {
          Compare(m.value, *v, path + "." + k, k);
        }
      }
      if (match->MemberCount() != ev.MemberCount()) {
        diffs.push_back(path + ": entry " + id(ev) + " has other members: " + Compact(*match));
      }
    }
  }

  const ShapeOptions& o_;
};

}  // namespace

std::vector<std::string> CompareShape(const json::Value& expected, const json::Value& actual,
                                      const ShapeOptions& options) {
  Comparer c(options);
  c.Compare(expected, actual, "", "");
  return c.diffs;
}

}  // namespace vaultsync::kubeemu::testing
