// Fuzz target: what the Vault client makes of Vault's answers — KV v1/v2 reads, lists,
// metadata and writes, mount detection, sys/health and seal-status, login and renew `auth`
// blocks, lookup-self, policies, and the error mapping (errors.h) with Retry-After. Each
// input runs one call through a real Client and Session over a transport that answers every
// request with the fuzzed status, header and body. Input: a byte for the call, one for the
// HTTP status, one for the Retry-After header, then the body.
// Invariants: no crash; neither an error message nor the client's log ever shows a secret the
// call knows (the token, the JWT, the AppRole secret ID, a value being written) — even when
// the body echoes it (as a proxy might); Retry-After is never negative.
#include <sstream>
#include <vector>

#include "fuzz_support.h"
#include "util/log.h"
#include "vault/auth.h"
#include "vault/client.h"
#include "vault/errors.h"
#include "vault/kv.h"
#include "vault/session.h"
#include "vault/sys.h"
#include "vault/token_api.h"
#include "vault/token_manager.h"

namespace {

using namespace vaultsync;
using namespace vaultsync::vault;

constexpr const char* kToken = "hvs.TOKEN-CANARY-91c2";
constexpr const char* kJwt = "eyJ.JWT-CANARY-77aa";
constexpr const char* kSecretId = "SECRETID-CANARY-3b0d";
constexpr const char* kWritten = "WRITTEN-CANARY-5e61";

class FuzzTransport final : public http::Transport {
 public:
  explicit FuzzTransport(http::Response answer) : answer_(std::move(answer)) {}
  Result<http::Response> Send(const http::Request&) override { return answer_; }
  Result<http::Response> Stream(const http::Request&, const std::function<bool(std::string_view)>&,
                                const http::CancelFlag*) override {
    return Status(StatusCode::kInternal, "not used");
  }

 private:
  http::Response answer_;
};

// The secrets call `op` knows (sends, or receives in a field it parses): none may appear in
// its error or log, even when Vault's answer quotes them. A call cannot hide what it was
// never given (Health knows no token), and ErrorFromResponse alone quotes Vault's words as
// they are: the Client, which knows each call's secrets, redacts them.
std::vector<const char*> SecretsOf(size_t op) {
  switch (op) {
    case 4:
      return {kToken, kWritten};
    case 8:
    case 9:
    case 16:
      return {};
    case 12:
      return {kJwt};
    case 13:
      return {kSecretId};
    case 18:
      return {};
    default:
      return {kToken};  // Session calls, lookup-self, renew-self, the auth block
  }
}

void Check(const Status& st, const std::vector<const char*>& secrets) {
  for (const char* c : secrets) {
    FUZZ_CHECK(!fuzz::Contains(st.message(), c), "an error message shows a secret");
  }
  if (auto ra = st.retry_after_seconds()) FUZZ_CHECK(*ra >= 0, "negative Retry-After");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int kStatuses[] = {200, 204, 400, 403, 404, 405, 409, 412, 429,
                                  472, 473, 500, 501, 502, 503, 504, 307, 418};
  static const char* kRetryAfter[] = {
      nullptr, "1", "0", "-3", "x", "99999999999", " 2 ", "Wed, 21 Oct 2015 07:28:00 GMT"};
  fuzz::FuzzInput in(data, size);
  const size_t op = in.Pick(20);
  http::Response answer;
  answer.status = in.PickFrom(kStatuses);
  if (const char* ra = in.PickFrom(kRetryAfter)) answer.headers.emplace_back("Retry-After", ra);
  answer.headers.emplace_back("Content-Type", "application/json");
  answer.body = std::string(in.Rest());

  std::ostringstream log_sink;
  log::Logger logger(&log_sink, log::Level::kDebug);
  ClientOptions o;
  o.retry = Client::NoRetries();
  o.sleep = [](std::chrono::milliseconds) {};
  o.logger = &logger;
  ConnectionConfig cc;
  cc.address = "http://vault.test:8200";
  auto client = Client::Create(cc, std::make_unique<FuzzTransport>(answer), o);
  FUZZ_CHECK(client.ok(), "client setup");
  std::shared_ptr<const Client> c = *client;
  AuthConfig token_auth;
  token_auth.method = AuthConfig::kToken;
  token_auth.token = kToken;
  auto tokens = std::make_shared<TokenManager>(c, token_auth);
  Session s(tokens);
  const KvData written = {{"password", KvValue::String(kWritten)}};

  Status st;
  switch (op) {
    case 0:
      st = KvV2Read(s, "secret", "app/db").status();
      break;
    case 1:
      st = KvV2Read(s, "secret", "app/db", 3).status();
      break;
    case 2:
      st = KvV2ReadMetadata(s, "secret", "app/db").status();
      break;
    case 3:
      st = KvV2List(s, "secret", "app").status();
      break;
    case 4:
      st = KvV2Write(s, "secret", "app/db", written, 2).status();
      break;
    case 5:
      st = KvV1Read(s, "kv", "app/db").status();
      break;
    case 6:
      st = KvV1List(s, "kv", "").status();
      break;
    case 7:
      st = DetectMount(s, "secret", "app/db").status();
      break;
    case 8:
      st = Health(*c).status();
      break;
    case 9:
      st = GetSealStatus(*c).status();
      break;
    case 10: {
      std::string raw;
      auto info = LookupSelf(*c, kToken, &raw);
      st = info.status();
      if (info.ok()) {
        auto shown = json::Parse(raw);
        FUZZ_CHECK(shown.ok() && (*shown)["data"].IsObject() && !(*shown)["data"].HasMember("id"),
                   "lookup-self's raw body keeps data.id (the token)");
      }
      break;
    }
    case 11:
      st = RenewSelf(*c, kToken, std::chrono::seconds(3600)).status();
      break;
    case 12: {
      AuthConfig k;
      k.role = "app";
      k.jwt_source = []() -> Result<std::string> { return std::string(kJwt); };
      st = Login(*c, k).status();
      break;
    }
    case 13: {
      AuthConfig a;
      a.method = AuthConfig::kAppRole;
      a.role_id = "role-1";
      a.secret_id = kSecretId;
      st = Login(*c, a).status();
      break;
    }
    case 14:
      st = ListPolicies(s).status();
      break;
    case 15:
      st = ReadPolicy(s, "app-read").status();
      break;
    case 16: {
      st = ErrorFromResponse(Operation::kKvRead, "secret/data/app/db", answer);
      (void)JoinedErrors(answer.body);
      (void)IsRetryable(st);
      if (answer.status < 200 || answer.status >= 300) {
        FUZZ_CHECK(!st.ok(), "a non-2xx answer mapped to OK");
      }
      break;
    }
    case 17:
      st = ParseAuthBlock(answer.body).status();
      break;
    case 18:
      st = ParseListKeys(answer.body).status();
      break;
    default:
      st = tokens->Info().status();
      break;
  }
  const auto secrets = SecretsOf(op);
  Check(st, secrets);
  const std::string logs = log_sink.str();
  for (const char* canary : secrets) {
    FUZZ_CHECK(!fuzz::Contains(logs, canary), "the client's log shows a secret");
  }
  return 0;
}
