// Tests of the operator's flag and environment parsing: defaults, both flag spellings,
// precedence of flags over the environment, and a clear error naming the flag for bad input.
#include "controller/flags.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(OperatorFlags, DefaultsFollowTheSpec) {
  auto f = ParseOperatorFlags({}, Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const runtime::ManagerOptions& m = f->options.manager;
  EXPECT_FALSE(m.leader_elect);
  EXPECT_EQ(m.lease_duration, 15s);
  EXPECT_EQ(m.renew_deadline, 10s);
  EXPECT_EQ(m.retry_period, 2s);
  EXPECT_EQ(f->options.defaults.auth_method, AuthMethod::kKubernetes);
  EXPECT_TRUE(f->options.defaults.allow_operator_identity);
  EXPECT_EQ(f->options.defaults.jwt_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  EXPECT_EQ(f->log_format, log::Format::kJson);
  EXPECT_EQ(f->log_level, log::Level::kInfo);
}

TEST(OperatorFlags, BothSpellingsAndBooleans) {
  auto f = ParseOperatorFlags(
      {"--leader-elect", "--leader-election-lease-duration=30s", "--leader-election-renew-deadline",
       "20s", "--allow-operator-identity=false", "--watch-namespaces", "a,,b",
       "--max-concurrent-reconciles=8", "--log-format", "text"},
      Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->options.manager.leader_elect);
  EXPECT_EQ(f->options.manager.lease_duration, 30s);
  EXPECT_EQ(f->options.manager.renew_deadline, 20s);
  EXPECT_FALSE(f->options.defaults.allow_operator_identity);
  EXPECT_EQ(f->options.watch_namespaces, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f->options.max_concurrent_reconciles, 8);
  EXPECT_EQ(f->log_format, log::Format::kText);
}

TEST(OperatorFlags, VaultDefaultsComeFromTheEnvironmentButFlagsWin) {
  auto env = Env({{"VAULT_ADDR", "https://vault.example:8200/"},
                  {"VAULT_TOKEN", "t"},
                  {"VAULTSYNC_SERVICEACCOUNT_DIR", "/sa"}});
  auto f = ParseOperatorFlags({}, env);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->options.defaults.vault_address, "https://vault.example:8200");
  EXPECT_EQ(f->options.defaults.vault_token, "t");
  EXPECT_EQ(f->options.defaults.jwt_file, "/sa/token");
  auto g = ParseOperatorFlags({"--default-vault-address", "http://other:8200"}, env);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->options.defaults.vault_address, "http://other:8200");
}

TEST(OperatorFlags, VaultJwtFileFromFlagThenEnvironmentThenServiceAccount) {
  auto env = Env(
      {{"VAULTSYNC_SERVICEACCOUNT_DIR", "/sa"}, {"VAULTSYNC_VAULT_JWT_FILE", "/sa/vault-token"}});
  auto from_env = ParseOperatorFlags({}, env);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->options.defaults.jwt_file, "/sa/vault-token");
  auto from_flag = ParseOperatorFlags({"--vault-jwt-file=/custom/jwt"}, env);
  ASSERT_TRUE(from_flag.ok());
  EXPECT_EQ(from_flag->options.defaults.jwt_file, "/custom/jwt");
  auto empty_env = ParseOperatorFlags(
      {}, Env({{"VAULTSYNC_SERVICEACCOUNT_DIR", "/sa"}, {"VAULTSYNC_VAULT_JWT_FILE", ""}}));
  ASSERT_TRUE(empty_env.ok());
  EXPECT_EQ(empty_env->options.defaults.jwt_file, "/sa/token");
}

TEST(OperatorFlags, OperatorNamespaceFromTheServiceAccountDirectory) {
  std::string dir = ::testing::TempDir() + "/flags-sa";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/namespace") << "vaultsync-system\n";
  auto f = ParseOperatorFlags(
      {}, Env({{"VAULTSYNC_SERVICEACCOUNT_DIR", dir}, {"POD_NAMESPACE", "ignored"}}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->options.operator_namespace, "vaultsync-system");
  auto g = ParseOperatorFlags({"--operator-namespace", "ops"},
                              Env({{"VAULTSYNC_SERVICEACCOUNT_DIR", dir}}));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->options.operator_namespace, "ops");
}

TEST(OperatorFlags, BadInputNamesTheFlag) {
  struct Case {
    std::vector<std::string> argv;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {{"--no-such-flag"}, "--no-such-flag"},
      {{"stray"}, "stray"},
      {{"--kubeconfig"}, "--kubeconfig needs a value"},
      {{"--leader-elect=maybe"}, "--leader-elect"},
      {{"--leader-election-retry-period", "soon"}, "--leader-election-retry-period"},
      {{"--default-refresh", "-5s"}, "--default-refresh"},
      {{"--max-concurrent-reconciles", "0"}, "--max-concurrent-reconciles"},
      {{"--kube-qps", "x"}, "--kube-qps"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--default-auth-method", "ldap"}, "--default-auth-method"},
  };
  for (const auto& c : cases) {
    auto f = ParseOperatorFlags(c.argv, Env({}));
    ASSERT_FALSE(f.ok()) << c.argv[0];
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument) << c.argv[0];
    EXPECT_NE(f.status().message().find(c.mentions), std::string::npos)
        << f.status().message() << " should mention " << c.mentions;
  }
  auto bad_env = ParseOperatorFlags({}, Env({{"VAULT_SKIP_VERIFY", "perhaps"}}));
  ASSERT_FALSE(bad_env.ok());
  EXPECT_NE(bad_env.status().message().find("VAULT_SKIP_VERIFY"), std::string::npos);
}

TEST(OperatorFlags, HelpListsEveryFlag) {
  std::string usage = OperatorUsage();
  for (const char* flag : {"--leader-elect", "--vault-jwt-file", "--watch-namespaces",
                           "--allow-operator-identity", "--metrics-bind-address"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace vaultsync::controller
