// How every Vault answer is framed on the wire. Vault wraps results in the same envelope
// (request_id, lease_id, renewable, lease_duration, data, wrap_info, warnings, auth),
// answers errors as {"errors":[...]} followed by a newline, 204 with an empty body, and
// always sends Cache-Control: no-store and Content-Type: application/json. Handlers build
// their answers only through these helpers so the framing cannot drift between paths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http_server.h"
#include "util/json.h"

namespace vaultsync::vaultemu {

using emu::ServerRequest;
using emu::ServerResponse;

// The parts of the envelope a handler chooses; request_id is filled in by the router.
struct Envelope {
  std::optional<std::string> data_json;  // rendered `data`; nullopt = null
  std::vector<std::string> warnings;     // empty = null
  std::optional<std::string> auth_json;  // rendered `auth` object; nullopt = null
  std::string lease_id;
  bool renewable = false;
  int64_t lease_duration = 0;
  // Members written before the envelope's own (GET sys/mounts repeats its map at the top).
  std::string top_level_members;  // already rendered `"k":v,...` without braces, or empty
  // The rendered `wrap_info` object of a wrapped answer; nullopt = null.
  std::optional<std::string> wrap_info_json;
  // The accessor of the token in `auth` (what a wrapped login reports as wrapped_accessor).
  std::string auth_accessor;
};

// A handler's answer. `envelope` is rendered (with the request id) by the router when set;
// otherwise `response` is sent as is.
struct Reply {
  int status = 200;
  std::optional<Envelope> envelope;
  // Go's encoder ends bodies with a newline; Vault's hand-written 404-with-data answers
  // (soft-deleted KV v2 versions, the kv-v2 "Invalid path" warning) do not.
  bool trailing_newline = true;
  ServerResponse response;
};

// The headers every Vault answer carries.
void AddVaultHeaders(ServerResponse& r);

// {"errors":[...]}\n with Vault's headers.
Reply Error(int status, std::vector<std::string> errors);
// The error text Vault's multierror wrapping produces ("1 error occurred:\n\t* x\n\n"), as
// seen in ACL denials.
std::string MultiError(std::string_view message);
// 204 No Content, empty body.
Reply NoContent();
// 200 (or `status`) with `data` rendered as Go renders a map (keys sorted).
Reply Data(const json::Value& data, int status = 200);
// 200 with an already rendered data object.
Reply DataJson(std::string data_json, int status = 200);
// A raw JSON body (sys/health, sys/seal-status are not enveloped), newline added.
Reply RawJson(int status, std::string body);

// Turns a Reply into the HTTP answer.
ServerResponse Render(Reply reply, const std::string& request_id);

// The JSON of an envelope alone, as Go's json.Marshal writes Vault's HTTPResponse (no
// top-level members, no trailing newline): what response wrapping stores.
std::string RenderEnvelope(const Envelope& e, const std::string& request_id);

}  // namespace vaultsync::vaultemu
