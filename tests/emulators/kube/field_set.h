// Field sets: which fields of an object a manager owns, as structured-merge-diff tracks them
// for metadata.managedFields. A set is a trie of path elements in the fieldsV1 spelling
// ("f:spec", "k:{\"name\":\"web\"}", "v:\"a\"", "i:0"); a node is a member when the field
// itself is owned (fieldsV1 writes "." for members that also have owned children).
//
// Field sets of objects are computed with the type's structure: associative lists (by merge
// keys), sets, atomic lists and structs, free-form maps versus declared struct fields. For
// custom resources that structure comes from the CRD schema (x-kubernetes-list-type,
// -list-map-keys, -map-type; lists are atomic unless declared otherwise); for built-in kinds
// from a table of the lists, maps and atomic structs of the kinds the emulator serves (a
// subset: an unlisted list is atomic, an unlisted object a struct).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

struct FieldSet {
  bool member = false;
  std::map<std::string, FieldSet> children;

  bool Empty() const;
  bool operator==(const FieldSet& o) const { return member == o.member && children == o.children; }
  // Members of either.
  FieldSet Union(const FieldSet& o) const;
  // Members of this one that `o` does not have (nodes left without members are dropped).
  FieldSet Difference(const FieldSet& o) const;
  // Members of both.
  FieldSet Intersection(const FieldSet& o) const;
  // Every member path, depth-first in key order.
  std::vector<std::vector<std::string>> Paths() const;

  static FieldSet FromFieldsV1(const json::Value& v);
  json::Value ToFieldsV1(json::Allocator& a) const;
};

// How a field set is read off an object.
enum class SetMode {
  // What a create or update touched: every field present, objects added as a whole are
  // members too ("."), except the value structs every object of the type has.
  kPresent,
  // What an applied configuration specifies (SMD's ToFieldSet): leaves, list items and
  // free-form map entries; declared struct fields only when empty.
  kApplied,
};

// The fields of `obj` a write to `subresource` can own: all but server-owned metadata (only
// labels, annotations, ownerReferences and finalizers), apiVersion and kind; status only for
// /status writes and excluded from main-resource writes of types with a status subresource.
FieldSet FieldSetOf(const json::Value& obj, const ResourceType& t, const std::string& subresource,
                    SetMode mode);

// The value at a field path inside obj, or nullptr.
const json::Value* ValueAt(const json::Value& obj, const std::vector<std::string>& path);

// What changed from `before` to `after` within `universe` (member paths): members present
// only after (added), only before (removed), or leaves whose values differ (modified).
struct SetComparison {
  FieldSet added, removed, modified;
};
SetComparison CompareWithin(const json::Value& before, const json::Value& after,
                            const FieldSet& universe);

// A path as structured-merge-diff prints it in conflict messages:
// .spec.template.spec.containers[name="web"].image
std::string PathString(const std::vector<std::string>& path);

// The structure of the field at `dotted` ("spec.template.spec.containers[]") of a type:
// nullopt keys = not an associative list.
struct FieldShape {
  enum Kind { kStruct, kMap, kAtomic, kAssociativeList, kSetList, kAtomicList, kScalar } kind;
  std::vector<std::string> keys;  // associative lists
  bool value_struct = false;      // a struct every object has (no "." when added)
};
FieldShape ShapeOf(const ResourceType& t, const std::string& dotted, const json::Value* schema,
                   const json::Value& value);

// The schema of a child of `schema` (a CRD schema node, or nullptr for built-ins).
const json::Value* ChildSchema(const json::Value* schema, const std::string& key);
const json::Value* ItemSchema(const json::Value* schema);

// The path element of a list item ("k:{...}" for associative lists, "v:..." for sets).
std::string ItemElement(const FieldShape& shape, const json::Value& item);

}  // namespace vaultsync::kubeemu
