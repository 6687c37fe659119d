// The Helm chart rendered with Helm's template engine (Go text/template + sprig, through
// tests/charts/render) for the default values and several value sets, then checked: every
// document parses, the kinds are the expected ones, the Deployment carries the restricted
// security settings and probes, RBAC grants exactly the verbs the operator uses and never "*",
// the chart's CRDs are byte-identical to the top-level crds/ (and, as templates, the same
// CRDs), values.schema.json types and describes every value and rejects what Helm would, the
// chart README's values table is the one generated from the schema, every CRD field is
// described, and the README states the CRDs' list limits.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "process.h"
#include "util/json.h"

namespace vaultsync {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Rendered {
  int exit_code = -1;
  std::string err;
  std::vector<YAML::Node> docs;  // non-empty documents only
  std::string notes;
};

// Renders the chart with release "vs" in namespace "vaultsync" and `values` files ("" = none).
Rendered Render(const std::vector<std::string>& values) {
  std::vector<std::string> args = {"--chart", VAULTSYNC_CHART_DIR, "--name",
                                   "vs",      "--namespace",       "vaultsync"};
  for (const auto& v : values) {
    args.push_back("--values");
    args.push_back(std::string(VAULTSYNC_CHART_VALUES_DIR) + "/" + v);
  }
  fs::path notes = fs::temp_directory_path() / ("vaultsync-notes-" + std::to_string(getpid()));
  args.push_back("--notes");
  args.push_back(notes.string());
  auto r = RunCommand(VAULTSYNC_CHART_RENDER, args, {}, "", std::chrono::seconds(60));
  Rendered out;
  out.exit_code = r.exit_code;
  out.err = r.err;
  if (r.exit_code != 0) return out;
  out.notes = ReadFile(notes);
  fs::remove(notes);
  for (const auto& d : YAML::LoadAll(r.out)) {  // throws (test fails) on invalid YAML
    if (d.IsMap()) out.docs.push_back(d);
  }
  return out;
}

std::multiset<std::string> Kinds(const Rendered& r) {
  std::multiset<std::string> k;
  for (const auto& d : r.docs) k.insert(d["kind"].as<std::string>());
  return k;
}

const YAML::Node* FindKind(const Rendered& r, const std::string& kind) {
  for (const auto& d : r.docs)
    if (d["kind"].as<std::string>() == kind) return &d;
  return nullptr;
}

std::set<std::string> Strings(const YAML::Node& seq) {
  std::set<std::string> s;
  for (const auto& x : seq) s.insert(x.as<std::string>());
  return s;
}

// "apiGroup/resource" -> verbs, over every rule of every Role/ClusterRole (of one namespace,
// or cluster-scoped ones when ns is "").
std::map<std::string, std::set<std::string>> Grants(const Rendered& r, const std::string& kind,
                                                    const std::string& ns) {
  std::map<std::string, std::set<std::string>> g;
  for (const auto& d : r.docs) {
    if (d["kind"].as<std::string>() != kind) continue;
    if (!ns.empty() && d["metadata"]["namespace"].as<std::string>() != ns) continue;
    for (const auto& rule : d["rules"]) {
      for (const auto& group : rule["apiGroups"]) {
        for (const auto& res : rule["resources"]) {
          std::string key = group.as<std::string>() + "/" + res.as<std::string>();
          if (rule["resourceNames"]) key += "#named";
          for (const auto& v : rule["verbs"]) g[key].insert(v.as<std::string>());
        }
      }
    }
  }
  return g;
}

std::map<std::string, std::set<std::string>> WatchGrants(bool token_request) {
  std::map<std::string, std::set<std::string>> g = {
      {"vaultsync.io/vaultstaticsecrets", {"list", "watch"}},
      {"vaultsync.io/vaultauths", {"list", "watch"}},
      {"vaultsync.io/vaultconnections", {"list", "watch"}},
      {"vaultsync.io/vaultstaticsecrets/status", {"patch"}},
      {"vaultsync.io/vaultauths/status", {"patch"}},
      {"vaultsync.io/vaultconnections/status", {"patch"}},
      {"vaultsync.io/vaultpushsecrets", {"list", "watch", "patch"}},
      {"vaultsync.io/vaultpushsecrets/status", {"patch"}},
      {"vaultsync.io/vaultdynamicsecrets", {"list", "watch", "patch"}},
      {"vaultsync.io/vaultpkisecrets", {"list", "watch", "patch"}},
      {"vaultsync.io/vaultdynamicsecrets/status", {"patch"}},
      {"vaultsync.io/vaultpkisecrets/status", {"patch"}},
      {"/secrets", {"get", "list", "watch", "create", "update"}},
      {"/events", {"create", "patch"}},
      {"apps/deployments", {"patch"}},
      {"apps/statefulsets", {"patch"}},
      {"apps/daemonsets", {"patch"}},
      {"argoproj.io/rollouts", {"patch"}},
  };
  if (token_request) g["/serviceaccounts/token"] = {"create"};
  return g;
}

const std::map<std::string, std::set<std::string>> kSelfGrants = {
    {"coordination.k8s.io/leases", {"get", "create", "update"}},
    {"/secrets#named", {"get"}},
    {"/secrets", {"create"}},
};

void ExpectNoWildcards(const Rendered& r) {
  for (const auto& d : r.docs) {
    std::string kind = d["kind"].as<std::string>();
    if (kind != "Role" && kind != "ClusterRole") continue;
    for (const auto& rule : d["rules"])
      for (const char* f : {"apiGroups", "resources", "verbs"})
        for (const auto& x : rule[f]) EXPECT_NE(x.as<std::string>(), "*") << kind << " " << f;
  }
}

// With `vault_token`, the serviceAccount.vaultAudience layout: a second token for Vault.
void ExpectSecureDeployment(const Rendered& r, bool vault_token = false) {
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  YAML::Node pod = (*dep)["spec"]["template"]["spec"];
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  ASSERT_EQ(pod["containers"].size(), 1u);
  YAML::Node c = pod["containers"][0];
  YAML::Node sc = c["securityContext"];
  EXPECT_TRUE(sc["runAsNonRoot"].as<bool>());
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
  EXPECT_EQ(Strings(sc["capabilities"]["drop"]), std::set<std::string>{"ALL"});
  EXPECT_EQ(sc["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  std::map<std::string, int> ports;
  for (const auto& p : c["ports"])
    ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  EXPECT_EQ(ports["health"], 8081);
  EXPECT_EQ(ports["metrics"], 8080);
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(), "health");
  for (const char* k : {"requests", "limits"})
    for (const char* res : {"cpu", "memory"})
      EXPECT_TRUE(c["resources"][k][res].IsDefined()) << k << "." << res;
  auto args = Strings(c["args"]);
  EXPECT_TRUE(args.count("--leader-elect"));
  EXPECT_TRUE(args.count("--health-probe-bind-address=:8081"));
  std::map<std::string, YAML::Node> env;
  for (const auto& e : c["env"]) env[e["name"].as<std::string>()] = YAML::Node(e);
  ASSERT_TRUE(env.count("VAULTSYNC_SERVICEACCOUNT_DIR"));
  EXPECT_EQ(env["VAULTSYNC_SERVICEACCOUNT_DIR"]["value"].as<std::string>(),
            "/var/run/secrets/vaultsync/serviceaccount");
  ASSERT_TRUE(env.count("POD_NAMESPACE"));
  EXPECT_EQ(env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(),
            "metadata.namespace");
  // The projected volume gives the token, ca.crt and namespace the operator reads there.
  std::set<std::string> projected;
  for (const auto& v : pod["volumes"]) {
    if (v["name"].as<std::string>() != "serviceaccount") continue;
    for (const auto& s : v["projected"]["sources"]) {
      if (s["serviceAccountToken"])
        projected.insert(s["serviceAccountToken"]["path"].as<std::string>());
      if (s["configMap"]) projected.insert(s["configMap"]["items"][0]["path"].as<std::string>());
      if (s["downwardAPI"])
        projected.insert(s["downwardAPI"]["items"][0]["path"].as<std::string>());
    }
  }
  std::set<std::string> want = {"token", "ca.crt", "namespace"};
  if (vault_token) want.insert("vault-token");
  EXPECT_EQ(projected, want);
  EXPECT_EQ(env.count("VAULTSYNC_VAULT_JWT_FILE"), vault_token ? 1u : 0u);
}

TEST(ChartTest, DefaultValues) {
  Rendered r = Render({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Kinds(r),
            (std::multiset<std::string>{"ServiceAccount", "Deployment", "ClusterRole",
                                        "ClusterRoleBinding", "Role", "RoleBinding", "Service"}));
  ExpectSecureDeployment(r);
  ExpectNoWildcards(r);
  EXPECT_EQ(Grants(r, "ClusterRole", ""), WatchGrants(true));
  EXPECT_EQ(Grants(r, "Role", "vaultsync"), kSelfGrants);
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ((*dep)["spec"]["replicas"].as<int>(), 1);
  YAML::Node c = (*dep)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["resources"]["requests"]["memory"].as<std::string>(), "96Mi");
  EXPECT_EQ(c["resources"]["limits"]["memory"].as<std::string>(), "128Mi");
  EXPECT_EQ(c["image"].as<std::string>(), "ghcr.io/vaultsync/vaultsync-operator:0.1.0");
  EXPECT_NE(r.notes.find("all namespaces"), std::string::npos);
  for (const auto& d : r.docs) {
    EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>(), "vaultsync");
    EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/instance"].as<std::string>(), "vs");
  }
}

TEST(ChartTest, WatchNamespacesGetRolesNotClusterRole) {
  Rendered r = Render({"watch-namespaces.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto kinds = Kinds(r);
  EXPECT_EQ(kinds.count("ClusterRole"), 0u);
  EXPECT_EQ(kinds.count("ClusterRoleBinding"), 0u);
  EXPECT_EQ(kinds.count("Role"), 3u);  // team-a, team-b, and the release namespace's own
  EXPECT_EQ(kinds.count("RoleBinding"), 3u);
  EXPECT_EQ(kinds.count("PodDisruptionBudget"), 1u);
  EXPECT_EQ(Grants(r, "Role", "team-a"), WatchGrants(true));
  EXPECT_EQ(Grants(r, "Role", "team-b"), WatchGrants(true));
  EXPECT_EQ(Grants(r, "Role", "vaultsync"), kSelfGrants);
  ExpectNoWildcards(r);
  ExpectSecureDeployment(r);
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ((*dep)["spec"]["replicas"].as<int>(), 2);
  auto args = Strings((*dep)["spec"]["template"]["spec"]["containers"][0]["args"]);
  EXPECT_TRUE(args.count("--watch-namespaces=team-a,team-b"));
  for (const auto& d : r.docs) {
    if (d["kind"].as<std::string>() != "RoleBinding") continue;
    EXPECT_EQ(d["subjects"][0]["namespace"].as<std::string>(), "vaultsync");
  }
}

TEST(ChartTest, MonitoringOnTokenRequestOff) {
  Rendered r = Render({"monitoring-no-tokenrequest.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto kinds = Kinds(r);
  for (const char* k : {"ServiceMonitor", "PrometheusRule", "ConfigMap", "NetworkPolicy"})
    EXPECT_EQ(kinds.count(k), 1u) << k;
  EXPECT_EQ(Grants(r, "ClusterRole", ""), WatchGrants(false));
  ExpectNoWildcards(r);
  ExpectSecureDeployment(r);
  const YAML::Node* sm = FindKind(r, "ServiceMonitor");
  ASSERT_NE(sm, nullptr);
  EXPECT_TRUE((*sm)["spec"]["endpoints"][0]["honorLabels"].as<bool>());
  EXPECT_EQ((*sm)["metadata"]["labels"]["release"].as<std::string>(), "prometheus");
  // The rule file and the dashboard are shipped verbatim (not templated by Helm).
  const YAML::Node* rule = FindKind(r, "PrometheusRule");
  ASSERT_NE(rule, nullptr);
  YAML::Node original =
      YAML::LoadFile(std::string(VAULTSYNC_CHART_DIR) + "/prometheus/prometheusrule.yaml");
  EXPECT_EQ(YAML::Dump((*rule)["spec"]), YAML::Dump(original["spec"]));
  const YAML::Node* cm = FindKind(r, "ConfigMap");
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ((*cm)["metadata"]["labels"]["grafana_dashboard"].as<std::string>(), "1");
  std::string dashboard = ReadFile(std::string(VAULTSYNC_CHART_DIR) + "/dashboards/vaultsync.json");
  while (!dashboard.empty() && dashboard.back() == '\n') dashboard.pop_back();
  EXPECT_EQ((*cm)["data"]["vaultsync.json"].as<std::string>(), dashboard);
  EXPECT_TRUE(json::Parse((*cm)["data"]["vaultsync.json"].as<std::string>()).ok());
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ((*dep)["spec"]["template"]["spec"]["volumes"][0]["projected"]["sources"][0]
                  ["serviceAccountToken"]["audience"]
                      .as<std::string>(),
            "vault");
}

TEST(ChartTest, DefaultObjectsAndScheduling) {
  Rendered r = Render({"defaults-objects.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const YAML::Node* conn = FindKind(r, "VaultConnection");
  const YAML::Node* auth = FindKind(r, "VaultAuth");
  ASSERT_NE(conn, nullptr);
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ((*conn)["apiVersion"].as<std::string>(), "vaultsync.io/v1alpha1");
  EXPECT_EQ((*conn)["metadata"]["namespace"].as<std::string>(), "vaultsync");
  EXPECT_EQ((*conn)["spec"]["address"].as<std::string>(), "https://vault.vault.svc:8200");
  EXPECT_EQ((*conn)["spec"]["caCertSecretRef"].as<std::string>(), "vault-ca");
  EXPECT_TRUE((*conn)["spec"]["skipTLSVerify"].as<bool>());
  EXPECT_EQ((*conn)["spec"]["headers"]["X-Request-Source"].as<std::string>(), "vaultsync");
  EXPECT_EQ((*auth)["spec"]["vaultConnectionRef"].as<std::string>(), "default");
  EXPECT_EQ((*auth)["spec"]["method"].as<std::string>(), "kubernetes");
  EXPECT_FALSE((*auth)["spec"]["mount"].IsDefined());  // the method's default mount
  EXPECT_EQ((*auth)["spec"]["kubernetes"]["role"].as<std::string>(), "app");
  EXPECT_EQ(Strings((*auth)["spec"]["kubernetes"]["audiences"]), std::set<std::string>{"vault"});
  EXPECT_FALSE((*auth)["spec"]["appRole"].IsDefined());
  EXPECT_EQ(Strings((*auth)["spec"]["allowedNamespaces"]), std::set<std::string>{"apps"});
  ExpectSecureDeployment(r);
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  YAML::Node pod = (*dep)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["nodeSelector"]["kubernetes.io/os"].as<std::string>(), "linux");
  EXPECT_EQ(pod["tolerations"][0]["key"].as<std::string>(), "dedicated");
  EXPECT_EQ(pod["priorityClassName"].as<std::string>(), "system-cluster-critical");
  auto args = Strings(pod["containers"][0]["args"]);
  EXPECT_TRUE(args.count("--kube-qps=50"));
  EXPECT_TRUE(args.count("--default-vault-address=https://vault.vault.svc:8200"));
  EXPECT_TRUE(args.count("--default-auth-role=vaultsync"));
}

TEST(ChartTest, VaultAudienceGetsASecondToken) {
  Rendered r = Render({"vault-audience.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectSecureDeployment(r, true);
  const YAML::Node* dep = FindKind(r, "Deployment");
  ASSERT_NE(dep, nullptr);
  YAML::Node pod = (*dep)["spec"]["template"]["spec"];
  YAML::Node sources = pod["volumes"][0]["projected"]["sources"];
  // The API server's token keeps its default audience; Vault's has its own, same lifetime.
  YAML::Node api = sources[0]["serviceAccountToken"];
  YAML::Node vault = sources[1]["serviceAccountToken"];
  EXPECT_EQ(api["path"].as<std::string>(), "token");
  EXPECT_FALSE(api["audience"].IsDefined());
  EXPECT_EQ(vault["path"].as<std::string>(), "vault-token");
  EXPECT_EQ(vault["audience"].as<std::string>(), "vault");
  EXPECT_EQ(vault["expirationSeconds"].as<int>(), 7200);
  EXPECT_EQ(api["expirationSeconds"].as<int>(), 7200);
  std::string jwt_file;
  for (const auto& e : pod["containers"][0]["env"])
    if (e["name"].as<std::string>() == "VAULTSYNC_VAULT_JWT_FILE")
      jwt_file = e["value"].as<std::string>();
  EXPECT_EQ(jwt_file, "/var/run/secrets/vaultsync/serviceaccount/vault-token");
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0]["mountPath"].as<std::string>(),
            "/var/run/secrets/vaultsync/serviceaccount");
}

// Renders with the values given as YAML text; the result's exit code and stderr.
testing::CommandResult RenderText(const std::string& values_yaml) {
  fs::path f =
      fs::temp_directory_path() / ("vaultsync-values-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(f, std::ios::trunc) << values_yaml;
  std::vector<std::string> args = {"--chart",  VAULTSYNC_CHART_DIR, "--values",
                                   f.string(), "--namespace",       "vaultsync"};
  auto r = RunCommand(VAULTSYNC_CHART_RENDER, args, {}, "", std::chrono::seconds(60));
  fs::remove(f);
  return r;
}

const YAML::Node* FindIn(const std::vector<YAML::Node>& docs, const std::string& kind) {
  for (const auto& d : docs)
    if (d["kind"].as<std::string>() == kind) return &d;
  return nullptr;
}

TEST(ChartTest, RequiredValuesAreEnforced) {
  // A default VaultConnection without an address, or a default VaultAuth without what its
  // method needs, must fail the render, not produce an object the API server or the
  // operator would reject later.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"defaults:\n  vaultConnection:\n    create: true\n",
       "defaults.vaultConnection.address is required"},
      {"defaults:\n  vaultAuth:\n    create: true\n",
       "defaults.vaultAuth.kubernetes.role is required with method kubernetes"},
      {"defaults:\n  vaultAuth:\n    create: true\n    method: appRole\n    appRole:\n"
       "      roleId: r\n",
       "defaults.vaultAuth.appRole.secretRef is required with method appRole"},
      {"defaults:\n  vaultAuth:\n    create: true\n    method: token\n",
       "defaults.vaultAuth.token.secretRef is required with method token"},
  };
  for (const auto& [values, message] : cases) {
    auto r = RenderText(values);
    EXPECT_NE(r.exit_code, 0) << values;
    EXPECT_NE(r.err.find(message), std::string::npos) << values << r.err;
  }
}

std::vector<std::string> SelectorArgs(const YAML::Node& deployment) {
  std::vector<std::string> out;
  for (const auto& a : deployment["spec"]["template"]["spec"]["containers"][0]["args"]) {
    std::string s = a.as<std::string>();
    if (s.rfind("--watch-label-selector", 0) == 0) out.push_back(s);
  }
  return out;
}

// shards: [] renders one Deployment without a selector (the unsharded operator); shards set
// renders one Deployment per shard selecting its label value, and the default one selecting
// the resources without the label, all on one ServiceAccount and one set of RBAC objects.
TEST(ChartTest, ShardsRenderOneDeploymentPerShardPlusTheDefault) {
  Rendered plain = Render({});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_NE(FindKind(plain, "Deployment"), nullptr);
  EXPECT_TRUE(SelectorArgs(*FindKind(plain, "Deployment")).empty());

  Rendered r = Render({"shards.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto kinds = Kinds(r);
  EXPECT_EQ(kinds.count("Deployment"), 3u);
  EXPECT_EQ(kinds.count("ServiceAccount"), 1u);
  EXPECT_EQ(kinds.count("ClusterRole"), 1u);
  EXPECT_EQ(kinds.count("ClusterRoleBinding"), 1u);
  EXPECT_EQ(Grants(r, "ClusterRole", ""), WatchGrants(true));
  ExpectSecureDeployment(r);
  std::map<std::string, std::vector<std::string>> selectors;
  std::set<std::string> service_accounts;
  std::set<std::string> match_labels;
  for (const auto& d : r.docs) {
    if (d["kind"].as<std::string>() != "Deployment") continue;
    std::string name = d["metadata"]["name"].as<std::string>();
    selectors[name] = SelectorArgs(d);
    YAML::Node pod = d["spec"]["template"];
    service_accounts.insert(pod["spec"]["serviceAccountName"].as<std::string>());
    std::map<std::string, std::string> selected;
    for (const auto& kv : d["spec"]["selector"]["matchLabels"]) {
      std::string k = kv.first.as<std::string>(), v = kv.second.as<std::string>();
      selected[k] = v;
      EXPECT_EQ(pod["metadata"]["labels"][k].as<std::string>(), v) << name << " selects " << k;
    }
    std::string ml;
    for (const auto& [k, v] : selected) ml += k + "=" + v + ";";
    match_labels.insert(ml);
    EXPECT_TRUE(Strings(pod["spec"]["containers"][0]["args"]).count("--leader-elect")) << name;
  }
  EXPECT_EQ(selectors, (std::map<std::string, std::vector<std::string>>{
                           {"vs-vaultsync", {"--watch-label-selector=!sharding.vaultsync.io/key"}},
                           {"vs-vaultsync-shard-1",
                            {"--watch-label-selector=sharding.vaultsync.io/key in (shard-1)"}},
                           {"vs-vaultsync-shard-2",
                            {"--watch-label-selector=sharding.vaultsync.io/key in (shard-2)"}},
                       }));
  EXPECT_EQ(service_accounts, std::set<std::string>{"vs-vaultsync"});
  EXPECT_EQ(match_labels.size(), 3u) << "each Deployment has its own selector";
  // The default Deployment keeps the selector it had before sharding (immutable on upgrade).
  EXPECT_TRUE(
      match_labels.count("app.kubernetes.io/instance=vs;app.kubernetes.io/name=vaultsync;"));

  auto bad = RenderText("shards: [Shard_1]\n");
  EXPECT_NE(bad.exit_code, 0) << "a shard name must be usable in a Deployment name";
  auto twice = RenderText("shards: [a, a]\n");
  EXPECT_NE(twice.exit_code, 0);
}

TEST(ChartTest, DefaultVaultAuthForEveryMethod) {
  auto approle = RenderText(
      "defaults:\n  vaultAuth:\n    create: true\n    method: appRole\n    mount: ci\n"
      "    appRole:\n      roleId: 0f1e2d3c\n      secretRef: vaultsync-approle\n");
  ASSERT_EQ(approle.exit_code, 0) << approle.err;
  std::vector<YAML::Node> docs;
  for (const auto& d : YAML::LoadAll(approle.out))
    if (d.IsMap()) docs.push_back(d);
  const YAML::Node* a = FindIn(docs, "VaultAuth");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*a)["spec"]["method"].as<std::string>(), "appRole");
  EXPECT_EQ((*a)["spec"]["mount"].as<std::string>(), "ci");
  EXPECT_EQ((*a)["spec"]["appRole"]["roleId"].as<std::string>(), "0f1e2d3c");
  EXPECT_EQ((*a)["spec"]["appRole"]["secretRef"].as<std::string>(), "vaultsync-approle");
  EXPECT_FALSE((*a)["spec"]["kubernetes"].IsDefined());
  EXPECT_FALSE((*a)["spec"]["vaultConnectionRef"].IsDefined());

  auto token = RenderText(
      "defaults:\n  vaultAuth:\n    create: true\n    method: token\n"
      "    token:\n      secretRef: vault-token\n");
  ASSERT_EQ(token.exit_code, 0) << token.err;
  docs.clear();
  for (const auto& d : YAML::LoadAll(token.out))
    if (d.IsMap()) docs.push_back(d);
  const YAML::Node* t = FindIn(docs, "VaultAuth");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ((*t)["spec"]["method"].as<std::string>(), "token");
  EXPECT_EQ((*t)["spec"]["token"]["secretRef"].as<std::string>(), "vault-token");
}

// Helm validates the merged values against values.schema.json before rendering; so does the
// renderer, with the same library and message.
TEST(ChartTest, SchemaRejectsWhatHelmWouldAndAcceptsGlobal) {
  auto typo = RenderText("replicaCount: two\nlogLevl: debug\n");
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("values don't meet the specifications of the schema(s)"),
            std::string::npos)
      << typo.err;
  EXPECT_NE(typo.err.find("- (root): Additional property logLevl is not allowed"),
            std::string::npos)
      << typo.err;
  EXPECT_NE(typo.err.find("- replicaCount: Invalid type. Expected: integer, given: string"),
            std::string::npos)
      << typo.err;
  auto old_layout = RenderText("defaults:\n  vaultAuth:\n    role: app\n");
  EXPECT_NE(old_layout.exit_code, 0);
  EXPECT_NE(old_layout.err.find("Additional property role is not allowed"), std::string::npos)
      << old_layout.err;
  auto method = RenderText("defaults:\n  vaultAuth:\n    method: ldap\n");
  EXPECT_NE(method.exit_code, 0);
  // As a subchart, the parent's globals arrive under "global" (helm#10392).
  auto global = RenderText("global:\n  imageRegistry: registry.example\n");
  EXPECT_EQ(global.exit_code, 0) << global.err;
}

// A YAML node as text with map keys sorted: equal for the same data whatever the key order
// (toYaml sorts keys; the files in crds/ do not).
std::string Canonical(const YAML::Node& n) {
  if (n.IsMap()) {
    std::map<std::string, std::string> members;
    for (const auto& kv : n) members[kv.first.as<std::string>()] = Canonical(kv.second);
    std::string out = "{";
    for (const auto& [k, v] : members) out += k + ":" + v + ",";
    return out + "}";
  }
  if (n.IsSequence()) {
    std::string out = "[";
    for (const auto& x : n) out += Canonical(x) + ",";
    return out + "]";
  }
  return n.IsScalar() ? "'" + n.Scalar() + "'" : "~";
}

TEST(ChartTest, CrdsAsTemplatesAreTheCrdsOfCrdsFolder) {
  Rendered none = Render({});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(Kinds(none).count("CustomResourceDefinition"), 0u);

  Rendered r = Render({"crds-as-templates.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, YAML::Node> rendered;
  for (const auto& d : r.docs) {
    if (d["kind"].as<std::string>() != "CustomResourceDefinition") continue;
    rendered[d["metadata"]["name"].as<std::string>()] = d;
    EXPECT_EQ(d["metadata"]["annotations"]["helm.sh/resource-policy"].as<std::string>(), "keep");
    EXPECT_EQ(d["metadata"]["labels"]["app.kubernetes.io/managed-by"].as<std::string>(), "Helm");
  }
  // Every file of crds/ is rendered, with the same spec.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(VAULTSYNC_TOP_CRDS_DIR)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    ++files;
    YAML::Node crd = YAML::LoadFile(e.path().string());
    std::string name = crd["metadata"]["name"].as<std::string>();
    ASSERT_TRUE(rendered.count(name))
        << name << " (" << e.path().filename() << ") is not in templates/crds.yaml's list";
    EXPECT_EQ(Canonical(rendered[name]["spec"]), Canonical(crd["spec"])) << name;
  }
  EXPECT_EQ(rendered.size(), files);

  auto unkept = RenderText("crds:\n  install: true\n  keep: false\n");
  ASSERT_EQ(unkept.exit_code, 0) << unkept.err;
  EXPECT_EQ(unkept.out.find("helm.sh/resource-policy"), std::string::npos);
  EXPECT_NE(unkept.out.find("kind: CustomResourceDefinition"), std::string::npos);
}

TEST(ChartTest, CrdsIdenticalToTopLevel) {
  std::set<std::string> top, chart;
  for (const auto& e : fs::directory_iterator(VAULTSYNC_TOP_CRDS_DIR))
    if (e.is_regular_file() && e.path().extension() == ".yaml") top.insert(e.path().filename());
  fs::path chart_crds = fs::path(VAULTSYNC_CHART_DIR) / "crds";
  for (const auto& e : fs::directory_iterator(chart_crds)) chart.insert(e.path().filename());
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top, chart);
  for (const auto& name : top) {
    EXPECT_EQ(ReadFile(chart_crds / name), ReadFile(fs::path(VAULTSYNC_TOP_CRDS_DIR) / name))
        << name << " differs: copy crds/" << name << " to charts/vaultsync/crds/";
  }
}

// Every schema property has a type and a description, and every key of values.yaml (down to
// the free-form maps) is in the schema: the schema is the values' complete documentation.
void CheckSchemaNode(const json::Value& node, const std::string& path) {
  const json::Value* props = json::Find(node, "properties");
  if (props == nullptr) return;
  for (auto it = props->MemberBegin(); it != props->MemberEnd(); ++it) {
    const std::string key = path.empty() ? std::string(json::View(it->name))
                                         : path + "." + std::string(json::View(it->name));
    EXPECT_NE(json::Find(it->value, "type"), nullptr) << key << " has no type";
    const json::Value* d = json::Find(it->value, "description");
    EXPECT_TRUE(d != nullptr && d->IsString() && d->GetStringLength() > 0)
        << key << " has no description";
    CheckSchemaNode(it->value, key);
  }
}

void CheckValuesInSchema(const YAML::Node& values, const json::Value& schema,
                         const std::string& path) {
  const json::Value* props = json::Find(schema, "properties");
  if (props == nullptr || !values.IsMap()) return;  // a free-form map or a leaf
  for (const auto& kv : values) {
    std::string key = kv.first.as<std::string>();
    const json::Value* child = json::Find(*props, key);
    EXPECT_NE(child, nullptr) << path + key << " missing from values.schema.json";
    if (child != nullptr) CheckValuesInSchema(kv.second, *child, path + key + ".");
  }
}

TEST(ChartTest, SchemaTypesAndDescribesEveryValue) {
  auto schema = json::Parse(ReadFile(fs::path(VAULTSYNC_CHART_DIR) / "values.schema.json"));
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  CheckSchemaNode(*schema, "");
  YAML::Node values = YAML::LoadFile(std::string(VAULTSYNC_CHART_DIR) + "/values.yaml");
  ASSERT_TRUE(values.IsMap());
  CheckValuesInSchema(values, *schema, "");
  // The value sets used above stay within the schema too (the renderer validates them).
  for (const auto& e : fs::directory_iterator(VAULTSYNC_CHART_VALUES_DIR)) {
    CheckValuesInSchema(YAML::LoadFile(e.path().string()), *schema,
                        e.path().filename().string() + ": ");
  }
}

// The chart README's values table is generated from the schema and values.yaml
// (vaultsync-chart-render --values-table); a value added, renamed or re-described without
// regenerating it fails here.
TEST(ChartTest, ReadmeValuesTableIsGenerated) {
  const std::string readme = ReadFile(fs::path(VAULTSYNC_CHART_DIR) / "README.md");
  const std::string begin =
      "<!-- values table: generated by vaultsync-chart-render --values-table -->\n";
  const std::string end = "<!-- end of values table -->";
  size_t b = readme.find(begin);
  size_t e = readme.find(end);
  ASSERT_NE(b, std::string::npos) << "charts/vaultsync/README.md has no values table marker";
  ASSERT_NE(e, std::string::npos);
  auto r = RunCommand(VAULTSYNC_CHART_RENDER, {"--chart", VAULTSYNC_CHART_DIR, "--values-table"},
                      {}, "", std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), r.out)
      << "regenerate the table: build/bin/vaultsync-chart-render --chart charts/vaultsync "
         "--values-table";
  for (const char* key : {"`crds.install`", "`defaults.vaultAuth.appRole.secretRef`",
                          "`defaults.vaultConnection.skipTLSVerify`", "`global`"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
  }
}

// kubectl explain shows a field's description; none may be missing. And the admission rules
// that replace raw regular expressions carry messages a user can act on.
void CheckCrdNode(const YAML::Node& node, const std::string& path) {
  for (const char* key : {"items", "additionalProperties"}) {
    YAML::Node child = node[key];
    if (!child.IsDefined() || !child.IsMap()) continue;
    EXPECT_TRUE(child["description"].IsDefined()) << path << "." << key << " has no description";
    CheckCrdNode(child, path + "." + key);
  }
  for (const auto& kv : node["properties"]) {
    std::string key = path + "." + kv.first.as<std::string>();
    EXPECT_TRUE(kv.second["description"].IsDefined()) << key << " has no description";
    CheckCrdNode(kv.second, key);
  }
}

TEST(ChartTest, EveryCrdFieldIsDescribed) {
  size_t crds = 0;
  for (const auto& e : fs::directory_iterator(VAULTSYNC_TOP_CRDS_DIR)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    ++crds;
    YAML::Node crd = YAML::LoadFile(e.path().string());
    for (const auto& v : crd["spec"]["versions"]) {
      CheckCrdNode(v["schema"]["openAPIV3Schema"], e.path().filename().string());
    }
  }
  EXPECT_EQ(crds, 6u);  // one file per kind
}

// Every list of a spec that the CRD bounds (maxItems) is documented with its bound in the
// README's field table ("| `sources[]` | | at most 50 entries ..."), so a user learns the limit
// before the API server rejects the resource.
TEST(ChartTest, ReadmeStatesTheListLimitsOfTheCrds) {
  const std::string readme = ReadFile(fs::path(VAULTSYNC_TOP_CRDS_DIR) / ".." / "README.md");
  ASSERT_FALSE(readme.empty());
  size_t limits = 0;
  for (const auto& e : fs::directory_iterator(VAULTSYNC_TOP_CRDS_DIR)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    YAML::Node crd = YAML::LoadFile(e.path().string());
    for (const auto& v : crd["spec"]["versions"]) {
      YAML::Node spec = v["schema"]["openAPIV3Schema"]["properties"]["spec"];
      for (const auto& kv : spec["properties"]) {
        if (!kv.second["maxItems"].IsDefined()) continue;
        ++limits;
        const std::string want = "| `" + kv.first.as<std::string>() + "[]` | | at most " +
                                 kv.second["maxItems"].as<std::string>() + " entries";
        EXPECT_NE(readme.find(want), std::string::npos)
            << e.path().filename() << ": README.md has no \"" << want << "\"";
      }
    }
  }
  EXPECT_GE(limits, 2u);  // VaultStaticSecret's sources and find
}

TEST(ChartTest, VaultStaticSecretAdmissionRulesHaveMessages) {
  YAML::Node crd = YAML::LoadFile(std::string(VAULTSYNC_TOP_CRDS_DIR) + "/vaultstaticsecret.yaml");
  YAML::Node spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
  std::map<std::string, std::string> rules;  // message -> rule
  auto collect = [&](const YAML::Node& n) {
    for (const auto& r : n["x-kubernetes-validations"])
      rules[r["message"].as<std::string>()] = r["rule"].as<std::string>();
  };
  collect(spec);
  collect(spec["properties"]["path"]);
  collect(spec["properties"]["mount"]);
  EXPECT_FALSE(spec["properties"]["path"]["pattern"].IsDefined()) << "a raw regex message again";
  bool leading = false, dots = false, version = false;
  for (const auto& [message, rule] : rules) {
    leading |= message.rfind("path must not start with '/'", 0) == 0;
    dots |= message == "path must not contain '.' or '..' segments";
    version |= message.rfind("version is only valid with type kv-v2", 0) == 0;
  }
  EXPECT_TRUE(leading && dots && version);
}

}  // namespace
}  // namespace vaultsync
