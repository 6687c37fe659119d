// metadata.managedFields as structured entries, and the comparisons every write makes to
// move field ownership between managers (structured-merge-diff's Update and Apply rules),
// shared by ordinary writes (UpdateManagedFields in emulator_internal.h) and server-side
// apply (server_side_apply.h).
#pragma once

#include <string>
#include <vector>

#include "field_set.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

struct ManagedEntry {
  std::string manager, operation, api_version, time, subresource;
  FieldSet set;
};

std::vector<ManagedEntry> ReadManagedFields(const json::Value& obj);
// Writes entries (empty sets dropped) into obj's metadata in the apiserver's order, or removes
// managedFields when none is left.
void WriteManagedFields(json::Document& obj, const ResourceType& t,
                        std::vector<ManagedEntry> entries);

// Removes the entry of (manager, operation, subresource) from entries and returns it (an empty
// entry when there was none; `found` tells).
ManagedEntry TakeEntry(std::vector<ManagedEntry>& entries, const std::string& manager,
                       const std::string& operation, const std::string& subresource, bool* found);

// What a write from `old` (nullptr = create) to `obj` added, removed and modified among the
// fields a write to `subresource` can own, plus `extra` paths.
SetComparison CompareForManagers(const json::Value* old, const json::Value& obj,
                                 const ResourceType& t, const std::string& subresource,
                                 const FieldSet& extra);

}  // namespace vaultsync::kubeemu
