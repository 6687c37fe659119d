// What kubectl needs beyond CRUD, with two kubectl versions: the one on PATH (1.32 here) and
// Debian's kubernetes-client (1.20, fetched by fetch_debian_kubectl.sh; those runs are skipped
// when it could not be fetched). kubectl 1.20 reads /openapi/v2 as protobuf only, 1.32 reads
// /openapi/v3: `kubectl explain` of built-in and custom kinds, `apply --dry-run=server` (needs
// the dryRun parameter in the published PATCH operations), `apply --server-side` with a
// field-manager conflict and --force-conflicts, `scale`, `auth can-i` and events.k8s.io/v1.
// Any warning or error a command prints when it should succeed fails the test.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <sstream>

#include "kubectl_session.h"
#include "process.h"

namespace vaultsync::kubeemu {
namespace {

using vaultsync::testing::CommandResult;

struct Kubectl {
  std::string name;    // test name suffix
  std::string binary;  // path, or a name looked up on PATH
};

class KubectlClientsTest : public ::testing::TestWithParam<Kubectl> {
 protected:
  KubectlClientsTest() : session_(GetParam().binary) {}
  void SetUp() override {
    const std::string& bin = GetParam().binary;
    if (bin.find('/') != std::string::npos && access(bin.c_str(), X_OK) != 0) {
      GTEST_SKIP() << bin << " is not there (fetch_debian_kubectl.sh could not fetch it)";
    }
    ASSERT_TRUE(session_.Start());
  }
  void TearDown() override { session_.Stop(); }

  CommandResult Run(const std::vector<std::string>& args) { return session_.Run(args); }
  std::string Ok(const std::vector<std::string>& args) { return session_.Ok(args); }

  static std::string TestData(const std::string& name) {
    return std::string(KUBE_EMULATOR_TESTDATA_DIR) + "/" + name;
  }

  KubectlSession session_;
};

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST_P(KubectlClientsTest, ExplainDescribesBuiltinAndCustomKinds) {
  Ok({"apply", "-f", TestData("vaultstaticsecret-crd.yaml")});
  std::string vss = Ok({"explain", "vaultstaticsecret.spec"});
  EXPECT_TRUE(Has(vss, "VaultStaticSecret")) << vss;
  for (const char* field : {"mount", "path", "refreshAfter"}) {
    EXPECT_TRUE(Has(vss, std::string(field) + "\t<string>")) << field << "\n" << vss;
  }
  EXPECT_TRUE(Has(vss, "-required-")) << vss;
  std::string data = Ok({"explain", "secret.data"});
  EXPECT_TRUE(Has(data, "KIND:")) << data;
  EXPECT_TRUE(Has(data, "data <map[string]string>")) << data;
  EXPECT_TRUE(Has(data, "base64")) << data;
  std::string tmpl = Ok({"explain", "deployment.spec.template"});
  EXPECT_TRUE(Has(tmpl, "apps")) << tmpl;
  EXPECT_TRUE(Has(tmpl, "metadata\t<")) << tmpl;
  EXPECT_TRUE(Has(tmpl, "spec\t<")) << tmpl;
  std::string containers = Ok({"explain", "deployment.spec.template.spec.containers.image"});
  EXPECT_TRUE(Has(containers, "image <string>")) << containers;
}

TEST_P(KubectlClientsTest, ServerDryRunAndServerSideApply) {
  EXPECT_EQ(Ok({"apply", "--dry-run=server", "-f", TestData("deployment.yaml")}),
            "deployment.apps/web created (server dry run)\n");
  CommandResult none = Run({"get", "deployment", "web"});
  EXPECT_NE(none.exit_code, 0);  // a dry run stores nothing
  EXPECT_EQ(Ok({"apply", "--server-side", "-f", TestData("deployment.yaml")}),
            "deployment.apps/web serverside-applied\n");
  EXPECT_EQ(Ok({"apply", "--server-side", "-f", TestData("deployment.yaml")}),
            "deployment.apps/web serverside-applied\n");
  EXPECT_EQ(Ok({"scale", "deployment", "web", "--replicas=3"}), "deployment.apps/web scaled\n");
  EXPECT_EQ(Ok({"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"}), "3");
  // The applied manifest says 2 replicas; the scale owns the field now.
  CommandResult conflict = Run({"apply", "--server-side", "-f", TestData("deployment.yaml")});
  EXPECT_NE(conflict.exit_code, 0);
  EXPECT_TRUE(Has(conflict.err,
                  "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource "
                  "\"scale\" using apps/v1: .spec.replicas"))
      << conflict.err;
  EXPECT_EQ(Ok({"apply", "--server-side", "--force-conflicts", "-f", TestData("deployment.yaml")}),
            "deployment.apps/web serverside-applied\n");
  EXPECT_EQ(Ok({"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"}), "2");
  // The usual way to install a large CRD, then a custom resource.
  EXPECT_EQ(Ok({"apply", "--server-side", "-f", TestData("vaultstaticsecret-crd.yaml")}),
            "customresourcedefinition.apiextensions.k8s.io/vaultstaticsecrets.vaultsync.io "
            "serverside-applied\n");
  EXPECT_EQ(Ok({"apply", "--server-side", "-f", TestData("vaultstaticsecret.yaml")}),
            "vaultstaticsecret.vaultsync.io/db-creds serverside-applied\n");
  EXPECT_EQ(Ok({"get", "vss", "db-creds", "-o", "jsonpath={.spec.path}"}), "app/db");
}

TEST_P(KubectlClientsTest, AuthCanIAndEventsV1) {
  EXPECT_EQ(Ok({"auth", "can-i", "create", "deployments", "-n", "kube-system"}), "yes\n");
  EXPECT_EQ(Ok({"create", "-f", TestData("event-v1.yaml")}),
            "event.events.k8s.io/db-creds.v1 created\n");
  std::istringstream table(Ok({"get", "events.v1.events.k8s.io"}));
  std::string header, row;
  std::getline(table, header);
  std::getline(table, row);
  EXPECT_TRUE(Has(header, "REASON")) << header;
  EXPECT_TRUE(Has(row, "vaultstaticsecret/db-creds")) << row;
  EXPECT_EQ(Ok({"get", "events.v1.events.k8s.io", "db-creds.v1", "-o", "jsonpath={.note}"}),
            "copied secret/app/db into Secret default/db-creds");
  EXPECT_EQ(Ok({"get", "events", "db-creds.v1", "-o", "jsonpath={.message}"}),
            "copied secret/app/db into Secret default/db-creds");
}

INSTANTIATE_TEST_SUITE_P(Versions, KubectlClientsTest,
                         ::testing::Values(Kubectl{"OnPath", "kubectl"},
                                           Kubectl{"Debian120", DEBIAN_KUBECTL}),
                         [](const ::testing::TestParamInfo<Kubectl>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace vaultsync::kubeemu
