// The chart's rendered objects applied with the real kubectl to the kube-apiserver emulator,
// for the default values and every value set in values/: the chart's CRDs and the namespaces
// first, then `kubectl apply --dry-run=server` (validated, nothing stored), a plain apply, a
// read-back proving every field was stored as kubectl sent it (plus explicit reads of the
// Deployment's security settings and the RBAC rules), and a second apply that changes nothing.
// Objects of prometheus-operator kinds are rejected until their CRDs (minimal fixtures in
// crds/) are applied, as on a real cluster without prometheus-operator.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "process.h"
#include "util/json.h"

namespace vaultsync {
namespace {

namespace fs = std::filesystem;
using vaultsync::testing::CommandResult;
using vaultsync::testing::RunCommand;

constexpr char kAdminToken[] = "chart-apply-admin-token";

std::vector<std::string> ValueSets() {
  std::vector<std::string> sets = {"default"};
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(VAULTSYNC_CHART_VALUES_DIR)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  sets.insert(sets.end(), files.begin(), files.end());
  return sets;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n;
  for (char c : info.param.substr(0, info.param.find('.'))) n += std::isalnum(c) ? c : '_';
  return n;
}

// Whether every member of `sent` is in `stored` with an equal value (arrays: same length,
// element by element); the server may add defaults and metadata, never change what was sent.
bool StoredAsSent(const json::Value& sent, const json::Value& stored, const std::string& path,
                  std::string* why) {
  if (sent.IsObject()) {
    if (!stored.IsObject()) return *why = path + ": not an object", false;
    for (auto it = sent.MemberBegin(); it != sent.MemberEnd(); ++it) {
      std::string key(json::View(it->name));
      const json::Value* s = json::Find(stored, key);
      if (s == nullptr) return *why = path + "." + key + ": missing", false;
      if (!StoredAsSent(it->value, *s, path + "." + key, why)) return false;
    }
    return true;
  }
  if (sent.IsArray()) {
    if (!stored.IsArray() || stored.Size() != sent.Size()) {
      return *why = path + ": array differs", false;
    }
    for (rapidjson::SizeType i = 0; i < sent.Size(); ++i) {
      if (!StoredAsSent(sent[i], stored[i], path + "[" + std::to_string(i) + "]", why)) {
        return false;
      }
    }
    return true;
  }
  if (sent.IsNumber() && stored.IsNumber() && sent.GetDouble() == stored.GetDouble()) return true;
  if (sent == stored) return true;
  *why = path + ": sent " + json::Serialize(sent) + ", stored " + json::Serialize(stored);
  return false;
}

std::string ObjectKey(const json::Value& o) {
  const json::Value* md = json::Find(o, "metadata");
  auto str = [](const json::Value* obj, const char* k) {
    auto v = obj != nullptr
                 ? json::OptionalString(*obj, k)
                 : Result<std::optional<std::string_view>>(std::optional<std::string_view>());
    return v.ok() && v->has_value() ? std::string(**v) : std::string();
  };
  return str(&o, "kind") + " " + str(md, "namespace") + "/" + str(md, "name");
}

class ChartApplyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vaultsync-chart-apply-XXXXXX";
    dir_ = mkdtemp(tmpl);
    kubeconfig_ = dir_ + "/kubeconfig";
    auto kube = testing::StartEmulator(
        "kube-emulator",
        {"--admin-token", kAdminToken, "--tls-self-signed", "--write-kubeconfig", kubeconfig_});
    ASSERT_TRUE(kube.ok()) << kube.status().ToString();
    kube_ = std::move(*kube);
  }

  void TearDown() override {
    if (kube_.process) {
      int code = kube_.process->Stop();
      EXPECT_EQ(code, 0) << "kube-emulator did not exit cleanly:\n" << kube_.process->Stderr();
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CommandResult Kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir",
                                     dir_ + "/kube-cache"};
    full.insert(full.end(), args.begin(), args.end());
    return RunCommand("kubectl", full, {{"HOME", dir_}}, "", std::chrono::seconds(60));
  }

