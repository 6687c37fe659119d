// ServiceAccount token issuance and verification.
#include "tokens.h"

#include "util/json.h"

namespace vaultsync::kubeemu {
namespace {

std::string QuotedList(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json::Quote(v[i]);
  return s + "]";
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Status Invalid(const std::string& why) {
  return Status(StatusCode::kUnauthenticated,
                why.empty() ? "invalid bearer token" : "[invalid bearer token, " + why + "]");
}

}  // namespace

Result<std::unique_ptr<TokenAuthority>> TokenAuthority::Create() {
  VS_ASSIGN_OR_RETURN(auto key, emu::jwt::RsaKey::Generate());
  return std::unique_ptr<TokenAuthority>(new TokenAuthority(std::move(key)));
}

Result<std::string> TokenAuthority::Issue(const std::string& ns, const std::string& name,
                                          const std::string& uid,
                                          const std::vector<std::string>& audiences, TimePoint now,
                                          int64_t seconds) const {
  int64_t iat = UnixSeconds(now);
  std::string header = "{\"alg\":\"RS256\",\"kid\":" + json::Quote(key_.KeyId()) + "}";
  // Claims in the order (alphabetical) the apiserver serializes them.
  std::string claims = "{\"aud\":" + QuotedList(audiences) +
                       ",\"exp\":" + std::to_string(iat + seconds) +
                       ",\"iat\":" + std::to_string(iat) + ",\"iss\":" + json::Quote(kIssuer) +
                       ",\"kubernetes.io\":{\"namespace\":" + json::Quote(ns) +
                       ",\"serviceaccount\":{\"name\":" + json::Quote(name) +
                       ",\"uid\":" + json::Quote(uid) + "}},\"nbf\":" + std::to_string(iat) +
                       ",\"sub\":" + json::Quote("system:serviceaccount:" + ns + ":" + name) + "}";
  return emu::jwt::SignRs256(key_, header, claims);
}

Result<TokenIdentity> TokenAuthority::Verify(const std::string& token, TimePoint now) const {
  auto parsed = emu::jwt::ParseUnverified(token);
  if (!parsed.ok()) return Invalid("");
  auto claims = json::Parse(parsed->claims_json);
  if (!claims.ok() || !claims->IsObject()) return Invalid("");
  const json::Value* iss = json::Find(*claims, "iss");
  // Tokens of other issuers are not this authenticator's business: plain "invalid".
  if (iss == nullptr || !iss->IsString() || json::View(*iss) != kIssuer) return Invalid("");
  if (!emu::jwt::VerifyRs256(token, key_)) {
    return Invalid("square/go-jose: error in cryptographic primitive");
  }
  int64_t t = UnixSeconds(now);
  const json::Value* exp = json::Find(*claims, "exp");
  const json::Value* nbf = json::Find(*claims, "nbf");
  if (exp != nullptr && exp->IsInt64() && t > exp->GetInt64()) {
    return Invalid("service account token has expired");
  }
  if (nbf != nullptr && nbf->IsInt64() && t < nbf->GetInt64()) {
    return Invalid("service account token is not valid yet");
  }
  TokenIdentity id;
  const json::Value* k8s = json::Find(*claims, "kubernetes.io");
  if (k8s == nullptr || !k8s->IsObject())
    return Invalid("service account token claims are missing");
  const json::Value* ns = json::Find(*k8s, "namespace");
  const json::Value* sa = json::Find(*k8s, "serviceaccount");
  if (ns == nullptr || !ns->IsString() || sa == nullptr || !sa->IsObject()) {
    return Invalid("service account token claims are missing");
  }
  id.ns = std::string(json::View(*ns));
  const json::Value* n = json::Find(*sa, "name");
  const json::Value* u = json::Find(*sa, "uid");
  if (n != nullptr && n->IsString()) id.sa_name = std::string(json::View(*n));
  if (u != nullptr && u->IsString()) id.sa_uid = std::string(json::View(*u));
  const json::Value* aud = json::Find(*claims, "aud");
  if (aud != nullptr && aud->IsArray()) {
    for (const auto& a : aud->GetArray()) {
      if (a.IsString()) id.audiences.emplace_back(json::View(a));
    }
  } else if (aud != nullptr && aud->IsString()) {
    id.audiences.emplace_back(json::View(*aud));
  }
  return id;
}

std::string TokenAuthority::AudienceError(const std::vector<std::string>& token_audiences,
                                          const std::vector<std::string>& wanted) {
  for (const auto& t : token_audiences) {
    for (const auto& w : wanted) {
      if (t == w) return "";
    }
  }
  return "[invalid bearer token, token audiences " + QuotedList(token_audiences) +
         " is invalid for the target audiences " + QuotedList(wanted) + "]";
}

}  // namespace vaultsync::kubeemu
