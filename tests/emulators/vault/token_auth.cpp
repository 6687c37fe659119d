// auth/token/* handlers.
#include "token_auth.h"

#include <algorithm>
#include <cctype>

#include "go_json.h"

namespace vaultsync::vaultemu {
namespace {

bool IsRoot(const Token& t) {
  return std::find(t.policies.begin(), t.policies.end(), "root") != t.policies.end();
}

std::string SanitizedDisplayName(std::string_view name) {
  std::string out;
  for (char ch : name) {
    out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ? ch : '-';
  }
  return out;
}

Reply Create(State& s, Call& c, bool orphan_endpoint) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  const Token& parent = *c.token;
  bool parent_root = IsRoot(parent);
  TokenSpec spec;
  std::vector<std::string> policies;
  bool has_policies = BodyHas(c, "policies");
  bool no_parent = false;
  std::string display_name;
  std::string type;
  std::string id;
  for (Status st : {BodyStringList(c, "policies", policies), BodyDuration(c, "ttl", spec.ttl),
                    BodyDuration(c, "explicit_max_ttl", spec.explicit_max_ttl),
                    BodyDuration(c, "period", spec.period),
                    BodyBool(c, "renewable", spec.renewable), BodyBool(c, "no_parent", no_parent),
                    BodyBool(c, "no_default_policy", spec.no_default_policy),
                    BodyString(c, "display_name", display_name), BodyString(c, "type", type),
                    BodyString(c, "id", id), BodyInt(c, "num_uses", spec.num_uses)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (!type.empty() && type != "service") {
    return Error(400, {"the emulator only issues service tokens"});
  }
  if (c.body != nullptr) {
    if (const json::Value* meta = json::Find(*c.body, "meta"); meta != nullptr && !meta->IsNull()) {
      if (!meta->IsObject()) return Error(400, {"invalid 'meta' value"});
      std::map<std::string, std::string> m;
      for (const auto& kv : meta->GetObject()) {
        if (!kv.value.IsString()) return Error(400, {"invalid 'meta' value"});
        m[std::string(json::View(kv.name))] = std::string(json::View(kv.value));
      }
      spec.meta = std::move(m);
    }
  }
  if (!has_policies) {
    policies = parent.policies;
  } else if (!parent_root) {
    for (const auto& p : policies) {
      if (p == "default") continue;
      if (std::find(parent.policies.begin(), parent.policies.end(), p) == parent.policies.end()) {
        return Error(400, {"child policies must be subset of parent"});
      }
    }
  }
  if (!id.empty() && !parent_root)
    return Error(400, {"root or sudo privileges required to specify token id"});
  bool orphan = orphan_endpoint || no_parent;
  if (no_parent && !parent_root) {
    return Error(400, {"root or sudo privileges required to create orphan token"});
  }
  spec.id = id;
  spec.policies = policies;
  spec.display_name =
      display_name.empty() ? "token" : "token-" + SanitizedDisplayName(display_name);
  spec.path = orphan_endpoint ? "auth/token/create-orphan" : "auth/token/create";
  spec.parent = parent.id;
  spec.orphan = orphan;
  if (spec.no_default_policy) {
    spec.policies.erase(std::remove(spec.policies.begin(), spec.policies.end(), "default"),
                        spec.policies.end());
  }
  Token t = s.tokens.Create(spec);
  return AuthReply(t, Seconds(t.ttl));
}

Reply Lookup(State& s, const Token* t) {
  if (t == nullptr) return Error(403, {"bad token"});
  return DataJson(RenderLookup(*t, s.clock.Now()));
}

Reply Renew(State& s, Call& c, const std::string& id) {
  Duration increment{0};
  if (Status st = BodyDuration(c, "increment", increment); !st.ok()) {
    return Error(400, {st.message()});
  }
  auto renewed = s.tokens.Renew(id, increment);
  if (!renewed.ok()) {
    if (renewed.status().code() == StatusCode::kPermissionDenied) {
      return Error(403, {"permission denied"});
    }
    return Error(400, {renewed.status().message()});
  }
  Token* t = s.tokens.Lookup(id);
  if (t == nullptr) return Error(403, {"permission denied"});
  return AuthReply(*t, Seconds(renewed->granted), renewed->warnings);
}

}  // namespace

Reply AuthReply(const Token& t, int64_t lease_duration_seconds, std::vector<std::string> warnings) {
  Reply r;
  r.status = 200;
  r.envelope.emplace();
  r.envelope->auth_json = RenderAuth(t, lease_duration_seconds);
  r.envelope->auth_accessor = t.accessor;
  r.envelope->warnings = std::move(warnings);
  return r;
}

Reply HandleTokenAuth(State& s, Call& c, std::string_view sub) {
  while (!sub.empty() && sub.back() == '/') sub.remove_suffix(1);
  std::string param;
  if (sub == "create") return Create(s, c, false);
  if (sub == "create-orphan") return Create(s, c, true);
  if (sub == "lookup-self") {
    if (c.op != Op::kRead && c.op != Op::kUpdate) return Unsupported();
    return Lookup(s, c.token);
  }
  if (sub == "lookup") {
    if (Status st = BodyString(c, "token", param); !st.ok()) return Error(400, {st.message()});
    if (c.op == Op::kRead) param = c.http->Query("token");
    if (param.empty()) return Error(400, {"missing token"});
    return Lookup(s, s.tokens.Lookup(param));
  }
  if (sub == "lookup-accessor") {
    if (Status st = BodyString(c, "accessor", param); !st.ok()) return Error(400, {st.message()});
    if (param.empty()) return Error(400, {"missing accessor"});
    Token* t = s.tokens.LookupAccessor(param);
    if (t == nullptr) return Error(400, {"invalid accessor"});
    // A token must never be recoverable from its accessor: Vault blanks the id.
    return DataJson(RenderLookup(*t, s.clock.Now(), /*hide_id=*/true));
  }
  if (sub == "accessors") {  // the router has already required sudo, as Vault does
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys = s.tokens.Accessors();
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  if (sub == "renew-self") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return Renew(s, c, c.token->id);
  }
  if (sub == "renew") {
    if (Status st = BodyString(c, "token", param); !st.ok()) return Error(400, {st.message()});
    if (param.empty()) return Error(400, {"missing token"});
    return Renew(s, c, param);
  }
  if (sub == "revoke-self") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    s.tokens.Revoke(c.token->id);
    return NoContent();
  }
  if (sub == "revoke") {
    if (Status st = BodyString(c, "token", param); !st.ok()) return Error(400, {st.message()});
    if (param.empty()) return Error(400, {"missing token"});
    s.tokens.Revoke(param);
    return NoContent();
  }
  if (sub == "revoke-accessor") {
    if (Status st = BodyString(c, "accessor", param); !st.ok()) return Error(400, {st.message()});
    if (Token* t = s.tokens.LookupAccessor(param); t != nullptr) s.tokens.Revoke(t->id);
    return NoContent();
  }
  return Error(404, {"unsupported path"});
}

}  // namespace vaultsync::vaultemu
