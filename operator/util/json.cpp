// Implementation of the checked JSON accessors.
#include "util/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace vaultsync::json {
namespace {

std::string FieldName(std::string_view where, std::string_view key) {
  std::string s(where);
  if (!s.empty()) s += '.';
  s += key;
  return s;
}

Status Missing(std::string_view where, std::string_view key) {
  return InvalidArgument("field \"" + FieldName(where, key) + "\" is missing");
}

Status WrongType(std::string_view where, std::string_view key, std::string_view want,
                 const Value& got) {
  return InvalidArgument("field \"" + FieldName(where, key) + "\": expected " + std::string(want) +
                         ", got " + std::string(TypeName(got)));
}

// Finds key; nullptr when absent or null.
const Value* FindNonNull(const Value& obj, std::string_view key) {
  const Value* v = Find(obj, key);
  return (v == nullptr || v->IsNull()) ? nullptr : v;
}

}  // namespace

Status CheckDepth(std::string_view text) {
  int depth = 0;
  bool in_string = false, escape = false;
  for (char c : text) {
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        return Status(StatusCode::kInternal,
                      "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::Ok();
}

Result<Document> Parse(std::string_view text) {
  VS_RETURN_IF_ERROR(CheckDepth(text));
  Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError()) {
    return Status(StatusCode::kInternal, std::string("invalid JSON at offset ") +
                                             std::to_string(d.GetErrorOffset()) + ": " +
                                             rapidjson::GetParseError_En(d.GetParseError()));
  }
  return d;
}

std::string_view TypeName(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

const Value* Find(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Result<std::optional<std::string_view>> OptionalString(const Value& obj, std::string_view key,
                                                       std::string_view where) {
  const Value* v = FindNonNull(obj, key);
  if (v == nullptr) return std::optional<std::string_view>();
  if (!v->IsString()) return WrongType(where, key, "string", *v);
  return std::optional<std::string_view>(View(*v));
}

Result<std::optional<int64_t>> OptionalInt64(const Value& obj, std::string_view key,
                                             std::string_view where) {
  const Value* v = FindNonNull(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->IsInt64()) return std::optional<int64_t>(v->GetInt64());
  if (v->IsDouble()) {
    // A whole number written as a float ("3.0", "1e3") is accepted; anything outside int64's
    // range is refused before the cast, which would be undefined behaviour for it.
    const double d = v->GetDouble();
    constexpr double kTwo63 = 9223372036854775808.0;
    if (d >= -kTwo63 && d < kTwo63 && d == static_cast<double>(static_cast<int64_t>(d)))
      return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return WrongType(where, key, "integer", *v);
}

Result<std::optional<std::chrono::seconds>> OptionalSeconds(const Value& obj, std::string_view key,
                                                            std::string_view where) {
  VS_ASSIGN_OR_RETURN(auto v, OptionalInt64(obj, key, where));
  if (!v) return std::optional<std::chrono::seconds>();
  if (*v < 0 || *v > kMaxSeconds) {
    return InvalidArgument("field \"" + FieldName(where, key) +
                           "\": expected a number of seconds from 0 to " +
                           std::to_string(kMaxSeconds) + ", got " + std::to_string(*v));
  }
  return std::optional<std::chrono::seconds>(std::chrono::seconds(*v));
}

Result<std::optional<bool>> OptionalBool(const Value& obj, std::string_view key,
                                         std::string_view where) {
  const Value* v = FindNonNull(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->IsBool()) return WrongType(where, key, "boolean", *v);
  return std::optional<bool>(v->GetBool());
}

Result<const Value*> OptionalObject(const Value& obj, std::string_view key,
                                    std::string_view where) {
  const Value* v = FindNonNull(obj, key);
  if (v == nullptr) return static_cast<const Value*>(nullptr);
  if (!v->IsObject()) return WrongType(where, key, "object", *v);
  return v;
}

Result<const Value*> OptionalArray(const Value& obj, std::string_view key, std::string_view where) {
  const Value* v = FindNonNull(obj, key);
  if (v == nullptr) return static_cast<const Value*>(nullptr);
  if (!v->IsArray()) return WrongType(where, key, "array", *v);
  return v;
}

Result<std::string_view> String(const Value& obj, std::string_view key, std::string_view where) {
  VS_ASSIGN_OR_RETURN(auto v, OptionalString(obj, key, where));
  if (!v) return Missing(where, key);
  return *v;
}

Result<int64_t> Int64(const Value& obj, std::string_view key, std::string_view where) {
  VS_ASSIGN_OR_RETURN(auto v, OptionalInt64(obj, key, where));
  if (!v) return Missing(where, key);
  return *v;
}

Result<std::chrono::seconds> Seconds(const Value& obj, std::string_view key,
                                     std::string_view where) {
  VS_ASSIGN_OR_RETURN(auto v, OptionalSeconds(obj, key, where));
  if (!v) return Missing(where, key);
  return *v;
}

Result<bool> Bool(const Value& obj, std::string_view key, std::string_view where) {
  VS_ASSIGN_OR_RETURN(auto v, OptionalBool(obj, key, where));
  if (!v) return Missing(where, key);
  return *v;
}

Result<const Value*> Object(const Value& obj, std::string_view key, std::string_view where) {
  VS_ASSIGN_OR_RETURN(const Value* v, OptionalObject(obj, key, where));
  if (v == nullptr) return Missing(where, key);
  return v;
}

Result<const Value*> Array(const Value& obj, std::string_view key, std::string_view where) {
  VS_ASSIGN_OR_RETURN(const Value* v, OptionalArray(obj, key, where));
  if (v == nullptr) return Missing(where, key);
  return v;
}

std::string Serialize(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Quote(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace vaultsync::json
