// PKI issue and revoke.
#include "vault/pki.h"

#include "util/json.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

Status Bad(Operation op, std::string_view api_path, const Status& s) {
  return Internal(std::string(OperationName(op)) + " " + std::string(api_path) +
                  ": unexpected answer from Vault: " + s.message());
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ",";
    out += i;
  }
  return out;
}

Result<std::string> Mount(std::string_view mount) {
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  return EscapePath(m);
}

}  // namespace

Result<IssuedCertificate> IssueCertificate(const Session& s, std::string_view mount,
                                           std::string_view role, const CertificateRequest& req) {
  VS_ASSIGN_OR_RETURN(std::string m, Mount(mount));
  VS_ASSIGN_OR_RETURN(std::string r, CleanSecretPath(role, false));
  if (r.find('/') != std::string::npos) {
    return InvalidArgument("PKI role \"" + std::string(role) + "\" must be one path segment");
  }
  const std::string api = m + "/issue/" + EscapePath(r);
  std::string body = "{\"common_name\":" + json::Quote(req.common_name) + ",\"format\":\"pem\"";
  if (!req.alt_names.empty()) body += ",\"alt_names\":" + json::Quote(Joined(req.alt_names));
  if (!req.ip_sans.empty()) body += ",\"ip_sans\":" + json::Quote(Joined(req.ip_sans));
  if (!req.uri_sans.empty()) body += ",\"uri_sans\":" + json::Quote(Joined(req.uri_sans));
  if (req.ttl) body += ",\"ttl\":" + json::Quote(std::to_string(req.ttl->count()) + "s");
  if (!req.private_key_format.empty()) {
    body += ",\"private_key_format\":" + json::Quote(req.private_key_format);
  }
  body += "}";
  Call call{.op = Operation::kPkiIssue, .method = "POST", .path = api, .body = std::move(body)};
  call.retry_internal_errors = false;  // each answered attempt is one more certificate
  VS_ASSIGN_OR_RETURN(http::Response resp, s.Send(std::move(call)));
  auto doc = json::Parse(resp.body);
  if (!doc.ok()) return Bad(Operation::kPkiIssue, api, doc.status());
  auto data = json::Object(*doc, "data");
  if (!data.ok()) return Bad(Operation::kPkiIssue, api, data.status());
  const json::Value& d = **data;
  IssuedCertificate out;
  auto str = [&](const char* key, std::string& field) -> Status {
    VS_ASSIGN_OR_RETURN(auto v, json::String(d, key, "data"));
    field = std::string(v);
    return Status::Ok();
  };
  for (Status st : {str("certificate", out.certificate), str("issuing_ca", out.issuing_ca),
                    str("private_key", out.private_key), str("serial_number", out.serial_number)}) {
    if (!st.ok()) return Bad(Operation::kPkiIssue, api, st);
  }
  auto type = json::OptionalString(d, "private_key_type", "data");
  if (type.ok() && type->has_value()) out.private_key_type = std::string(**type);
  auto expiration = json::OptionalInt64(d, "expiration", "data");
  if (expiration.ok() && expiration->has_value()) out.expiration = **expiration;
  auto chain = json::OptionalArray(d, "ca_chain", "data");
  if (!chain.ok()) return Bad(Operation::kPkiIssue, api, chain.status());
  if (*chain != nullptr) {
    for (const auto& c : (*chain)->GetArray()) {
      if (!c.IsString()) {
        return Bad(Operation::kPkiIssue, api, InvalidArgument("data.ca_chain: expected strings"));
      }
      out.ca_chain.emplace_back(json::View(c));
    }
  }
  return out;
}

Status RevokeCertificate(const Session& s, std::string_view mount, std::string_view serial) {
  VS_ASSIGN_OR_RETURN(std::string m, Mount(mount));
  Call call{.op = Operation::kPkiRevoke,
            .method = "POST",
            .path = m + "/revoke",
            .body = "{\"serial_number\":" + json::Quote(serial) + "}"};
  Status st = s.Send(std::move(call)).status();
  if (st.http_status() == 400 && st.message().find("not found") != std::string::npos) {
    return Status(StatusCode::kNotFound, st.message(), 400);
  }
  return st;
}

}  // namespace vaultsync::vault
