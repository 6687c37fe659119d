// Contract test: replays every recorded exchange of a real Vault 1.8 dev server
// (tests/fixtures/vault-1.8, in recording order) against the real `vault-emulator` binary
// and checks status code, Content-Type and Cache-Control, the rate-limit headers, the
// trailing newline, and the JSON structure: same keys at every level, same value types,
// same values except ids, tokens, accessors and timestamps (json_shape.h).
//
// What the recording did without recording it is done here explicitly (kSetup), and the
// values a second server necessarily differs in are carried forward: the root token,
// tokens/accessors/role_id/secret_id learned from earlier answers, the unseal key.
// Kubernetes logins: the recorded JWTs were signed by a real cluster, so each one is
// re-signed (same header shape and claims, times shifted to now) with a key of this test,
// and kubernetes_host points at a TokenReview stand-in in this process
// (token_review_standin.h) that verifies them as kube-apiserver v1.26 does. So the login
// steps go through the emulator's real TokenReview client over HTTP.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "go_json.h"
#include "http/transport.h"
#include "http_fixture.h"
#include "json_shape.h"
#include "jwt.h"
#include "process.h"
#include "token_review_standin.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/json.h"

namespace vaultsync::vaultemu {
namespace {

using testing::HttpExchange;

constexpr char kRootToken[] = "contract-root";

// Exchanges the emulator is not expected to reproduce, with the reason. Every entry must
// name an existing fixture, so the list cannot silently go stale. Currently none.
const std::map<std::string, std::string> kExcluded = {};

// Values that differ between any two servers: compared for type and emptiness only.
const std::set<std::string> kVolatileKeys = {
    "request_id",       "accessor",     "client_token",       "entity_id",       "uuid",
    "cluster_id",       "cluster_name", "created_time",       "deletion_time",   "updated_time",
    "creation_time",    "expire_time",  "issue_time",         "server_time_utc", "id",
    "role_id",          "secret_id",    "secret_id_accessor", "kubernetes_host", "last_renewal",
    "last_renewal_time"};

// Keys whose string values are ids learned from an answer and substituted in later
// requests.
const std::set<std::string> kLearnedKeys = {"client_token", "accessor",           "role_id",
                                            "secret_id",    "secret_id_accessor", "lease_id",
                                            "token",        "serial_number"};

// What additionally differs between servers in the reconstructed exchanges (certificates,
// keys, serials, generated credentials, lease ids, wrapping tokens and times).
const std::set<std::string> kReconstructedVolatileKeys = {"certificate",
                                                          "issuing_ca",
                                                          "private_key",
                                                          "serial_number",
                                                          "expiration",
                                                          "lease_id",
                                                          "password",
                                                          "username",
                                                          "token",
                                                          "revocation_time",
                                                          "revocation_time_rfc3339"};

std::string Number(std::string_view name) { return std::string(name.substr(0, 3)); }

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

class Replay {
 public:
  Replay(http::Transport& vault, std::string standin_url, emu::jwt::RsaKey key, int64_t delta,
         std::string unseal_key, const std::set<std::string>& extra_volatile = {})
      : vault_(vault),
        standin_url_(std::move(standin_url)),
        key_(std::move(key)),
        delta_(delta),
        unseal_key_(std::move(unseal_key)),
        volatile_(kVolatileKeys) {
    volatile_.insert(extra_volatile.begin(), extra_volatile.end());
  }

  // Sends a request outside the recording (setup and control).
  http::Response Send(const std::string& method, const std::string& target,
                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.headers = {{"X-Vault-Token", kRootToken}, {"Content-Type", "application/json"}};
    r.body = body;
    auto resp = vault_.Send(r);
    EXPECT_TRUE(resp.ok()) << target << ": " << resp.status().message();
    return resp.ok() ? *resp : http::Response{};
  }

