// Server-side apply (PATCH with Content-Type application/apply-patch+yaml): the merge of an
// applied configuration into the live object and the ownership rules of structured-merge-
// diff, as a v1.26 apiserver runs them. The subset implemented:
//   - create when the object is absent (201), otherwise merge (200);
//   - merge by the type's structure (field_set.h): structs and maps field by field,
//     associative lists item by item on their keys, sets by value, atomic lists and structs
//     replaced whole; an explicit null removes the field;
//   - the applier's Apply entry owns exactly the fields of its configuration; fields it
//     applied before and no longer applies are removed unless another manager owns them;
//   - a change to a field another manager owns is a conflict (409 with the apiserver's
//     message and FieldManagerConflict causes) unless force=true, which takes the field over;
//     setting a field to the value it already has shares ownership without conflict.
// Simplified: list order after a merge (live items first, new items appended); conflicts are
// computed before defaulting; unions and the version conversion of managedFields are not
// modelled.
#pragma once

#include <string>
#include <vector>

#include "api_errors.h"
#include "managed_fields.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// What an apply write records instead of an Update entry.
struct ApplyIntent {
  std::string manager;
  FieldSet applied;  // fields of the applied configuration
  bool force = false;
  bool changes_ownership = false;  // managedFields differ even if the object does not
};

// Merges `config` into `live` (both whole objects of type t; `subresource` "status" merges
// status only).
void MergeApplied(json::Document& live, const json::Value& config, const ResourceType& t,
                  const std::string& subresource);

// Removes from `obj` the fields of `prune`, except those (or whose descendants) `keep` has.
void PruneFields(json::Document& obj, const FieldSet& prune, const FieldSet& keep);

// The fields a manager other than the applier owns that the write changes: one entry per
// conflicting (manager, path), sorted by manager and path; empty = no conflict.
struct FieldConflict {
  std::string manager;  // as printed: "\"kubectl\" using apps/v1"
  std::vector<std::string> path;
};
std::vector<FieldConflict> ApplyConflicts(const std::vector<ManagedEntry>& entries,
                                          const std::string& manager, const FieldSet& changed);

// The 409 Conflict the apiserver answers for `conflicts`.
ApiError ApplyConflictError(const std::vector<FieldConflict>& conflicts);

// The managedFields after an apply by intent.manager turned `old` (nullptr: created) into
// `obj`, written into obj: other managers lose what changed or was removed; the applier's
// entry is the applied field set.
void RecordApply(json::Document& obj, const ResourceType& t, const std::string& subresource,
                 const std::string& time, const json::Value* old, const ApplyIntent& intent);

}  // namespace vaultsync::kubeemu
