// Decoding and semantic validation of the custom resources.
#include "controller/resources.h"

#include <functional>
#include <regex>

#include "controller/secret_data.h"
#include "controller/template.h"
#include "util/duration.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

// Reads an optional map<string,string> member.
Result<std::map<std::string, std::string>> StringMap(const json::Value& obj, std::string_view key,
                                                     std::string_view where) {
  std::map<std::string, std::string> out;
  VS_ASSIGN_OR_RETURN(const json::Value* m, json::OptionalObject(obj, key, where));
  if (m == nullptr) return out;
  for (auto it = m->MemberBegin(); it != m->MemberEnd(); ++it) {
    if (!it->value.IsString()) {
      return InvalidArgument("field \"" + std::string(where) + "." + std::string(key) + "." +
                             std::string(json::View(it->name)) + "\": expected string");
    }
    out.emplace(std::string(json::View(it->name)), std::string(json::View(it->value)));
  }
  return out;
}

Result<std::vector<std::string>> StringList(const json::Value& obj, std::string_view key,
                                            std::string_view where) {
  std::vector<std::string> out;
  VS_ASSIGN_OR_RETURN(const json::Value* a, json::OptionalArray(obj, key, where));
  if (a == nullptr) return out;
  for (const auto& v : a->GetArray()) {
    if (!v.IsString()) {
      return InvalidArgument("field \"" + std::string(where) + "." + std::string(key) +
                             "\": expected strings");
    }
    out.emplace_back(json::View(v));
  }
  return out;
}

std::string Str(const std::optional<std::string_view>& v, std::string_view dflt = "") {
  return std::string(v ? *v : dflt);
}

// Durations in the CRD's form: digits, optional fraction, one unit of s, m or h.
Result<std::chrono::milliseconds> CrdDuration(std::string_view text, std::string_view field) {
  static const std::regex kForm(R"(^\d+(\.\d+)?(s|m|h)$)");
  if (!std::regex_match(text.begin(), text.end(), kForm)) {
    return InvalidArgument("field \"" + std::string(field) + "\": \"" + std::string(text) +
                           "\" is not a duration like 30s, 5m or 1.5h");
  }
  VS_ASSIGN_OR_RETURN(Duration d, ParseDuration(text));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
  if (ms.count() <= 0)
    return InvalidArgument("field \"" + std::string(field) + "\" must be positive");
  return ms;
}

