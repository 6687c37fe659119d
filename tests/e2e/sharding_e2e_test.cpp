// Sharding end to end (issue #14, section 2), with real operator binaries: four replicas, three
// selecting `sharding.vaultsync.io/key in (shard-N)` and one `!sharding.vaultsync.io/key`, each
// electing its leader on its own Lease. Every resource's Secret is written by exactly one
// replica (the kube emulator's request log names the writer: the User-Agent carries the
// replica's identity, which is its Lease's holderIdentity), the unlabelled VaultAuth and
// VaultConnection serve every shard, each shard watches only its own resources' Secrets (they
// carry their owner's shard label), and relabelling a resource from shard-1 to shard-2 hands
// it over: shard-1 forgets it (no write, no delete), shard-2 takes it with exactly one write
// (the Secret's shard label; the data untouched) and writes the next change.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <sstream>

#include "e2e_env.h"
#include "util/base64.h"
#include "util/json.h"

namespace vaultsync::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVss = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets";

struct Shard {
  std::string name;      // "shard-1", ... or "default"
  std::string selector;  // --watch-label-selector
  std::string lease;     // the Lease it must elect its leader on (README, "Sharding")
  Env::Operator op;
  std::string identity;  // its leader's holderIdentity
};

// A successful write by an operator (not by the test's kubectl or admin calls).
bool IsWrite(const Env::LoggedRequest& r) {
  return r.user_agent.rfind("vaultsync-operator", 0) == 0 &&
         (r.method == "POST" || r.method == "PUT" || r.method == "PATCH" || r.method == "DELETE") &&
         r.status >= 200 && r.status < 300;
}

// Who sent a request: the shard whose identity its User-Agent carries ("" = none of them).
std::string Writer(const Env::LoggedRequest& r, const std::vector<Shard>& shards) {
  for (const Shard& s : shards) {
    if (!s.identity.empty() && r.user_agent.find("(" + s.identity + ")") != std::string::npos)
      return s.name;
  }
  return "";
}

// The resource a write is about: demo/<name> of a Secret or VaultStaticSecret (status) path,
// "" for a create (POST, no name in its path) or anything else.
std::string WrittenName(const Env::LoggedRequest& r, const std::string& prefix) {
  if (r.path.rfind(prefix, 0) != 0) return "";
  std::string rest = r.path.substr(prefix.size());
  size_t slash = rest.find('/');
  return slash == std::string::npos ? rest : rest.substr(0, slash);
}

// Whether a replica's /metrics has the per-resource series of demo/<name> (set by every
// successful reconcile, dropped when the replica forgets the resource).
bool HasSeries(const Env::Operator& op, const std::string& name) {
  std::istringstream in(Env::HttpGet(op.metrics_port, "/metrics"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("vaultsync_secret_refresh_interval_seconds{", 0) == 0 &&
        line.find("name=\"" + name + "\"") != std::string::npos)
      return true;
  }
  return false;
}

// The sharding label of Secret demo/<name>, nullopt when it has none.
std::optional<std::string> SecretShard(Env& env, const std::string& name) {
  return env.ObjectString("/api/v1/namespaces/demo/secrets/" + name,
                          {"metadata", "labels", "sharding.vaultsync.io/key"});
}

std::string Value(Env& env, const std::string& name) {
  auto d = env.SecretData("demo", name);
  return d && d->count("v") ? d->at("v") : "";
}

