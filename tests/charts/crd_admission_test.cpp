// The CRDs of crds/ in a (emulated) API server, driven with the real kubectl as a user
// would: the samples apply on an empty cluster in their numbered order; the admission rules
// (x-kubernetes-validations) reject a bad path and a version with kv-v1 with their own
// messages, not a raw regular expression; `kubectl explain` shows the field descriptions.
// The last two need an API server that evaluates CEL rules and serves the CRDs' OpenAPI, as a
// real kube-apiserver 1.26 does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "process.h"

namespace vaultsync {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vaultsync::testing::CommandResult;
using vaultsync::testing::RunCommand;

class CrdAdmission : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vaultsync-crd-admission-XXXXXX";
    dir_ = mkdtemp(tmpl);
    kubeconfig_ = dir_ + "/kubeconfig";
    auto kube = testing::StartEmulator("kube-emulator",
                                       {"--tls-self-signed", "--write-kubeconfig", kubeconfig_});
    ASSERT_TRUE(kube.ok()) << kube.status().ToString();
    kube_ = std::move(*kube);
    auto crds = Kubectl({"apply", "-f", VAULTSYNC_TOP_CRDS_DIR});
    ASSERT_EQ(crds.exit_code, 0) << crds.out << crds.err;
  }

  void TearDown() override {
    if (kube_.process) kube_.process->Stop();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CommandResult Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir",
                                     dir_ + "/kube-cache"};
    full.insert(full.end(), args.begin(), args.end());
    return RunCommand("kubectl", full, {{"HOME", dir_}}, stdin_data, std::chrono::seconds(60));
  }

  // kubectl apply of a VaultStaticSecret in namespace demo with `spec` (YAML flow mapping).
  CommandResult ApplyVss(const std::string& name, const std::string& spec) {
    return Kubectl(
        {"apply", "-f", "-"},
        "apiVersion: vaultsync.io/v1alpha1\nkind: VaultStaticSecret\nmetadata:\n  name: " + name +
            "\n  namespace: demo\nspec: " + spec + "\n");
  }

  std::string dir_, kubeconfig_;
  testing::RunningEmulator kube_;
};

TEST_F(CrdAdmission, SamplesApplyInOrderOnAnEmptyCluster) {
  auto r = Kubectl({"apply", "-f", std::string(VAULTSYNC_TOP_CRDS_DIR) + "/samples/"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("namespace/demo created"));
  EXPECT_THAT(r.out, HasSubstr("vaultconnection.vaultsync.io/vault created"));
  EXPECT_THAT(r.out, HasSubstr("vaultauth.vaultsync.io/app created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/db-creds created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/app-config created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/app-bundle created"));
  EXPECT_THAT(r.out, HasSubstr("vaultstaticsecret.vaultsync.io/app-all created"));
  EXPECT_THAT(r.out, HasSubstr("secret/app-settings created"));
  EXPECT_THAT(r.out, HasSubstr("vaultpushsecret.vaultsync.io/app-settings created"));
  EXPECT_THAT(r.out, HasSubstr("vaultdynamicsecret.vaultsync.io/app-db created"));
  EXPECT_THAT(r.out, HasSubstr("vaultpkisecret.vaultsync.io/web-tls created"));
  // The CRD defaults are filled in as documented.
  auto vds = Kubectl({"get", "vds", "app-db", "-n", "demo", "-o",
                      "jsonpath={.spec.method} {.spec.revoke} {.spec.revokeAfterRotation}"});
  EXPECT_EQ(vds.out, "GET true 5m");
  auto vpki = Kubectl({"get", "vpki", "web-tls", "-n", "demo", "-o",
                       "jsonpath={.spec.mount} {.spec.privateKeyFormat} {.spec.destination.type}"});
  EXPECT_EQ(vpki.out, "pki pkcs8 kubernetes.io/tls");
}

TEST_F(CrdAdmission, DynamicAndPkiRulesAreEnforcedWithTheirMessages) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  auto apply = [&](const std::string& kind, const std::string& spec) {
    return Kubectl({"apply", "-f", "-"},
                   "apiVersion: vaultsync.io/v1alpha1\nkind: " + kind +
                       "\nmetadata:\n  name: x\n  namespace: demo\nspec: " + spec + "\n");
  };
  auto params =
      apply("VaultDynamicSecret",
            "{mount: database, path: creds/app, params: {ttl: 1h}, destination: {name: s}}");
  EXPECT_NE(params.exit_code, 0);
  EXPECT_THAT(params.err, HasSubstr("params are sent only with method POST"));
  auto pct =
      apply("VaultDynamicSecret",
            "{mount: database, path: creds/app, renewalPercent: 95, destination: {name: s}}");
  EXPECT_NE(pct.exit_code, 0);
  EXPECT_THAT(pct.err, HasSubstr("renewalPercent"));
  auto format =
      apply("VaultPKISecret",
            "{role: web, commonName: a.demo.svc, privateKeyFormat: der, destination: {name: s}}");
  EXPECT_NE(format.exit_code, 0);
  EXPECT_THAT(format.err, HasSubstr("privateKeyFormat"));
  auto post = apply("VaultDynamicSecret",
                    "{mount: aws, path: sts/deploy, method: POST, params: {ttl: 15m}, "
                    "destination: {name: s}}");
  EXPECT_EQ(post.exit_code, 0) << post.err;
}