bool ValidKvPath(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string_view seg =
        p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// A "name" or "namespace/name" reference; the namespace defaults to `own_namespace`.
Status DecodeRef(const json::Value& spec, const char* field, const std::string& own_namespace,
                 std::string& ns, std::string& name) {
  VS_ASSIGN_OR_RETURN(auto ref, json::OptionalString(spec, field, "spec"));
  if (!ref || ref->empty()) return Status::Ok();
  size_t slash = ref->find('/');
  if (slash == std::string_view::npos) {
    ns = own_namespace;
    name = std::string(*ref);
    return Status::Ok();
  }
  ns = std::string(ref->substr(0, slash));
  name = std::string(ref->substr(slash + 1));
  if (ns.empty() || name.empty() || name.find('/') != std::string::npos) {
    return InvalidArgument("field \"spec." + std::string(field) +
                           "\": want name or namespace/name, got \"" + std::string(*ref) + "\"");
  }
  return Status::Ok();
}

Status DecodeVssSpec(const json::Value& spec, VaultStaticSecretSpec& s,
                     const std::string& own_namespace) {
  const std::string w = "spec";
  VS_RETURN_IF_ERROR(
      DecodeRef(spec, "vaultAuthRef", own_namespace, s.auth_ref.namespace_, s.auth_ref.name));
  VS_ASSIGN_OR_RETURN(auto mount, json::String(spec, "mount", w));
  VS_ASSIGN_OR_RETURN(auto path, json::String(spec, "path", w));
  s.mount = std::string(mount);
  s.path = std::string(path);
  if (!ValidKvPath(s.mount))
    return InvalidArgument("field \"spec.mount\": \"" + s.mount + "\" is not a valid mount path");
  if (!ValidKvPath(s.path)) {
    return InvalidArgument("field \"spec.path\": \"" + s.path +
                           "\" must be relative (no leading /) with no empty, . or .. segments");
  }
  VS_ASSIGN_OR_RETURN(auto type, json::OptionalString(spec, "type", w));
  if (!type || *type == "kv-v2") {
    s.type = KvType::kV2;
  } else if (*type == "kv-v1") {
    s.type = KvType::kV1;
  } else {
    return InvalidArgument("field \"spec.type\": must be kv-v1 or kv-v2, got \"" +
                           std::string(*type) + "\"");
  }
  VS_ASSIGN_OR_RETURN(s.version, json::OptionalInt64(spec, "version", w));
  if (s.version && *s.version < 1)
    return InvalidArgument("field \"spec.version\": must be at least 1");
  if (s.version && s.type == KvType::kV1) {
    return InvalidArgument(
        "field \"spec.version\": versions exist only in kv-v2; remove it or set type: kv-v2");
  }
  VS_ASSIGN_OR_RETURN(auto refresh, json::OptionalString(spec, "refreshAfter", w));
  if (refresh) {
    VS_ASSIGN_OR_RETURN(auto d, CrdDuration(*refresh, "spec.refreshAfter"));
    s.refresh_after = d;
  }
  VS_ASSIGN_OR_RETURN(auto hmac, json::OptionalBool(spec, "hmacSecretData", w));
  s.hmac_secret_data = hmac.value_or(true);

  VS_ASSIGN_OR_RETURN(const json::Value* dest, json::Object(spec, "destination", w));
  const std::string dw = "spec.destination";
  VS_ASSIGN_OR_RETURN(auto dname, json::String(*dest, "name", dw));
  s.dest_name = std::string(dname);
  if (s.dest_name.empty()) return InvalidArgument("field \"spec.destination.name\" is empty");
  VS_ASSIGN_OR_RETURN(auto create, json::OptionalBool(*dest, "create", dw));
  VS_ASSIGN_OR_RETURN(auto overwrite, json::OptionalBool(*dest, "overwrite", dw));
  VS_ASSIGN_OR_RETURN(auto dtype, json::OptionalString(*dest, "type", dw));
  s.dest_create = create.value_or(true);
  s.dest_overwrite = overwrite.value_or(false);
  s.dest_type = Str(dtype, "Opaque");
  if (s.dest_type.empty()) s.dest_type = "Opaque";
  VaultStaticSecretExtras x;
  VS_ASSIGN_OR_RETURN(x.dest_labels, StringMap(*dest, "labels", dw));
  VS_ASSIGN_OR_RETURN(x.dest_annotations, StringMap(*dest, "annotations", dw));
  for (const char* reserved : {"app.kubernetes.io/managed-by", "vaultsync.io/owner"}) {
    if (x.dest_labels.count(reserved)) {
      return InvalidArgument(std::string("field \"spec.destination.labels\": label ") + reserved +
                             " is set by the operator and cannot be overridden");
    }
  }
  VS_ASSIGN_OR_RETURN(const json::Value* tr, json::OptionalObject(*dest, "transformation", dw));
  if (tr != nullptr) {
    const std::string tw = "spec.destination.transformation";
    VS_ASSIGN_OR_RETURN(const json::Value* templates, json::OptionalObject(*tr, "templates", tw));
    if (templates != nullptr) {
      for (auto it = templates->MemberBegin(); it != templates->MemberEnd(); ++it) {
        std::string key(json::View(it->name));
        std::string where = tw + ".templates." + key;
        VS_ASSIGN_OR_RETURN(auto text, json::String(it->value, "text", where));
        auto parsed = Template::Parse(text);
        if (!parsed.ok())
          return InvalidArgument("field \"" + where + ".text\": " + parsed.status().message());
        x.templates.emplace(key, std::string(text));
      }
    }
    VS_ASSIGN_OR_RETURN(x.includes, StringList(*tr, "includes", tw));
    VS_ASSIGN_OR_RETURN(x.excludes, StringList(*tr, "excludes", tw));
    for (const auto* list : {&x.includes, &x.excludes}) {
      for (const std::string& re : *list) {
        try {
          std::regex compiled(re);
        } catch (const std::regex_error&) {
          return InvalidArgument("field \"" + tw +
                                 (list == &x.includes ? ".includes" : ".excludes") + "\": \"" + re +
                                 "\" is not a valid regular expression");
        }
      }
    }
  }
  VS_ASSIGN_OR_RETURN(const json::Value* targets,
                      json::OptionalArray(spec, "rolloutRestartTargets", w));
  if (targets != nullptr) {
    for (const auto& t : targets->GetArray()) {
      const std::string rw = "spec.rolloutRestartTargets[]";
      VS_ASSIGN_OR_RETURN(auto kind, json::String(t, "kind", rw));
      VS_ASSIGN_OR_RETURN(auto name, json::String(t, "name", rw));
      if (kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet") {
        return InvalidArgument(
            "field \"spec.rolloutRestartTargets[].kind\": must be Deployment, StatefulSet or "
            "DaemonSet, got \"" +
            std::string(kind) + "\"");
      }
      x.rollout_targets.push_back(RolloutTarget{std::string(kind), std::string(name)});
    }
  }
  if (!x.Empty()) s.extras = std::make_shared<const VaultStaticSecretExtras>(std::move(x));
  return Status::Ok();
}

Status DecodeAuthSpec(const json::Value& spec, VaultAuthSpec& s, const std::string& own_namespace) {
  const std::string w = "spec";
  VS_RETURN_IF_ERROR(DecodeRef(spec, "vaultConnectionRef", own_namespace,
                               s.connection_ref_namespace, s.connection_ref_name));
  VS_ASSIGN_OR_RETURN(auto method, json::OptionalString(spec, "method", w));
  std::string m = Str(method, "kubernetes");
  if (m == "kubernetes") {
    s.method = AuthMethod::kKubernetes;
  } else if (m == "appRole") {
    s.method = AuthMethod::kAppRole;
  } else if (m == "token") {
    s.method = AuthMethod::kToken;
  } else {
    return InvalidArgument("field \"spec.method\": must be kubernetes, appRole or token, got \"" +
                           m + "\"");
  }
  VS_ASSIGN_OR_RETURN(auto mount, json::OptionalString(spec, "mount", w));
  static const char* kDefaultMount[] = {"kubernetes", "approle", "token"};
  s.mount =
      (mount && !mount->empty()) ? std::string(*mount) : kDefaultMount[static_cast<int>(s.method)];
  VS_ASSIGN_OR_RETURN(s.allowed_namespaces, StringList(spec, "allowedNamespaces", w));
  VS_ASSIGN_OR_RETURN(const json::Value* k8s, json::OptionalObject(spec, "kubernetes", w));
  if (k8s != nullptr) {
    const std::string kw = "spec.kubernetes";
    VS_ASSIGN_OR_RETURN(auto role, json::OptionalString(*k8s, "role", kw));
    VS_ASSIGN_OR_RETURN(auto sa, json::OptionalString(*k8s, "serviceAccount", kw));
    VS_ASSIGN_OR_RETURN(s.audiences, StringList(*k8s, "audiences", kw));
    VS_ASSIGN_OR_RETURN(auto exp, json::OptionalInt64(*k8s, "tokenExpirationSeconds", kw));
    s.role = Str(role);
    s.service_account = Str(sa);
    s.token_expiration_seconds = exp.value_or(600);
    if (s.token_expiration_seconds < 600) {
      return InvalidArgument(
          "field \"spec.kubernetes.tokenExpirationSeconds\": must be at least 600");
    }
  }
  VS_ASSIGN_OR_RETURN(const json::Value* ar, json::OptionalObject(spec, "appRole", w));
  if (ar != nullptr) {
    VS_ASSIGN_OR_RETURN(auto role_id, json::OptionalString(*ar, "roleId", "spec.appRole"));
    VS_ASSIGN_OR_RETURN(auto ref, json::OptionalString(*ar, "secretRef", "spec.appRole"));
    s.role_id = Str(role_id);
    s.approle_secret_ref = Str(ref);
  }
  VS_ASSIGN_OR_RETURN(const json::Value* tok, json::OptionalObject(spec, "token", w));
  if (tok != nullptr) {
    VS_ASSIGN_OR_RETURN(auto ref, json::OptionalString(*tok, "secretRef", "spec.token"));
    s.token_secret_ref = Str(ref);
  }
  switch (s.method) {
    case AuthMethod::kKubernetes:
      if (s.role.empty())
        return InvalidArgument("field \"spec.kubernetes.role\" is required for method kubernetes");
      break;
    case AuthMethod::kAppRole:
      if (s.role_id.empty() && s.approle_secret_ref.empty()) {
        return InvalidArgument(
            "fields \"spec.appRole.roleId\" and \"spec.appRole.secretRef\" are required for "
            "method appRole");
      }
      if (s.role_id.empty())
        return InvalidArgument("field \"spec.appRole.roleId\" is required for method appRole");
      if (s.approle_secret_ref.empty()) {
        return InvalidArgument(
            "field \"spec.appRole.secretRef\" is required for method appRole (a Secret in this "
            "namespace whose key \"id\" holds the secret ID)");
      }
      break;
    case AuthMethod::kToken:
      if (s.token_secret_ref.empty()) {
        return InvalidArgument("field \"spec.token.secretRef\" is required for method token");
      }
      break;
  }
  return Status::Ok();
}

Status DecodeConnectionSpec(const json::Value& spec, VaultConnectionSpec& s) {
  const std::string w = "spec";
  VS_ASSIGN_OR_RETURN(auto address, json::String(spec, "address", w));
  s.address = std::string(address);
  if (s.address.rfind("http://", 0) != 0 && s.address.rfind("https://", 0) != 0) {
    return InvalidArgument("field \"spec.address\": must start with http:// or https://");
  }
  while (!s.address.empty() && s.address.back() == '/') s.address.pop_back();
  VS_ASSIGN_OR_RETURN(auto ca, json::OptionalString(spec, "caCertSecretRef", w));
  VS_ASSIGN_OR_RETURN(auto sni, json::OptionalString(spec, "tlsServerName", w));
  VS_ASSIGN_OR_RETURN(auto skip, json::OptionalBool(spec, "skipTLSVerify", w));
  VS_ASSIGN_OR_RETURN(auto ns, json::OptionalString(spec, "namespace", w));
  s.ca_cert_secret_ref = Str(ca);
  s.tls_server_name = Str(sni);
  s.skip_tls_verify = skip.value_or(false);
  s.vault_namespace = Str(ns);
  VS_ASSIGN_OR_RETURN(s.headers, StringMap(spec, "headers", w));
  for (const auto& [k, v] : s.headers) {
    std::string lower = k;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "x-vault-token") {
      return InvalidArgument(
          "field \"spec.headers\": X-Vault-Token cannot be set here; use a VaultAuth");
    }
  }
  VS_ASSIGN_OR_RETURN(auto timeout, json::OptionalString(spec, "timeout", w));
  if (timeout) {
    VS_ASSIGN_OR_RETURN(s.timeout, CrdDuration(*timeout, "spec.timeout"));
  }
  return Status::Ok();
}

