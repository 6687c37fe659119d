// Typed, checked access to RapidJSON documents. Every reader of an HTTP body goes
// through these so that a missing or mistyped field becomes a Status naming the field,
// never a crash or a silent default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "util/status.h"

namespace vaultsync::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Allocator = rapidjson::Document::AllocatorType;

// Parses text; on failure the Status (kInternal) says where, never echoing the text.
Result<Document> Parse(std::string_view text);

// JSON type name of v ("string", "number", "object", ...), for messages.
std::string_view TypeName(const Value& v);

// The member `key` of `obj`, or nullptr when obj is not an object or has no such member.
// A member whose value is null counts as present: callers that treat null as absent use
// the Optional* accessors.
const Value* Find(const Value& obj, std::string_view key);

// Required members: an error names `where.key` and what was found instead.
// `where` is the dotted path of obj in its document ("" at the root).
Result<std::string_view> String(const Value& obj, std::string_view key,
                                std::string_view where = "");
Result<int64_t> Int64(const Value& obj, std::string_view key, std::string_view where = "");
Result<bool> Bool(const Value& obj, std::string_view key, std::string_view where = "");
Result<const Value*> Object(const Value& obj, std::string_view key, std::string_view where = "");
Result<const Value*> Array(const Value& obj, std::string_view key, std::string_view where = "");

// Optional members: absent or null gives std::nullopt; a wrong type is still an error.
Result<std::optional<std::string_view>> OptionalString(const Value& obj, std::string_view key,
                                                       std::string_view where = "");
Result<std::optional<int64_t>> OptionalInt64(const Value& obj, std::string_view key,
                                             std::string_view where = "");
Result<std::optional<bool>> OptionalBool(const Value& obj, std::string_view key,
                                         std::string_view where = "");
Result<const Value*> OptionalObject(const Value& obj, std::string_view key,
                                    std::string_view where = "");  // nullptr when absent
Result<const Value*> OptionalArray(const Value& obj, std::string_view key,
                                   std::string_view where = "");  // nullptr when absent

// Compact serialization (no spaces), as Go's encoding/json writes it.
std::string Serialize(const Value& v);
// s as a JSON string literal, quotes included.
std::string Quote(std::string_view s);
// A string Value owning a copy of s.
inline Value StringValue(std::string_view s, Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}
inline std::string_view View(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace vaultsync::json
