// Vault setup calls for vaultsyncctl's admin verbs (see admin.h).
#include "vault/admin.h"

#include <algorithm>

#include "util/json.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

Status Bad(std::string_view what, const Status& s) {
  return Internal(std::string(what) + ": unexpected answer from Vault: " + s.message());
}

// A name that becomes one path segment (role, policy): no '/', no traversal.
Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
    return InvalidArgument(std::string(what) + " \"" + std::string(name) + "\" is not valid");
  }
  return Status::Ok();
}

// `path` cleaned like a mount path, or `type` when empty.
Result<std::string> MountPath(std::string_view path, std::string_view type) {
  return CleanMount(path.empty() ? type : path);
}

std::string Member(std::string_view key, std::string_view value) {
  return json::Quote(key) + ":" + json::Quote(value);
}

// {"k":"v",...} of the non-empty values, in the given order.
std::string StringObject(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string body = "{";
  for (const auto& [k, v] : members) {
    if (v.empty()) continue;
    if (body.size() > 1) body += ",";
    body += Member(k, v);
  }
  return body + "}";
}

std::string AsText(const json::Value& v) {
  if (v.IsString()) return std::string(json::View(v));
  return json::Serialize(v);
}

Result<std::string> RolePath(std::string_view mount, std::string_view name) {
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  VS_RETURN_IF_ERROR(CheckName("role name", name));
  return "auth/" + EscapePath(m) + "/role/" + EscapePath(name);
}

}  // namespace

Status EnableAuth(const Session& s, std::string_view type, std::string_view path,
                  std::string_view description) {
  if (type.empty()) return InvalidArgument("the auth method type is empty");
  VS_ASSIGN_OR_RETURN(std::string p, MountPath(path, type));
  std::string body =
      StringObject({{"type", std::string(type)}, {"description", std::string(description)}});
  return s
      .Send(Call{.op = Operation::kSysMount,
                 .method = "POST",
                 .path = "sys/auth/" + EscapePath(p),
                 .body = std::move(body)})
      .status();
}

Result<std::vector<MountEntry>> ListAuth(const Session& s, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(
      http::Response resp,
      s.Send(Call{.op = Operation::kSysMount, .method = "GET", .path = "sys/auth"}));
  auto parse = [&]() -> Result<std::vector<MountEntry>> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    // Vault answers the table both under "data" and, for older clients, at the top level.
    VS_ASSIGN_OR_RETURN(const json::Value* data, json::OptionalObject(doc, "data"));
    const json::Value& table = data != nullptr ? *data : doc;
    if (!table.IsObject()) return InvalidArgument("the mount table is not an object");
    std::vector<MountEntry> out;
    for (const auto& m : table.GetObject()) {
      if (!m.value.IsObject()) continue;
      const std::string where = "sys/auth " + std::string(json::View(m.name));
      MountEntry e;
      e.path = std::string(json::View(m.name));
      VS_ASSIGN_OR_RETURN(auto type, json::String(m.value, "type", where));
      VS_ASSIGN_OR_RETURN(auto accessor, json::OptionalString(m.value, "accessor", where));
      VS_ASSIGN_OR_RETURN(auto desc, json::OptionalString(m.value, "description", where));
      e.type = std::string(type);
      e.accessor = std::string(accessor.value_or(""));
      e.description = std::string(desc.value_or(""));
      if (const json::Value* o = json::Find(m.value, "options"); o != nullptr && o->IsObject()) {
        if (const json::Value* v = json::Find(*o, "version"); v != nullptr && v->IsString()) {
          e.version = std::string(json::View(*v));
        }
      }
      out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(),
              [](const MountEntry& a, const MountEntry& b) { return a.path < b.path; });
    return out;
  };
  auto entries = parse();
  if (!entries.ok()) return Bad("sys_mount sys/auth", entries.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return entries;
}

Status EnableSecrets(const Session& s, std::string_view type, std::string_view path,
                     std::string_view version, std::string_view description) {
  if (type.empty()) return InvalidArgument("the secrets engine type is empty");
  VS_ASSIGN_OR_RETURN(std::string p, MountPath(path, type));
  std::string body = "{" + Member("type", type);
  if (!description.empty()) body += "," + Member("description", description);
  if (!version.empty()) body += ",\"options\":{" + Member("version", version) + "}";
  body += "}";
  return s
      .Send(Call{.op = Operation::kSysMount,
                 .method = "POST",
                 .path = "sys/mounts/" + EscapePath(p),
                 .body = std::move(body)})
      .status();
}