  // Renders the chart (release "vs", namespace "vaultsync") into dir_/rendered.yaml.
  std::string Render(const std::string& value_set) {
    std::vector<std::string> args = {"--chart", VAULTSYNC_CHART_DIR, "--name",
                                     "vs",      "--namespace",       "vaultsync"};
    if (value_set != "default") {
      args.push_back("--values");
      args.push_back(std::string(VAULTSYNC_CHART_VALUES_DIR) + "/" + value_set);
    }
    args.push_back("--notes");
    args.push_back(dir_ + "/notes.txt");
    auto r = RunCommand(VAULTSYNC_CHART_RENDER, args, {}, "", std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string path = dir_ + "/rendered.yaml";
    std::ofstream(path) << r.out;
    return path;
  }

  // The items of a `kubectl ... -o json` List answer.
  std::vector<json::Document> Items(const CommandResult& r) {
    std::vector<json::Document> out;
    auto doc = json::Parse(r.out);
    EXPECT_TRUE(doc.ok()) << r.out.substr(0, 500) << r.err;
    if (!doc.ok()) return out;
    const json::Value* items = json::Find(*doc, "items");
    if (items == nullptr || !items->IsArray()) {  // a single object
      out.push_back(std::move(*doc));
      return out;
    }
    for (const auto& it : items->GetArray()) {
      json::Document d;
      d.CopyFrom(it, d.GetAllocator());
      out.push_back(std::move(d));
    }
    return out;
  }

  // A jsonpath read of one object, parsed as JSON.
  json::Document Read(const std::string& what, const std::string& ns, const std::string& path) {
    std::vector<std::string> args = {"get", what, "-o", "jsonpath={" + path + "}"};
    if (!ns.empty()) args.insert(args.end(), {"-n", ns});
    auto r = Kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << what << " " << path << ": " << r.err;
    auto doc = json::Parse(r.out);
    EXPECT_TRUE(doc.ok()) << what << " " << path << ": " << r.out;
    return doc.ok() ? std::move(*doc) : json::Document();
  }

  std::string dir_, kubeconfig_;
  testing::RunningEmulator kube_;
};

size_t CountLines(const std::string& text, const std::string& suffix) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.size() >= suffix.size() &&
        line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
      ++n;
    }
  }
  return n;
}

