// Typed, checked access to RapidJSON documents. Every reader of an HTTP body goes
// through these so that a missing or mistyped field becomes a Status naming the field,
// never a crash or a silent default.
#pragma once

#include <chrono>
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

// How deep arrays and objects may nest in a document we parse. RapidJSON's reader (and our
// recursive walkers: Serialize, copies, Vault's value printing) recurse once per level, so a
// body of a million '[' would overflow the stack; real answers nest a few dozen levels.
inline constexpr int kMaxDepth = 1000;

// Fails (kInternal, saying so) when `text` nests arrays/objects deeper than kMaxDepth; a cheap
// scan that every parser of outside JSON runs first.
Status CheckDepth(std::string_view text);

// Parses text; on failure the Status (kInternal) says where, never echoing the text. Refuses
// documents nested deeper than kMaxDepth.
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
// A length of time in whole seconds, as Vault writes TTLs and lease durations: an integer from 0
// to kMaxSeconds (100 years). Anything larger is refused, so adding it to a clock's time point
// can never overflow.
inline constexpr int64_t kMaxSeconds = 100LL * 366 * 24 * 3600;
Result<std::optional<std::chrono::seconds>> OptionalSeconds(const Value& obj, std::string_view key,
                                                            std::string_view where = "");
Result<std::chrono::seconds> Seconds(const Value& obj, std::string_view key,
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
