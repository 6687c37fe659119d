// Server-side apply: merge, prune, conflicts and the applier's managedFields entry (see
// server_side_apply.h). Reconstructed from structured-merge-diff's merge/update.go and the
// apiserver's fieldmanager (conflict wording), not recorded.
#include "server_side_apply.h"

#include <algorithm>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

const json::Value* SchemaOfType(const ResourceType& t) {
  if (!t.custom || t.crd == nullptr) return nullptr;
  const json::Value* versions = At(*t.crd, "spec.versions");
  if (versions == nullptr || !versions->IsArray()) return nullptr;
  for (const auto& v : versions->GetArray()) {
    if (StringAt(v, "name") == t.version) return At(v, "schema.openAPIV3Schema");
  }
  return nullptr;
}

void Merge(json::Value& live, const json::Value& cfg, const ResourceType& t,
           const std::string& dotted, const json::Value* schema, json::Allocator& a);

void MergeList(json::Value& live, const json::Value& cfg, const FieldShape& shape,
               const ResourceType& t, const std::string& dotted, const json::Value* schema,
               json::Allocator& a) {
  const json::Value* item_schema = ItemSchema(schema);
  for (const auto& item : cfg.GetArray()) {
    std::string element = ItemElement(shape, item);
    json::Value* match = nullptr;
    if (!element.empty()) {
      for (auto& existing : live.GetArray()) {
        if (ItemElement(shape, existing) == element) {
          match = &existing;
          break;
        }
      }
    }
    if (match == nullptr) {
      live.PushBack(json::Value(item, a), a);
    } else if (shape.kind == FieldShape::kAssociativeList && item.IsObject() && match->IsObject()) {
      Merge(*match, item, t, dotted + "[]", item_schema, a);
    }
  }
}

void Merge(json::Value& live, const json::Value& cfg, const ResourceType& t,
           const std::string& dotted, const json::Value* schema, json::Allocator& a) {
  for (const auto& m : cfg.GetObject()) {
    std::string key(json::View(m.name));
    std::string child = dotted.empty() ? key : dotted + "." + key;
    const json::Value* sub = ChildSchema(schema, key);
    json::Value* existing = MutableMember(live, key);
    if (m.value.IsNull()) {
      RemoveMember(live, key);
      continue;
    }
    if (existing != nullptr && existing->IsObject() && m.value.IsObject()) {
      FieldShape shape = ShapeOf(t, child, sub, m.value);
      if (shape.kind == FieldShape::kStruct || shape.kind == FieldShape::kMap) {
        Merge(*existing, m.value, t, child, sub, a);
        continue;
      }
    }
    if (existing != nullptr && existing->IsArray() && m.value.IsArray()) {
      FieldShape shape = ShapeOf(t, child, sub, m.value);
      if (shape.kind == FieldShape::kAssociativeList || shape.kind == FieldShape::kSetList) {
        MergeList(*existing, m.value, shape, t, child, sub, a);
        continue;
      }
    }
    SetMember(live, key, json::Value(m.value, a), a);
  }
}

// Removes the node at `path` from obj (an object member or a list item).
void RemoveAt(json::Value& obj, const std::vector<std::string>& path) {
  if (path.empty()) return;
  std::vector<std::string> parent_path(path.begin(), path.end() - 1);
  const json::Value* parent_c = ValueAt(obj, parent_path);
  if (parent_c == nullptr) return;
  json::Value* parent = const_cast<json::Value*>(parent_c);
  const std::string& last = path.back();
  if (last.rfind("f:", 0) == 0) {
    RemoveMember(*parent, last.substr(2));
    return;
  }
  if (!parent->IsArray()) return;
  const json::Value* item = ValueAt(*parent, {last});
  if (item == nullptr) return;
  for (auto it = parent->Begin(); it != parent->End(); ++it) {
    if (&*it == item) {
      parent->Erase(it);
      return;
    }
  }
}

// Whether `set` owns the field at `path` or anything below it (owning a struct or map field
// itself does not own its members).
bool HasUnder(const FieldSet& set, const std::vector<std::string>& path) {
  const FieldSet* node = &set;
  for (const auto& p : path) {
    auto it = node->children.find(p);
    if (it == node->children.end()) return false;
    node = &it->second;
  }
  return !node->Empty();
}

