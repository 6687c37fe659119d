// The real kubectl (v1.32, on PATH) against the kube-emulator binary: apply a CRD and a custom
// resource, get them as server-side tables, get a Secret as JSON, apply again (unchanged and
// patch paths), delete, create and delete a namespace, list events, finalizers holding a
// deletion. Any warning or error
// kubectl prints on a command that should succeed fails the test: a kubectl complaint is an
// emulator bug.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kubectl_session.h"
#include "object_json.h"
#include "process.h"
#include "util/json.h"

namespace vaultsync::kubeemu {
namespace {

namespace fs = std::filesystem;
using vaultsync::testing::CommandResult;
using vaultsync::testing::RunCommand;

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(session_.Start());
    ASSERT_EQ(session_.url().rfind("https://127.0.0.1:", 0), 0u) << session_.url();
  }
  void TearDown() override { session_.Stop(); }

  CommandResult Kubectl(const std::vector<std::string>& args) { return session_.Run(args); }
  std::string Ok(const std::vector<std::string>& args) { return session_.Ok(args); }

  static std::string TestData(const std::string& name) {
    return std::string(KUBE_EMULATOR_TESTDATA_DIR) + "/" + name;
  }

  KubectlSession session_;
};

TEST_F(KubectlTest, CustomResourceLifecycle) {
  EXPECT_EQ(Ok({"apply", "-f", TestData("vaultstaticsecret-crd.yaml")}),
            "customresourcedefinition.apiextensions.k8s.io/vaultstaticsecrets.vaultsync.io "
            "created\n");
  EXPECT_EQ(Ok({"apply", "-f", TestData("vaultstaticsecret.yaml")}),
            "vaultstaticsecret.vaultsync.io/db-creds created\n");

  // Server-side table with the CRD's printer columns (Refresh has priority 1).
  auto lines = LinesOf(Ok({"get", "vss"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "MOUNT", "PATH", "READY", "AGE"}));
  auto row = Words(lines[1]);
  ASSERT_EQ(row.size(), 4u) << lines[1];  // READY is empty until a status is written
  EXPECT_EQ(row[0], "db-creds");
  EXPECT_EQ(row[1], "secret");
  EXPECT_EQ(row[2], "app/db");
  lines = LinesOf(Ok({"get", "vaultstaticsecrets", "-o", "wide"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"NAME", "MOUNT", "PATH", "READY", "REFRESH", "AGE"}));
  EXPECT_EQ(Words(lines[1])[3], "30s");

  // Re-applying the same manifest is a no-op; a changed one is a merge patch.
  EXPECT_EQ(Ok({"apply", "-f", TestData("vaultstaticsecret.yaml")}),
            "vaultstaticsecret.vaultsync.io/db-creds unchanged\n");
  std::string changed = session_.dir() + "/changed.yaml";
  {
    std::ifstream in(TestData("vaultstaticsecret.yaml"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    text.replace(text.find("30s"), 3, "1h");
    std::ofstream(changed) << text;
  }
  EXPECT_EQ(Ok({"apply", "-f", changed}), "vaultstaticsecret.vaultsync.io/db-creds configured\n");
  auto obj = json::Parse(Ok({"get", "vss", "db-creds", "-o", "json"}));
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(StringAt(*obj, "spec.refreshAfter"), "1h");
  EXPECT_EQ(IntAt(*obj, "metadata.generation").value_or(0), 2);

  // Schema validation reaches kubectl as the apiserver's 422 (--validate=false: kubectl 1.20,
  // Debian's, would otherwise refuse it itself from /openapi/v2 before asking the server).
  CommandResult invalid =
      Kubectl({"apply", "--validate=false", "-f", TestData("vaultstaticsecret-invalid.yaml")});
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE(invalid.err.find("spec.path: Required value"), std::string::npos) << invalid.err;
  EXPECT_NE(invalid.err.find("spec.refreshAfter in body should match"), std::string::npos)
      << invalid.err;

  EXPECT_EQ(Ok({"delete", "-f", changed}), "vaultstaticsecret.vaultsync.io \"db-creds\" deleted\n");
  CommandResult gone = Kubectl({"get", "vss", "db-creds"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(
      gone.err,
      "Error from server (NotFound): vaultstaticsecrets.vaultsync.io \"db-creds\" not found\n");
  EXPECT_NE(Ok({"get", "crd"}).find("vaultstaticsecrets.vaultsync.io"), std::string::npos);
}

TEST_F(KubectlTest, SecretsNamespacesAndEvents) {
  EXPECT_EQ(Ok({"apply", "-f", TestData("secret.yaml")}), "secret/app-creds created\n");
  auto secret = json::Parse(Ok({"get", "secret", "app-creds", "-o", "json"}));
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(StringAt(*secret, "kind"), "Secret");
  EXPECT_EQ(StringAt(*secret, "type"), "Opaque");
  EXPECT_EQ(StringAt(*secret, "data.password"), "czNjcjN0");
  EXPECT_FALSE(StringAt(*secret, "metadata.uid").empty());
  EXPECT_EQ(Ok({"apply", "-f", TestData("secret.yaml")}), "secret/app-creds unchanged\n");
  auto lines = LinesOf(Ok({"get", "secrets"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "TYPE", "DATA", "AGE"}));
  EXPECT_EQ(Words(lines[1])[2], "2");
  // A strategic merge patch computed by kubectl from its compiled-in Secret type.
  EXPECT_EQ(Ok({"label", "secret", "app-creds", "tier=backend"}), "secret/app-creds labeled\n");
  EXPECT_EQ(Ok({"get", "secret", "app-creds", "-o", "jsonpath={.metadata.labels.tier}"}),
            "backend");

  EXPECT_EQ(Ok({"create", "namespace", "other"}), "namespace/other created\n");
  EXPECT_EQ(Ok({"create", "secret", "generic", "s1", "-n", "other", "--from-literal=a=b"}),
            "secret/s1 created\n");
  EXPECT_EQ(Ok({"get", "serviceaccount", "default", "-n", "other", "-o", "name"}),
            "serviceaccount/default\n");

  CommandResult none = Kubectl({"get", "events"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.err, "No resources found in default namespace.\n");
  EXPECT_EQ(Ok({"apply", "-f", TestData("event.yaml")}),
            "event/db-creds.18eaa39918d269c9 created\n");
  lines = LinesOf(Ok({"get", "events"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}));
  EXPECT_NE(lines[1].find("vaultstaticsecret/db-creds"), std::string::npos) << lines[1];

  EXPECT_EQ(Ok({"delete", "namespace", "other"}), "namespace \"other\" deleted\n");
  // Its content went with it (kubectl then reports the missing namespace itself).
  CommandResult gone = Kubectl({"get", "secret", "s1", "-n", "other"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_EQ(gone.err, "Error from server (NotFound): namespaces \"other\" not found\n");
}

// An object with a finalizer survives `kubectl delete --wait=false` marked for deletion,
// refuses new finalizers, and goes when a merge patch clears its finalizers; a foreground
// cascade waits for the dependent's own finalizer.
TEST_F(KubectlTest, FinalizersHoldADeletionUntilRemoved) {
  std::string file = session_.dir() + "/held.yaml";
  std::ofstream(file) << "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n"
                         "  finalizers:\n  - example.com/cleanup\ndata:\n  k: v\n";
  EXPECT_EQ(Ok({"apply", "-f", file}), "configmap/held created\n");
  EXPECT_EQ(Ok({"delete", "configmap", "held", "--wait=false"}), "configmap \"held\" deleted\n");
  std::string yaml = Ok({"get", "configmap", "held", "-o", "yaml"});
  EXPECT_NE(yaml.find("  deletionTimestamp: \""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  deletionGracePeriodSeconds: 0\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  - example.com/cleanup\n"), std::string::npos) << yaml;

  CommandResult added = Kubectl({"patch", "configmap", "held", "--type=merge", "-p",
                                 R"({"metadata":{"finalizers":["example.com/cleanup",)"
                                 R"("example.com/late"]}})"});
  EXPECT_EQ(added.exit_code, 1);
  EXPECT_EQ(added.err,
            "The ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers "
            "can be added if the object is being deleted, found new finalizers "
            "[]string{\"example.com/late\"}\n");

  EXPECT_EQ(Ok({"patch", "configmap", "held", "--type=merge", "-p",
                R"({"metadata":{"finalizers":null}})"}),
            "configmap/held patched\n");
  CommandResult gone = Kubectl({"get", "configmap", "held"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err, "Error from server (NotFound): configmaps \"held\" not found\n");

  // Foreground: the owner waits, marked, for its dependent's finalizer.
  EXPECT_EQ(Ok({"create", "configmap", "owner"}), "configmap/owner created\n");
  std::string uid = Ok({"get", "configmap", "owner", "-o", "jsonpath={.metadata.uid}"});
  std::string dep = session_.dir() + "/dep.yaml";
  std::ofstream(dep) << "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dep\n"
                        "  finalizers:\n  - example.com/cleanup\n  ownerReferences:\n"
                        "  - apiVersion: v1\n    kind: ConfigMap\n    name: owner\n    uid: "
                     << uid << "\n    blockOwnerDeletion: true\n";
  EXPECT_EQ(Ok({"apply", "-f", dep}), "configmap/dep created\n");
  EXPECT_EQ(Ok({"delete", "configmap", "owner", "--cascade=foreground", "--wait=false"}),
            "configmap \"owner\" deleted\n");
  EXPECT_EQ(Ok({"get", "configmap", "owner", "-o", "jsonpath={.metadata.finalizers}"}),
            "[\"foregroundDeletion\"]");
  EXPECT_NE(Ok({"get", "configmap", "dep", "-o", "jsonpath={.metadata.deletionTimestamp}"}), "");
  Ok({"patch", "configmap", "dep", "--type=merge", "-p", R"({"metadata":{"finalizers":null}})"});
  EXPECT_EQ(Kubectl({"get", "configmap", "owner"}).exit_code, 1);
  EXPECT_EQ(Kubectl({"get", "configmap", "dep"}).exit_code, 1);
}

// The project's own CRDs (crds/) and their samples go in cleanly, re-apply as unchanged,
// and list as tables with their printer columns.
TEST_F(KubectlTest, ProjectCrdsAndSamplesApply) {
  fs::path crds = fs::path(VAULTSYNC_FIXTURES_DIR) / ".." / ".." / "crds";
  ASSERT_TRUE(fs::is_directory(crds)) << crds;
  std::vector<fs::path> defs, samples;
  for (const auto& e : fs::directory_iterator(crds)) {
    if (e.path().extension() == ".yaml") defs.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(crds / "samples")) {
    if (e.path().extension() == ".yaml") samples.push_back(e.path());
  }
  ASSERT_FALSE(defs.empty());
  // The samples are numbered so that, applied in name order, the first creates their
  // namespace (as `kubectl apply -f crds/samples/` does on an empty cluster).
  std::sort(samples.begin(), samples.end());
  for (const auto& p : defs) {
    EXPECT_NE(Ok({"apply", "-f", p.string()}).find(" created"), std::string::npos) << p;
  }
  for (const auto& p : samples) {
    EXPECT_NE(Ok({"apply", "-f", p.string()}).find(" created"), std::string::npos) << p;
  }
  for (const auto& p : samples) {
    std::string out = Ok({"apply", "-f", p.string()});
    for (const auto& line : LinesOf(out)) {
      // A Secret given with stringData is patched again at every apply, against a real
      // server too: stringData is folded into data and never stored, so kubectl's diff of
      // the live object against the file always finds it missing.
      if (line.rfind("secret/", 0) == 0 && line.find(" configured") != std::string::npos) {
        continue;
      }
      EXPECT_NE(line.find(" unchanged"), std::string::npos) << p << ": " << line;
    }
  }
  for (const auto& p : defs) {
    std::string name = Words(LinesOf(Ok({"get", "-f", p.string(), "-o", "name"}))[0])[0];
    std::string plural = name.substr(name.find('/') + 1);
    plural = plural.substr(0, plural.find('.'));
    auto table = LinesOf(Ok({"get", plural, "-A"}));
    ASSERT_FALSE(table.empty()) << plural;
    EXPECT_EQ(Words(table[0])[0], "NAMESPACE") << plural;
  }
}

}  // namespace
}  // namespace vaultsync::kubeemu
