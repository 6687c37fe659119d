// The vault-emulator binary over loopback: its flags and first line, the control paths
// (time, counters per verb and path, faults, unseal key), HTTPS, certificate rotation
// without losing state, kubernetes logins through a real TokenReview over TLS (good and
// wrong CA) and through pem_keys, and a clean exit on SIGTERM and SIGINT.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "http/transport.h"
#include "jwt.h"
#include "process.h"
#include "test_certs.h"
#include "tls_control.h"
#include "token_review_standin.h"
#include "util/clock.h"
#include "util/json.h"

namespace vaultsync::vaultemu {
namespace {

constexpr char kRoot[] = "binary-root";

class Client {
 public:
  explicit Client(const std::string& url, const std::string& ca = "") {
    http::TransportConfig c{.base_url = url};
    c.tls.ca_pem = ca;
    auto t = http::NewTransport(c);
    EXPECT_TRUE(t.ok()) << t.status().message();
    if (t.ok()) transport_ = std::move(t).value();
  }
  Result<http::Response> Try(const std::string& method, const std::string& target,
                             const std::string& body = "", const std::string& token = kRoot) {
    http::Request r{.method = method, .target = target, .body = body};
    if (!token.empty()) r.headers.emplace_back("X-Vault-Token", token);
    return transport_->Send(r);
  }
  http::Response Send(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& token = kRoot) {
    auto r = Try(method, target, body, token);
    EXPECT_TRUE(r.ok()) << method << " " << target << ": " << r.status().message();
    return r.ok() ? *r : http::Response{};
  }
  json::Document Json(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& token = kRoot) {
    auto r = Send(method, target, body, token);
    auto d = json::Parse(r.body);
    EXPECT_TRUE(d.ok()) << r.body;
    return d.ok() ? std::move(d).value() : json::Document();
  }

 private:
  std::unique_ptr<http::Transport> transport_;
};

vaultsync::testing::RunningEmulator Start(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--dev-root-token", kRoot};
  args.insert(args.end(), extra.begin(), extra.end());
  auto e = vaultsync::testing::StartEmulator("vault-emulator", args);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return e.ok() ? std::move(e).value() : vaultsync::testing::RunningEmulator{};
}

std::string Claims(int64_t exp_from_now) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    SystemClock::Instance().Now().time_since_epoch())
                    .count();
  return "{\"aud\":[\"vault\"],\"exp\":" + std::to_string(now + exp_from_now) +
         ",\"iat\":" + std::to_string(now) +
         ",\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"kubernetes.io\":{"
         "\"namespace\":\"demo\",\"serviceaccount\":{\"name\":\"default\",\"uid\":\"u-1\"}},"
         "\"nbf\":" +
         std::to_string(now) + ",\"sub\":\"system:serviceaccount:demo:default\"}";
}

void SetUpKubernetesRole(Client& c) {
  ASSERT_EQ(c.Send("POST", "/v1/sys/auth/kubernetes", R"({"type":"kubernetes"})").status, 204);
  ASSERT_EQ(
      c.Send(
           "POST", "/v1/auth/kubernetes/role/app",
           R"({"bound_service_account_names":"default","bound_service_account_namespaces":"*","audience":"vault","token_ttl":"5m"})")
          .status,
      204);
}

std::string LoginBody(const std::string& jwt) {
  return "{\"role\":\"app\",\"jwt\":" + json::Quote(jwt) + "}";
}