  // Replays one exchange; returns the differences found.
  std::vector<std::string> Step(const HttpExchange& x) {
    http::Request r;
    r.method = x.method;
    r.target = x.target;
    for (const auto& [k, v] : x.request_headers) {
      if (k == "X-Vault-Token") {
        r.headers.emplace_back(k, v == "<token>" ? kRootToken : Substitute(v));
      } else if (k != "User-Agent") {
        r.headers.emplace_back(k, v);
      }
    }
    r.body = RewriteBody(x, Substitute(x.request_body));
    auto sent = vault_.Send(r);
    if (!sent.ok()) return {"request failed: " + sent.status().message()};
    const http::Response& got = *sent;
    std::vector<std::string> diffs;
    if (got.status != x.status) {
      diffs.push_back("status: recorded " + std::to_string(x.status) + ", emulator " +
                      std::to_string(got.status) + " " + got.body.substr(0, 300));
    }
    for (const char* h : {"Content-Type", "Cache-Control"}) {
      std::string want(http::FindHeader(x.response_headers, h));
      std::string have(got.Header(h));
      if (want != have)
        diffs.push_back(std::string(h) + ": recorded \"" + want + "\", emulator \"" + have + "\"");
    }
    for (const char* h :
         {"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"}) {
      std::string want(http::FindHeader(x.response_headers, h));
      std::string have(got.Header(h));
      if (want.empty() != have.empty()) {
        diffs.push_back(std::string(h) + ": recorded \"" + want + "\", emulator \"" + have + "\"");
      } else if (!want.empty()) {
        // Limit and Remaining are counts; Reset and Retry-After depend on sub-second timing.
        bool timing =
            std::string_view(h) == "Retry-After" || std::string_view(h) == "X-Ratelimit-Reset";
        bool numeric = have.find_first_not_of("0123456789") == std::string::npos;
        if ((!timing && want != have) || (timing && !numeric)) {
          diffs.push_back(std::string(h) + ": recorded \"" + want + "\", emulator \"" + have +
                          "\"");
        }
      }
    }
    if (x.response_body.empty() || got.body.empty()) {
      if (x.response_body.empty() != got.body.empty()) {
        diffs.push_back("body: recorded \"" + x.response_body.substr(0, 100) + "\", emulator \"" +
                        got.body.substr(0, 100) + "\"");
      }
      return diffs;
    }
    if (http::FindHeader(x.response_headers, "Content-Type") != "application/json") {
      // A raw answer (a PEM certificate): the same kind of text, not the same bytes.
      std::string want_first = x.response_body.substr(0, x.response_body.find('\n'));
      std::string have_first = got.body.substr(0, got.body.find('\n'));
      if (want_first != have_first ||
          (got.body.back() == '\n') != (x.response_body.back() == '\n')) {
        diffs.push_back("raw body: recorded \"" + want_first + "...\", emulator \"" + have_first +
                        "...\"");
      }
      return diffs;
    }
    if ((x.response_body.back() == '\n') != (got.body.back() == '\n')) {
      diffs.push_back(std::string("body: trailing newline ") + (x.response_body.back() == '\n'
                                                                    ? "recorded but not sent"
                                                                    : "sent but not recorded"));
    }
    auto want = json::Parse(x.response_body);
    auto have = json::Parse(got.body);
    if (!want.ok() || !have.ok()) {
      diffs.push_back("body is not JSON: " + got.body.substr(0, 200));
      return diffs;
    }
    for (auto& d : testing::CompareJsonShape(*want, *have, testing::ShapeRules{volatile_})) {
      diffs.push_back(std::move(d));
    }
    const json::Value* want_id = json::Find(*want, "request_id");
    bool want_uuid = want_id != nullptr && want_id->IsString() && want_id->GetStringLength() > 0;
    if (const json::Value* id = json::Find(*have, "request_id");
        want_uuid && id != nullptr && id->IsString() && !IsUuid(json::View(*id))) {
      diffs.push_back("request_id is not a UUID: " + std::string(json::View(*id)));
    }
    Learn(*want, *have);
    return diffs;
  }

 private:
  std::string Substitute(std::string text) const {
    for (const auto& [recorded, actual] : learned_) {
      for (size_t at = text.find(recorded); at != std::string::npos;
           at = text.find(recorded, at + actual.size())) {
        text.replace(at, recorded.size(), actual);
      }
    }
    return text;
  }

  // Request bodies that must change for a second server: the kubernetes host, the JWTs,
  // the dev server's unseal key.
  std::string RewriteBody(const HttpExchange& x, std::string body) const {
    if (body.empty()) return body;
    auto doc = json::Parse(body);
    if (!doc.ok() || !doc->IsObject()) return body;
    auto& a = doc->GetAllocator();
    auto set = [&](const char* key, const std::string& value) {
      (*doc)[key].SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
    };
    if (x.target == "/v1/auth/kubernetes/config" && doc->HasMember("kubernetes_host")) {
      set("kubernetes_host", standin_url_);
    }
    if (x.target == "/v1/auth/kubernetes/login" && doc->HasMember("jwt") &&
        (*doc)["jwt"].IsString()) {
      set("jwt", Resign((*doc)["jwt"].GetString()));
    }
    if (x.target == "/v1/sys/unseal" && x.status == 200 && doc->HasMember("key")) {
      set("key", unseal_key_);
    }
    return json::Serialize(*doc);
  }

