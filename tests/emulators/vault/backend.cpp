// Parameter parsing shared by all handlers, following Vault's framework conversions.
#include "backend.h"

#include <cmath>

namespace vaultsync::vaultemu {
namespace {

const json::Value* Param(const Call& c, std::string_view key) {
  if (c.body == nullptr) return nullptr;
  const json::Value* v = json::Find(*c.body, key);
  return (v == nullptr || v->IsNull()) ? nullptr : v;
}

Status Converting(const json::Value& v, std::string_view key, std::string_view type) {
  std::string shown = v.IsString() ? std::string(json::View(v)) : std::string(json::TypeName(v));
  return InvalidArgument("error converting input " + shown + " for field \"" + std::string(key) +
                         "\": cannot parse as " + std::string(type));
}

}  // namespace

bool BodyHas(const Call& c, std::string_view key) { return Param(c, key) != nullptr; }

Status BodyString(const Call& c, std::string_view key, std::string& out) {
  const json::Value* v = Param(c, key);
  if (v == nullptr) return Status::Ok();
  if (v->IsString()) {
    out = std::string(json::View(*v));
  } else if (v->IsInt64()) {
    out = std::to_string(v->GetInt64());
  } else if (v->IsBool()) {
    out = v->GetBool() ? "true" : "false";
  } else {
    return Converting(*v, key, "string");
  }
  return Status::Ok();
}

Status BodyBool(const Call& c, std::string_view key, bool& out) {
  const json::Value* v = Param(c, key);
  if (v == nullptr) return Status::Ok();
  if (v->IsBool()) {
    out = v->GetBool();
  } else if (v->IsString() && (json::View(*v) == "true" || json::View(*v) == "false")) {
    out = json::View(*v) == "true";
  } else if (v->IsInt64()) {
    out = v->GetInt64() != 0;
  } else {
    return Converting(*v, key, "bool");
  }
  return Status::Ok();
}

Status BodyInt(const Call& c, std::string_view key, int64_t& out) {
  const json::Value* v = Param(c, key);
  if (v == nullptr) return Status::Ok();
  if (v->IsInt64()) {
    out = v->GetInt64();
  } else if (v->IsDouble() && std::floor(v->GetDouble()) == v->GetDouble()) {
    out = static_cast<int64_t>(v->GetDouble());
  } else if (v->IsString()) {
    try {
      size_t used = 0;
      std::string s(json::View(*v));
      out = std::stoll(s, &used);
      if (used != s.size()) return Converting(*v, key, "int");
    } catch (...) {
      return Converting(*v, key, "int");
    }
  } else {
    return Converting(*v, key, "int");
  }
  return Status::Ok();
}

Result<Duration> ParseVaultDuration(const json::Value& v) {
  if (v.IsNumber()) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(v.GetDouble()));
  }
  if (!v.IsString()) return InvalidArgument("not a duration");
  std::string s(json::View(v));
  if (s.empty()) return Duration(0);
  bool digits = s.find_first_not_of("0123456789") == std::string::npos;
  if (digits) return Duration(std::chrono::seconds(std::stoll(s)));
  return ParseDuration(s);
}

Status BodyDuration(const Call& c, std::string_view key, Duration& out) {
  const json::Value* v = Param(c, key);
  if (v == nullptr) return Status::Ok();
  auto d = ParseVaultDuration(*v);
  if (!d.ok()) return Converting(*v, key, "duration");
  out = *d;
  return Status::Ok();
}

Status BodyStringList(const Call& c, std::string_view key, std::vector<std::string>& out) {
  const json::Value* v = Param(c, key);
  if (v == nullptr) return Status::Ok();
  out.clear();
  if (v->IsString()) {
    std::string_view s = json::View(*v);
    while (!s.empty()) {
      size_t comma = s.find(',');
      std::string_view item = s.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    return Status::Ok();
  }
  if (!v->IsArray()) return Converting(*v, key, "[]string");
  for (const auto& item : v->GetArray()) {
    if (item.IsString()) {
      out.emplace_back(json::View(item));
    } else if (item.IsInt64()) {
      out.push_back(std::to_string(item.GetInt64()));
    } else {
      return Converting(item, key, "[]string");
    }
  }
  return Status::Ok();
}

}  // namespace vaultsync::vaultemu
