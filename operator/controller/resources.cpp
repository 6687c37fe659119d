// Decoding and semantic validation of the custom resources.
#include "controller/resources.h"

#include <functional>

#include "controller/bounded_regex.h"
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

// The CRD's duration form ^\d+(\.\d+)?(s|m|h)$, checked by hand: std::regex recurses once
// per character and overflows the stack on a long enough value, and the schema sets no
// maxLength on older CRDs, so a megabyte of digits could reach us.
bool CrdDurationForm(std::string_view t) {
  auto digits = [&](size_t& i) {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  size_t i = 0;
  if (!digits(i)) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits(i)) return false;
  }
  return i + 1 == t.size() && (t[i] == 's' || t[i] == 'm' || t[i] == 'h');
}

// Durations in the CRD's form: digits, optional fraction, one unit of s, m or h.
Result<std::chrono::milliseconds> CrdDuration(std::string_view text, std::string_view field) {
  if (text.size() > 32 || !CrdDurationForm(text)) {
    std::string shown(text.substr(0, 32));
    if (text.size() > 32) shown += "...";
    return InvalidArgument("field \"" + std::string(field) + "\": \"" + shown +
                           "\" is not a duration like 30s, 5m or 1.5h");
  }
  auto d = ParseDuration(text);
  if (!d.ok()) {
    return InvalidArgument("field \"" + std::string(field) + "\": \"" + std::string(text) +
                           "\" is too long a duration (at most 2562047h)");
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  if (ms.count() <= 0)
    return InvalidArgument("field \"" + std::string(field) + "\" must be positive");
  return ms;
}

// A DNS subdomain, as the API server requires of a Secret's name (the CRD's pattern): checked
// here too, so that an object admitted under an older CRD fails as InvalidSpec instead of at
// every write.
bool ValidSecretName(std::string_view n) {
  if (n.empty() || n.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  for (char c : n) {
    if (!alnum(c) && c != '-' && c != '.') return false;
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
  VS_ASSIGN_OR_RETURN(auto path, json::OptionalString(spec, "path", w));
  s.mount = std::string(mount);
  s.path = std::string(path.value_or(""));
  if (!ValidKvPath(s.mount))
    return InvalidArgument("field \"spec.mount\": \"" + s.mount + "\" is not a valid mount path");
  if (path && !ValidKvPath(s.path)) {
    return InvalidArgument("field \"spec.path\": \"" + s.path +
                           "\" must be relative (no leading /) with no empty, . or .. segments");
  }
  VS_ASSIGN_OR_RETURN(auto type, json::OptionalString(spec, "type", w));
  VS_ASSIGN_OR_RETURN(s.type, DecodeKvType(type, KvType::kV2, "spec.type"));
  VS_ASSIGN_OR_RETURN(s.version, json::OptionalInt64(spec, "version", w));
  if (s.version && *s.version < 1)
    return InvalidArgument("field \"spec.version\": must be at least 1");
  if (s.version && s.type == KvType::kV1) {
    return InvalidArgument(
        "field \"spec.version\": versions exist only in kv-v2; remove it or set type: kv-v2");
  }
  if (s.version && s.path.empty()) {
    return InvalidArgument(
        "field \"spec.version\": pins the version of spec.path, which is not set (a source "
        "pins its own with sources[].version)");
  }
  VaultStaticSecretExtras x;
  VS_ASSIGN_OR_RETURN(x.sources, DecodeSources(spec, s.mount, s.type));
  VS_ASSIGN_OR_RETURN(x.finds, DecodeFinds(spec, s.mount, s.type));
  VS_ASSIGN_OR_RETURN(x.on_key_conflict, DecodeKeyConflictPolicy(spec));
  if (s.path.empty() && x.sources.empty() && x.finds.empty()) {
    return InvalidArgument(
        "none of spec.path, spec.sources and spec.find is set: name at least one secret to read");
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
  if (!ValidSecretName(s.dest_name)) {
    return InvalidArgument("field \"spec.destination.name\": \"" + s.dest_name.substr(0, 256) +
                           "\" is not a valid Secret name (lower-case letters, digits, '-' and "
                           "'.', starting and ending with a letter or digit, at most 253)");
  }
  VS_ASSIGN_OR_RETURN(auto create, json::OptionalBool(*dest, "create", dw));
  VS_ASSIGN_OR_RETURN(auto overwrite, json::OptionalBool(*dest, "overwrite", dw));
  VS_ASSIGN_OR_RETURN(auto dtype, json::OptionalString(*dest, "type", dw));
  s.dest_create = create.value_or(true);
  s.dest_overwrite = overwrite.value_or(false);
  if (dtype && !dtype->empty() && *dtype != "Opaque") x.dest_type = std::string(*dtype);
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
        if (auto compiled = CompileBoundedRegex(re); !compiled.ok()) {
          return InvalidArgument("field \"" + tw +
                                 (list == &x.includes ? ".includes" : ".excludes") + "\": \"" +
                                 re.substr(0, 256) + "\" is not a valid regular expression (" +
                                 compiled.status().message() + ")");
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
      if (kind != "Deployment" && kind != "StatefulSet" && kind != "DaemonSet" &&
          kind != kKindArgoRollout) {
        return InvalidArgument(
            "field \"spec.rolloutRestartTargets[].kind\": must be Deployment, StatefulSet, "
            "DaemonSet or argoproj.io/Rollout, got \"" +
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

bool IsValidKvPath(std::string_view path) { return ValidKvPath(path); }

Result<std::chrono::milliseconds> DecodeCrdDuration(std::string_view text, std::string_view field) {
  return CrdDuration(text, field);
}

Status DecodeObjectRef(const json::Value& spec, const char* field, const std::string& own_namespace,
                       std::string& ns, std::string& name) {
  return DecodeRef(spec, field, own_namespace, ns, name);
}

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
         excludes.empty() && rollout_targets.empty() && sources.empty() && finds.empty() &&
         on_key_conflict == KeyConflictPolicy::kError && dest_type.empty();
}

std::string_view VaultStaticSecretSpec::DestType() const {
  return extras != nullptr && !extras->dest_type.empty() ? std::string_view(extras->dest_type)
                                                         : std::string_view("Opaque");
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

Result<ObjectMeta> DecodeMeta(const json::Value& obj, bool intern_shard_label) {
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
  if (const json::Value* labels = json::Find(*md, "labels");
      intern_shard_label && labels != nullptr && labels->IsObject()) {
    const json::Value* shard = json::Find(*labels, kShardLabel);
    if (shard != nullptr && shard->IsString()) {
      // Past the table's size the resource is kept without it (its Secret unlabelled): a
      // decode never fails over a label.
      auto id = InternShardLabel(json::View(*shard));
      m.shard = id.ok() ? *id : 0;
    }
  }
  if (const json::Value* ann = json::Find(*md, "annotations"); ann != nullptr) {
    const json::Value* force = json::Find(*ann, kForceSyncAnnotation);
    if (force != nullptr && force->IsString()) m.force_sync = ShortDigest(json::View(*force));
  }
  return m;
}

std::string ForceSyncValue(const json::Value& obj) {
  const json::Value* md = json::Find(obj, "metadata");
  const json::Value* ann = md != nullptr ? json::Find(*md, "annotations") : nullptr;
  const json::Value* force = ann != nullptr ? json::Find(*ann, kForceSyncAnnotation) : nullptr;
  return force != nullptr && force->IsString() ? std::string(json::View(*force)) : std::string();
}

uint64_t MessageDigest(std::string_view message) {
  return std::hash<std::string_view>{}(message) | 1;  // never 0, which means "absent"
}

uint32_t FoldDigest(uint64_t d) {
  // Bit 0 is forced to 1 (never 0, which means "absent"), so the bit MacDigest forces does not
  // matter: folding h or h|1 gives the same value.
  return static_cast<uint32_t>(d ^ (d >> 32)) | 1;
}

uint32_t ShortDigest(std::string_view value) {
  return FoldDigest(std::hash<std::string_view>{}(value));
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
    auto owed = json::OptionalString(*st, "rolloutRestartMAC");
    if (owed.ok() && owed->has_value() && !(*owed)->empty())
      v.status.rollout_restart_mac = ShortDigest(**owed);
  }
  return v;
}

}  // namespace vaultsync::controller