TEST_P(ChartApplyTest, AppliedToKubeEmulator) {
  ASSERT_TRUE(kube_.process);
  std::string rendered = Render(GetParam());
  std::vector<YAML::Node> docs;
  for (const auto& d : YAML::LoadAllFromFile(rendered))
    if (d.IsMap()) docs.push_back(d);
  ASSERT_FALSE(docs.empty());
  std::set<std::string> namespaces = {"vaultsync"};
  bool monitoring = false;
  for (const auto& d : docs) {
    if (d["metadata"]["namespace"]) namespaces.insert(d["metadata"]["namespace"].as<std::string>());
    monitoring |= d["apiVersion"].as<std::string>().rfind("monitoring.coreos.com/", 0) == 0;
  }

  // What a user does first: the chart's CRDs (what Helm does with crds/ at install, unless
  // the CRDs come as templates: crds.install, installed with --skip-crds) and the namespaces.
  bool crd_templates = false;
  for (const auto& d : docs)
    crd_templates |= d["kind"].as<std::string>() == "CustomResourceDefinition";
  if (!crd_templates) {
    auto crds = Kubectl({"apply", "-f", std::string(VAULTSYNC_CHART_DIR) + "/crds"});
    ASSERT_EQ(crds.exit_code, 0) << crds.out << crds.err;
  }
  for (const auto& ns : namespaces) {
    auto r = Kubectl({"create", "namespace", ns});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  if (monitoring) {
    // Without prometheus-operator's CRDs the monitoring objects are rejected.
    auto r = Kubectl({"apply", "--dry-run=server", "-f", rendered});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("no matches for kind \"ServiceMonitor\" in version "
                         "\"monitoring.coreos.com/v1\""),
              std::string::npos)
        << r.err;
    auto fixtures = Kubectl({"apply", "-f", VAULTSYNC_CHART_TEST_CRDS_DIR});
    ASSERT_EQ(fixtures.exit_code, 0) << fixtures.err;
  }

  // Server-side dry run: every object validated by the server, nothing stored.
  auto dry = Kubectl({"apply", "--dry-run=server", "-f", rendered});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_EQ(CountLines(dry.out, " created (server dry run)"), docs.size()) << dry.out;
  auto none = Kubectl({"get", "-f", rendered, "--ignore-not-found", "-o", "name"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "") << "a dry run stored objects";

  // The plain apply, then the objects read back: all that kubectl sent is stored unchanged.
  // (A client-side dry run prints the objects as kubectl sends them, last-applied annotation
  // included.)
  auto sent = Items(Kubectl({"apply", "--dry-run=client", "-f", rendered, "-o", "json"}));
  ASSERT_EQ(sent.size(), docs.size());
  auto applied = Kubectl({"apply", "-f", rendered});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(CountLines(applied.out, " created"), docs.size()) << applied.out;
  EXPECT_EQ(applied.err, "") << "warnings from the server";
  auto stored = Items(Kubectl({"get", "-f", rendered, "-o", "json"}));
  ASSERT_EQ(stored.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    ASSERT_EQ(ObjectKey(stored[i]), ObjectKey(sent[i]));
    std::string why;
    EXPECT_TRUE(StoredAsSent(sent[i], stored[i], ObjectKey(sent[i]), &why)) << why;
  }

  // Explicit reads of the settings the chart promises.
  auto ctx = Read("deployment/vs-vaultsync", "vaultsync",
                  ".spec.template.spec.containers[0].securityContext");
  EXPECT_EQ(json::Serialize(ctx),
            R"({"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},)"
            R"("readOnlyRootFilesystem":true,"runAsNonRoot":true,)"
            R"("seccompProfile":{"type":"RuntimeDefault"}})");
  auto pod_ctx =
      Read("deployment/vs-vaultsync", "vaultsync", ".spec.template.spec.securityContext");
  EXPECT_EQ(json::Serialize(pod_ctx),
            R"({"fsGroup":65532,"runAsGroup":65532,"runAsNonRoot":true,"runAsUser":65532,)"
            R"("seccompProfile":{"type":"RuntimeDefault"}})");
  auto automount = Kubectl({"get", "deployment/vs-vaultsync", "-n", "vaultsync", "-o",
                            "jsonpath={.spec.template.spec.automountServiceAccountToken}"});
  EXPECT_EQ(automount.out, "false");
  for (const auto& d : docs) {
    std::string kind = d["kind"].as<std::string>();
    if (kind != "ClusterRole" && kind != "Role") continue;
    std::string ns = kind == "Role" ? d["metadata"]["namespace"].as<std::string>() : "";
    auto rules = Read(
        kind == "Role" ? "role.rbac.authorization.k8s.io/" + d["metadata"]["name"].as<std::string>()
                       : "clusterrole/" + d["metadata"]["name"].as<std::string>(),
        ns, ".rules");
    ASSERT_TRUE(rules.IsArray());
    EXPECT_EQ(rules.Size(), d["rules"].size());
    for (rapidjson::SizeType i = 0; i < rules.Size() && i < d["rules"].size(); ++i) {
      for (const char* f : {"apiGroups", "resources", "verbs", "resourceNames"}) {
        std::vector<std::string> want, got;
        for (const auto& x : d["rules"][i][f]) want.push_back(x.as<std::string>());
        if (const json::Value* a = json::Find(rules[i], f); a != nullptr && a->IsArray()) {
          for (const auto& x : a->GetArray()) got.emplace_back(json::View(x));
        }
        EXPECT_EQ(got, want) << kind << " " << ns << " rule " << i << " " << f;
      }
    }
  }
  auto sources = Read("deployment/vs-vaultsync", "vaultsync",
                      ".spec.template.spec.volumes[0].projected.sources");
  ASSERT_TRUE(sources.IsArray());
  std::string tokens;
  for (const auto& s : sources.GetArray())
    if (const json::Value* t = json::Find(s, "serviceAccountToken")) tokens += json::Serialize(*t);
  if (GetParam() == "vault-audience.yaml") {
    EXPECT_EQ(tokens, R"({"expirationSeconds":7200,"path":"token"})"
                      R"({"audience":"vault","expirationSeconds":7200,"path":"vault-token"})");
  } else {
    EXPECT_EQ(tokens.find("vault-token"), std::string::npos) << tokens;
  }

  // Applying again changes nothing (newer kubectl still reports the PodDisruptionBudget as
  // configured: its selector's patchStrategy is "replace", so kubectl always sends it;
  // kubectl 1.20 reports it unchanged).
  auto versions = [&] {
    auto r = Kubectl({"get", "-f", rendered, "-o",
                      "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  std::string before = versions();
  auto again = Kubectl({"apply", "-f", rendered});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  size_t pdbs = 0;
  for (const auto& d : docs) pdbs += d["kind"].as<std::string>() == "PodDisruptionBudget";
  EXPECT_GE(CountLines(again.out, " unchanged"), docs.size() - pdbs) << again.out;
  EXPECT_EQ(CountLines(again.out, " unchanged") + CountLines(again.out, " configured"), docs.size())
      << again.out;
  EXPECT_EQ(versions(), before);
}

INSTANTIATE_TEST_SUITE_P(ValueSets, ChartApplyTest, ::testing::ValuesIn(ValueSets()), TestName);

}  // namespace
}  // namespace vaultsync