TEST_F(CrdAdmission, BadPathAndVersionWithKvV1AreRejectedWithTheirMessages) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  const std::string dest = ", destination: {name: s}}";
  auto ok = ApplyVss("ok", "{mount: secret, path: app/db, version: 3" + dest);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  auto leading = ApplyVss("leading", "{mount: secret, path: /app/db" + dest);
  EXPECT_NE(leading.exit_code, 0);
  EXPECT_THAT(leading.err, HasSubstr("path must not start with '/'"));
  EXPECT_THAT(leading.err, ::testing::Not(HasSubstr("should match")));

  auto dots = ApplyVss("dots", "{mount: secret, path: app/../sys" + dest);
  EXPECT_NE(dots.exit_code, 0);
  EXPECT_THAT(dots.err, HasSubstr("path must not contain '.' or '..' segments"));

  auto trailing = ApplyVss("trailing", "{mount: secret, path: app/db/" + dest);
  EXPECT_NE(trailing.exit_code, 0);
  EXPECT_THAT(trailing.err, HasSubstr("path must not end with '/'"));

  auto version =
      ApplyVss("versioned", "{mount: secret, path: app/db, type: kv-v1, version: 2" + dest);
  EXPECT_NE(version.exit_code, 0);
  EXPECT_THAT(version.err, HasSubstr("version is only valid with type kv-v2"));

  auto stored = Kubectl({"get", "vss", "-n", "demo", "-o", "name"});
  EXPECT_EQ(stored.out, "vaultstaticsecret.vaultsync.io/ok\n");
}

TEST_F(CrdAdmission, SourcesAndFindAreAdmittedByTheirRules) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  const std::string dest = ", destination: {name: s}}";
  auto two = ApplyVss("two",
                      "{mount: secret, sources: [{path: app/db}, {path: shared/x, "
                      "keyPrefix: S_, optional: true}]" +
                          dest);
  EXPECT_EQ(two.exit_code, 0) << two.err;
  auto found = ApplyVss("found",
                        "{mount: secret, onKeyConflict: LastWins, find: [{path: ''}, "
                        "{path: team-a/, nameRegex: '^db', keyFormat: flatten}]" +
                            dest);
  EXPECT_EQ(found.exit_code, 0) << found.err;
  auto argo = ApplyVss("argo",
                       "{mount: secret, path: a, rolloutRestartTargets: [{kind: "
                       "argoproj.io/Rollout, name: canary}]" +
                           dest);
  EXPECT_EQ(argo.exit_code, 0) << argo.err;
  // No schema defaults inside list items (the operator applies maxSecrets 100 and keyFormat
  // json itself): with them, kubectl's client-side apply would find every item changed by
  // the server and report "configured" at every apply of an unchanged file.
  auto defaults = Kubectl({"get", "vss", "found", "-n", "demo", "-o",
                           "jsonpath={.spec.find[0].maxSecrets} {.spec.find[0].keyFormat}"});
  EXPECT_EQ(defaults.out, " ") << defaults.err;

  struct Case {
    const char* name;
    std::string spec;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"none", "{mount: secret" + dest, "set at least one of path, sources or find"},
           {"emptylists", "{mount: secret, sources: [], find: []" + dest,
            "set at least one of path, sources or find"},
           {"pinned", "{mount: secret, version: 2, sources: [{path: a}]" + dest,
            "version pins the version of path"},
           {"srcslash", "{mount: secret, sources: [{path: /a}]" + dest,
            "path must not start with '/'"},
           {"srcfolder", "{mount: secret, sources: [{path: a/}]" + dest,
            "path must not end with '/'"},
           {"srcv1", "{mount: secret, sources: [{path: a, type: kv-v1, version: 1}]" + dest,
            "version is only valid with type kv-v2"},
           {"prefix", "{mount: secret, sources: [{path: a, keyPrefix: 'a/b'}]" + dest, "keyPrefix"},
           {"findslash", "{mount: secret, find: [{path: /team}]" + dest,
            "path must be relative to the mount"},
           {"finddots", "{mount: secret, find: [{path: team/../x}]" + dest,
            "path must not contain '.' or '..' segments"},
           {"max", "{mount: secret, find: [{path: t, maxSecrets: 1001}]" + dest, "maxSecrets"},
           {"format", "{mount: secret, find: [{path: t, keyFormat: yaml}]" + dest, "keyFormat"},
           {"conflict", "{mount: secret, path: a, onKeyConflict: FirstWins" + dest,
            "onKeyConflict"},
           {"kind",
            "{mount: secret, path: a, rolloutRestartTargets: [{kind: Rollout, name: r}]" + dest,
            "kind"},
       }) {
    auto r = ApplyVss(c.name, c.spec);
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.name;
  }
  auto stored = Kubectl({"get", "vss", "-n", "demo", "-o", "name"});
  EXPECT_EQ(stored.out,
            "vaultstaticsecret.vaultsync.io/argo\nvaultstaticsecret.vaultsync.io/found\n"
            "vaultstaticsecret.vaultsync.io/two\n");
}