  // The same claims with times shifted to now, signed by this test's key. Strings that are
  // not a JWT with JSON claims (the garbage-token steps) are sent unchanged.
  std::string Resign(const std::string& jwt) const {
    size_t d1 = jwt.find('.');
    size_t d2 = d1 == std::string::npos ? d1 : jwt.find('.', d1 + 1);
    if (d2 == std::string::npos) return jwt;
    auto claims_bytes = base64::DecodeUrl(jwt.substr(d1 + 1, d2 - d1 - 1));
    if (!claims_bytes) return jwt;
    auto claims = json::Parse(*claims_bytes);
    if (!claims.ok() || !claims->IsObject()) return jwt;
    for (const char* t : {"iat", "nbf", "exp"}) {
      if (claims->HasMember(t) && (*claims)[t].IsInt64()) {
        (*claims)[t].SetInt64((*claims)[t].GetInt64() + delta_);
      }
    }
    auto signed_jwt = emu::jwt::SignRs256(
        key_, "{\"alg\":\"RS256\",\"kid\":\"" + key_.KeyId() + "\"}", json::Serialize(*claims));
    EXPECT_TRUE(signed_jwt.ok());
    return signed_jwt.ok() ? *signed_jwt : jwt;
  }

  void Learn(const json::Value& want, const json::Value& have) {
    if (want.IsObject() && have.IsObject()) {
      for (const auto& m : want.GetObject()) {
        const json::Value* other = json::Find(have, json::View(m.name));
        if (other == nullptr) continue;
        if (kLearnedKeys.count(std::string(json::View(m.name))) && m.value.IsString() &&
            other->IsString() && m.value.GetStringLength() > 0) {
          learned_[std::string(json::View(m.value))] = std::string(json::View(*other));
        } else {
          Learn(m.value, *other);
        }
      }
    }
  }

