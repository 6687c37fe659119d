// Tree helpers over RapidJSON values for the kube emulator.
#include "object_json.h"

#include <algorithm>
#include <charconv>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace vaultsync::kubeemu {

Document Clone(const Value& v) {
  Document d;
  d.CopyFrom(v, d.GetAllocator());
  return d;
}

const Value* At(const Value& root, std::string_view dotted) {
  const Value* cur = &root;
  while (!dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string_view step = dotted.substr(0, dot);
    if (!cur->IsObject()) return nullptr;
    cur = json::Find(*cur, step);
    if (cur == nullptr) return nullptr;
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return cur;
}

Value* MutableMember(Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Value* MutableAt(Value& root, std::string_view dotted) {
  Value* cur = &root;
  while (cur != nullptr && !dotted.empty()) {
    size_t dot = dotted.find('.');
    cur = MutableMember(*cur, dotted.substr(0, dot));
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return cur;
}

std::string StringAt(const Value& root, std::string_view dotted) {
  const Value* v = At(root, dotted);
  return v != nullptr && v->IsString() ? std::string(json::View(*v)) : std::string();
}

std::optional<int64_t> IntAt(const Value& root, std::string_view dotted) {
  const Value* v = At(root, dotted);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

Value& EnsureObject(Value& obj, std::string_view key, Allocator& a) {
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) {
    if (!it->value.IsObject()) it->value.SetObject();
    return it->value;
  }
  obj.AddMember(json::StringValue(key, a), Value(rapidjson::kObjectType), a);
  return (obj.MemberEnd() - 1)->value;
}

void SetMember(Value& obj, std::string_view key, Value v, Allocator& a) {
  if (!obj.IsObject()) obj.SetObject();
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) {
    it->value = std::move(v);
    return;
  }
  obj.AddMember(json::StringValue(key, a), v, a);
}

void SetString(Value& obj, std::string_view key, std::string_view s, Allocator& a) {
  SetMember(obj, key, json::StringValue(s, a), a);
}

bool RemoveMember(Value& obj, std::string_view key) {
  if (!obj.IsObject()) return false;
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it == obj.MemberEnd()) return false;
  obj.EraseMember(it);
  return true;
}

void SortKeys(Value& v) {
  if (v.IsObject()) {
    std::sort(v.MemberBegin(), v.MemberEnd(),
              [](const auto& l, const auto& r) { return json::View(l.name) < json::View(r.name); });
    for (auto& m : v.GetObject()) SortKeys(m.value);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) SortKeys(e);
  }
}

void OrderKeys(Value& obj, const std::vector<std::string_view>& first, Allocator& a) {
  if (!obj.IsObject()) return;
  Value out(rapidjson::kObjectType);
  for (std::string_view k : first) {
    auto it = obj.FindMember(Value(rapidjson::StringRef(k.data(), k.size())));
    if (it == obj.MemberEnd()) continue;
    out.AddMember(it->name, it->value, a);  // moves, leaving null behind
    obj.EraseMember(it);
  }
  for (auto& m : obj.GetObject()) out.AddMember(m.name, m.value, a);
  obj = std::move(out);
}

std::string Compact(const Value& v) { return json::Serialize(v); }

std::string Pretty(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string GoValueString(const Value& v) {
  if (v.IsString()) return json::Quote(json::View(v));
  return Compact(v);
}

}  // namespace vaultsync::kubeemu
