// Rendering of Vault's response envelope and error bodies.
#include "envelope.h"

#include "go_json.h"

namespace vaultsync::vaultemu {

void AddVaultHeaders(ServerResponse& r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Type", "application/json");
}

Reply Error(int status, std::vector<std::string> errors) {
  Reply r;
  r.status = status;
  r.response.status = status;
  AddVaultHeaders(r.response);
  r.response.body = "{\"errors\":" + GoStringList(errors) + "}\n";
  return r;
}

std::string MultiError(std::string_view message) {
  return "1 error occurred:\n\t* " + std::string(message) + "\n\n";
}

Reply NoContent() {
  Reply r;
  r.status = 204;
  r.response.status = 204;
  AddVaultHeaders(r.response);
  return r;
}

Reply Data(const json::Value& data, int status) { return DataJson(GoJson(data), status); }

Reply DataJson(std::string data_json, int status) {
  Reply r;
  r.status = status;
  r.envelope.emplace();
  r.envelope->data_json = std::move(data_json);
  return r;
}

Reply RawJson(int status, std::string body) {
  Reply r;
  r.status = status;
  r.response.status = status;
  AddVaultHeaders(r.response);
  r.response.body = std::move(body) + "\n";
  return r;
}

namespace {

void AppendEnvelopeMembers(const Envelope& e, const std::string& request_id, std::string& body) {
  body += "\"request_id\":" + GoQuote(request_id);
  body += ",\"lease_id\":" + GoQuote(e.lease_id);
  body += std::string(",\"renewable\":") + (e.renewable ? "true" : "false");
  body += ",\"lease_duration\":" + std::to_string(e.lease_duration);
  body += ",\"data\":" + (e.data_json ? *e.data_json : std::string("null"));
  body += ",\"wrap_info\":" + (e.wrap_info_json ? *e.wrap_info_json : std::string("null"));
  body += ",\"warnings\":" + GoStringList(e.warnings, true);
  body += ",\"auth\":" + (e.auth_json ? *e.auth_json : std::string("null"));
}

}  // namespace

std::string RenderEnvelope(const Envelope& e, const std::string& request_id) {
  std::string body = "{";
  AppendEnvelopeMembers(e, request_id, body);
  return body + "}";
}

ServerResponse Render(Reply reply, const std::string& request_id) {
  if (!reply.envelope) return std::move(reply.response);
  const Envelope& e = *reply.envelope;
  std::string body = "{";
  if (!e.top_level_members.empty()) body += e.top_level_members + ",";
  AppendEnvelopeMembers(e, request_id, body);
  body += "}";
  if (reply.trailing_newline) body += "\n";
  ServerResponse r;
  r.status = reply.status;
  AddVaultHeaders(r);
  r.body = std::move(body);
  return r;
}

}  // namespace vaultsync::vaultemu