TEST(VaultEmulatorBinaryTest, TimeControlExpiresTokens) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  auto created = c.Json("POST", "/v1/auth/token/create", R"({"ttl":"60s"})");
  std::string token = created["auth"]["client_token"].GetString();
  EXPECT_EQ(c.Send("GET", "/v1/auth/token/lookup-self", "", token).status, 200);
  auto moved = c.Json("POST", "/__emulator/time", R"({"advance_seconds":61})");
  EXPECT_TRUE(moved.HasMember("unix"));
  EXPECT_EQ(c.Send("GET", "/v1/auth/token/lookup-self", "", token).status, 403);
  EXPECT_EQ(c.Send("POST", "/__emulator/time", R"({"advance_seconds":"x"})").status, 400);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, CountersPerVerbAndPath) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  ASSERT_EQ(c.Send("POST", "/v1/secret/data/app/db", R"({"data":{"a":"b"}})").status, 200);
  ASSERT_EQ(c.Send("DELETE", "/__emulator/counters").status, 200);
  c.Send("GET", "/v1/secret/data/app/db");
  c.Send("GET", "/v1/secret/data/app/db");
  c.Send("GET", "/v1/secret/metadata/app?list=true");
  c.Send("LIST", "/v1/secret/metadata/app");
  auto counts = c.Json("GET", "/__emulator/counters");
  EXPECT_EQ(counts["counts"]["GET /v1/secret/data/app/db"].GetInt(), 2);
  EXPECT_EQ(counts["counts"]["LIST /v1/secret/metadata/app"].GetInt(), 2);
  EXPECT_EQ(counts["total"].GetInt(), 4);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, FaultsAndUnsealKeyControl) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  ASSERT_EQ(
      c.Send("POST", "/__emulator/faults",
             R"({"path_prefix":"/v1/secret/","status":429,"retry_after_seconds":2,"remaining":1})")
          .status,
      200);
  auto limited = c.Send("GET", "/v1/secret/data/x");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "2");
  EXPECT_EQ(c.Send("GET", "/v1/secret/data/x").status, 404);  // the fault was used up

  std::string key = c.Json("GET", "/__emulator/unseal-key")["key"].GetString();
  EXPECT_EQ(c.Send("PUT", "/v1/sys/seal").status, 204);
  EXPECT_EQ(c.Send("GET", "/v1/sys/health", "", "").status, 503);
  EXPECT_EQ(c.Send("PUT", "/v1/sys/unseal", "{\"key\":\"" + key + "\"}", "").status, 200);
  EXPECT_EQ(c.Send("GET", "/v1/sys/health", "", "").status, 200);
  ASSERT_EQ(c.Send("POST", "/__emulator/server-state", R"({"standby":true})").status, 200);
  EXPECT_EQ(c.Send("GET", "/v1/sys/health", "", "").status, 429);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, ServesHttpsAndReviewsOverTls) {
  auto cert = testing::MakeSelfSignedCert("vault-emulator-test");
  ASSERT_TRUE(cert.ok()) << cert.status().message();
  const std::string dir = ::testing::TempDir();
  const std::string cert_file = dir + "/vault-emu-cert.pem";
  const std::string key_file = dir + "/vault-emu-key.pem";
  std::ofstream(cert_file) << cert->cert_pem;
  std::ofstream(key_file) << cert->key_pem;
  struct RemoveFiles {
    std::vector<std::string> files;
    ~RemoveFiles() {
      for (const auto& f : files) std::remove(f.c_str());
    }
  } cleanup{{cert_file, key_file}};
  auto e = Start({"--tls-cert-file", cert_file, "--tls-key-file", key_file});
  ASSERT_TRUE(e.process);
  EXPECT_EQ(e.url.rfind("https://127.0.0.1:", 0), 0u) << e.url;
  Client c(e.url, cert->cert_pem);
  EXPECT_EQ(c.Send("GET", "/v1/sys/health", "", "").status, 200);

  // A TokenReview stand-in served over HTTPS with the same certificate.
  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  emu::ServerOptions tls;
  tls.tls_cert_pem = cert->cert_pem;
  tls.tls_key_pem = cert->key_pem;
  auto standin = testing::TokenReviewStandIn::Start(*key, tls);
  ASSERT_TRUE(standin.ok()) << standin.status().message();
  SetUpKubernetesRole(c);
  auto jwt = emu::jwt::SignRs256(*key, R"({"alg":"RS256"})", Claims(600));
  ASSERT_TRUE(jwt.ok());

  auto other_ca = testing::MakeSelfSignedCert("someone-else");
  ASSERT_TRUE(other_ca.ok());
  std::string config = "{\"kubernetes_host\":" + json::Quote((*standin)->url()) +
                       ",\"issuer\":\"https://kubernetes.default.svc.cluster.local\"" +
                       ",\"token_reviewer_jwt\":\"reviewer\",\"kubernetes_ca_cert\":";
  ASSERT_EQ(
      c.Send("POST", "/v1/auth/kubernetes/config", config + json::Quote(other_ca->cert_pem) + "}")
          .status,
      204);
  auto refused = c.Send("POST", "/v1/auth/kubernetes/login", LoginBody(*jwt), "");
  EXPECT_EQ(refused.status, 403) << refused.body;  // TLS verification failed: permission denied
  EXPECT_TRUE((*standin)->seen().empty());

  ASSERT_EQ(c.Send("POST", "/v1/auth/kubernetes/config", config + json::Quote(cert->cert_pem) + "}")
                .status,
            204);
  auto login = c.Json("POST", "/v1/auth/kubernetes/login", LoginBody(*jwt), "");
  EXPECT_EQ(login["auth"]["lease_duration"].GetInt(), 300);
  ASSERT_EQ((*standin)->seen().size(), 1u);
  EXPECT_EQ((*standin)->seen()[0].bearer, "reviewer");

  auto expired = emu::jwt::SignRs256(*key, R"({"alg":"RS256"})", Claims(-60));
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(c.Send("POST", "/v1/auth/kubernetes/login", LoginBody(*expired), "").status, 403);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(VaultEmulatorBinaryTest, SelfSignedTlsRotatesWithoutLosingState) {
  const std::string dir = ::testing::TempDir() + "/vault-emu-tls-" + std::to_string(::getpid());
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  auto e = Start({"--tls-self-signed", dir});
  ASSERT_TRUE(e.process);
  EXPECT_EQ(e.url.rfind("https://127.0.0.1:", 0), 0u) << e.url;
  const std::string old_ca = ReadText(dir + "/ca.crt");
  ASSERT_NE(old_ca.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(ReadText(dir + "/tls.crt"), old_ca);
  EXPECT_NE(ReadText(dir + "/tls.key").find("PRIVATE KEY"), std::string::npos);

  Client before(e.url, old_ca);
  ASSERT_EQ(before.Send("POST", "/v1/secret/data/app/db", R"({"data":{"password":"kept"}})").status,
            200);
  auto rotated = before.Json("POST", "/__emulator/tls", R"({"regenerate":true})");
  ASSERT_TRUE(rotated.HasMember("ca_pem"));
  const std::string new_ca = rotated["ca_pem"].GetString();
  EXPECT_NE(new_ca, old_ca);
  EXPECT_EQ(ReadText(dir + "/ca.crt"), new_ca);  // the files follow the rotation

  // A new connection trusting only the old CA is refused; one trusting the new CA gets the
  // value written before the rotation.
  Client stale(e.url, old_ca);
  EXPECT_FALSE(stale.Try("GET", "/v1/secret/data/app/db").ok());
  Client fresh(e.url, new_ca);
  auto read = fresh.Json("GET", "/v1/secret/data/app/db");
  EXPECT_STREQ(read["data"]["data"]["password"].GetString(), "kept");

  // An explicit pair works the same way; a pair that does not load is refused and changes
  // nothing.
  auto pair = MakeServingPair("127.0.0.1");
  ASSERT_TRUE(pair.ok()) << pair.status().message();
  std::string body = "{\"cert_pem\":" + json::Quote(pair->cert_pem) +
                     ",\"key_pem\":" + json::Quote(pair->key_pem) + "}";
  EXPECT_EQ(fresh.Send("POST", "/__emulator/tls", body).status, 200);
  Client third(e.url, pair->ca_pem);
  EXPECT_EQ(third.Send("GET", "/v1/secret/data/app/db").status, 200);
  std::string mismatched = "{\"cert_pem\":" + json::Quote(pair->cert_pem) +
                           ",\"key_pem\":" + json::Quote(ReadText(dir + "/tls.key")) + "}";
  EXPECT_EQ(third.Send("POST", "/__emulator/tls", mismatched).status, 400);
  Client still(e.url, pair->ca_pem);
  EXPECT_EQ(still.Send("GET", "/v1/sys/health", "", "").status, 200);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, TlsControlOnPlainHttpIsAConflict) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  EXPECT_EQ(c.Send("POST", "/__emulator/tls", R"({"regenerate":true})").status, 409);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, IssuedCertificatePassesOpensslVerify) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  ASSERT_EQ(c.Send("POST", "/v1/sys/mounts/pki", R"({"type":"pki"})").status, 204);
  ASSERT_EQ(c.Send("POST", "/v1/sys/mounts/pki/tune", R"({"max_lease_ttl":"87600h"})").status, 204);
  ASSERT_EQ(c.Send("POST", "/v1/pki/root/generate/internal",
                   R"({"common_name":"example.com","ttl":"87600h","key_type":"ec","key_bits":256})")
                .status,
            200);
  ASSERT_EQ(c.Send("POST", "/v1/pki/roles/web",
                   R"({"allowed_domains":"example.com","allow_subdomains":true,"key_type":"ec",)"
                   R"("key_bits":256})")
                .status,
            204);
  auto issued = c.Json("POST", "/v1/pki/issue/web", R"({"common_name":"app.example.com"})");
  auto ca = c.Send("GET", "/v1/pki/ca/pem", "", "");
  ASSERT_EQ(ca.status, 200);
  const std::string dir = ::testing::TempDir();
  const std::string ca_file = dir + "/vault-emu-pki-ca-" + std::to_string(::getpid()) + ".pem";
  const std::string leaf_file = dir + "/vault-emu-pki-leaf-" + std::to_string(::getpid()) + ".pem";
  const std::string other_file =
      dir + "/vault-emu-pki-other-" + std::to_string(::getpid()) + ".pem";
  struct RemoveFiles {
    std::vector<std::string> files;
    ~RemoveFiles() {
      for (const auto& f : files) std::remove(f.c_str());
    }
  } cleanup{{ca_file, leaf_file, other_file}};
  std::ofstream(ca_file) << ca.body << "\n";
  std::ofstream(leaf_file) << issued["data"]["certificate"].GetString() << "\n";
  auto verified = vaultsync::testing::RunCommand(
      "openssl", {"verify", "-purpose", "sslserver", "-CAfile", ca_file, leaf_file}, {}, "",
      std::chrono::seconds(30));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find(": OK"), std::string::npos) << verified.out;
  // Against a CA that did not sign it, openssl refuses.
  auto other = testing::MakeSelfSignedCert("someone-else");
  ASSERT_TRUE(other.ok());
  std::ofstream(other_file) << other->cert_pem;
  auto refused = vaultsync::testing::RunCommand(
      "openssl", {"verify", "-CAfile", other_file, leaf_file}, {}, "", std::chrono::seconds(30));
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, LeaseControlCountsIssuedCredentials) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  ASSERT_EQ(c.Send("POST", "/v1/sys/mounts/database", R"({"type":"database"})").status, 204);
  ASSERT_EQ(c.Send("POST", "/v1/database/config/pg",
                   R"({"plugin_name":"postgresql-database-plugin","allowed_roles":"*"})")
                .status,
            204);
  ASSERT_EQ(c.Send("POST", "/v1/database/roles/app",
                   R"({"db_name":"pg","default_ttl":"60s","max_ttl":"120s"})")
                .status,
            204);
  auto creds = c.Json("GET", "/v1/database/creds/app");
  std::string lease = creds["lease_id"].GetString();
  auto leases = c.Json("GET", "/__emulator/leases");
  EXPECT_EQ(leases["issued"]["database/creds/app"].GetInt(), 1);
  ASSERT_EQ(leases["leases"].Size(), 1u);
  EXPECT_EQ(std::string(leases["leases"][0]["lease_id"].GetString()), lease);
  // Emulator time expires it.
  c.Send("POST", "/__emulator/time", R"({"advance_seconds":61})");
  auto gone = c.Send("PUT", "/v1/sys/leases/lookup", "{\"lease_id\":" + json::Quote(lease) + "}");
  EXPECT_EQ(gone.status, 400);
  leases = c.Json("GET", "/__emulator/leases");
  EXPECT_EQ(leases["leases"].Size(), 0u);
  EXPECT_EQ(leases["expired"].GetInt(), 1);
  EXPECT_EQ(leases["issued"]["database/creds/app"].GetInt(), 1);
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, PemKeysWithoutApiServer) {
  auto e = Start();
  ASSERT_TRUE(e.process);
  Client c(e.url);
  auto key = emu::jwt::RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  SetUpKubernetesRole(c);
  ASSERT_EQ(c.Send("POST", "/v1/auth/kubernetes/config",
                   "{\"pem_keys\":[" + json::Quote(key->PublicPem()) +
                       "],\"disable_iss_validation\":true}")
                .status,
            204);
  auto jwt = emu::jwt::SignRs256(*key, R"({"alg":"RS256"})", Claims(600));
  ASSERT_TRUE(jwt.ok());
  auto login = c.Json("POST", "/v1/auth/kubernetes/login", LoginBody(*jwt), "");
  std::string token = login["auth"]["client_token"].GetString();
  EXPECT_EQ(c.Send("GET", "/v1/auth/token/lookup-self", "", token).status, 200);
  // Emulator time moves the JWT past its exp, which the pem_keys check enforces.
  c.Send("POST", "/__emulator/time", R"({"advance_seconds":601})");
  auto late = c.Send("POST", "/v1/auth/kubernetes/login", LoginBody(*jwt), "");
  EXPECT_EQ(late.status, 500);
  EXPECT_NE(late.body.find("token is expired"), std::string::npos) << late.body;
  EXPECT_EQ(e.process->Stop(), 0) << e.process->Stderr();
}

TEST(VaultEmulatorBinaryTest, ExitsCleanlyOnSigtermAndSigint) {
  auto a = Start();
  ASSERT_TRUE(a.process);
  EXPECT_EQ(a.process->Stop(), 0);
  auto b = Start();
  ASSERT_TRUE(b.process);
  b.process->Signal(SIGINT);
  EXPECT_EQ(b.process->Wait(std::chrono::seconds(10)), 0);
}

TEST(VaultEmulatorBinaryTest, RejectsBadFlags) {
  auto r = vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vault-emulator"),
                                          {"--nope"}, {}, "", std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage"), std::string::npos);
  r = vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vault-emulator"), {}, {}, "",
                                     std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  r = vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vault-emulator"),
                                     {"--tls-self-signed", "/tmp/x", "--tls-cert-file", "a",
                                      "--tls-key-file", "b", "--listen", "127.0.0.1:0"},
                                     {}, "", std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
}

TEST(VaultEmulatorBinaryTest, HelpGoesToStdoutAndSucceeds) {
  auto r = vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vault-emulator"),
                                          {"--help"}, {}, "", std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("usage: vault-emulator --listen", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("/__emulator/tls"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

}  // namespace
}  // namespace vaultsync::vaultemu
