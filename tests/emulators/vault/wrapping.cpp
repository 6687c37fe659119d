// Response wrapping: the wrap itself, the wrapping-token check, sys/wrapping/*.
#include "wrapping.h"

#include "go_json.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {
namespace {

constexpr std::string_view kWrappingPolicy = "response-wrapping";

// Go's strconv/time error texts, as parseutil.ParseDurationSecond returns them.
Result<Duration> ParseDurationSecond(std::string_view in) {
  if (in.empty()) return Duration(0);
  char last = in.back();
  if (last == 's' || last == 'm' || last == 'h') {
    auto d = ParseDuration(in);
    if (!d.ok()) return InvalidArgument("time: invalid duration \"" + std::string(in) + "\"");
    return *d;
  }
  std::string text(in);
  try {
    size_t used = 0;
    long long secs = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument("trailing");
    return Duration(std::chrono::seconds(secs));
  } catch (...) {
    return InvalidArgument("strconv.ParseInt: parsing \"" + text + "\": invalid syntax");
  }
}

// Wrapped answers whose token is gone (expired, revoked) are dropped here.
void ForgetDeadWraps(State& s) {
  for (auto it = s.wrapped.begin(); it != s.wrapped.end();) {
    it = s.tokens.Lookup(it->first) == nullptr ? s.wrapped.erase(it) : std::next(it);
  }
}

// The wrapping token named by the request: the body's "token", else X-Vault-Token.
Result<std::string> WrappingTokenOf(const Call& c, std::string_view header_token) {
  if (c.body != nullptr) {
    const json::Value* t = json::Find(*c.body, "token");
    if (t != nullptr && !t->IsNull()) {
      if (!t->IsString()) return InvalidArgument("could not decode token in request body");
      if (t->GetStringLength() == 0) return InvalidArgument("empty token in request body");
      return std::string(json::View(*t));
    }
  }
  return std::string(header_token);
}

bool BodyHasToken(const Call& c) {
  if (c.body == nullptr) return false;
  const json::Value* t = json::Find(*c.body, "token");
  return t != nullptr && !t->IsNull();
}

Reply Unwrap(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  bool third_party = BodyHasToken(c);
  std::string token;
  if (third_party) {
    token = std::string(json::View(*json::Find(*c.body, "token")));
  } else if (c.token != nullptr) {
    token = c.token->id;  // the wrapping token itself, already used up by this request
  }
  auto it = s.wrapped.find(token);
  if (it == s.wrapped.end()) return Error(400, {"wrapping token is not valid or does not exist"});
  std::string response = std::move(it->second.response);
  s.wrapped.erase(it);
  if (third_party) s.tokens.Revoke(token);
  // The stored text goes back byte for byte: no trailing newline, the original request id.
  Reply r;
  r.status = 200;
  r.response.status = 200;
  AddVaultHeaders(r.response);
  r.response.body = std::move(response);
  return r;
}

Reply Lookup(State& s, Call& c, std::string_view header_token) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  auto token = WrappingTokenOf(c, header_token);
  if (!token.ok() || token->empty()) return Error(400, {"missing \"token\" value in input"});
  auto it = s.wrapped.find(*token);
  if (it == s.wrapped.end()) return Error(400, {"wrapping token is not valid or does not exist"});
  const WrappedResponse& w = it->second;
  std::string out = "{\"creation_path\":" + GoQuote(w.creation_path);
  out += ",\"creation_time\":" + GoQuote(FormatRfc3339Nano(w.creation_time));
  out += ",\"creation_ttl\":" + GoFloat(static_cast<double>(Seconds(w.creation_ttl))) + "}";
  return DataJson(out);
}

Reply Wrap(Call& c, const std::optional<Duration>& wrap_ttl) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  if (!wrap_ttl) return Error(400, {"endpoint requires response wrapping to be used"});
  if (c.body == nullptr) return DataJson("{}");
  return DataJson(GoJson(*c.body));
}

}  // namespace