TEST_F(CrdAdmission, KubectlExplainShowsTheDescriptions) {
  auto spec = Kubectl({"explain", "vaultstaticsecret.spec"});
  ASSERT_EQ(spec.exit_code, 0) << spec.err;
  EXPECT_THAT(spec.out, HasSubstr("Which Vault secrets to read and which Secret to write."));
  EXPECT_THAT(spec.out, HasSubstr("refreshAfter"));
  auto path = Kubectl({"explain", "vaultstaticsecret.spec.path"});
  ASSERT_EQ(path.exit_code, 0) << path.err;
  EXPECT_THAT(path.out, HasSubstr("Path of the secret inside the mount"));
  for (const auto& [field, text] : std::vector<std::pair<std::string, std::string>>{
           {"vaultstaticsecret.spec.sources", "More KV secrets, read as the same identity"},
           {"vaultstaticsecret.spec.sources.keyPrefix", "DB_ gives DB_password"},
           {"vaultstaticsecret.spec.sources.optional", "contributes nothing"},
           {"vaultstaticsecret.spec.find", "recursive KV LIST"},
           {"vaultstaticsecret.spec.find.nameRegex", "relative to path"},
           {"vaultstaticsecret.spec.find.maxSecrets", "TooManySecrets"},
           {"vaultstaticsecret.spec.find.keyFormat", "dataFrom.find"},
           {"vaultstaticsecret.spec.onKeyConflict", "KeyConflict"},
           {"vaultstaticsecret.spec.rolloutRestartTargets.kind", "argoproj.io/Rollout"},
           {"vaultstaticsecret.status.rolloutRestartMAC", "rollout restart"}}) {
    auto got = Kubectl({"explain", field});
    ASSERT_EQ(got.exit_code, 0) << field << ": " << got.err;
    EXPECT_THAT(got.out, HasSubstr(text)) << field;
  }
  auto auth = Kubectl({"explain", "vaultauth.spec.appRole.secretRef"});
  ASSERT_EQ(auth.exit_code, 0) << auth.err;
  EXPECT_THAT(auth.out, HasSubstr("whose key id holds the secret_id"));
  auto vds = Kubectl({"explain", "vaultdynamicsecret.spec.rotateBefore"});
  ASSERT_EQ(vds.exit_code, 0) << vds.err;
  EXPECT_THAT(vds.out, HasSubstr("credentials this long before the end"));
  auto lease = Kubectl({"explain", "vaultdynamicsecret.status.lease"});
  ASSERT_EQ(lease.exit_code, 0) << lease.err;
  EXPECT_THAT(lease.out, HasSubstr("expireTime"));
  auto vpki = Kubectl({"explain", "vaultpkisecret.spec.renewBefore"});
  ASSERT_EQ(vpki.exit_code, 0) << vpki.err;
  EXPECT_THAT(vpki.out, HasSubstr("the next certificate"));
}

