// approle auth method.
#include "auth_approle.h"

#include <algorithm>

#include "go_json.h"
#include "token_auth.h"

namespace vaultsync::vaultemu {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

}  // namespace

bool AppRoleAuthBackend::Exists(std::string_view rel) const {
  constexpr std::string_view kRole = "role/";
  if (rel.substr(0, kRole.size()) != kRole) return true;
  std::string name(rel.substr(kRole.size()));
  if (name.find('/') != std::string::npos) return true;
  return roles_.count(Lower(name)) > 0;
}

Reply AppRoleAuthBackend::Handle(Call& c) {
  std::string rel = c.rel;
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  if (rel == "login") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return Login(c);
  }
  if (rel == "role") {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [name, r] : roles_) keys.push_back(name);
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  if (rel.rfind("role/", 0) == 0) {
    std::string rest = rel.substr(5);
    size_t slash = rest.find('/');
    std::string name = Lower(rest.substr(0, slash));
    std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    return RolePath(c, name, sub);
  }
  return Error(404, {MultiError("unsupported path")});
}

Reply AppRoleAuthBackend::WriteRole(Call& c, const std::string& name) {
  auto [it, inserted] = roles_.try_emplace(name);
  Role& r = it->second;
  Role before = r;
  if (inserted) {
    r.name = name;
    r.role_id = s_.ids.Uuid();
  }
  Status st = BodyBool(c, "bind_secret_id", r.bind_secret_id);
  if (st.ok()) st = BodyDuration(c, "secret_id_ttl", r.secret_id_ttl);
  if (st.ok()) st = BodyInt(c, "secret_id_num_uses", r.secret_id_num_uses);
  if (st.ok()) st = BodyString(c, "role_id", r.role_id);
  if (st.ok()) st = ParseTokenParams(c, r.token);
  if (!st.ok()) {
    if (inserted) {
      roles_.erase(it);
    } else {
      r = std::move(before);
    }
    return Error(400, {st.message()});
  }
  return NoContent();
}

Reply AppRoleAuthBackend::RolePath(Call& c, const std::string& name, const std::string& sub) {
  if (sub.empty()) {
    switch (c.op) {
      case Op::kCreate:
      case Op::kUpdate:
        return WriteRole(c, name);
      case Op::kDelete:
        roles_.erase(name);
        return NoContent();
      case Op::kRead: {
        auto it = roles_.find(name);
        if (it == roles_.end()) return Error(404, {});
        const Role& r = it->second;
        json::Document d(rapidjson::kObjectType);
        auto& a = d.GetAllocator();
        d.AddMember("bind_secret_id", json::Value(r.bind_secret_id), a);
        d.AddMember("local_secret_ids", json::Value(false), a);
        d.AddMember("secret_id_bound_cidrs", json::Value(rapidjson::kArrayType), a);
        d.AddMember("secret_id_num_uses", json::Value(static_cast<int64_t>(r.secret_id_num_uses)),
                    a);
        d.AddMember("secret_id_ttl", json::Value(static_cast<int64_t>(Seconds(r.secret_id_ttl))),
                    a);
        AddTokenParams(r.token, d);
        return Data(d);
      }
      case Op::kList:
        return Unsupported();
    }
  }
  auto it = roles_.find(name);
  if (it == roles_.end()) return Error(400, {"invalid role name \"" + name + "\""});
  Role& r = it->second;
  if (sub == "role-id") {
    if (c.op == Op::kRead) return DataJson("{\"role_id\":" + GoQuote(r.role_id) + "}");
    if (c.op == Op::kCreate || c.op == Op::kUpdate) {
      std::string id;
      if (Status st = BodyString(c, "role_id", id); !st.ok()) return Error(400, {st.message()});
      if (id.empty()) return Error(400, {"missing role_id"});
      r.role_id = id;
      return NoContent();
    }
    return Unsupported();
  }
  if (sub == "secret-id/destroy") {
    // Vault answers 204 whether or not the secret ID existed; only a missing one is refused.
    if (c.op != Op::kCreate && c.op != Op::kUpdate && c.op != Op::kDelete) return Unsupported();
    std::string id;
    if (Status st = BodyString(c, "secret_id", id); !st.ok()) return Error(400, {st.message()});
    if (id.empty()) return Error(400, {"missing secret_id"});
    r.secret_ids.erase(id);
    return NoContent();
  }
  if (sub == "secret-id") {
    if (c.op == Op::kList) {
      std::vector<std::string> keys;
      for (const auto& [id, sid] : r.secret_ids) keys.push_back(sid.accessor);
      std::sort(keys.begin(), keys.end());
      if (keys.empty()) return Error(404, {});
      return DataJson("{\"keys\":" + GoStringList(keys) + "}");
    }
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    std::string id = s_.ids.Uuid();
    SecretId sid;
    sid.accessor = s_.ids.Uuid();
    if (r.secret_id_ttl.count() > 0) sid.expires = s_.clock.Now() + r.secret_id_ttl;
    sid.uses_left = r.secret_id_num_uses;
    std::string out = "{\"secret_id\":" + GoQuote(id) +
                      ",\"secret_id_accessor\":" + GoQuote(sid.accessor) +
                      ",\"secret_id_ttl\":" + std::to_string(Seconds(r.secret_id_ttl)) + "}";
    r.secret_ids[id] = sid;
    return DataJson(out);
  }
  return Error(404, {MultiError("unsupported path")});
}

Reply AppRoleAuthBackend::Login(Call& c) {
  std::string role_id, secret_id;
  for (Status st : {BodyString(c, "role_id", role_id), BodyString(c, "secret_id", secret_id)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (role_id.empty()) return Error(400, {"missing role_id"});
  Role* role = nullptr;
  for (auto& [name, r] : roles_) {
    if (r.role_id == role_id) role = &r;
  }
  if (role == nullptr) return Error(400, {"invalid role ID"});
  if (role->bind_secret_id) {
    if (secret_id.empty()) return Error(400, {"missing secret_id"});
    auto it = role->secret_ids.find(secret_id);
    if (it == role->secret_ids.end()) return Error(400, {"invalid secret id"});
    if (it->second.expires && s_.clock.Now() >= *it->second.expires) {
      role->secret_ids.erase(it);
      return Error(400, {"invalid secret id"});
    }
    if (it->second.uses_left > 0 && --it->second.uses_left == 0) role->secret_ids.erase(it);
  }
  auto entity = entities_.try_emplace(role_id, s_.ids.Uuid()).first->second;
  TokenSpec spec = TokenSpecFor(role->token);
  spec.display_name = mount_ == "approle" ? "approle" : mount_;
  spec.path = "auth/" + mount_ + "/login";
  spec.meta = std::map<std::string, std::string>{{"role_name", role->name}};
  spec.entity_id = entity;
  Token t = s_.tokens.Create(spec);
  return AuthReply(t, Seconds(t.ttl));
}

}  // namespace vaultsync::vaultemu
