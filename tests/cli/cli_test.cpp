// The real vaultsyncctl binary against the vault-emulator: every verb in text and JSON,
// kv-v1 and kv-v2 mounts, the admin verbs that set Vault up, login and TLS failures with
// their hints, exit codes 0/1/2, and no token or secret value ever printed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "emulator_env.h"
#include "process.h"
#include "test_pki.h"
#include "util/json.h"

namespace vaultsync::cli {
namespace {

using vault::testing::EmulatorEnv;
using vaultsync::testing::CommandResult;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    // A token only this test knows, so its absence from every output can be checked.
    token_ = EmulatorEnv::Field(
        env_.Setup("POST", "auth/token/create", R"({"policies":["root"],"ttl":"1h"})"), "auth",
        "client_token");
    ASSERT_FALSE(token_.empty());
  }

  // Runs vaultsyncctl with `args`; VAULT_* from the caller's environment are blanked so
  // they cannot leak into the test.
  CommandResult Run(std::vector<std::string> args, vaultsync::testing::Env extra = {}) {
    vaultsync::testing::Env env = {{"VAULT_ADDR", ""},        {"VAULT_TOKEN", ""},
                                   {"VAULT_CACERT", ""},      {"VAULT_NAMESPACE", ""},
                                   {"VAULT_SKIP_VERIFY", ""}, {"VAULT_TLS_SERVER_NAME", ""}};
    for (auto& [k, v] : extra) {
      for (auto& e : env) {
        if (e.first == k) e.second = v;
      }
    }
    auto r = vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vaultsyncctl"), args,
                                            env, "", std::chrono::seconds(30));
    outputs_.push_back(r.out + r.err);
    return r;
  }
  // Runs with --address and --token.
  CommandResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--address", env_.url(), "--token", token_});
    return Run(std::move(args));
  }

  void TearDown() override {
    // Whatever ran, no output may contain the token or anything shaped like a Vault token.
    static const std::regex kTokenShape(R"(\bs\.[A-Za-z0-9]{20,}\b)");
    for (const auto& o : outputs_) {
      EXPECT_EQ(o.find(token_), std::string::npos) << o;
      EXPECT_FALSE(std::regex_search(o, kTokenShape)) << o;
    }
  }

  EmulatorEnv env_;
  std::string token_;
  std::vector<std::string> outputs_;
};

json::Document ParseJson(const std::string& text) {
  auto d = json::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? std::move(*d) : json::Document();
}

TEST_F(Cli, HelpAndUsageErrorsExitTwo) {
  auto help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("login-check"), std::string::npos);
  for (const char* verb :
       {"auth enable", "auth list", "secrets enable", "write-kubernetes-config", "role write",
        "role read", "policy write", "approle role-id", "approle secret-id"}) {
    EXPECT_NE(help.out.find(verb), std::string::npos) << verb;
  }
  auto verb_help = Run({"put", "--help"});
  EXPECT_EQ(verb_help.exit_code, 0);
  EXPECT_NE(verb_help.out.find("--cas N"), std::string::npos);
  for (std::vector<std::string> bad : {std::vector<std::string>{},
                                       {"bogus"},
                                       {"get"},
                                       {"put", "a", "novalue"},
                                       {"-o", "yaml", "health"}}) {
    auto r = Run(bad);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("vaultsyncctl: "), std::string::npos);
  }
  auto traversal = Ctl({"get", "../sys/policies"});
  EXPECT_EQ(traversal.exit_code, 2) << traversal.err;
}