TEST(ShardingE2E, EachResourceHasOneWriterAndRelabellingHandsItOver) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  // Identity objects without any shard label: every shard must see them.
  env->Apply(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"vault-token","namespace":"demo"},
      "data":{"token":")" +
      base64::Encode(kRootToken) + R"("}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
      "metadata":{"name":"vault","namespace":"demo"},"spec":{"address":")" +
             env->vault_url() + R"("}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
      "metadata":{"name":"token","namespace":"demo"},
      "spec":{"vaultConnectionRef":"vault","method":"token","token":{"secretRef":"vault-token"}}})");

  // resource -> shard label ("" = unlabelled)
  const std::map<std::string, std::string> resources = {{"r1a", "shard-1"}, {"r1b", "shard-1"},
                                                        {"r2", "shard-2"},  {"r3", "shard-3"},
                                                        {"u1", ""},         {"u2", ""}};
  auto apply_vss = [&](const std::string& name, const std::string& shard) {
    std::string labels =
        shard.empty() ? "{}" : R"({"sharding.vaultsync.io/key":")" + shard + R"("})";
    env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret",
        "metadata":{"name":")" +
               name + R"(","namespace":"demo","labels":)" + labels +
               R"(},"spec":{"vaultAuthRef":"token","mount":"secret","path":"app/)" + name +
               R"(","refreshAfter":"1s","destination":{"name":")" + name + R"("}}})");
  };
  for (const auto& [name, shard] : resources) {
    env->VaultPut("app/" + name, R"({"v":")" + name + R"(-1"})");
    apply_vss(name, shard);
  }

  // The Lease names are fixed by the README ("Sharding"): <id>-<FNV-1a 32 of the selector>.
  std::vector<Shard> shards;
  for (const auto& [name, selector, lease] : std::vector<std::array<std::string, 3>>{
           {"shard-1", "sharding.vaultsync.io/key in (shard-1)", "vaultsync-leader-443ea994"},
           {"shard-2", "sharding.vaultsync.io/key in (shard-2)", "vaultsync-leader-c437244f"},
           {"shard-3", "sharding.vaultsync.io/key in (shard-3)", "vaultsync-leader-283a0052"},
           {"default", "!sharding.vaultsync.io/key", "vaultsync-leader-58c55b71"}}) {
    Shard s;
    s.name = name;
    s.selector = selector;
    s.lease = lease;
    shards.push_back(std::move(s));
  }
  for (Shard& s : shards) {
    s.op = env->StartOperator(
        {"--watch-label-selector", s.selector, "--leader-elect", "--leader-election-namespace",
         "demo", "--leader-election-lease-duration", "6s", "--leader-election-renew-deadline", "4s",
         "--leader-election-retry-period", "1s"});
    ASSERT_NE(s.op.process, nullptr);
  }
  for (Shard& s : shards) {
    ASSERT_TRUE(s.op.process->WaitForOutput("became leader", 30s)) << s.name << "\n"
                                                                   << s.op.process->Stderr();
    const std::string lease = "/apis/coordination.k8s.io/v1/namespaces/demo/leases/" + s.lease;
    s.identity = env->ObjectString(lease, {"spec", "holderIdentity"}).value_or("");
    ASSERT_FALSE(s.identity.empty()) << s.name << " has no Lease " << s.lease;
    EXPECT_NE(s.op.process->Stderr().find("identity=" + s.identity), std::string::npos)
        << s.name << " is not the holder of its own Lease";
  }
  EXPECT_FALSE(env->ObjectString("/apis/coordination.k8s.io/v1/namespaces/demo/leases/"
                                 "vaultsync-leader",
                                 {"spec", "holderIdentity"})
                   .has_value())
      << "no shard uses the unsharded Lease";

  for (const auto& [name, shard] : resources) {
    ASSERT_TRUE(WaitFor([&] { return Value(*env, name) == name + "-1"; }, 30s))
        << name << "\n"
        << shards[0].op.process->Stderr();
  }
  auto shard_of = [&](const std::string& name) {
    const std::string& label = resources.at(name);
    return label.empty() ? std::string("default") : label;
  };
  // Every status write names its resource: each comes from the resource's shard only; each
  // shard created exactly as many Secrets as it has resources.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& [name, _] : resources) {
          if (env->Ready("vaultstaticsecrets", "demo", name) != "True/Synced") return false;
        }
        return true;
      },
      30s));
  std::map<std::string, int> creates;
  std::map<std::string, std::set<std::string>> status_writers;
  for (const auto& r : env->KubeRequests()) {
    if (!IsWrite(r)) continue;
    std::string who = Writer(r, shards);
    if (r.method == "POST" && r.path == "/api/v1/namespaces/demo/secrets") ++creates[who];
    if (std::string n = WrittenName(r, std::string(kVss) + "/"); !n.empty())
      status_writers[n].insert(who);
    if (std::string n = WrittenName(r, "/api/v1/namespaces/demo/secrets/"); !n.empty()) {
      ASSERT_TRUE(resources.count(n) == 0 || who == shard_of(n))
          << "Secret " << n << " written by " << who << " (" << r.method << ")";
    }
  }
  for (const auto& [name, _] : resources) {
    EXPECT_EQ(status_writers[name], std::set<std::string>{shard_of(name)}) << name;
  }
  EXPECT_EQ(creates["shard-1"], 2);
  EXPECT_EQ(creates["shard-2"], 1);
  EXPECT_EQ(creates["shard-3"], 1);
  EXPECT_EQ(creates["default"], 2);

  // Each Secret carries its owner's shard label (none for the unlabelled resources).
  for (const auto& [name, shard] : resources) {
    EXPECT_EQ(SecretShard(*env, name),
              shard.empty() ? std::nullopt : std::optional<std::string>(shard))
        << name;
  }

  // A shard-1 resource naming shard-2's Secret, with overwrite: shard-1 does not cache r2, so
  // it asks the API server whose the Secret is, finds r2 alive, and refuses.
  env->VaultPut("app/c1", R"({"v":"c1-1"})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret",
      "metadata":{"name":"c1","namespace":"demo","labels":{"sharding.vaultsync.io/key":"shard-1"}},
      "spec":{"vaultAuthRef":"token","mount":"secret","path":"app/c1","refreshAfter":"1h",
      "destination":{"name":"r2","overwrite":true}}})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "c1") == "False/SecretConflict"; },
      30s))
      << env->Ready("vaultstaticsecrets", "demo", "c1") << "\n"
      << shards[0].op.process->Stderr();
  EXPECT_EQ(Value(*env, "r2"), "r2-1");
  EXPECT_EQ(SecretShard(*env, "r2"), "shard-2");

  // Scope per kind: a shard lists its reconciled kinds and the Secrets vaultsync manages with
  // its selector; the identity objects, and the other Secrets (sources of VaultPushSecrets),
  // without it.
  auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  std::map<std::string, int> selected_lists;  // "vss" / "secrets" -> lists with the selector
  int owner_lookups = 0;                      // shard-1's lists of r2 by name, for c1's conflict
  for (const auto& r : env->KubeRequests()) {
    if (r.method != "GET" || Writer(r, shards).empty()) continue;
    if (r.query.find("fieldSelector=metadata.name%3Dr2") != std::string::npos &&
        ends_with(r.path, "/vaultstaticsecrets")) {
      EXPECT_EQ(Writer(r, shards), "shard-1") << r.path << "?" << r.query;
      ++owner_lookups;
      continue;
    }
    bool selected = r.query.find("sharding.vaultsync.io") != std::string::npos;
    if (ends_with(r.path, "/vaultstaticsecrets")) {
      EXPECT_TRUE(selected) << r.path << "?" << r.query;
      selected_lists["vss"] += selected;
    } else if (ends_with(r.path, "/secrets")) {
      const bool managed = r.query.find("managed-by%3Dvaultsync") != std::string::npos;
      EXPECT_EQ(selected, managed) << r.path << "?" << r.query;
      selected_lists["secrets"] += selected;
    } else if (r.path.find("/vaultauths") != std::string::npos ||
               r.path.find("/vaultconnections") != std::string::npos) {
      EXPECT_FALSE(selected) << r.path << "?" << r.query;
    }
  }
  EXPECT_GE(selected_lists["vss"], 4)
      << "every shard lists its VaultStaticSecrets with its selector";
  EXPECT_GE(selected_lists["secrets"], 4) << "every shard lists its Secrets with its selector";
  EXPECT_GE(owner_lookups, 1) << "shard-1 asked the API server whose Secret r2 is";

  // A Secret that loses its shard label by hand leaves its shard's watch: the shard puts the
  // label back (and nothing else changes).
  auto unlabel =
      env->Kubectl({"label", "-n", "demo", "secret", "r3", "sharding.vaultsync.io/key-"});
  ASSERT_EQ(unlabel.exit_code, 0) << unlabel.out << unlabel.err;
  ASSERT_TRUE(WaitFor([&] { return SecretShard(*env, "r3") == "shard-3"; }, 30s))
      << shards[2].op.process->Stderr();
  EXPECT_EQ(Value(*env, "r3"), "r3-1");

  // Hand r1a over from shard-1 to shard-2.
  const int64_t before = env->KubeRequests().back().seq;
  auto relabel = env->Kubectl({"label", "--overwrite", "-n", "demo", "vaultstaticsecret", "r1a",
                               "sharding.vaultsync.io/key=shard-2"});
  ASSERT_EQ(relabel.exit_code, 0) << relabel.out << relabel.err;
  // Shard-1 forgets it (its series go), shard-2 has reconciled it (its series come).
  ASSERT_TRUE(WaitFor([&] { return !HasSeries(shards[0].op, "r1a"); }, 30s))
      << shards[0].op.process->Stderr();
  ASSERT_TRUE(WaitFor([&] { return HasSeries(shards[1].op, "r1a"); }, 30s))
      << shards[1].op.process->Stderr();
  EXPECT_TRUE(HasSeries(shards[0].op, "r1b")) << "shard-1 keeps its other resource";
  // Nothing changed in Vault: the handover wrote only the Secret's new shard label, once, by
  // shard-2 (after which shard-2 watches it), and no status.
  ASSERT_TRUE(WaitFor([&] { return SecretShard(*env, "r1a") == "shard-2"; }, 30s))
      << shards[1].op.process->Stderr();
  EXPECT_EQ(Value(*env, "r1a"), "r1a-1");
  int handover_writes = 0;
  for (const auto& r : env->KubeRequests()) {
    if (r.seq <= before || !IsWrite(r)) continue;
    if (WrittenName(r, "/api/v1/namespaces/demo/secrets/") == "r1a") {
      ++handover_writes;
      EXPECT_EQ(Writer(r, shards), "shard-2") << r.method << " " << r.path;
      EXPECT_EQ(r.method, "PUT") << r.path;
    }
    EXPECT_NE(WrittenName(r, std::string(kVss) + "/"), "r1a")
        << r.method << " " << r.path << " by " << Writer(r, shards);
  }
  EXPECT_EQ(handover_writes, 1);

  // The next change is shard-2's to write.
  env->VaultPut("app/r1a", R"({"v":"r1a-2"})");
  ASSERT_TRUE(WaitFor([&] { return Value(*env, "r1a") == "r1a-2"; }, 30s))
      << shards[1].op.process->Stderr();
  int by_shard2 = 0;
  for (const auto& r : env->KubeRequests()) {
    if (r.seq <= before) continue;
    std::string who = Writer(r, shards);
    std::string secret = WrittenName(r, "/api/v1/namespaces/demo/secrets/");
    std::string vss = WrittenName(r, std::string(kVss) + "/");
    if (r.method == "DELETE") {
      EXPECT_TRUE(secret.empty() && vss.empty()) << "deleted " << r.path << " by " << who;
    }
    if (!IsWrite(r) || (secret != "r1a" && vss != "r1a")) continue;
    EXPECT_EQ(who, "shard-2") << r.method << " " << r.path;
    if (secret == "r1a") ++by_shard2;
  }
  EXPECT_GE(by_shard2, 1) << "shard-2 wrote the new value";
  EXPECT_EQ(env->Ready("vaultstaticsecrets", "demo", "r1a"), "True/Synced");

  for (Shard& s : shards) EXPECT_EQ(s.op.process->Stop(), 0) << s.name << s.op.process->Stderr();
}

}  // namespace
}  // namespace vaultsync::e2e