TEST_F(CrdAdmission, VaultPushSecretSchemaDefaultsAndRejections) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  auto apply = [&](const std::string& name, const std::string& spec) {
    return Kubectl({"apply", "-f", "-"},
                   "apiVersion: vaultsync.io/v1alpha1\nkind: VaultPushSecret\nmetadata:\n  name: " +
                       name + "\n  namespace: demo\nspec: " + spec + "\n");
  };
  auto ok = apply("ok", "{secretName: app, mount: secret, path: pushed/app, keys: [api-key]}");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto stored = Kubectl({"get", "vps", "ok", "-n", "demo", "-o",
                         "jsonpath={.spec.type} {.spec.updatePolicy} {.spec.deletionPolicy}"});
  EXPECT_EQ(stored.out, "kv-v2 Replace Retain") << "the schema's defaults";

  auto no_secret = apply("nosecret", "{mount: secret, path: pushed/app}");
  EXPECT_NE(no_secret.exit_code, 0);
  EXPECT_THAT(no_secret.err, HasSubstr("secretName"));
  auto policy = apply("policy", "{secretName: app, mount: secret, path: a, updatePolicy: Always}");
  EXPECT_NE(policy.exit_code, 0);
  EXPECT_THAT(policy.err, HasSubstr("Unsupported value: \"Always\""));
  auto deletion =
      apply("deletion", "{secretName: app, mount: secret, path: a, deletionPolicy: Orphan}");
  EXPECT_NE(deletion.exit_code, 0);
  auto path = apply("path", "{secretName: app, mount: secret, path: /abs}");
  EXPECT_NE(path.exit_code, 0);
  EXPECT_THAT(path.err, HasSubstr("path must not start with '/'"));
  auto key = apply("key", "{secretName: app, mount: secret, path: a, keys: [a/b]}");
  EXPECT_NE(key.exit_code, 0);
  // refreshAfter is bounded like VaultStaticSecret's: 32 characters.
  const std::string long_duration = "1" + std::string(31, '0') + "s";  // 33, matches the pattern
  auto too_long = apply("toolong", "{secretName: app, mount: secret, path: a, refreshAfter: \"" +
                                       long_duration + "\"}");
  EXPECT_NE(too_long.exit_code, 0);
  EXPECT_THAT(too_long.err, HasSubstr("spec.refreshAfter"));
  auto longest = apply("longest", "{secretName: app, mount: secret, path: a, refreshAfter: \"" +
                                      long_duration.substr(1) + "\"}");
  EXPECT_EQ(longest.exit_code, 0) << longest.err;

  auto explain = Kubectl({"explain", "vaultpushsecret.spec"});
  ASSERT_EQ(explain.exit_code, 0) << explain.err;
  for (const char* field : {"secretName", "keys", "updatePolicy", "deletionPolicy", "refreshAfter",
                            "vaultAuthRef", "mount", "path", "type"}) {
    EXPECT_THAT(explain.out, HasSubstr(field));
  }
  auto update = Kubectl({"explain", "vaultpushsecret.spec.updatePolicy"});
  EXPECT_THAT(update.out, HasSubstr("never overwrites"));
}

TEST_F(CrdAdmission, VaultPushSecretPrinterColumns) {
  ASSERT_EQ(Kubectl({"create", "namespace", "demo"}).exit_code, 0);
  auto ok = Kubectl({"apply", "-f", "-"},
                    "apiVersion: vaultsync.io/v1alpha1\nkind: VaultPushSecret\nmetadata:\n  name: "
                    "app\n  namespace: demo\nspec: {secretName: app-settings, mount: secret, path: "
                    "pushed/app}\n");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  // The status the operator writes, through the status subresource (a PUT with `replace
  // --raw`: `patch --subresource` needs kubectl 1.24, Debian's is 1.20).
  auto rv =
      Kubectl({"get", "vps", "app", "-n", "demo", "-o", "jsonpath={.metadata.resourceVersion}"});
  ASSERT_EQ(rv.exit_code, 0) << rv.err;
  auto status = Kubectl(
      {"replace", "--raw",
       "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultpushsecrets/app/status", "-f", "-"},
      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultPushSecret","metadata":{"name":"app",)"
      R"("namespace":"demo","resourceVersion":")" +
          rv.out +
          R"("},"spec":{"secretName":"app-settings",)"
          R"("mount":"secret","path":"pushed/app"},)"
          R"("status":{"observedGeneration":1,"lastPushTime":"2026-01-02T03:04:05Z","destinationVersion":3,)"
          R"("conditions":[{"type":"Ready","status":"True","observedGeneration":1,)"
          R"("lastTransitionTime":"2026-01-02T03:04:05Z","reason":"Synced","message":"in sync"}]}})");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto table = Kubectl({"get", "vps", "-n", "demo"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream h(header), r(row);
  std::vector<std::string> columns, cells;
  for (std::string w; h >> w;) columns.push_back(w);
  for (std::string w; r >> w;) cells.push_back(w);
  EXPECT_EQ(columns, (std::vector<std::string>{"NAME", "READY", "REASON", "PATH", "SOURCE",
                                               "LAST-PUSH", "AGE"}))
      << table.out;
  ASSERT_EQ(cells.size(), 7u) << table.out;
  EXPECT_EQ(cells[0], "app");
  EXPECT_EQ(cells[1], "True");
  EXPECT_EQ(cells[2], "Synced");
  EXPECT_EQ(cells[3], "pushed/app");
  EXPECT_EQ(cells[4], "app-settings");
  EXPECT_THAT(cells[5], ::testing::MatchesRegex("[0-9]+[a-z][0-9a-z]*")) << "a date column: an age";
  // The short name and the category.
  auto all = Kubectl({"get", "vaultsync", "-n", "demo", "-o", "name"});
  EXPECT_THAT(all.out, HasSubstr("vaultpushsecret.vaultsync.io/app"));
}

}  // namespace
}  // namespace vaultsync
