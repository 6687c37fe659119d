// The chart's RBAC against what the operator really does (end to end). The kube emulator runs with
// --authorization-mode=RBAC; the chart (default values, release "vs" in namespace "vaultsync") is
// rendered by Helm's engine and applied with kubectl; the operator runs with a token of the
// chart's ServiceAccount and the chart's own flags, and goes through every kind and every path
// that needs a grant: syncs and value changes, a failing resource whose Warning repeats, a
// tenant identity (TokenRequest), rollout restarts of all four workload kinds, a push with its
// finalizer, dynamic credentials and a certificate with theirs, leader election. Then the
// emulator's request log says, per request of that ServiceAccount, what it needed:
//   - nothing used that is not granted: no request was refused with 403;
//   - nothing granted that is not used: every (group, resource, verb) of every rule, in the
//     rule's scope (a Role's namespace, its resourceNames), was used at least once.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e_env.h"
#include "util/json.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;

constexpr const char* kReleaseNamespace = "vaultsync";

// One permission as RBAC checks it. `ns` is "" for a cluster-wide grant; `name` is "" unless
// the rule lists resourceNames.
struct Permission {
  std::string group, resource, verb, ns, name;
  auto operator<=>(const Permission&) const = default;
  std::string ToString() const {
    std::string s = verb + " " + (group.empty() ? "core" : group) + "/" + resource;
    if (!ns.empty()) s += " in " + ns;
    if (!name.empty()) s += " named " + name;
    return s;
  }
};

// What a logged request asked for, as kube-apiserver's request-info resolver reads the path;
// nullopt for non-resource paths (/api, /apis/<group>/<version>, /version, /openapi/...).
std::optional<Permission> Requested(const Env::LoggedRequest& r) {
  std::vector<std::string> seg;
  std::stringstream in(r.path);
  for (std::string s; std::getline(in, s, '/');) {
    if (!s.empty()) seg.push_back(s);
  }
  Permission p;
  size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    p.group = seg[1];
    i = 3;
  } else {
    return std::nullopt;
  }
  if (i >= seg.size()) return std::nullopt;
  if (seg[i] == "namespaces" && seg.size() > i + 2) {
    p.ns = seg[i + 1];
    i += 2;
  }
  p.resource = seg[i];
  if (i + 1 < seg.size()) p.name = seg[i + 1];
  if (i + 2 < seg.size()) p.resource += "/" + seg[i + 2];
  const bool watch = r.query.find("watch=1") != std::string::npos ||
                     r.query.find("watch=true") != std::string::npos;
  if (r.method == "GET") {
    p.verb = !p.name.empty() ? "get" : (watch ? "watch" : "list");
  } else if (r.method == "POST") {
    p.verb = "create";
    // POST .../serviceaccounts/<name>/token creates the subresource, not the object.
  } else if (r.method == "PUT") {
    p.verb = "update";
  } else if (r.method == "PATCH") {
    p.verb = "patch";
  } else if (r.method == "DELETE") {
    p.verb = p.name.empty() ? "deletecollection" : "delete";
  } else {
    p.verb = r.method;
  }
  return p;
}

// Whether a request asking for `used` is one that grant `g` covers.
bool Covers(const Permission& g, const Permission& used) {
  if (g.group != used.group || g.resource != used.resource || g.verb != used.verb) return false;
  if (!g.ns.empty() && g.ns != used.ns) return false;
  if (!g.name.empty() && g.name != used.name) return false;
  return true;
}

// Every permission of a ClusterRole or Role object as the API server stores it.
std::vector<Permission> Grants(const json::Value& role, const std::string& ns) {
  std::vector<Permission> out;
  const json::Value* rules = json::Find(role, "rules");
  if (rules == nullptr || !rules->IsArray()) return out;
  auto strings = [](const json::Value& rule, const char* key) {
    std::vector<std::string> v;
    if (const json::Value* a = json::Find(rule, key); a != nullptr && a->IsArray()) {
      for (const auto& s : a->GetArray()) v.emplace_back(json::View(s));
    }
    return v;
  };
  for (const auto& rule : rules->GetArray()) {
    auto names = strings(rule, "resourceNames");
    if (names.empty()) names.push_back("");
    for (const auto& g : strings(rule, "apiGroups"))
      for (const auto& r : strings(rule, "resources"))
        for (const auto& v : strings(rule, "verbs"))
          for (const auto& n : names) out.push_back(Permission{g, r, v, ns, n});
  }
  return out;
}

