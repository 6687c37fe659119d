// sys/health, sys/seal-status, sys/seal, sys/unseal, sys/init and sys/leader: the status
// endpoints Vault answers outside its logical router, and the seal as a dev server has it
// (Shamir, one key share, threshold one, in-memory storage without HA).
#include "go_json.h"
#include "sys_handlers.h"
#include "util/base64.h"

namespace vaultsync::vaultemu {
namespace {

constexpr std::string_view kVersion = "1.8.0-dev";

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string SealStatusBody(const State& s) {
  std::string out = "{\"type\":\"shamir\",\"initialized\":";
  out += s.flags.initialized ? "true" : "false";
  out += std::string(",\"sealed\":") + (s.sealed ? "true" : "false");
  out += ",\"t\":1,\"n\":1,\"progress\":0,\"nonce\":\"\",\"version\":" + GoQuote(kVersion);
  out += ",\"migration\":false";
  if (!s.sealed) {
    out += ",\"cluster_name\":" + GoQuote(s.cluster_name);
    out += ",\"cluster_id\":" + GoQuote(s.cluster_id);
  }
  out += ",\"recovery_seal\":false,\"storage_type\":\"inmem\"}";
  return out;
}

// A status code query parameter (?sealedcode=200); `fallback` when absent.
Result<int> CodeParam(const Call& c, const char* name, int fallback) {
  bool present = false;
  std::string v = c.http->Query(name, &present);
  if (!present) return fallback;
  try {
    size_t used = 0;
    int code = std::stoi(v, &used);
    if (used != v.size() || code < 1) throw std::invalid_argument(name);
    return code;
  } catch (...) {
    return InvalidArgument(std::string("unable to parse ") + name + " code: " + v);
  }
}

bool BoolParam(const Call& c, const char* name) {
  bool present = false;
  std::string v = c.http->Query(name, &present);
  return present && (v.empty() || v == "true" || v == "1");
}

}  // namespace

Reply HandleHealth(State& s, Call& c) {
  if (c.op != Op::kRead) return Unsupported();
  Result<int> active = CodeParam(c, "activecode", 200);
  Result<int> standby = CodeParam(c, "standbycode", 429);
  Result<int> dr = CodeParam(c, "drsecondarycode", 472);
  Result<int> perf = CodeParam(c, "performancestandbycode", 473);
  Result<int> sealed = CodeParam(c, "sealedcode", 503);
  Result<int> uninit = CodeParam(c, "uninitcode", 501);
  for (const Result<int>* r : {&active, &standby, &dr, &perf, &sealed, &uninit}) {
    if (!r->ok()) return Error(400, {r->status().message()});
  }
  bool sealed_now = s.sealed || !s.flags.initialized;
  bool standby_now = sealed_now || s.flags.standby;
  int code = *active;
  if (!s.flags.initialized) {
    code = *uninit;
  } else if (s.sealed) {
    code = *sealed;
  } else if (s.flags.dr_secondary) {
    code = *dr;
  } else if (s.flags.performance_standby) {
    code = BoolParam(c, "perfstandbyok") ? *active : *perf;
  } else if (s.flags.standby) {
    code = BoolParam(c, "standbyok") ? *active : *standby;
  }
  std::string mode = sealed_now ? "unknown" : "disabled";
  std::string out = "{\"initialized\":";
  out += s.flags.initialized ? "true" : "false";
  out += std::string(",\"sealed\":") + (sealed_now ? "true" : "false");
  out += std::string(",\"standby\":") + (standby_now ? "true" : "false");
  out += std::string(",\"performance_standby\":") +
         (s.flags.performance_standby && !sealed_now ? "true" : "false");
  out += ",\"replication_performance_mode\":" + GoQuote(mode);
  out += ",\"replication_dr_mode\":" +
         GoQuote(s.flags.dr_secondary && !sealed_now ? "secondary" : mode);
  out += ",\"server_time_utc\":" + std::to_string(UnixSeconds(s.clock.Now()));
  out += ",\"version\":" + GoQuote(kVersion);
  if (!sealed_now) {
    out += ",\"cluster_name\":" + GoQuote(s.cluster_name);
    out += ",\"cluster_id\":" + GoQuote(s.cluster_id);
  }
  out += "}";
  Reply r = RawJson(code, out);
  if (c.http->method == "HEAD") r.response.body.clear();
  return r;
}

Reply HandleSealStatus(State& s, Call& c) {
  if (c.op != Op::kRead) return Unsupported();
  return RawJson(200, SealStatusBody(s));
}

Reply HandleSeal(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  s.sealed = true;
  return NoContent();
}

Reply HandleUnseal(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  bool reset = false;
  (void)BodyBool(c, "reset", reset);
  std::string key;
  if (Status st = BodyString(c, "key", key); !st.ok()) return Error(400, {st.message()});
  if (!s.sealed) return RawJson(200, SealStatusBody(s));
  if (key.empty()) {
    if (reset) return RawJson(200, SealStatusBody(s));
    return Error(400, {"'key' must be specified in request body as JSON, or 'reset' set to true"});
  }
  // Vault accepts the key share as hex or base64.
  std::optional<std::string> raw;
  if (key.size() % 2 == 0 && key.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string bytes;
    for (size_t i = 0; i < key.size(); i += 2) {
      bytes += static_cast<char>(std::stoi(key.substr(i, 2), nullptr, 16));
    }
    raw = bytes;
  } else {
    raw = base64::Decode(key);
  }
  if (!raw) return Error(400, {"'key' must be a valid hex or base64 string"});
  if (*raw != s.unseal_key) {
    return Error(500, {"unable to retrieve stored keys: failed to encrypt keys for storage: "
                       "cipher: message authentication failed"});
  }
  s.sealed = false;
  return RawJson(200, SealStatusBody(s));
}

// Vault's handleSysInit: GET only (re-initializing is refused by the real server with an
// error this emulator has no use for).
Reply HandleInit(State& s, Call& c) {
  if (c.op != Op::kRead) return Error(405, {});
  return RawJson(200,
                 std::string("{\"initialized\":") + (s.flags.initialized ? "true" : "false") + "}");
}

// A dev server has no HA backend: ha_enabled false, never "self", and active_time is Go's
// zero time.Time (the struct is never omitted). Reconstructed from Vault 1.8's
// http/sys_leader.go, not recorded.
Reply HandleLeader(State&, Call& c) {
  if (c.op != Op::kRead) return Error(405, {});
  return RawJson(
      200,
      "{\"ha_enabled\":false,\"is_self\":false,\"active_time\":\"0001-01-01T00:00:00Z\","
      "\"leader_address\":\"\",\"leader_cluster_address\":\"\",\"performance_standby\":false,"
      "\"performance_standby_last_remote_wal\":0}");
}

}  // namespace vaultsync::vaultemu