const json::Value& SpecOf(const json::Value& obj) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* spec = json::Find(obj, "spec");
  return (spec != nullptr && spec->IsObject()) ? *spec : kEmpty;
}

}  // namespace

std::string_view AuthMethodName(AuthMethod m) {
  switch (m) {
    case AuthMethod::kKubernetes:
      return "kubernetes";
    case AuthMethod::kAppRole:
      return "appRole";
    case AuthMethod::kToken:
      return "token";
  }
  return "kubernetes";
}

bool VaultStaticSecretExtras::Empty() const {
  return dest_labels.empty() && dest_annotations.empty() && templates.empty() && includes.empty() &&
         excludes.empty() && rollout_targets.empty();
}

const VaultStaticSecretExtras& VaultStaticSecretSpec::More() const {
  static const VaultStaticSecretExtras kNone;
  return extras != nullptr ? *extras : kNone;
}

bool ObjectMeta::HasFinalizer(std::string_view f) const {
  for (const auto& x : finalizers) {
    if (x == f) return true;
  }
  return false;
}

const std::string& VaultAuthSpec::CredentialSecret() const {
  static const std::string kNone;
  switch (method) {
    case AuthMethod::kAppRole:
      return approle_secret_ref;
    case AuthMethod::kToken:
      return token_secret_ref;
    case AuthMethod::kKubernetes:
      break;
  }
  return kNone;
}