Status WriteKubernetesAuthConfig(const Session& s, std::string_view mount,
                                 const KubernetesAuthConfig& config) {
  if (config.host.empty()) return InvalidArgument("the kubernetes auth config needs a host");
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  std::string body = StringObject({{"kubernetes_host", config.host},
                                   {"kubernetes_ca_cert", config.ca_cert},
                                   {"token_reviewer_jwt", config.token_reviewer_jwt},
                                   {"issuer", config.issuer}});
  if (config.disable_iss_validation.has_value()) {
    body.pop_back();
    body += std::string(",\"disable_iss_validation\":") +
            (*config.disable_iss_validation ? "true" : "false") + "}";
  }
  Call call{.op = Operation::kAuthAdmin,
            .method = "POST",
            .path = "auth/" + EscapePath(m) + "/config",
            .body = std::move(body)};
  call.sensitive.push_back(config.token_reviewer_jwt);
  return s.Send(std::move(call)).status();
}

Status WriteRole(const Session& s, std::string_view mount, std::string_view name,
                 const std::vector<std::pair<std::string, std::string>>& params) {
  VS_ASSIGN_OR_RETURN(std::string api, RolePath(mount, name));
  std::string body = "{";
  for (const auto& [k, v] : params) {
    if (k.empty()) return InvalidArgument("a role parameter has an empty name");
    if (body.size() > 1) body += ",";
    body += Member(k, v);
  }
  body += "}";
  return s.Send(Call{.op = Operation::kAuthAdmin, .method = "POST", .path = api, .body = body})
      .status();
}

Result<std::map<std::string, std::string>> ReadRole(const Session& s, std::string_view mount,
                                                    std::string_view name, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string api, RolePath(mount, name));
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kAuthAdmin, .method = "GET", .path = api}));
  auto parse = [&]() -> Result<std::map<std::string, std::string>> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    std::map<std::string, std::string> out;
    for (const auto& m : d->GetObject()) out[std::string(json::View(m.name))] = AsText(m.value);
    return out;
  };
  auto role = parse();
  if (!role.ok()) return Bad("auth_admin " + api, role.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return role;
}

Status WritePolicy(const Session& s, std::string_view name, std::string_view rules) {
  VS_RETURN_IF_ERROR(CheckName("policy name", name));
  if (rules.empty()) return InvalidArgument("the policy \"" + std::string(name) + "\" is empty");
  return s
      .Send(Call{.op = Operation::kSysPolicy,
                 .method = "PUT",
                 .path = "sys/policies/acl/" + EscapePath(name),
                 .body = "{" + Member("policy", rules) + "}"})
      .status();
}

Result<std::string> ReadAppRoleRoleId(const Session& s, std::string_view mount,
                                      std::string_view name, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string api, RolePath(mount, name));
  api += "/role-id";
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kAuthAdmin, .method = "GET", .path = api}));
  auto parse = [&]() -> Result<std::string> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    VS_ASSIGN_OR_RETURN(auto id, json::String(*d, "role_id", "data"));
    return std::string(id);
  };
  auto id = parse();
  if (!id.ok()) return Bad("auth_admin " + api, id.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return id;
}

Result<SecretIdResult> GenerateAppRoleSecretId(const Session& s, std::string_view mount,
                                               std::string_view name, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string api, RolePath(mount, name));
  api += "/secret-id";
  VS_ASSIGN_OR_RETURN(
      http::Response resp,
      s.Send(Call{.op = Operation::kAuthAdmin, .method = "POST", .path = api, .body = "{}"}));
  auto parse = [&]() -> Result<SecretIdResult> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    SecretIdResult r;
    VS_ASSIGN_OR_RETURN(auto id, json::String(*d, "secret_id", "data"));
    VS_ASSIGN_OR_RETURN(auto accessor, json::OptionalString(*d, "secret_id_accessor", "data"));
    VS_ASSIGN_OR_RETURN(auto ttl, json::OptionalInt64(*d, "secret_id_ttl", "data"));
    r.secret_id = std::string(id);
    r.accessor = std::string(accessor.value_or(""));
    r.ttl_seconds = ttl.value_or(0);
    return r;
  };
  auto r = parse();
  // The parse error names fields, never values, so it cannot carry the secret_id.
  if (!r.ok()) return Bad("auth_admin " + api, r.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return r;
}

}  // namespace vaultsync::vault
