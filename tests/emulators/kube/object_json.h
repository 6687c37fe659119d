// Small tree helpers for the emulator's stored objects. The emulator edits whole Kubernetes
// objects (defaults, metadata, patches), so it needs path reads and writes over RapidJSON
// values; every read checks the member exists and has the expected type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"

namespace vaultsync::kubeemu {

using json::Allocator;
using json::Document;
using json::Value;

// A deep copy of v as its own document.
Document Clone(const Value& v);

// The value at a dotted path ("metadata.name"), or nullptr when a step is missing or not an
// object.
const Value* At(const Value& root, std::string_view dotted);
// Mutable counterparts: the member `key` of obj (nullptr when absent or obj is not an
// object), and the value at a dotted path.
Value* MutableMember(Value& obj, std::string_view key);
Value* MutableAt(Value& root, std::string_view dotted);
// The string at a dotted path, or "" when absent or not a string.
std::string StringAt(const Value& root, std::string_view dotted);
std::optional<int64_t> IntAt(const Value& root, std::string_view dotted);

// The object member `key` of obj, created (as {}) when absent or not an object.
Value& EnsureObject(Value& obj, std::string_view key, Allocator& a);
// Sets obj[key] = v (moved), replacing an existing member in place (keeps member order).
void SetMember(Value& obj, std::string_view key, Value v, Allocator& a);
void SetString(Value& obj, std::string_view key, std::string_view s, Allocator& a);
// Removes obj[key] if obj is an object; returns whether something was removed.
bool RemoveMember(Value& obj, std::string_view key);

// Recursively orders object members by key, as Go's map encoding does (custom resources,
// and map-typed fields such as labels and data).
void SortKeys(Value& v);
// Reorders the members of obj: `first` keys in that order, then the rest in current order.
void OrderKeys(Value& obj, const std::vector<std::string_view>& first, Allocator& a);

// Compact and indented ("  " like Go's json.MarshalIndent) serializations.
std::string Compact(const Value& v);
std::string Pretty(const Value& v);

// A whole decimal integer (optional sign), or nullopt for anything else (no exceptions).
std::optional<int64_t> ParseInt(std::string_view s);

// Go-style rendering of a JSON value for messages: strings quoted, numbers plain.
std::string GoValueString(const Value& v);

}  // namespace vaultsync::kubeemu