bool VaultAuth::AllowsNamespace(const std::string& ns) const {
  if (spec.allowed_namespaces.empty()) return ns == meta.namespace_;
  for (const auto& a : spec.allowed_namespaces) {
    if (a == "*" || a == ns) return true;
  }
  return false;
}

Result<ObjectMeta> DecodeMeta(const json::Value& obj) {
  ObjectMeta m;
  VS_ASSIGN_OR_RETURN(const json::Value* md, json::Object(obj, "metadata"));
  VS_ASSIGN_OR_RETURN(auto name, json::String(*md, "name", "metadata"));
  VS_ASSIGN_OR_RETURN(auto ns, json::OptionalString(*md, "namespace", "metadata"));
  VS_ASSIGN_OR_RETURN(auto uid, json::OptionalString(*md, "uid", "metadata"));
  VS_ASSIGN_OR_RETURN(auto rv, json::OptionalString(*md, "resourceVersion", "metadata"));
  VS_ASSIGN_OR_RETURN(auto gen, json::OptionalInt64(*md, "generation", "metadata"));
  m.name = std::string(name);
  m.namespace_ = Str(ns);
  m.uid = Str(uid);
  m.resource_version = Str(rv);
  m.generation = gen.value_or(0);
  const json::Value* del = json::Find(*md, "deletionTimestamp");
  m.deleting = del != nullptr && !del->IsNull();
  if (const json::Value* fins = json::Find(*md, "finalizers"); fins != nullptr && fins->IsArray()) {
    for (const auto& f : fins->GetArray()) {
      if (f.IsString()) m.finalizers.emplace_back(json::View(f));
    }
  }
  return m;
}

