// The real vaultsyncctl binary against the vault-emulator: every verb in text and JSON,
// kv-v1 and kv-v2 mounts, exit codes 0/1/2, and no token or secret value ever printed.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "emulator_env.h"
#include "process.h"
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
