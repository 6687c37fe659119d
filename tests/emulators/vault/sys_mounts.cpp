// sys/mounts, sys/auth and sys/internal/ui/mounts: enabling, disabling and describing
// secrets engines and auth methods.
#include "auth_approle.h"
#include "auth_kubernetes.h"
#include "database.h"
#include "go_json.h"
#include "kv_v1.h"
#include "kv_v2.h"
#include "pki.h"
#include "sys_handlers.h"

namespace vaultsync::vaultemu {
namespace {

// Mounts are listed as one JSON object keyed by path (sorted, as Go writes maps).
std::string RenderTable(const MountTable& table, std::string_view prefix) {
  std::map<std::string, std::string> entries;
  for (const auto& m : table.all()) entries[std::string(prefix) + m->path] = RenderMount(*m, false);
  std::string out;
  for (const auto& [path, entry] : entries) {
    if (!out.empty()) out += ",";
    out += GoQuote(path) + ":" + entry;
  }
  return out;
}

Reply ListTable(const MountTable& table) {
  std::string members = RenderTable(table, "");
  Reply r = DataJson("{" + members + "}");
  r.envelope->top_level_members = members;
  return r;
}

struct MountRequest {
  std::string type;
  std::string description;
  std::string version;
  Duration default_lease{0};
  Duration max_lease{0};
  bool local = false;
  bool seal_wrap = false;
};

Result<MountRequest> ParseMountRequest(const Call& c) {
  MountRequest m;
  VS_RETURN_IF_ERROR(BodyString(c, "type", m.type));
  VS_RETURN_IF_ERROR(BodyString(c, "description", m.description));
  VS_RETURN_IF_ERROR(BodyBool(c, "local", m.local));
  VS_RETURN_IF_ERROR(BodyBool(c, "seal_wrap", m.seal_wrap));
  if (c.body != nullptr) {
    if (const json::Value* o = json::Find(*c.body, "options"); o != nullptr && o->IsObject()) {
      if (const json::Value* v = json::Find(*o, "version"); v != nullptr) {
        if (v->IsString()) m.version = std::string(json::View(*v));
        if (v->IsInt64()) m.version = std::to_string(v->GetInt64());
      }
    }
    if (const json::Value* cfg = json::Find(*c.body, "config"); cfg != nullptr && cfg->IsObject()) {
      for (const char* k : {"default_lease_ttl", "max_lease_ttl"}) {
        const json::Value* v = json::Find(*cfg, k);
        if (v == nullptr) continue;
        auto d = ParseVaultDuration(*v);
        if (!d.ok()) return InvalidArgument(std::string("invalid ") + k);
        (std::string_view(k) == "default_lease_ttl" ? m.default_lease : m.max_lease) = *d;
      }
    }
  }
  return m;
}

std::string TrimSlashes(std::string_view p) {
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

}  // namespace

Result<std::shared_ptr<Backend>> NewSecretsBackend(State& s, std::string_view type,
                                                   std::string_view version, Duration default_lease,
                                                   std::string_view path) {
  if (type == "pki") {
    return std::shared_ptr<Backend>(std::make_shared<PkiBackend>(s, std::string(path)));
  }
  if (type == "database") {
    return std::shared_ptr<Backend>(std::make_shared<DatabaseBackend>(s, std::string(path)));
  }
  if (type == "kv" && version == "2")
    return std::shared_ptr<Backend>(std::make_shared<KvV2Backend>(s.clock));
  if (type == "kv" && (version.empty() || version == "1")) {
    return std::shared_ptr<Backend>(
        std::make_shared<KvV1Backend>(default_lease.count() > 0 ? default_lease : kSystemMaxTtl));
  }
  if (type == "kv") return InvalidArgument("invalid kv version " + std::string(version));
  return InvalidArgument("plugin not found in the catalog: " + std::string(type));
}

Result<std::shared_ptr<Backend>> NewAuthBackend(State& s, std::string_view type,
                                                std::string_view path) {
  if (type == "kubernetes") {
    return std::shared_ptr<Backend>(std::make_shared<KubernetesAuthBackend>(s, std::string(path)));
  }
  if (type == "approle") {
    return std::shared_ptr<Backend>(std::make_shared<AppRoleAuthBackend>(s, std::string(path)));
  }
  if (type == "token") return InvalidArgument("token credential backend cannot be instantiated");
  return InvalidArgument("plugin not found in the catalog: " + std::string(type));
}

Reply HandleSysMounts(State& s, Call& c, std::string_view sub) {
  if (sub.empty()) {
    if (c.op != Op::kRead) return Unsupported();
    return ListTable(s.mounts);
  }
  std::string path = TrimSlashes(sub);
  if (path.size() > 5 && path.compare(path.size() - 5, 5, "/tune") == 0) {
    Mount* m = s.mounts.Find(path.substr(0, path.size() - 5));
    if (m == nullptr) return Error(400, {"cannot fetch sysview for path \"" + path + "\""});
    if (c.op == Op::kRead) {
      std::string out = "{\"default_lease_ttl\":" + std::to_string(Seconds(m->default_lease_ttl));
      out += ",\"description\":" + GoQuote(m->description);
      out += ",\"force_no_cache\":false";
      out += ",\"max_lease_ttl\":" + std::to_string(Seconds(m->max_lease_ttl));
      if (m->options) {
        json::Document o(rapidjson::kObjectType);
        for (const auto& [k, v] : *m->options) {
          o.AddMember(json::StringValue(k, o.GetAllocator()),
                      json::StringValue(v, o.GetAllocator()), o.GetAllocator());
        }
        out += ",\"options\":" + GoJson(o);
      }
      return DataJson(out + "}");
    }
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    // The lease TTLs are tuned (the PKI and database engines read them); other tunables
    // are accepted and ignored.
    if (c.body != nullptr) {
      for (auto [key, field] : {std::pair{"default_lease_ttl", &m->default_lease_ttl},
                                std::pair{"max_lease_ttl", &m->max_lease_ttl}}) {
        const json::Value* v = json::Find(*c.body, key);
        if (v == nullptr || v->IsNull()) continue;
        if (v->IsString() && json::View(*v) == "system") {
          *field = Duration(0);
          continue;
        }
        auto d = ParseVaultDuration(*v);
        if (!d.ok()) return Error(400, {std::string("invalid ") + key});
        *field = *d;
      }
    }
    return NoContent();
  }
  switch (c.op) {
    case Op::kCreate:
    case Op::kUpdate: {
      auto req = ParseMountRequest(c);
      if (!req.ok()) return Error(400, {req.status().message()});
      if (req->type.empty()) return Error(400, {"backend type must be specified as a string"});
      std::string type = req->type;
      std::string version = req->version;
      if (type == "kv-v2") type = "kv", version = "2";
      auto backend = NewSecretsBackend(s, type, version, req->default_lease, path + "/");
      if (!backend.ok()) return Error(400, {backend.status().message()});
      Mount m;
      m.path = path + "/";
      m.type = type;
      m.description = req->description;
      m.accessor = s.ids.MountAccessor(type);
      m.uuid = s.ids.Uuid();
      if (!version.empty()) m.options = std::map<std::string, std::string>{{"version", version}};
      m.default_lease_ttl = req->default_lease;
      m.max_lease_ttl = req->max_lease;
      m.local = req->local;
      m.seal_wrap = req->seal_wrap;
      m.backend = std::move(backend).value();
      if (path == "sys" || path == "auth" || path.rfind("sys/", 0) == 0 ||
          path.rfind("auth/", 0) == 0) {
        return Error(400, {"cannot mount under reserved path \"" + path + "/\""});
      }
      Status st = s.mounts.Add(std::move(m));
      if (!st.ok()) return Error(400, {st.message()});
      return NoContent();
    }
    case Op::kDelete: {
      for (const char* builtin : {"sys", "cubbyhole", "identity"}) {
        if (path == builtin) return Error(400, {"cannot unmount \"" + path + "/\""});
      }
      s.mounts.Remove(path);
      return NoContent();
    }
    default:
      return Unsupported();
  }
}

Reply HandleSysAuth(State& s, Call& c, std::string_view sub) {
  if (sub.empty()) {
    if (c.op != Op::kRead) return Unsupported();
    return ListTable(s.auth);
  }
  std::string path = TrimSlashes(sub);
  switch (c.op) {
    case Op::kCreate:
    case Op::kUpdate: {
      auto req = ParseMountRequest(c);
      if (!req.ok()) return Error(400, {req.status().message()});
      if (req->type.empty()) return Error(400, {"backend type must be specified as a string"});
      auto backend = NewAuthBackend(s, req->type, path);
      if (!backend.ok()) return Error(400, {backend.status().message()});
      Mount m;
      m.path = path + "/";
      m.type = req->type;
      m.description = req->description;
      m.accessor = s.ids.MountAccessor("auth_" + req->type);
      m.uuid = s.ids.Uuid();
      m.auth = true;
      m.local = req->local;
      m.seal_wrap = req->seal_wrap;
      m.backend = std::move(backend).value();
      Status st = s.auth.Add(std::move(m));
      if (!st.ok()) return Error(400, {st.message()});
      return NoContent();
    }
    case Op::kDelete:
      if (path == "token") return Error(400, {"token credential backend cannot be disabled"});
      s.auth.Remove(path);
      return NoContent();
    default:
      return Unsupported();
  }
}

Reply HandleUiMounts(State& s, Call& c, std::string_view sub) {
  std::string path(sub);
  if (!path.empty() && path.back() != '/') path += '/';
  Reply denied = Error(403, {"preflight capability check returned 403, please ensure client's "
                             "policies grant access to path \"" +
                             path + "\""});
  if (c.op != Op::kRead) return Unsupported();
  Mount* m = nullptr;
  std::string prefix;
  if (path.rfind("auth/", 0) == 0) {
    m = s.auth.Match(path.substr(5));
    prefix = "auth/";
  } else {
    m = s.mounts.Match(path);
  }
  if (m == nullptr || c.token == nullptr) return denied;
  if (!AclFor(s, *c.token).AnyAccessUnder(prefix + m->path)) return denied;
  std::string entry = RenderMount(*m, true);
  if (!prefix.empty()) {
    // The mount's own path is relative to auth/; the probe reports the full path.
    std::string needle = "\"path\":" + GoQuote(m->path);
    size_t at = entry.find(needle);
    if (at != std::string::npos)
      entry.replace(at, needle.size(), "\"path\":" + GoQuote(prefix + m->path));
  }
  return DataJson(entry);
}

void SetUpDevServer(State& s) {
  auto add = [&](std::string path, std::string type, std::string description,
                 std::optional<std::map<std::string, std::string>> options, bool local,
                 std::shared_ptr<Backend> backend, MountTable& table, bool auth) {
    Mount m;
    m.path = std::move(path);
    m.type = type;
    m.description = std::move(description);
    m.accessor = s.ids.MountAccessor(auth ? "auth_" + type : type);
    m.uuid = s.ids.Uuid();
    m.options = std::move(options);
    m.local = local;
    m.auth = auth;
    m.backend = std::move(backend);
    if (type == "system") m.passthrough_request_headers = {"Accept"};
    (void)table.Add(std::move(m));
  };
  add("cubbyhole/", "cubbyhole", "per-token private secret storage", std::nullopt, true, nullptr,
      s.mounts, false);
  add("identity/", "identity", "identity store", std::nullopt, false, nullptr, s.mounts, false);
  add("secret/", "kv", "key/value secret storage",
      std::map<std::string, std::string>{{"version", "2"}}, false,
      std::make_shared<KvV2Backend>(s.clock), s.mounts, false);
  add("sys/", "system", "system endpoints used for control, policy and debugging", std::nullopt,
      false, nullptr, s.mounts, false);
  add("token/", "token", "token based credentials", std::nullopt, false, nullptr, s.auth, true);
  auto def = ParsePolicy("default", DefaultPolicyText());
  if (def.ok()) s.policies["default"] = std::move(def).value();
}

}  // namespace vaultsync::vaultemu