std::string Render(Env& env) {
  auto r = testing::RunCommand(
      VAULTSYNC_CHART_RENDER,
      {"--chart", VAULTSYNC_CHART_DIR, "--name", "vs", "--namespace", kReleaseNamespace}, {}, "",
      std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string file = env.dir() + "/chart.yaml";
  std::ofstream(file) << r.out;
  return file;
}

void Ok(const http::Response& r, const std::string& what) {
  EXPECT_TRUE(r.status >= 200 && r.status < 300) << what << ": " << r.status << " " << r.body;
}

// Vault as the scenario needs it: kubernetes auth for the tenant identity (TokenReview through
// the API server), a database engine for dynamic credentials, a PKI engine for certificates.
void SetUpVault(Env& env) {
  Ok(env.Vault("POST", "/v1/sys/auth/kubernetes", R"({"type":"kubernetes"})"), "auth enable");
  Ok(env.Vault("POST", "/v1/auth/kubernetes/config",
               R"({"kubernetes_host":")" + env.kube_url() + R"(","kubernetes_ca_cert":)" +
                   json::Quote(env.KubeCaPem()) +
                   R"(,"issuer":"https://kubernetes.default.svc.cluster.local",)"
                   R"("token_reviewer_jwt":")" +
                   kAdminToken + R"("})"),
     "kubernetes config");
  Ok(env.Vault("PUT", "/v1/sys/policies/acl/app-read",
               R"({"policy":"path \"secret/data/app/*\" { capabilities = [\"read\"] }"})"),
     "policy");
  Ok(env.Vault("POST", "/v1/auth/kubernetes/role/app",
               R"({"bound_service_account_names":["default"],)"
               R"("bound_service_account_namespaces":["demo"],"token_policies":["app-read"],)"
               R"("token_ttl":3600,"audience":"vault"})"),
     "role");
  Ok(env.Vault("POST", "/v1/sys/mounts/database", R"({"type":"database"})"), "database");
  Ok(env.Vault("POST", "/v1/database/config/pg",
               R"({"plugin_name":"postgresql-database-plugin","allowed_roles":"app",
                   "connection_url":"postgresql://{{username}}:{{password}}@db:5432/app",
                   "username":"vault","password":"vault-admin-password"})"),
     "database config");
  Ok(env.Vault("POST", "/v1/database/roles/app",
               R"({"db_name":"pg","default_ttl":"1h","max_ttl":"24h",
                   "creation_statements":["CREATE ROLE \"{{name}}\";"]})"),
     "database role");
  Ok(env.Vault("POST", "/v1/sys/mounts/pki",
               R"({"type":"pki","config":{"max_lease_ttl":"8760h"}})"),
     "pki");
  Ok(env.Vault("POST", "/v1/pki/root/generate/internal",
               R"({"common_name":"vaultsync rbac root","ttl":"8760h"})"),
     "pki root");
  Ok(env.Vault("POST", "/v1/pki/roles/web",
               R"({"allowed_domains":"demo.svc","allow_subdomains":true,"max_ttl":"72h"})"),
     "pki role");
  env.VaultPut("app/db", R"({"password":"p1"})");
}

constexpr const char* kWorkloads = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.25"}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: demo}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: demo}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "busybox:1.36"}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: rollouts.argoproj.io}
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Rollout, listKind: RolloutList, plural: rollouts, singular: rollout}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";

constexpr const char* kRollout = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary, namespace: demo}
spec: {replicas: 1}
)";

std::string Cr(const std::string& kind, const std::string& name, const std::string& spec) {
  return R"({"apiVersion":"vaultsync.io/v1alpha1","kind":")" + kind + R"(","metadata":{"name":")" +
         name + R"(","namespace":"demo"},"spec":)" + spec + "}";
}