uint64_t MessageDigest(std::string_view message) {
  return std::hash<std::string_view>{}(message) | 1;  // never 0, which means "absent"
}

ReadyCondition DecodeReady(const json::Value& obj) {
  ReadyCondition r;
  const json::Value* status = json::Find(obj, "status");
  const json::Value* conds = status ? json::Find(*status, "conditions") : nullptr;
  if (conds == nullptr || !conds->IsArray()) return r;
  for (const auto& c : conds->GetArray()) {
    auto type = json::OptionalString(c, "type");
    if (!type.ok() || !type->has_value() || **type != "Ready") continue;
    auto get = [&](const char* k) {
      auto v = json::OptionalString(c, k);
      return (v.ok() && v->has_value()) ? std::string(**v) : std::string();
    };
    std::string status = get("status");
    r.state = status == "True"      ? ReadyCondition::State::kTrue
              : status == "False"   ? ReadyCondition::State::kFalse
              : status == "Unknown" ? ReadyCondition::State::kUnknown
                                    : ReadyCondition::State::kAbsent;
    r.reason = get("reason");
    auto message = json::OptionalString(c, "message");
    if (message.ok() && message->has_value()) r.message_digest = MessageDigest(**message);
    if (auto t = ParseRfc3339(get("lastTransitionTime")); t.ok()) {
      r.last_transition_seconds =
          std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
    }
    auto og = json::OptionalInt64(c, "observedGeneration");
    r.observed_generation = (og.ok() && og->has_value()) ? **og : 0;
  }
  return r;
}

Result<VaultConnection> DecodeVaultConnection(const json::Value& obj) {
  VaultConnection c;
  VS_ASSIGN_OR_RETURN(c.meta, DecodeMeta(obj));
  c.spec_error = DecodeConnectionSpec(SpecOf(obj), c.spec);
  c.ready = DecodeReady(obj);
  return c;
}

Result<VaultAuth> DecodeVaultAuth(const json::Value& obj) {
  VaultAuth a;
  VS_ASSIGN_OR_RETURN(a.meta, DecodeMeta(obj));
  a.spec_error = DecodeAuthSpec(SpecOf(obj), a.spec, a.meta.namespace_);
  a.ready = DecodeReady(obj);
  return a;
}

Result<VaultStaticSecret> DecodeVaultStaticSecret(const json::Value& obj) {
  VaultStaticSecret v;
  VS_ASSIGN_OR_RETURN(v.meta, DecodeMeta(obj));
  v.spec_error = DecodeVssSpec(SpecOf(obj), v.spec, v.meta.namespace_);
  v.status.ready = DecodeReady(obj);
  if (const json::Value* st = json::Find(obj, "status"); st != nullptr && st->IsObject()) {
    auto mac = json::OptionalString(*st, "secretMAC");
    if (mac.ok() && mac->has_value() && !(*mac)->empty()) v.status.secret_mac = MacDigest(**mac);
    auto last = json::OptionalString(*st, "lastSyncTime");
    v.status.synced_before = last.ok() && last->has_value() && !(*last)->empty();
    auto ver = json::OptionalInt64(*st, "sourceVersion");
    if (ver.ok()) v.status.source_version = *ver;
    auto og = json::OptionalInt64(*st, "observedGeneration");
    if (og.ok() && og->has_value()) v.status.observed_generation = **og;
  }
  return v;
}

}  // namespace vaultsync::controller
