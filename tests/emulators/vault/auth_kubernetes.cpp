// kubernetes auth method.
#include "auth_kubernetes.h"

#include <algorithm>

#include "go_json.h"
#include "k8s_jwt.h"
#include "token_auth.h"
#include "token_reviewer.h"

namespace vaultsync::vaultemu {
namespace {

constexpr std::string_view kDefaultIssuer = "kubernetes/serviceaccount";

bool Bound(const std::vector<std::string>& allowed, const std::string& value) {
  if (allowed.size() == 1 && allowed[0] == "*") return true;
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

json::Value StringList(const std::vector<std::string>& items, json::Allocator& a) {
  json::Value v(rapidjson::kArrayType);
  for (const auto& i : items) v.PushBack(json::StringValue(i, a), a);
  return v;
}

}  // namespace

bool KubernetesAuthBackend::Exists(std::string_view rel) const {
  if (rel == "config") return config_.has_value();
  constexpr std::string_view kRole = "role/";
  if (rel.substr(0, kRole.size()) == kRole) {
    return roles_.count(std::string(rel.substr(kRole.size()))) > 0;
  }
  return true;
}

Reply KubernetesAuthBackend::Handle(Call& c) {
  std::string rel = c.rel;
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  if (rel == "login") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return Login(c);
  }
  if (rel == "config") {
    if (c.op == Op::kRead) return ReadConfig();
    if (c.op == Op::kCreate || c.op == Op::kUpdate) return WriteConfig(c);
    return Unsupported();
  }
  if (rel == "role") {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [name, r] : roles_) keys.push_back(name);
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  if (rel.rfind("role/", 0) == 0) return RolePath(c, rel.substr(5));
  return Error(404, {MultiError("unsupported path")});
}

Reply KubernetesAuthBackend::WriteConfig(Call& c) {
  Config cfg;  // a config write replaces the whole config, as in Vault
  for (Status st :
       {BodyString(c, "kubernetes_host", cfg.host),
        BodyString(c, "kubernetes_ca_cert", cfg.ca_cert),
        BodyString(c, "token_reviewer_jwt", cfg.reviewer_jwt),
        BodyStringList(c, "pem_keys", cfg.pem_keys), BodyString(c, "issuer", cfg.issuer),
        BodyBool(c, "disable_iss_validation", cfg.disable_iss_validation),
        BodyBool(c, "disable_local_ca_jwt", cfg.disable_local_ca_jwt)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (cfg.host.empty() && cfg.pem_keys.empty()) return Error(400, {"no host provided"});
  auto keys = ParsePemKeys(cfg.pem_keys);
  if (!keys.ok()) return Error(400, {keys.status().message()});
  cfg.keys = std::move(keys).value();
  config_ = std::move(cfg);
  return NoContent();
}

Reply KubernetesAuthBackend::ReadConfig() {
  if (!config_) return Error(404, {});
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("disable_iss_validation", json::Value(config_->disable_iss_validation), a);
  d.AddMember("disable_local_ca_jwt", json::Value(config_->disable_local_ca_jwt), a);
  d.AddMember("issuer", json::StringValue(config_->issuer, a), a);
  d.AddMember("kubernetes_ca_cert", json::StringValue(config_->ca_cert, a), a);
  d.AddMember("kubernetes_host", json::StringValue(config_->host, a), a);
  d.AddMember("pem_keys", StringList(config_->pem_keys, a), a);
  return Data(d);
}

Reply KubernetesAuthBackend::RolePath(Call& c, const std::string& name) {
  switch (c.op) {
    case Op::kRead: {
      auto it = roles_.find(name);
      if (it == roles_.end()) return Error(404, {});
      const Role& r = it->second;
      json::Document d(rapidjson::kObjectType);
      auto& a = d.GetAllocator();
      if (!r.audience.empty()) d.AddMember("audience", json::StringValue(r.audience, a), a);
      d.AddMember("bound_service_account_names", StringList(r.names, a), a);
      d.AddMember("bound_service_account_namespaces", StringList(r.namespaces, a), a);
      AddTokenParams(r.token, d);
      return Data(d);
    }
    case Op::kCreate:
    case Op::kUpdate: {
      Role r;
      if (auto it = roles_.find(name); it != roles_.end()) r = it->second;
      for (Status st : {BodyStringList(c, "bound_service_account_names", r.names),
                        BodyStringList(c, "bound_service_account_namespaces", r.namespaces),
                        BodyString(c, "audience", r.audience), ParseTokenParams(c, r.token)}) {
        if (!st.ok()) return Error(400, {st.message()});
      }
      if (r.names.empty()) {
        return Error(400, {"\"bound_service_account_names\" can not be empty"});
      }
      if (r.namespaces.empty()) {
        return Error(400, {"\"bound_service_account_namespaces\" can not be empty"});
      }
      for (const auto* list : {&r.names, &r.namespaces}) {
        if (list->size() > 1 && std::find(list->begin(), list->end(), "*") != list->end()) {
          return Error(400, {"can not mix \"*\" with values"});
        }
      }
      roles_[name] = std::move(r);
      return NoContent();
    }
    case Op::kDelete:
      roles_.erase(name);
      return NoContent();
    case Op::kList:
      return Unsupported();
  }
  return Unsupported();
}

Reply KubernetesAuthBackend::Login(Call& c) {
  std::string role_name, jwt;
  for (Status st : {BodyString(c, "role", role_name), BodyString(c, "jwt", jwt)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (role_name.empty()) return Error(400, {"missing role"});
  if (jwt.empty()) return Error(400, {"missing jwt"});
  auto role_it = roles_.find(role_name);
  if (role_it == roles_.end()) return Error(400, {"invalid role name \"" + role_name + "\""});
  if (!config_) return Error(500, {"could not load backend configuration"});
  const Role& role = role_it->second;
  const Config& cfg = *config_;

  auto sa = ParseLoginJwt(jwt);
  if (!sa.ok()) return Error(500, {sa.status().message()});
  if (!cfg.disable_iss_validation) {
    std::string want = cfg.issuer.empty() ? std::string(kDefaultIssuer) : cfg.issuer;
    if (sa->iss != want) return Error(500, {"claim \"iss\" is invalid"});
  }
  if (!role.audience.empty() &&
      std::find(sa->aud.begin(), sa->aud.end(), role.audience) == sa->aud.end()) {
    return Error(500, {"claim \"aud\" is invalid"});
  }
  if (!Bound(role.namespaces, sa->namespace_)) return Error(500, {"namespace not authorized"});
  if (!Bound(role.names, sa->name)) return Error(500, {"service account name not authorized"});
  if (!cfg.keys.empty()) {
    Status verified = VerifyWithPemKeys(jwt, *sa, cfg.keys, s_.clock.Now());
    if (!verified.ok()) return Error(500, {verified.message()});
  }

  if (!cfg.host.empty()) {
    TokenReviewRequest review;
    review.host = cfg.host;
    review.ca_pem = cfg.ca_cert;
    review.bearer = cfg.reviewer_jwt.empty() ? jwt : cfg.reviewer_jwt;
    review.jwt = jwt;
    if (!role.audience.empty()) review.audiences.push_back(role.audience);
    TokenReviewer* reviewer = s_.reviewer;
    // The review goes over the network: let other requests in meanwhile.
    c.lock->unlock();
    Result<TokenReviewResult> result = reviewer->Review(review);
    c.lock->lock();
    const std::string expected_user = "system:serviceaccount:" + sa->namespace_ + ":" + sa->name;
    bool ok = result.ok() && result->error.empty() && result->authenticated &&
              result->username == expected_user && (result->uid.empty() || result->uid == sa->uid);
    if (!ok) return Error(403, {"permission denied"});
    // The role may have changed while the lock was released.
    role_it = roles_.find(role_name);
    if (role_it == roles_.end()) return Error(400, {"invalid role name \"" + role_name + "\""});
  }

  const Role& current = role_it->second;
  auto entity = entities_.try_emplace(sa->uid, s_.ids.Uuid()).first->second;
  TokenSpec spec = TokenSpecFor(current.token);
  spec.display_name = mount_ + "-" + sa->namespace_ + "-" + sa->name;
  spec.path = "auth/" + mount_ + "/login";
  spec.meta = std::map<std::string, std::string>{{"role", role_name},
                                                 {"service_account_name", sa->name},
                                                 {"service_account_namespace", sa->namespace_},
                                                 {"service_account_secret_name", sa->secret_name},
                                                 {"service_account_uid", sa->uid}};
  spec.entity_id = entity;
  Token t = s_.tokens.Create(spec);
  return AuthReply(t, Seconds(t.ttl));
}

}  // namespace vaultsync::vaultemu
