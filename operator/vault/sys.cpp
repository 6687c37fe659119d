// sys/health, sys/seal-status and ACL policy reads.
#include "vault/sys.h"

#include "util/json.h"
#include "vault/kv.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

bool IsHealthCode(int status) {
  return status == 200 || status == 429 || status == 472 || status == 473 || status == 501 ||
         status == 503;
}

std::string_view StateFor(int status) {
  switch (status) {
    case 200:
      return "active";
    case 429:
      return "standby";
    case 472:
      return "dr secondary";
    case 473:
      return "performance standby";
    case 501:
      return "not initialized";
    case 503:
      return "sealed";
    default:
      return "unknown";
  }
}

// A health body is an object with a boolean "initialized"; an error body is not.
bool LooksLikeHealth(std::string_view body) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return false;
  auto init = json::Bool(*doc, "initialized");
  return init.ok();
}

Status Bad(std::string_view what, const Status& s) {
  return Internal(std::string(what) + ": unexpected answer from Vault: " + s.message());
}

}  // namespace

Result<HealthStatus> Health(const Client& client, std::string* raw_body) {
  Call call{.op = Operation::kSysHealth, .method = "GET", .path = "sys/health"};
  call.accept = [](const http::Response& r) {
    return IsHealthCode(r.status) && LooksLikeHealth(r.body);
  };
  VS_ASSIGN_OR_RETURN(http::Response resp, client.Send(call));
  auto parse = [&]() -> Result<HealthStatus> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    HealthStatus h;
    h.http_status = resp.status;
    h.state = std::string(StateFor(resp.status));
    VS_ASSIGN_OR_RETURN(h.initialized, json::Bool(doc, "initialized"));
    VS_ASSIGN_OR_RETURN(auto sealed, json::OptionalBool(doc, "sealed"));
    VS_ASSIGN_OR_RETURN(auto standby, json::OptionalBool(doc, "standby"));
    VS_ASSIGN_OR_RETURN(auto perf, json::OptionalBool(doc, "performance_standby"));
    VS_ASSIGN_OR_RETURN(auto rpm, json::OptionalString(doc, "replication_performance_mode"));
    VS_ASSIGN_OR_RETURN(auto rdm, json::OptionalString(doc, "replication_dr_mode"));
    VS_ASSIGN_OR_RETURN(auto time, json::OptionalInt64(doc, "server_time_utc"));
    VS_ASSIGN_OR_RETURN(auto version, json::OptionalString(doc, "version"));
    VS_ASSIGN_OR_RETURN(auto cname, json::OptionalString(doc, "cluster_name"));
    VS_ASSIGN_OR_RETURN(auto cid, json::OptionalString(doc, "cluster_id"));
    h.sealed = sealed.value_or(false);
    h.standby = standby.value_or(false);
    h.performance_standby = perf.value_or(false);
    h.replication_performance_mode = std::string(rpm.value_or(""));
    h.replication_dr_mode = std::string(rdm.value_or(""));
    h.server_time_utc = time.value_or(0);
    h.version = std::string(version.value_or(""));
    h.cluster_name = std::string(cname.value_or(""));
    h.cluster_id = std::string(cid.value_or(""));
    return h;
  };
  auto h = parse();
  if (!h.ok()) return Bad("sys_health sys/health", h.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return h;
}

Result<SealStatus> GetSealStatus(const Client& client, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(http::Response resp, client.Send(Call{.op = Operation::kSysSealStatus,
                                                            .method = "GET",
                                                            .path = "sys/seal-status"}));
  auto parse = [&]() -> Result<SealStatus> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    SealStatus s;
    VS_ASSIGN_OR_RETURN(s.sealed, json::Bool(doc, "sealed"));
    VS_ASSIGN_OR_RETURN(auto type, json::OptionalString(doc, "type"));
    VS_ASSIGN_OR_RETURN(auto init, json::OptionalBool(doc, "initialized"));
    VS_ASSIGN_OR_RETURN(auto t, json::OptionalInt64(doc, "t"));
    VS_ASSIGN_OR_RETURN(auto n, json::OptionalInt64(doc, "n"));
    VS_ASSIGN_OR_RETURN(auto progress, json::OptionalInt64(doc, "progress"));
    VS_ASSIGN_OR_RETURN(auto version, json::OptionalString(doc, "version"));
    VS_ASSIGN_OR_RETURN(auto storage, json::OptionalString(doc, "storage_type"));
    VS_ASSIGN_OR_RETURN(auto cname, json::OptionalString(doc, "cluster_name"));
    s.type = std::string(type.value_or(""));
    s.initialized = init.value_or(false);
    s.t = t.value_or(0);
    s.n = n.value_or(0);
    s.progress = progress.value_or(0);
    s.version = std::string(version.value_or(""));
    s.storage_type = std::string(storage.value_or(""));
    s.cluster_name = std::string(cname.value_or(""));
    return s;
  };
  auto s = parse();
  if (!s.ok()) return Bad("sys_seal_status sys/seal-status", s.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return s;
}

Result<std::vector<std::string>> ListPolicies(const Session& s, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(
      http::Response resp,
      s.Send(Call{.op = Operation::kSysPolicy, .method = "LIST", .path = "sys/policies/acl"}));
  auto keys = ParseListKeys(resp.body);
  if (!keys.ok()) return Bad("sys_policy sys/policies/acl", keys.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return keys;
}

Result<Policy> ReadPolicy(const Session& s, std::string_view name, std::string* raw_body) {
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return InvalidArgument("policy name \"" + std::string(name) + "\" is not valid");
  }
  const std::string api = "sys/policies/acl/" + EscapePath(name);
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kSysPolicy, .method = "GET", .path = api}));
  auto parse = [&]() -> Result<Policy> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    Policy p;
    VS_ASSIGN_OR_RETURN(auto n, json::OptionalString(*d, "name", "data"));
    VS_ASSIGN_OR_RETURN(auto rules, json::String(*d, "policy", "data"));
    p.name = std::string(n.value_or(name));
    p.rules = std::string(rules);
    return p;
  };
  auto p = parse();
  if (!p.ok()) return Bad("sys_policy " + api, p.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return p;
}

}  // namespace vaultsync::vault
