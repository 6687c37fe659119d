// Leased reads and sys/leases/*.
#include "vault/leases.h"

#include "util/json.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

Status Bad(Operation op, std::string_view api_path, const Status& s) {
  return Internal(std::string(OperationName(op)) + " " + std::string(api_path) +
                  ": unexpected answer from Vault: " + s.message());
}

std::string LeaseBody(std::string_view lease_id) {
  return "{\"lease_id\":" + json::Quote(lease_id) + "}";
}

// Vault answers 400 with these words for a lease its expiration manager does not hold
// (sys/leases/lookup: "invalid lease"; renew: "lease not found or lease is not renewable",
// which Vault also says for a non-renewable lease it does hold: either way it cannot be
// extended, and the caller must get new credentials).
bool LeaseGone(const Status& s) {
  return s.http_status() == 400 && (s.message().find("invalid lease") != std::string::npos ||
                                    s.message().find("lease not found") != std::string::npos);
}

bool CannotExtend(const Status& s) {
  return s.http_status() == 400 &&
         (s.message().find("lease is not renewable") != std::string::npos ||
          s.message().find("past the max TTL") != std::string::npos);
}

Result<std::vector<std::string>> Warnings(const json::Value& doc) {
  std::vector<std::string> out;
  VS_ASSIGN_OR_RETURN(const json::Value* w, json::OptionalArray(doc, "warnings"));
  if (w == nullptr) return out;
  for (const auto& v : w->GetArray()) {
    if (v.IsString()) out.emplace_back(json::View(v));
  }
  return out;
}

std::string StringOr(const json::Value& obj, const char* key) {
  auto v = json::OptionalString(obj, key);
  return (v.ok() && v->has_value()) ? std::string(**v) : std::string();
}

}  // namespace

Result<LeasedSecret> ReadLeased(const Session& s, std::string_view mount, std::string_view path,
                                bool post, const std::map<std::string, std::string>& params) {
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  VS_ASSIGN_OR_RETURN(std::string p, CleanSecretPath(path, false));
  const std::string api = EscapePath(m) + "/" + EscapePath(p);
  Call call{.op = Operation::kDynamicRead, .method = post ? "POST" : "GET", .path = api};
  if (post) {
    std::string body = "{";
    for (const auto& [k, v] : params) {
      if (body.size() > 1) body += ",";
      body += json::Quote(k) + ":" + json::Quote(v);
    }
    call.body = body + "}";
  }
  // Vault's 500s here are refusals ("\"app\" is not an allowed role"): not worth repeating,
  // and each attempt that did succeed would mint another set of credentials.
  call.retry_internal_errors = false;
  VS_ASSIGN_OR_RETURN(http::Response resp, s.Send(std::move(call)));
  VS_ASSIGN_OR_RETURN(json::Document doc, ParseExact(resp.body));
  LeasedSecret out;
  auto data = json::Object(doc, "data");
  if (!data.ok()) return Bad(Operation::kDynamicRead, api, data.status());
  auto kv = KvDataFromJson(**data, "data");
  if (!kv.ok()) return Bad(Operation::kDynamicRead, api, kv.status());
  out.data = std::move(kv).value();
  auto id = json::OptionalString(doc, "lease_id");
  auto duration = json::OptionalSeconds(doc, "lease_duration");
  auto renewable = json::OptionalBool(doc, "renewable");
  if (!id.ok()) return Bad(Operation::kDynamicRead, api, id.status());
  if (!duration.ok()) return Bad(Operation::kDynamicRead, api, duration.status());
  if (!renewable.ok()) return Bad(Operation::kDynamicRead, api, renewable.status());
  out.lease_id = std::string(id->value_or(""));
  out.lease_duration = duration->value_or(std::chrono::seconds(0));
  out.renewable = renewable->value_or(false);
  auto warnings = Warnings(doc);
  if (warnings.ok()) out.warnings = std::move(*warnings);
  return out;
}

Result<LeaseInfo> LookupLease(const Session& s, std::string_view lease_id) {
  constexpr const char* kApi = "sys/leases/lookup";
  Call call{
      .op = Operation::kLeaseLookup, .method = "PUT", .path = kApi, .body = LeaseBody(lease_id)};
  auto resp = s.Send(std::move(call));
  if (!resp.ok()) {
    if (LeaseGone(resp.status())) {
      return Status(StatusCode::kNotFound,
                    "lease " + std::string(lease_id) + " is unknown to Vault (expired or revoked)",
                    400);
    }
    return resp.status();
  }
  VS_ASSIGN_OR_RETURN(json::Document doc, ParseExact(resp->body));
  auto data = json::Object(doc, "data");
  if (!data.ok()) return Bad(Operation::kLeaseLookup, kApi, data.status());
  auto ttl = json::Seconds(**data, "ttl", "data");
  if (!ttl.ok()) return Bad(Operation::kLeaseLookup, kApi, ttl.status());
  auto renewable = json::OptionalBool(**data, "renewable", "data");
  if (!renewable.ok()) return Bad(Operation::kLeaseLookup, kApi, renewable.status());
  LeaseInfo out;
  out.id = StringOr(**data, "id");
  out.ttl = *ttl;
  out.renewable = renewable->value_or(false);
  out.issue_time = StringOr(**data, "issue_time");
  out.expire_time = StringOr(**data, "expire_time");
  out.last_renewal = StringOr(**data, "last_renewal");
  return out;
}

Result<LeaseRenewal> RenewLease(const Session& s, std::string_view lease_id,
                                std::chrono::seconds increment) {
  constexpr const char* kApi = "sys/leases/renew";
  std::string body = "{\"lease_id\":" + json::Quote(lease_id) +
                     ",\"increment\":" + std::to_string(increment.count()) + "}";
  Call call{.op = Operation::kLeaseRenew, .method = "PUT", .path = kApi, .body = std::move(body)};
  auto resp = s.Send(std::move(call));
  if (!resp.ok()) {
    const Status& st = resp.status();
    // "lease not found or lease is not renewable" contains the second phrase: test it first.
    if (LeaseGone(st)) return Status(StatusCode::kNotFound, st.message(), 400);
    if (CannotExtend(st)) return Status(StatusCode::kFailedPrecondition, st.message(), 400);
    return st;
  }
  VS_ASSIGN_OR_RETURN(json::Document doc, ParseExact(resp->body));
  auto duration = json::Seconds(doc, "lease_duration");
  if (!duration.ok()) return Bad(Operation::kLeaseRenew, kApi, duration.status());
  auto renewable = json::OptionalBool(doc, "renewable");
  if (!renewable.ok()) return Bad(Operation::kLeaseRenew, kApi, renewable.status());
  LeaseRenewal out;
  out.lease_duration = *duration;
  out.renewable = renewable->value_or(false);
  auto warnings = Warnings(doc);
  if (warnings.ok()) out.warnings = std::move(*warnings);
  return out;
}

Status RevokeLease(const Session& s, std::string_view lease_id) {
  Call call{.op = Operation::kLeaseRevoke,
            .method = "PUT",
            .path = "sys/leases/revoke",
            .body = LeaseBody(lease_id)};
  return s.Send(std::move(call)).status();
}

}  // namespace vaultsync::vault