std::string Describe(const ManagedEntry& e) {
  std::string s = json::Quote(e.manager);
  if (!e.subresource.empty()) s += " with subresource " + json::Quote(e.subresource);
  if (e.operation == "Update") s += " using " + e.api_version;
  return s;
}

}  // namespace

void MergeApplied(json::Document& live, const json::Value& config, const ResourceType& t,
                  const std::string& subresource) {
  auto& a = live.GetAllocator();
  const json::Value* schema = SchemaOfType(t);
  if (subresource == "status") {
    const json::Value* status = json::Find(config, "status");
    if (status == nullptr) return;
    json::Value wrapper(rapidjson::kObjectType);
    wrapper.AddMember("status", json::Value(*status, a), a);
    Merge(live, wrapper, t, "", schema, a);
    return;
  }
  Merge(live, config, t, "", schema, a);
}

void PruneFields(json::Document& obj, const FieldSet& prune, const FieldSet& keep) {
  std::vector<std::vector<std::string>> paths = prune.Paths();
  std::sort(paths.begin(), paths.end(),
            [](const auto& x, const auto& y) { return x.size() > y.size(); });
  for (const auto& p : paths) {
    if (HasUnder(keep, p)) continue;
    RemoveAt(obj, p);
  }
}

std::vector<FieldConflict> ApplyConflicts(const std::vector<ManagedEntry>& entries,
                                          const std::string& manager, const FieldSet& changed) {
  std::vector<FieldConflict> out;
  for (const auto& e : entries) {
    if (e.manager == manager && e.operation == "Apply") continue;
    FieldSet overlap = e.set.Intersection(changed);
    for (auto& p : overlap.Paths()) out.push_back({Describe(e), std::move(p)});
  }
  std::stable_sort(out.begin(), out.end(), [](const FieldConflict& x, const FieldConflict& y) {
    return x.manager < y.manager;
  });
  return out;
}

ApiError ApplyConflictError(const std::vector<FieldConflict>& conflicts) {
  ApiError e;
  e.code = 409;
  e.reason = "Conflict";
  e.has_details = true;
  for (const auto& c : conflicts) {
    e.causes.push_back({"FieldManagerConflict", "conflict with " + c.manager, PathString(c.path)});
  }
  if (conflicts.size() == 1) {
    e.message = "Apply failed with 1 conflict: conflict with " + conflicts[0].manager + ": " +
                PathString(conflicts[0].path);
    return e;
  }
  std::string lines;
  std::string current;
  for (const auto& c : conflicts) {
    if (c.manager != current) {
      lines += (lines.empty() ? "" : "\n") + std::string("conflicts with ") + c.manager + ":";
      current = c.manager;
    }
    lines += "\n- " + PathString(c.path);
  }
  e.message = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: " + lines;
  return e;
}

void RecordApply(json::Document& obj, const ResourceType& t, const std::string& subresource,
                 const std::string& time, const json::Value* old, const ApplyIntent& intent) {
  std::vector<ManagedEntry> entries = ReadManagedFields(obj);
  SetComparison cmp = CompareForManagers(old, obj, t, subresource, intent.applied);
  FieldSet changed = cmp.added.Union(cmp.modified);
  bool object_changed = !changed.Empty() || !cmp.removed.Empty();
  bool had_entry = false;
  ManagedEntry previous = TakeEntry(entries, intent.manager, "Apply", subresource, &had_entry);
  // Conflicts were refused before (or forced): the others lose what changed.
  for (auto& e : entries) e.set = e.set.Difference(changed).Difference(cmp.removed);
  ManagedEntry self;
  self.manager = intent.manager;
  self.operation = "Apply";
  self.api_version = t.GroupVersion();
  self.subresource = subresource;
  self.set = intent.applied;
  self.time = object_changed || !had_entry ? time : previous.time;
  entries.push_back(std::move(self));
  WriteManagedFields(obj, t, std::move(entries));
}

}  // namespace vaultsync::kubeemu