TEST(RbacE2E, TheChartGrantsExactlyWhatTheOperatorUses) {
  auto env = Env::Start(Env::Options{.kube_args = {"--authorization-mode", "RBAC"}});
  ASSERT_NE(env, nullptr);

  // The chart, as `helm install vs charts/vaultsync -n vaultsync --create-namespace` would.
  ASSERT_EQ(env->Kubectl({"create", "namespace", kReleaseNamespace}).exit_code, 0);
  auto applied = env->Kubectl({"apply", "-f", Render(*env)});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;

  // The permissions granted, read back from the API server.
  std::vector<Permission> granted;
  std::string service_account;
  for (const char* path : {"/apis/rbac.authorization.k8s.io/v1/clusterroles",
                           "/apis/rbac.authorization.k8s.io/v1/namespaces/vaultsync/roles"}) {
    auto r =
        env->Kube("GET", std::string(path) + "?labelSelector=app.kubernetes.io%2Finstance%3Dvs");
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = json::Parse(r.body);
    ASSERT_TRUE(doc.ok());
    for (const auto& role : (*doc)["items"].GetArray()) {
      std::string ns;
      if (const json::Value* n = json::Find(role["metadata"], "namespace")) ns = json::View(*n);
      auto g = Grants(role, ns);
      granted.insert(granted.end(), g.begin(), g.end());
    }
  }
  ASSERT_GE(granted.size(), 20u);
  {
    auto r = env->Kube("GET",
                       "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector="
                       "app.kubernetes.io%2Finstance%3Dvs");
    auto doc = json::Parse(r.body);
    ASSERT_TRUE(doc.ok());
    ASSERT_EQ((*doc)["items"].Size(), 1u) << r.body;
    service_account = std::string(json::View((*doc)["items"][0]["subjects"][0]["name"]));
  }
  const std::string user = "system:serviceaccount:vaultsync:" + service_account;

  // A token of that ServiceAccount, in a kubeconfig otherwise the test's.
  auto tr = env->Kube("POST",
                      "/api/v1/namespaces/vaultsync/serviceaccounts/" + service_account + "/token",
                      R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
                          "spec":{"expirationSeconds":3600}})");
  ASSERT_EQ(tr.status, 201) << tr.body;
  auto tr_doc = json::Parse(tr.body);
  ASSERT_TRUE(tr_doc.ok());
  const std::string sa_token(json::View((*tr_doc)["status"]["token"]));
  std::string kubeconfig;
  {
    std::ifstream in(env->kubeconfig());
    std::stringstream ss;
    ss << in.rdbuf();
    kubeconfig = ss.str();
    size_t at = kubeconfig.find(kAdminToken);
    ASSERT_NE(at, std::string::npos);
    kubeconfig.replace(at, std::string(kAdminToken).size(), sa_token);
  }
  const std::string sa_kubeconfig = env->dir() + "/operator-kubeconfig";
  std::ofstream(sa_kubeconfig) << kubeconfig;

  SetUpVault(*env);
  ASSERT_EQ(env->Kubectl({"apply", "-f", "-"}, kWorkloads).exit_code, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Kubectl({"apply", "-f", "-"}, kRollout).exit_code == 0;
      },
      10s));
  env->Apply(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"push-src","namespace":"demo"},
                 "data":{"token":"dDE="}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultConnection",
                 "metadata":{"name":"local","namespace":"demo"},
                 "spec":{"address":")" +
             env->vault_url() + R"("}})");
  env->Apply(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
                 "metadata":{"name":"app","namespace":"demo"},
                 "spec":{"vaultConnectionRef":"local","method":"kubernetes",
                         "kubernetes":{"role":"app","serviceAccount":"default","audiences":["vault"]}}})");

  // The chart's own flags, then what differs here: where the servers are, free ports.
  auto op =
      env->StartOperator({"--kubeconfig", sa_kubeconfig, "--operator-namespace", kReleaseNamespace,
                          "--leader-elect", "--allow-operator-identity=true",
                          "--rollout-restart-coalesce=1s", "--leader-election-retry-period=1s"});
  ASSERT_NE(op.process, nullptr);

  env->Apply(Cr("VaultStaticSecret", "app",
                R"({"vaultAuthRef":"app","mount":"secret","path":"app/db","refreshAfter":"1s",
                    "destination":{"name":"app"},
                    "rolloutRestartTargets":[{"kind":"Deployment","name":"web"},
                      {"kind":"StatefulSet","name":"db"},{"kind":"DaemonSet","name":"agent"},
                      {"kind":"argoproj.io/Rollout","name":"canary"}]})"));
  env->Apply(Cr("VaultStaticSecret", "missing",
                R"({"mount":"secret","path":"app/missing","destination":{"name":"missing"}})"));
  env->Apply(Cr("VaultPushSecret", "push",
                R"({"secretName":"push-src","mount":"secret","path":"pushed/token",
                    "deletionPolicy":"Delete"})"));
  env->Apply(Cr("VaultDynamicSecret", "creds",
                R"({"mount":"database","path":"creds/app","revoke":true,
                    "destination":{"name":"creds"}})"));
  env->Apply(Cr("VaultPKISecret", "cert",
                R"({"mount":"pki","role":"web","commonName":"web.demo.svc","revoke":true,
                    "destination":{"name":"cert"}})"));

  ASSERT_TRUE(WaitFor(
      [&] {
        return env->SecretData("demo", "app").has_value() &&
               env->SecretData("demo", "creds").has_value() &&
               env->SecretData("demo", "cert").has_value() &&
               env->Ready("vaultpushsecrets", "demo", "push") == "True/Synced";
      },
      30s))
      << op.process->Stderr();
  // A change in Vault: the Secret is updated and the four workloads restarted.
  env->VaultPut("app/db", R"({"password":"p2"})");
  const std::string rollout = "/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts/canary";
  EXPECT_TRUE(WaitFor(
      [&] {
        auto d = env->SecretData("demo", "app");
        return d && (*d)["password"] == "p2" &&
               env->ObjectString(rollout, {"spec", "restartAt"}).has_value() &&
               env->ObjectString(
                      "/apis/apps/v1/namespaces/demo/daemonsets/agent",
                      {"spec", "template", "metadata", "annotations", "vaultsync.io/restartedAt"})
                   .has_value();
      },
      30s))
      << op.process->Stderr();
  // The failing resource's Warning repeated: an aggregated Event (a patch of its count).
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& e : env->Events("demo", "VaultStaticSecret", "missing"))
          if (e.type == "Warning" && e.count >= 2) return true;
        return false;
      },
      30s));
  // Deleting the push resource: its finalizer is removed once Vault's copy is gone.
  ASSERT_EQ(
      env->Kubectl({"delete", "vaultpushsecret", "push", "-n", "demo", "--wait=false"}).exit_code,
      0);
  EXPECT_TRUE(WaitFor(
      [&] {
        return env->Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultpushsecrets/push")
                   .status == 404;
      },
      20s));
  // Leader election has renewed its Lease at least once (an update).
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& r : env->KubeRequests())
          if (r.user == user && r.method == "PUT" && r.path.find("/leases/") != std::string::npos)
            return true;
        return false;
      },
      20s));
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();

  std::set<Permission> used;
  std::vector<std::string> refused;
  for (const auto& r : env->KubeRequests()) {
    if (r.user != user) continue;
    if (r.status == 403) refused.push_back(r.method + " " + r.path + "?" + r.query);
    if (auto p = Requested(r)) used.insert(*p);
  }
  std::printf(
      "rbac: %zu permissions granted by the chart, %zu distinct (verb, resource, namespace, name) "
      "used by the operator, %zu refused\n",
      granted.size(), used.size(), refused.size());
  EXPECT_TRUE(refused.empty()) << "used but not granted:\n" << ::testing::PrintToString(refused);
  std::vector<std::string> unused;
  for (const auto& g : granted) {
    bool hit =
        std::any_of(used.begin(), used.end(), [&](const Permission& u) { return Covers(g, u); });
    if (!hit) unused.push_back(g.ToString());
  }
  EXPECT_TRUE(unused.empty()) << "granted but never used:\n" << ::testing::PrintToString(unused);
  // And the reverse view, for the reader of a failure: what was used, each covered by a grant.
  for (const auto& u : used) {
    bool covered = std::any_of(granted.begin(), granted.end(),
                               [&](const Permission& g) { return Covers(g, u); });
    EXPECT_TRUE(covered) << "used without a grant: " << u.ToString();
  }
}

}  // namespace
}  // namespace vaultsync::e2e