Result<std::optional<Duration>> ParseWrapTtl(const ServerRequest& req) {
  std::string_view header = req.Header("X-Vault-Wrap-TTL");
  if (header.empty()) return std::optional<Duration>();
  auto d = ParseDurationSecond(header);
  if (!d.ok()) {
    return InvalidArgument("error parsing X-Vault-Wrap-TTL header: " + d.status().message());
  }
  if (d->count() < 0) {
    return InvalidArgument(
        "error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative");
  }
  if (d->count() == 0) return std::optional<Duration>();
  return std::optional<Duration>(*d);
}

Reply WrapReply(State& s, const Call& c, Reply reply, const std::string& request_id, Duration ttl) {
  if (!reply.envelope || reply.status != 200) return reply;
  ForgetDeadWraps(s);
  TimePoint now = s.clock.Now();
  TokenSpec spec;
  spec.policies = {std::string(kWrappingPolicy)};
  spec.no_default_policy = true;
  spec.ttl = ttl;
  spec.explicit_max_ttl = ttl;
  spec.num_uses = 1;
  spec.renewable = false;
  spec.path = c.path;
  Token t = s.tokens.Create(spec);

  WrappedResponse stored;
  Envelope inner = *reply.envelope;
  inner.top_level_members.clear();
  stored.response = RenderEnvelope(inner, request_id);
  stored.creation_time = now;
  stored.creation_ttl = ttl;
  stored.creation_path = c.path;
  s.wrapped[t.id] = std::move(stored);

  std::string info = "{\"token\":" + GoQuote(t.id);
  info += ",\"accessor\":" + GoQuote(t.accessor);
  info += ",\"ttl\":" + std::to_string(Seconds(ttl));
  info += ",\"creation_time\":" + GoQuote(FormatRfc3339Nano(now));
  info += ",\"creation_path\":" + GoQuote(c.path);
  if (!reply.envelope->auth_accessor.empty()) {
    info += ",\"wrapped_accessor\":" + GoQuote(reply.envelope->auth_accessor);
  }
  info += "}";
  Reply wrapped;
  wrapped.status = 200;
  wrapped.envelope.emplace();
  wrapped.envelope->wrap_info_json = std::move(info);
  return wrapped;
}

bool IsWrappingTokenPath(std::string_view path) {
  return path == "sys/wrapping/lookup" || path == "sys/wrapping/unwrap" ||
         path == "sys/wrapping/rewrap";
}

std::optional<Reply> CheckWrappingToken(State& s, const Call& c, std::string_view header_token) {
  auto prefix = [](const std::string& why) { return "error validating wrapping token: " + why; };
  if (s.sealed) return Error(503, {prefix("Vault is sealed")});
  auto token = WrappingTokenOf(c, header_token);
  if (!token.ok()) return Error(400, {prefix(token.status().message())});
  if (token->empty()) return Error(400, {prefix("token is empty")});
  Token* t = s.tokens.Lookup(*token);
  if (t == nullptr || t->policies.size() != 1 || t->policies[0] != kWrappingPolicy ||
      s.wrapped.count(*token) == 0) {
    return Error(400, {"wrapping token is not valid or does not exist"});
  }
  return std::nullopt;
}

Reply HandleSysWrapping(State& s, Call& c, std::string_view sub, std::optional<Duration> wrap_ttl) {
  if (sub == "unwrap") return Unwrap(s, c);
  if (sub == "lookup") return Lookup(s, c, c.http->Header("X-Vault-Token"));
  if (sub == "wrap") return Wrap(c, wrap_ttl);
  return Error(404, {MultiError("unsupported path")});
}

std::string_view ResponseWrappingPolicyText() {
  return R"(path "cubbyhole/response" {
    capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
    capabilities = ["update"]
}
)";
}

}  // namespace vaultsync::vaultemu