  http::Transport& vault_;
  std::string standin_url_;
  emu::jwt::RsaKey key_;
  int64_t delta_;
  std::string unseal_key_;
  std::set<std::string> volatile_;
  std::map<std::string, std::string> learned_;  // recorded value -> this run's value
};

// The iat of the first recorded kubernetes login JWT: the moment the recording's tokens
// were issued, from which this run shifts all JWT times.
int64_t RecordedIssueTime(const std::vector<HttpExchange>& xs) {
  for (const auto& x : xs) {
    if (x.target != "/v1/auth/kubernetes/login" || x.status != 200) continue;
    auto body = json::Parse(x.request_body);
    if (!body.ok()) break;
    std::string jwt = (*body)["jwt"].GetString();
    size_t d1 = jwt.find('.');
    auto claims =
        json::Parse(*base64::DecodeUrl(jwt.substr(d1 + 1, jwt.find('.', d1 + 1) - d1 - 1)));
    if (claims.ok()) return (*claims)["iat"].GetInt64();
  }
  ADD_FAILURE() << "no successful kubernetes login in the fixtures";
  return 0;
}

// Names listed in the fixtures' INDEX.md table.
std::set<std::string> IndexedNames(const std::string& dir) {
  std::set<std::string> names;
  std::ifstream in(dir + "/INDEX.md");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::string cell = line.substr(2, line.find(' ', 2) - 2);
    if (cell.size() > 5 && cell.compare(cell.size() - 5, 5, ".http") == 0) names.insert(cell);
  }
  return names;
}

TEST(VaultContractTest, ReplaysEveryRecordedExchange) {
  const std::string dir = std::string(VAULTSYNC_FIXTURES_DIR) + "/vault-1.8";
  auto loaded = testing::LoadHttpExchanges(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const std::vector<HttpExchange>& xs = *loaded;
  std::set<std::string> names;
  for (const auto& x : xs) names.insert(x.name);
  ASSERT_EQ(names, IndexedNames(dir)) << "fixture files and INDEX.md disagree";
  ASSERT_EQ(xs.size(), 102u);
  for (const auto& [name, why] : kExcluded) ASSERT_TRUE(names.count(name)) << name;

  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  auto standin = testing::TokenReviewStandIn::Start(*key);
  ASSERT_TRUE(standin.ok()) << standin.status().message();
  auto emulator =
      vaultsync::testing::StartEmulator("vault-emulator", {"--dev-root-token", kRootToken});
  ASSERT_TRUE(emulator.ok()) << emulator.status().message();
  auto transport = http::NewTransport({.base_url = emulator->url});
  ASSERT_TRUE(transport.ok());

  http::Request get_key{.method = "GET", .target = "/__emulator/unseal-key"};
  auto key_answer = (*transport)->Send(get_key);
  ASSERT_TRUE(key_answer.ok());
  auto key_doc = json::Parse(key_answer->body);
  ASSERT_TRUE(key_doc.ok());
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    SystemClock::Instance().Now().time_since_epoch())
                    .count();
  Replay replay(**transport, (*standin)->url(), *key, now - RecordedIssueTime(xs),
                (*key_doc)["key"].GetString());

  // Time stands still except where the recording let it pass, so TTLs and quota windows
  // come out as recorded.
  ASSERT_EQ(replay.Send("POST", "/__emulator/time", R"({"freeze":true})").status, 200);
  // What the recording did between calls without recording it.
  const std::map<std::string, std::function<void()>> kSetup = {
      {"020",
       [&] {  // "after writing app/web and app/nested/deep"
         EXPECT_EQ(replay.Send("POST", "/v1/secret/data/app/web", R"({"data":{"k":"v"}})").status,
                   200);
         EXPECT_EQ(
             replay.Send("POST", "/v1/secret/data/app/nested/deep", R"({"data":{"k":"v"}})").status,
             200);
       }},
      {"037",
       [&] {  // "after writing app/other"
         EXPECT_EQ(replay.Send("POST", "/v1/kv1/app/other", R"({"k":"v"})").status, 204);
       }},
      {"043",
       [&] {  // the recorded renewals happened 2 s after the token was created
         EXPECT_EQ(replay.Send("POST", "/__emulator/time", R"({"advance_seconds":2})").status, 200);
       }},
      {"050",
       [&] {  // "secret/data/app/config (written by root, not recorded)"
         EXPECT_EQ(replay
                       .Send("POST", "/v1/secret/data/app/config",
                             R"({"data":{"db_host":"db.demo.svc","db_user":"app"}})")
                       .status,
                   200);
       }},
      {"094",
       [&] {  // a new 1-second quota window had begun when this burst started
         EXPECT_EQ(replay.Send("POST", "/__emulator/time", R"({"advance_seconds":1})").status, 200);
       }},
  };

  int failed_steps = 0;
  for (const HttpExchange& x : xs) {
    if (kExcluded.count(x.name)) continue;
    if (auto setup = kSetup.find(Number(x.name)); setup != kSetup.end()) setup->second();
    std::vector<std::string> diffs = replay.Step(x);
    if (!diffs.empty()) {
      ++failed_steps;
      std::string all;
      for (const auto& d : diffs) all += "\n  " + d;
      ADD_FAILURE() << x.name << " (" << x.method << " " << x.target << "):" << all;
    }
    if (Number(x.name) == "059") {
      // What the emulator sent the API server, as in the apiserver's audit of Vault's review.
      auto seen = (*standin)->seen();
      ASSERT_FALSE(seen.empty()) << "the login made no TokenReview";
      auto config_x = std::find_if(xs.begin(), xs.end(), [](const HttpExchange& e) {
        return e.target == "/v1/auth/kubernetes/config" && e.method == "POST";
      });
      ASSERT_NE(config_x, xs.end());
      auto config = json::Parse(config_x->request_body);
      ASSERT_TRUE(config.ok());
      EXPECT_EQ(seen.back().bearer, (*config)["token_reviewer_jwt"].GetString());
      EXPECT_EQ(seen.back().audiences, std::vector<std::string>{"vault"});
    }
  }
  EXPECT_EQ(failed_steps, 0);
  EXPECT_EQ(emulator->process->Stop(), 0)
      << "vault-emulator did not exit cleanly on SIGTERM: " << emulator->process->Stderr();
}

// The exchanges reconstructed from Vault 1.8's source and docs (tests/fixtures/vault-1.8/
// reconstructed, see its README: not recorded), replayed in order against the binary with the
// same comparison as the recorded ones.
TEST(ReconstructedContract, ReplaysEveryReconstructedExchange) {
  const std::string dir = std::string(VAULTSYNC_FIXTURES_DIR) + "/vault-1.8/reconstructed";
  auto loaded = testing::LoadHttpExchanges(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  std::set<std::string> names;
  for (const auto& x : *loaded) names.insert(x.name);
  ASSERT_EQ(names, IndexedNames(dir)) << "fixture files and INDEX.md disagree";
  ASSERT_GE(loaded->size(), 27u);

  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  auto emulator =
      vaultsync::testing::StartEmulator("vault-emulator", {"--dev-root-token", kRootToken});
  ASSERT_TRUE(emulator.ok()) << emulator.status().message();
  auto transport = http::NewTransport({.base_url = emulator->url});
  ASSERT_TRUE(transport.ok());
  Replay replay(**transport, "", *key, 0, "", kReconstructedVolatileKeys);
  ASSERT_EQ(replay.Send("POST", "/__emulator/time", R"({"freeze":true})").status, 200);
  int failed_steps = 0;
  for (const HttpExchange& x : *loaded) {
    std::vector<std::string> diffs = replay.Step(x);
    if (!diffs.empty()) {
      ++failed_steps;
      std::string all;
      for (const auto& d : diffs) all += "\n  " + d;
      ADD_FAILURE() << x.name << " (" << x.method << " " << x.target << "):" << all;
    }
  }
  EXPECT_EQ(failed_steps, 0);
  EXPECT_EQ(emulator->process->Stop(), 0) << emulator->process->Stderr();
}

}  // namespace
}  // namespace vaultsync::vaultemu
