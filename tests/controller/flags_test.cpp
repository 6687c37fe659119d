// Tests of the operator's flag and environment parsing: defaults, both flag spellings,
// precedence of flags over the environment, and a clear error naming the flag for bad input.
#include "controller/flags.h"

#include "controller/watch_label_selector.h"

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

// SPEC round 2: no client-side rate limit by default (controller-runtime since v0.21); a
// positive --kube-qps sets the token bucket; 0 is allowed, a negative rate is not.
TEST(OperatorFlags, KubeQpsDefaultsToNoClientSideLimit) {
  auto f = ParseOperatorFlags({}, Env({}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->options.manager.kube.qps, 0);
  f = ParseOperatorFlags({"--kube-qps=50", "--kube-burst=80"}, Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->options.manager.kube.qps, 50);
  EXPECT_EQ(f->options.manager.kube.burst, 80);
  f = ParseOperatorFlags({"--kube-qps", "0"}, Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->options.manager.kube.qps, 0);
  auto bad = ParseOperatorFlags({"--kube-qps=-1"}, Env({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--kube-qps must be 0 (no client-side limit) or positive");
}

TEST(OperatorFlags, RolloutRestartCoalesce) {
  auto f = ParseOperatorFlags({}, Env({}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->options.rollout_restart_coalesce, 5s);
  f = ParseOperatorFlags({"--rollout-restart-coalesce=750ms"}, Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->options.rollout_restart_coalesce, 750ms);
  f = ParseOperatorFlags({"--rollout-restart-coalesce", "0"}, Env({}));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->options.rollout_restart_coalesce, 0ms);
  auto bad = ParseOperatorFlags({"--rollout-restart-coalesce=soon"}, Env({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--rollout-restart-coalesce"), std::string::npos);
  EXPECT_NE(OperatorUsage().find("--rollout-restart-coalesce"), std::string::npos);
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
      {{"--watch-label-selector", "sharding.vaultsync.io/key in shard-1"},
       "--watch-label-selector"},
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

// Sharding (SPEC round 2): the selector is checked at start and kept in canonical form, and
// it names the shard's own Lease; without it the Lease keeps its pre-sharding name.
TEST(OperatorFlags, WatchLabelSelectorNamesTheShardAndItsLease) {
  auto plain = ParseOperatorFlags({}, Env({}));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->options.watch_label_selector, "");
  EXPECT_EQ(plain->options.manager.leader_election_id, "vaultsync-leader");

  auto s1 = ParseOperatorFlags({"--watch-label-selector", "sharding.vaultsync.io/key in (shard-1)"},
                               Env({}));
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(s1->options.watch_label_selector, "sharding.vaultsync.io/key in (shard-1)");
  const std::string lease1 = s1->options.manager.leader_election_id;
  EXPECT_EQ(lease1, ShardLeaseName("vaultsync-leader", "sharding.vaultsync.io/key in (shard-1)"));
  EXPECT_EQ(lease1.rfind("vaultsync-leader-", 0), 0u) << lease1;

  // Spelled differently, the same shard: the same Lease.
  auto s1b = ParseOperatorFlags({"--watch-label-selector=sharding.vaultsync.io/key in(shard-1 )"},
                                Env({}));
  ASSERT_TRUE(s1b.ok()) << s1b.status().ToString();
  EXPECT_EQ(s1b->options.manager.leader_election_id, lease1);

  auto s2 = ParseOperatorFlags({"--watch-label-selector", "sharding.vaultsync.io/key in (shard-2)"},
                               Env({}));
  auto rest = ParseOperatorFlags({"--watch-label-selector", "!sharding.vaultsync.io/key"}, Env({}));
  ASSERT_TRUE(s2.ok() && rest.ok());
  EXPECT_EQ(rest->options.watch_label_selector, "!sharding.vaultsync.io/key");
  EXPECT_NE(s2->options.manager.leader_election_id, lease1);
  EXPECT_NE(rest->options.manager.leader_election_id, lease1);
  EXPECT_NE(rest->options.manager.leader_election_id, s2->options.manager.leader_election_id);

  // An explicit --leader-election-id is the base the shard's hash is appended to.
  auto named = ParseOperatorFlags(
      {"--leader-election-id=mine", "--watch-label-selector=!sharding.vaultsync.io/key"}, Env({}));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->options.manager.leader_election_id,
            ShardLeaseName("mine", "!sharding.vaultsync.io/key"));
  // An empty selector selects everything: an unsharded replica.
  auto empty = ParseOperatorFlags({"--watch-label-selector="}, Env({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->options.manager.leader_election_id, "vaultsync-leader");
}

TEST(WatchLabelSelector, CanonicalFormSortsAndNormalises) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"", ""},
      {"   ", ""},
      {"app", "app"},
      {" !app ", "!app"},
      {"app==web", "app=web"},
      {"app = web", "app=web"},
      {"app!=web", "app!=web"},
      {"app=", "app="},
      {"tier notin (b, a ,a), app in (y,x)", "app in (x,y),tier notin (a,b)"},
      {"example.com/size>3", "example.com/size>3"},
      {"size < -2", "size<-2"},
      {"sharding.vaultsync.io/key in (shard-1)", "sharding.vaultsync.io/key in (shard-1)"},
  };
  for (const auto& c : cases) {
    auto got = CanonicalLabelSelector(c.in);
    ASSERT_TRUE(got.ok()) << c.in << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.out) << c.in;
  }
}

TEST(WatchLabelSelector, RejectsWhatTheApiServerRejects) {
  for (const char* bad :
       {"app in ()", "app in (a", "app in a", "app ~ web", "-app", "app-", "App.Example.com/x",
        "a/b/c", "app=-web", "size>x", "app,", ",app", "app web", "!app=web", "app in (a,,b"}) {
    auto got = CanonicalLabelSelector(bad);
    EXPECT_FALSE(got.ok()) << bad << " gave " << (got.ok() ? *got : "");
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
  std::string long_name(64, 'a');
  EXPECT_FALSE(CanonicalLabelSelector(long_name).ok());
  EXPECT_TRUE(CanonicalLabelSelector(std::string(63, 'a')).ok());
}

TEST(WatchLabelSelector, OnlySelectorsOverTheShardLabelAloneNarrowTheSecretCache) {
  for (const char* yes : {"sharding.vaultsync.io/key in (shard-1)", "!sharding.vaultsync.io/key",
                          "sharding.vaultsync.io/key=a", "sharding.vaultsync.io/key notin (a,b)",
                          "sharding.vaultsync.io/key,sharding.vaultsync.io/key!=b"}) {
    auto canonical = CanonicalLabelSelector(yes);
    ASSERT_TRUE(canonical.ok()) << yes;
    EXPECT_TRUE(SelectsOnlyByShardLabel(*canonical)) << yes;
  }
  // Another label, even beside the shard label, is not carried by Secrets; "" selects all.
  for (const char* no : {"", "team=a", "sharding.vaultsync.io/key=a,team=a",
                         "sharding.vaultsync.io/keys=a", "example.com/sharding.vaultsync.io"}) {
    auto canonical = CanonicalLabelSelector(no);
    ASSERT_TRUE(canonical.ok()) << no;
    EXPECT_FALSE(SelectsOnlyByShardLabel(*canonical)) << no;
  }
}

TEST(WatchLabelSelector, LeaseNameIsStableAndKeepsTheUnshardedName) {
  EXPECT_EQ(ShardLeaseName("vaultsync-leader", ""), "vaultsync-leader");
  // FNV-1a 32 of the canonical selector: fixed across versions, so a rolling upgrade of a
  // shard keeps its Lease. (Value computed independently with Python.)
  EXPECT_EQ(ShardLeaseName("vaultsync-leader", "!sharding.vaultsync.io/key"),
            "vaultsync-leader-58c55b71");
  EXPECT_EQ(ShardLeaseName("vaultsync-leader", "sharding.vaultsync.io/key in (shard-1)"),
            "vaultsync-leader-443ea994");
}

TEST(OperatorFlags, HelpListsEveryFlag) {
  std::string usage = OperatorUsage();
  for (const char* flag :
       {"--leader-elect", "--vault-jwt-file", "--watch-namespaces", "--allow-operator-identity",
        "--metrics-bind-address", "--watch-label-selector"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace vaultsync::controller