TEST_F(Cli, HealthTextJsonAndSealed) {
  auto text = Run({"--address", env_.url(), "health"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("state"), std::string::npos);
  EXPECT_NE(text.out.find("active"), std::string::npos);
  auto js = Run({"health", "-o", "json"}, {{"VAULT_ADDR", env_.url()}});
  EXPECT_EQ(js.exit_code, 0) << js.err;
  auto doc = ParseJson(js.out);
  EXPECT_TRUE(json::Bool(doc, "initialized").ok());
  env_.Setup("PUT", "sys/seal");
  auto sealed = Run({"--address", env_.url(), "health"});
  EXPECT_EQ(sealed.exit_code, 1);
  EXPECT_NE(sealed.out.find("sealed"), std::string::npos);
  EXPECT_NE(sealed.err.find("Vault is sealed"), std::string::npos);
}

TEST_F(Cli, KvV2Verbs) {
  auto put = Ctl({"put", "app/db", "username=admin", "password=one"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_NE(put.out.find("Success! Data written to: secret/app/db"), std::string::npos);
  EXPECT_NE(put.out.find("version        1"), std::string::npos) << put.out;
  auto cas = Ctl({"put", "--cas", "1", "app/db", "username=admin", "password=two"});
  ASSERT_EQ(cas.exit_code, 0) << cas.err;
  auto stale = Ctl({"put", "--cas", "1", "app/db", "password=lost"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("check-and-set"), std::string::npos) << stale.err;

  auto get = Ctl({"get", "app/db"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("password   two\n"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("username   admin\n"), std::string::npos);
  EXPECT_NE(get.out.find("version        2\n"), std::string::npos);
  auto old = Ctl({"get", "--version", "1", "app/db"});
  EXPECT_NE(old.out.find("password   one\n"), std::string::npos) << old.out;
  auto js = Ctl({"-o", "json", "get", "app/db"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto doc = ParseJson(js.out);
  auto data = json::Object(doc, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(json::Object(**data, "data").ok());
  auto md = json::Object(**data, "metadata");
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(*json::Int64(**md, "version"), 2);

  auto list = Ctl({"list", "app"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "db\n");
  auto root = Ctl({"list"});
  EXPECT_EQ(root.out, "app/\n");
  auto list_json = Ctl({"list", "-o", "json", "app"});
  EXPECT_TRUE(json::Object(ParseJson(list_json.out), "data").ok());

  auto del = Ctl({"delete", "app/db"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  auto gone = Ctl({"get", "app/db"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("not found"), std::string::npos) << gone.err;
  EXPECT_EQ(env_.Count("DELETE /v1/secret/metadata/app/db"), 1);
}

TEST_F(Cli, SoftDeletedVersionIsExplained) {
  ASSERT_EQ(Ctl({"put", "app/db", "k=v"}).exit_code, 0);
  env_.Setup("DELETE", "secret/data/app/db");
  auto r = Ctl({"get", "app/db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("version 1 of secret/app/db was deleted at"), std::string::npos) << r.err;
}

TEST_F(Cli, KvV1Verbs) {
  env_.Setup("POST", "sys/mounts/kv1", R"({"type":"kv","options":{"version":"1"}})");
  auto put = Ctl({"put", "--mount", "kv1", "app/config", "user=svc", "ttl=30m"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_NE(put.out.find("Success! Data written to: kv1/app/config"), std::string::npos);
  auto get = Ctl({"get", "--mount", "kv1", "app/config"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_NE(get.out.find("user   svc\n"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("lease_duration   30m0s"), std::string::npos) << get.out;
  auto js = Ctl({"get", "--mount", "kv1", "-o", "json", "app/config"});
  EXPECT_EQ(*json::Int64(ParseJson(js.out), "lease_duration"), 1800);
  const int64_t detections = env_.Count("GET /v1/sys/internal/ui/mounts/kv1/app/config");
  EXPECT_GE(detections, 1);
  auto forced = Ctl({"get", "--mount", "kv1", "--kv-version", "1", "app/config"});
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_EQ(env_.Count("GET /v1/sys/internal/ui/mounts/kv1/app/config"), detections);
  auto versioned = Ctl({"get", "--mount", "kv1", "--version", "2", "app/config"});
  EXPECT_EQ(versioned.exit_code, 2) << versioned.err;
  EXPECT_EQ(Ctl({"list", "--mount", "kv1", "app"}).out, "config\n");
  EXPECT_EQ(Ctl({"delete", "--mount", "kv1", "app/config"}).exit_code, 0);
  EXPECT_EQ(Ctl({"get", "--mount", "kv1", "app/config"}).exit_code, 1);
}

TEST_F(Cli, LoginCheckWithTokenAndAppRole) {
  auto r = Ctl({"login-check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* field : {"display name", "policies", "ttl", "renewable"}) {
    EXPECT_NE(r.out.find(field), std::string::npos) << r.out;
  }
  auto js = Ctl({"login-check", "-o", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto doc = ParseJson(js.out);
  auto data = json::Object(doc, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(json::Find(**data, "id"), nullptr);
  EXPECT_TRUE(json::Array(**data, "policies").ok());

  env_.Setup("POST", "sys/auth/approle", R"({"type":"approle"})");
  env_.Setup("PUT", "sys/policies/acl/app-read",
             R"({"policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"})");
  env_.Setup("POST", "auth/approle/role/sync",
             R"({"token_policies":["app-read"],"token_ttl":"60s"})");
  std::string role_id =
      EmulatorEnv::Field(env_.Setup("GET", "auth/approle/role/sync/role-id"), "data", "role_id");
  std::string secret_id = EmulatorEnv::Field(env_.Setup("POST", "auth/approle/role/sync/secret-id"),
                                             "data", "secret_id");
  std::string sid_file = ::testing::TempDir() + "/cli_secret_id";
  std::ofstream(sid_file, std::ios::trunc) << secret_id << "\n";
  auto ar = Run(
      {"--address", env_.url(), "--role-id", role_id, "--secret-id-file", sid_file, "login-check"});
  ASSERT_EQ(ar.exit_code, 0) << ar.err;
  EXPECT_NE(ar.out.find("app-read"), std::string::npos) << ar.out;
  EXPECT_NE(ar.out.find("auth method"), std::string::npos);
  EXPECT_NE(ar.out.find("appRole (auth/approle)"), std::string::npos);
  EXPECT_EQ(ar.out.find(secret_id), std::string::npos);
  EXPECT_EQ(env_.Count("POST /v1/auth/token/revoke-self"), 1);  // the CLI cleans up

  std::ofstream(sid_file, std::ios::trunc) << "wrong-secret-id\n";
  auto refused = Run({"--address", env_.url(), "--method", "appRole", "--role-id", role_id,
                      "--secret-id-file", sid_file, "login-check"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("invalid secret id"), std::string::npos) << refused.err;
}

// A refused login is reported as a login (method, mount, role, Vault's words) with a hint
// for that method — not as the failure of the first request the verb would have made.
TEST_F(Cli, RefusedLoginIsReportedAsOne) {
  env_.Setup("POST", "sys/auth/approle", R"({"type":"approle"})");
  env_.Setup("POST", "auth/approle/role/sync", R"({"token_ttl":"60s"})");
  std::string role_id =
      EmulatorEnv::Field(env_.Setup("GET", "auth/approle/role/sync/role-id"), "data", "role_id");
  std::string sid_file = ::testing::TempDir() + "/cli_bad_secret_id";
  std::ofstream(sid_file, std::ios::trunc) << "wrong-secret-id\n";
  auto approle = Run({"--address", env_.url(), "--role-id", role_id, "--secret-id-file", sid_file,
                      "get", "app/db"});
  EXPECT_EQ(approle.exit_code, 1);
  EXPECT_NE(approle.err.find("login failed (method appRole, mount auth/approle): Vault said: "
                             "invalid secret id (HTTP 400)"),
            std::string::npos)
      << approle.err;
  EXPECT_NE(approle.err.find("hint: check --role-id and --secret-id-file"), std::string::npos);
  for (const auto* r : {&approle}) {
    EXPECT_EQ(r->err.find("KV version"), std::string::npos) << r->err;
    EXPECT_EQ(r->err.find("--kv-version"), std::string::npos) << r->err;
  }

  env_.Setup("POST", "sys/auth/kubernetes", R"({"type":"kubernetes"})");
  std::string jwt_file = ::testing::TempDir() + "/cli_jwt";
  std::ofstream(jwt_file, std::ios::trunc) << "not.a.jwt\n";
  auto no_role =
      Run({"--address", env_.url(), "--role", "nosuch", "--jwt-file", jwt_file, "get", "app/db"});
  EXPECT_EQ(no_role.exit_code, 1);
  EXPECT_NE(no_role.err.find("login failed (method kubernetes, mount auth/kubernetes, role "
                             "\"nosuch\"): Vault said: invalid role name \"nosuch\""),
            std::string::npos)
      << no_role.err;
  EXPECT_NE(no_role.err.find("hint: there is no role \"nosuch\" at auth/kubernetes"),
            std::string::npos)
      << no_role.err;
  EXPECT_EQ(no_role.err.find("KV version"), std::string::npos) << no_role.err;

  auto no_mount = Run({"--address", env_.url(), "--role", "r", "--auth-mount", "k8s", "--jwt-file",
                       jwt_file, "login-check"});
  EXPECT_EQ(no_mount.exit_code, 1);
  EXPECT_NE(no_mount.err.find("hint: is an auth method enabled at auth/k8s?"), std::string::npos)
      << no_mount.err;

  auto dead_token =
      Run({"--address", env_.url(), "--token", "s.NotATokenVaultKnows", "get", "app/db"});
  EXPECT_EQ(dead_token.exit_code, 1);
  EXPECT_NE(dead_token.err.find("Vault refused the token (method token)"), std::string::npos)
      << dead_token.err;
  EXPECT_NE(dead_token.err.find("--token or VAULT_TOKEN"), std::string::npos);
  EXPECT_EQ(dead_token.err.find("KV version"), std::string::npos) << dead_token.err;
}

// Vault set up for vaultsync with vaultsyncctl alone: a kv-v2 mount, a policy, the
// kubernetes auth method with its config and role, and an AppRole whose role_id and a new
// secret_id then log in and read.
TEST_F(Cli, AdminVerbsSetVaultUp) {
  auto kv = Ctl({"secrets", "enable", "--path", "apps", "kv-v2"});
  ASSERT_EQ(kv.exit_code, 0) << kv.err;
  EXPECT_EQ(kv.out, "Success! Enabled the kv secrets engine at: apps/ (version 2)\n");
  auto kv1 = Ctl({"secrets", "enable", "--path", "legacy", "--version", "1", "kv"});
  ASSERT_EQ(kv1.exit_code, 0) << kv1.err;
  auto again = Ctl({"secrets", "enable", "--path", "apps", "kv"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("path is already in use"), std::string::npos) << again.err;
  auto mounts = env_.Setup("GET", "sys/mounts");
  EXPECT_NE(mounts.find(R"("apps/")"), std::string::npos) << mounts;
  ASSERT_EQ(Ctl({"put", "--mount", "apps", "app/db", "password=pw"}).exit_code, 0);
  auto detected = Ctl({"get", "--mount", "apps", "app/db"});
  EXPECT_NE(detected.out.find("version        1"), std::string::npos) << detected.out;

  // Policy from a file and from standard input.
  std::string policy_file = ::testing::TempDir() + "/cli_policy.hcl";
  std::ofstream(policy_file, std::ios::trunc)
      << "path \"apps/data/app/*\" {\n  capabilities = [\"read\"]\n}\n";
  auto pol = Ctl({"policy", "write", "app-read", policy_file});
  ASSERT_EQ(pol.exit_code, 0) << pol.err;
  EXPECT_EQ(pol.out, "Success! Uploaded policy: app-read\n");
  EXPECT_EQ(Ctl({"policy", "read", "app-read"}).out,
            "path \"apps/data/app/*\" {\n  capabilities = [\"read\"]\n}\n");
  auto stdin_pol = vaultsync::testing::RunCommand(
      vaultsync::testing::BinaryPath("vaultsyncctl"),
      {"--address", env_.url(), "--token", token_, "policy", "write", "list-apps", "-"},
      {{"VAULT_TOKEN", ""}}, "path \"apps/metadata/*\" { capabilities = [\"list\"] }\n",
      std::chrono::seconds(30));
  ASSERT_EQ(stdin_pol.exit_code, 0) << stdin_pol.err;
  EXPECT_NE(Ctl({"policy", "list-apps"}).out.find("apps/metadata/*"), std::string::npos);
  EXPECT_EQ(Ctl({"policy", "write", "empty", "/nonexistent/file"}).exit_code, 2);

  // The kubernetes auth method, its config (the reviewer JWT never printed) and a role.
  auto k8s = Ctl({"auth", "enable", "kubernetes"});
  ASSERT_EQ(k8s.exit_code, 0) << k8s.err;
  EXPECT_EQ(k8s.out, "Success! Enabled kubernetes auth method at: kubernetes/\n");
  ASSERT_EQ(
      Ctl({"auth", "enable", "--path", "ci", "--description", "CI runners", "approle"}).exit_code,
      0);
  auto list = Ctl({"auth", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(
      std::regex_search(list.out, std::regex(R"(\nci/ +approle +auth_approle_\w+ +CI runners\n)")))
      << list.out;
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(\nkubernetes/ +kubernetes +)")))
      << list.out;
  auto list_json = Ctl({"auth", "list", "-o", "json"});
  auto ldoc = ParseJson(list_json.out);
  auto ldata = json::Object(ldoc, "data");
  ASSERT_TRUE(ldata.ok()) << list_json.out;
  EXPECT_NE(json::Find(**ldata, "kubernetes/"), nullptr);

  std::string ca_file = ::testing::TempDir() + "/cli_k8s_ca.crt";
  std::string reviewer_file = ::testing::TempDir() + "/cli_reviewer.jwt";
  const std::string reviewer = "eyJhbGciOiJSUzI1NiJ9.REVIEWER-CANARY-7731.c2ln";
  std::ofstream(ca_file, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nMIIB\n"
                                             "-----END CERTIFICATE-----\n";
  std::ofstream(reviewer_file, std::ios::trunc) << reviewer << "\n";
  auto cfg = Ctl({"write-kubernetes-config", "--host", "https://127.0.0.1:6443", "--ca-cert-file",
                  ca_file, "--token-reviewer-jwt-file", reviewer_file, "--issuer",
                  "https://kubernetes.default.svc.cluster.local"});
  ASSERT_EQ(cfg.exit_code, 0) << cfg.err;
  EXPECT_EQ(cfg.out, "Success! Data written to: auth/kubernetes/config\n");
  auto stored = ParseJson(env_.Setup("GET", "auth/kubernetes/config"));
  auto sdata = json::Object(stored, "data");
  ASSERT_TRUE(sdata.ok());
  EXPECT_EQ(*json::String(**sdata, "kubernetes_host"), "https://127.0.0.1:6443");
  EXPECT_EQ(*json::String(**sdata, "issuer"), "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(std::string(*json::String(**sdata, "kubernetes_ca_cert")).rfind("-----BEGIN", 0), 0u);
  EXPECT_EQ(Ctl({"write-kubernetes-config", "--path", "nowhere", "--host", "https://h"}).exit_code,
            1);
  EXPECT_EQ(Ctl({"write-kubernetes-config", "--host", "https://h", "--token-reviewer-jwt-file",
                 "/nonexistent"})
                .exit_code,
            2);

  auto role = Ctl({"role", "write", "vaultsync", "bound_service_account_names=vaultsync",
                   "bound_service_account_namespaces=vaultsync,demo", "token_policies=app-read",
                   "token_ttl=1h"});
  ASSERT_EQ(role.exit_code, 0) << role.err;
  EXPECT_EQ(role.out, "Success! Data written to: auth/kubernetes/role/vaultsync\n");
  auto read = Ctl({"role", "read", "vaultsync"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find("bound_service_account_namespaces   [\"vaultsync\",\"demo\"]\n"),
            std::string::npos)
      << read.out;
  EXPECT_NE(read.out.find("token_ttl                          3600\n"), std::string::npos)
      << read.out;
  auto read_json = Ctl({"role", "read", "-o", "json", "vaultsync"});
  auto rdoc = ParseJson(read_json.out);
  EXPECT_TRUE(json::Object(rdoc, "data").ok()) << read_json.out;
  auto refused = Ctl({"role", "write", "bad", "token_ttl=1h"});  // no bound names
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("bound_service_account_names"), std::string::npos) << refused.err;
  EXPECT_EQ(Ctl({"role", "read", "nosuch"}).exit_code, 1);

  // An AppRole made and used with vaultsyncctl alone.
  ASSERT_EQ(Ctl({"role", "write", "--auth-path", "ci", "sync", "token_policies=app-read",
                 "token_ttl=10m"})
                .exit_code,
            0);
  auto rid = Ctl({"approle", "role-id", "--auth-path", "ci", "sync"});
  ASSERT_EQ(rid.exit_code, 0) << rid.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(rid.out, m, std::regex(R"(^role_id   ([-0-9a-f]{36})\n$)")))
      << rid.out;
  const std::string role_id = m[1];
  auto sid = Ctl({"approle", "secret-id", "--auth-path", "ci", "--show-secret-id", "sync"});
  ASSERT_EQ(sid.exit_code, 0) << sid.err;
  ASSERT_TRUE(std::regex_search(sid.out, m, std::regex(R"(^secret_id +([-0-9a-f]{36})\n)")))
      << sid.out;
  EXPECT_NE(sid.out.find("secret_id_accessor"), std::string::npos);
  const std::string secret_id = m[1];
  auto sid_json = Ctl({"approle", "secret-id", "--auth-path", "ci", "-o", "json", "sync"});
  auto sdoc = ParseJson(sid_json.out);
  auto sjdata = json::Object(sdoc, "data");
  ASSERT_TRUE(sjdata.ok()) << sid_json.out;
  EXPECT_TRUE(json::String(**sjdata, "secret_id").ok());
  EXPECT_EQ(Ctl({"approle", "secret-id", "--auth-path", "ci", "sync"}).exit_code, 2);

  std::string sid_file = ::testing::TempDir() + "/cli_admin_secret_id";
  std::ofstream(sid_file, std::ios::trunc) << secret_id << "\n";
  auto login = Run({"--address", env_.url(), "--auth-mount", "ci", "--role-id", role_id,
                    "--secret-id-file", sid_file, "get", "--mount", "apps", "app/db"});
  EXPECT_EQ(login.exit_code, 0) << login.err;
  EXPECT_NE(login.out.find("password   pw\n"), std::string::npos) << login.out;
  // Only the verbs that were asked to print a secret_id did.
  for (const auto& o : outputs_) {
    EXPECT_EQ(o.find(reviewer), std::string::npos) << o;
    EXPECT_EQ(o.find("REVIEWER-CANARY"), std::string::npos) << o;
  }
}

// TLS: a Vault whose certificate the CLI cannot verify gets a hint naming the flags that fix
// it; the same server passes with its CA (--ca-cert or VAULT_CACERT) or --skip-verify.
TEST(CliTls, HandshakeFailureNamesCaCertAndSkipVerify) {
  namespace vt = vault::testing;
  auto ca = vt::MakeCa("vaultsyncctl test CA");
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto cert = vt::MakeServerCert(*ca, "vault", {"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  const std::string dir = ::testing::TempDir() + "/cli_tls_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/ca.pem") << ca->cert_pem;
  std::ofstream(dir + "/tls.crt") << cert->cert_pem;
  std::ofstream(dir + "/tls.key") << cert->key_pem;
  auto emu = vaultsync::testing::StartEmulator(
      "vault-emulator", {"--dev-root-token", "root", "--tls-cert-file", dir + "/tls.crt",
                         "--tls-key-file", dir + "/tls.key"});
  ASSERT_TRUE(emu.ok()) << emu.status().ToString();
  ASSERT_EQ(emu->url.rfind("https://", 0), 0u) << emu->url;
  auto run = [&](std::vector<std::string> args, vaultsync::testing::Env env = {}) {
    args.insert(args.begin(), {"--address", emu->url});
    vaultsync::testing::Env full = {
        {"VAULT_CACERT", ""}, {"VAULT_SKIP_VERIFY", ""}, {"VAULT_TOKEN", ""}};
    for (auto& [k, v] : env) {
      for (auto& e : full) {
        if (e.first == k) e.second = v;
      }
    }
    env = full;
    return vaultsync::testing::RunCommand(vaultsync::testing::BinaryPath("vaultsyncctl"), args, env,
                                          "", std::chrono::seconds(60));
  };
  auto refused = run({"health"});
  EXPECT_EQ(refused.exit_code, 1);
  for (const char* want : {"hint: the TLS connection to Vault failed", "--ca-cert FILE",
                           "VAULT_CACERT", "--skip-verify"}) {
    EXPECT_NE(refused.err.find(want), std::string::npos) << want << "\n" << refused.err;
  }
  auto refused_login = run({"--token", "root", "get", "app/db"});
  EXPECT_EQ(refused_login.exit_code, 1);
  EXPECT_NE(refused_login.err.find("--ca-cert FILE"), std::string::npos) << refused_login.err;
  EXPECT_EQ(run({"--ca-cert", dir + "/ca.pem", "health"}).exit_code, 0);
  EXPECT_EQ(run({"health"}, {{"VAULT_CACERT", dir + "/ca.pem"}}).exit_code, 0);
  EXPECT_EQ(run({"--skip-verify", "health"}).exit_code, 0);
  emu->process->Stop();
  std::filesystem::remove_all(dir);
}

TEST_F(Cli, PoliciesAndPolicy) {
  env_.Setup("PUT", "sys/policies/acl/app-read",
             R"({"policy":"path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"})");
  auto list = Ctl({"policies"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("app-read\n"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("default\n"), std::string::npos);
  auto one = Ctl({"policy", "app-read"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n");
  auto js = Ctl({"policy", "-o", "json", "app-read"});
  auto doc = ParseJson(js.out);
  auto data = json::Object(doc, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*json::String(**data, "name"), "app-read");
  auto missing = Ctl({"policy", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
}

TEST_F(Cli, RefusalsExitOneAndNeverShowSecrets) {
  const std::string canary = "CANARY-cli-4471";
  ASSERT_EQ(Ctl({"put", "app/db", "password=" + canary}).exit_code, 0);
  std::string weak = EmulatorEnv::Field(
      env_.Setup("POST", "auth/token/create", R"({"policies":["default"],"ttl":"10m"})"), "auth",
      "client_token");
  auto denied =
      Run({"--address", env_.url(), "--token", weak, "get", "--kv-version", "2", "app/db"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("permission denied"), std::string::npos) << denied.err;
  EXPECT_EQ(denied.err.find(weak), std::string::npos);
  auto nodetect = Run({"--address", env_.url(), "--token", weak, "get", "app/db"});
  EXPECT_EQ(nodetect.exit_code, 1);
  EXPECT_NE(nodetect.err.find("--kv-version"), std::string::npos) << nodetect.err;
  auto stale = Ctl({"put", "--cas", "7", "app/db", "password=" + canary});
  EXPECT_EQ(stale.exit_code, 1);
  auto unreachable = Run({"--address", "http://127.0.0.1:1", "--token", token_, "get", "app/db"});
  EXPECT_EQ(unreachable.exit_code, 1);
  for (const auto& o : outputs_) {
    if (o.find("Success!") != std::string::npos) continue;  // the successful put's output
    EXPECT_EQ(o.find(canary), std::string::npos) << o;
    EXPECT_EQ(o.find(weak), std::string::npos) << o;
  }
}

TEST_F(Cli, EnvironmentSuppliesAddressAndToken) {
  ASSERT_EQ(Ctl({"put", "app/db", "k=v"}).exit_code, 0);
  auto r = Run({"get", "app/db"}, {{"VAULT_ADDR", env_.url()}, {"VAULT_TOKEN", token_}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("k     v\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vaultsync::cli
