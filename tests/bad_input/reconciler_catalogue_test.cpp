// The bad-input catalogue, reconciler half (README "Reliability"): every bad VaultStaticSecret,
// VaultAuth, VaultConnection and Vault payload that reaches the reconciler, each with the exact
// Ready reason and message it must produce, and proof that nothing else was touched: no Secret
// created, changed or deleted, no workload patched, and no Vault read when the spec alone is
// wrong. Runs the real reconciler over the in-memory fakes of tests/controller. The cases the
// CRD schema rejects at admission are also here (the reconciler must hold even when an older
// CRD let them through); admission itself is tested in e2e_catalogue_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "controller/secret_object.h"
#include "controller/vault_static_secret_reconciler.h"
#include "fakes.h"
#include "vault/kv_value.h"

namespace vaultsync::controller {
namespace {

using testing::FakeCluster;
using testing::FakeEvents;
using testing::FakeLister;
using testing::FakeMetrics;
using testing::FakeSource;

constexpr const char* kHmacKey = "catalogue-hmac-key";
constexpr const char* kDest = R"("destination":{"name":"db-creds"})";

// One bad input and what it must lead to.
struct Case {
  const char* name;
  std::string spec;          // the VaultStaticSecret's spec
  std::string vault_json;    // the Vault secret's data as Vault sends it ("" = the default)
  const char* reason;        // the Ready condition's reason
  std::string message;       // ... and its exact message
  bool reads_vault = false;  // the spec is fine: Vault is read once, nothing is written
  // Not retried until the object changes. Problems of the Vault data are retried (with
  // backoff): the data may be fixed in Vault without touching the resource.
  bool terminal = true;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::string Vss(const std::string& rest) {
  return R"({"mount":"secret","path":"app/db",)" + rest + "}";
}

class Catalogue : public ::testing::TestWithParam<Case> {
 protected:
  Catalogue() {
    options_.hmac_key = kHmacKey;
    options_.defaults.vault_address = "http://vault:8200";
    options_.defaults.auth_role = "operator";
    options_.defaults.jwt_file = "/var/run/secrets/token";
    options_.defaults.operator_namespace = "vaultsync-system";
    source_.clock = &clock_;
    SetVault(R"({"password":"s3cr3t","username":"admin"})");
    Put<VaultAuth>(
        auths_, "demo/app",
        R"({"method":"kubernetes","kubernetes":{"role":"app","serviceAccount":"default"}})",
        DecodeVaultAuth);
    Put<VaultAuth>(
        auths_, "platform/shared",
        R"({"kubernetes":{"role":"r","serviceAccount":"s"},"allowedNamespaces":["team-b"]})",
        DecodeVaultAuth);
    Put<VaultAuth>(auths_, "demo/norole", R"({"method":"kubernetes","kubernetes":{}})",
                   DecodeVaultAuth);
    Put<VaultAuth>(auths_, "demo/shortlived",
                   R"({"kubernetes":{"role":"r","tokenExpirationSeconds":60}})", DecodeVaultAuth);
    Put<VaultAuth>(auths_, "demo/approle-nosecret",
                   R"({"method":"appRole","appRole":{"roleId":"r"}})", DecodeVaultAuth);
    Put<VaultAuth>(
        auths_, "demo/via-token-header",
        R"({"vaultConnectionRef":"token-header","kubernetes":{"role":"r","serviceAccount":"default"}})",
        DecodeVaultAuth);
    Put<VaultAuth>(
        auths_, "demo/via-no-scheme",
        R"({"vaultConnectionRef":"no-scheme","kubernetes":{"role":"r","serviceAccount":"default"}})",
        DecodeVaultAuth);
    Put<VaultAuth>(
        auths_, "demo/via-foreign-conn",
        R"({"vaultConnectionRef":"other/conn","kubernetes":{"role":"r","serviceAccount":"default"}})",
        DecodeVaultAuth);
    Put<VaultConnection>(conns_, "demo/token-header",
                         R"({"address":"https://vault:8200","headers":{"x-VAULT-token":"s.abc"}})",
                         DecodeVaultConnection);
    Put<VaultConnection>(conns_, "demo/no-scheme", R"({"address":"vault:8200"})",
                         DecodeVaultConnection);
  }

  template <typename T, typename Decode>
  void Put(FakeLister<T>& lister, const std::string& key, const std::string& spec, Decode decode) {
    const size_t slash = key.find('/');
    auto doc = json::Parse(R"({"metadata":{"name":")" + key.substr(slash + 1) +
                           R"(","namespace":")" + key.substr(0, slash) + R"(","uid":"u-)" + key +
                           R"(","generation":1},"spec":)" + spec + "}");
    ASSERT_TRUE(doc.ok()) << key;
    auto v = decode(*doc);
    ASSERT_TRUE(v.ok()) << key;
    lister.Put(key, *v);
  }

  // Serves `body` (Vault's `data` object) at secret/app/db, decoded as the Vault client does.
  void SetVault(const std::string& body) {
    auto doc = vault::ParseExact(body);
    ASSERT_TRUE(doc.ok()) << body;
    auto kv = vault::KvDataFromJson(*doc, "data");
    ASSERT_TRUE(kv.ok());
    std::vector<KvEntry> entries;
    for (auto& [k, v] : *kv) entries.push_back(KvEntry{k, v.is_string, v.text});
    source_.Set("secret/app/db", std::move(entries));
  }

  VaultStaticSecretReconciler Make() {
    VaultStaticSecretReconcilerDeps d;
    d.secrets = &vss_;
    d.auths = &auths_;
    d.connections = &conns_;
    writer_ = std::make_unique<DestinationWriter>(
        managed_, cluster_, hmac_key_,
        [this](std::string_view, const std::string& key) -> std::optional<std::string> {
          auto v = vss_.Get(key);
          return v ? std::optional<std::string>(v->meta.uid) : std::nullopt;
        });
    d.writer = writer_.get();
    d.cluster = &cluster_;
    d.events = &events_;
    d.vault = &source_;
    d.clock = &clock_;
    d.metrics = &metrics_;
    d.logger = &logger_;
    return VaultStaticSecretReconciler(d, options_);
  }

  // The Ready condition the reconciler wrote (its last status patch).
  std::pair<std::string, std::string> Ready() {
    if (cluster_.status_patch_bodies.empty()) return {"<no status patch>", ""};
    auto p = json::Parse(cluster_.status_patch_bodies.back());
    const json::Value* conds = json::Find((*p)["status"], "conditions");
    for (const auto& c : conds->GetArray()) {
      if (json::View(c["type"]) == "Ready") {
        return {std::string(json::View(c["reason"])), std::string(json::View(c["message"]))};
      }
    }
    return {"<no Ready condition>", ""};
  }

  FakeLister<VaultStaticSecret> vss_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  FakeLister<ManagedSecret> managed_;
  FakeCluster cluster_;
  FakeEvents events_;
  FakeSource source_;
  FakeMetrics metrics_;
  FakeClock clock_;
  std::ostringstream log_;
  log::Logger logger_{&log_};
  VaultStaticSecretReconcilerOptions options_;
  const std::string hmac_key_ = kHmacKey;
  std::unique_ptr<DestinationWriter> writer_;
};

TEST_P(Catalogue, GivesItsReasonAndMessageAndTouchesNothingElse) {
  const Case& c = GetParam();
  if (!c.vault_json.empty()) SetVault(c.vault_json);
  // A Secret of another owner sits where the destination would be: it must stay as it is.
  const std::string bystander =
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"bystander","namespace":"demo",)"
      R"("resourceVersion":"5"},"type":"Opaque","data":{"k":"dg=="}})";
  cluster_.PutSecret("demo", bystander);
  Put<VaultStaticSecret>(vss_, "demo/db", c.spec, DecodeVaultStaticSecret);

  auto r = Make().Reconcile("demo/db");
  EXPECT_FALSE(r.error.ok());
  EXPECT_EQ(r.terminal, c.terminal);
  auto [reason, message] = Ready();
  EXPECT_EQ(reason, c.reason);
  EXPECT_EQ(message, c.message);
  EXPECT_EQ(r.error.message(), c.message) << "the error logged and counted is the same";
  // A warning Event with the same reason and message.
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_TRUE(events_.events[0].warning);
  EXPECT_EQ(events_.events[0].reason, c.reason);
  EXPECT_EQ(events_.events[0].message, c.message);
  // Nothing else touched: one status patch, no Secret written, no workload restarted.
  EXPECT_EQ(cluster_.status_patches, 1);
  EXPECT_EQ(cluster_.creates, 0);
  EXPECT_EQ(cluster_.updates, 0);
  EXPECT_EQ(cluster_.workload_patches, 0);
  EXPECT_EQ(cluster_.object_patches, 0);
  EXPECT_EQ(cluster_.tokens, 0) << "no ServiceAccount token minted for a bad spec";
  EXPECT_FALSE(cluster_.SecretJson("demo", "db-creds").has_value());
  EXPECT_EQ(*cluster_.SecretJson("demo", "bystander"), bystander);
  EXPECT_EQ(source_.reads, c.reads_vault ? 1 : 0);
  // No secret value in the condition, the Event or the log.
  for (const char* value : {"s3cr3t", "CANARY"}) {
    EXPECT_EQ(message.find(value), std::string::npos);
    EXPECT_EQ(log_.str().find(value), std::string::npos);
  }
}

std::vector<Case> Cases() {
  const std::string dest = kDest;
  return {
      // ---- VaultStaticSecret spec -----------------------------------------------------------
      {"MissingMount", R"({"path":"app/db",)" + dest + "}", "", "InvalidSpec",
       "field \"spec.mount\" is missing"},
      {"EmptyPath", R"({"mount":"secret","path":"",)" + dest + "}", "", "InvalidSpec",
       "field \"spec.path\": \"\" must be relative (no leading /) with no empty, . or .. segments"},
      {"PathWithDotDot", R"({"mount":"secret","path":"app/../sys",)" + dest + "}", "",
       "InvalidSpec",
       "field \"spec.path\": \"app/../sys\" must be relative (no leading /) with no empty, . or "
       ".. segments"},
      {"PathWithLeadingSlash", R"({"mount":"secret","path":"/app/db",)" + dest + "}", "",
       "InvalidSpec",
       "field \"spec.path\": \"/app/db\" must be relative (no leading /) with no empty, . or .. "
       "segments"},
      {"MountWithDotDot", R"({"mount":"../secret","path":"app/db",)" + dest + "}", "",
       "InvalidSpec", "field \"spec.mount\": \"../secret\" is not a valid mount path"},
      {"PathOfWrongType", R"({"mount":"secret","path":7,)" + dest + "}", "", "InvalidSpec",
       "field \"spec.path\": expected string, got number"},
      {"UnknownKvType", Vss(R"("type":"kv-v3",)" + dest), "", "InvalidSpec",
       "field \"spec.type\": must be kv-v1 or kv-v2, got \"kv-v3\""},
      {"NegativeVersion", Vss(R"("version":-1,)" + dest), "", "InvalidSpec",
       "field \"spec.version\": must be at least 1"},
      {"VersionWithKvV1", Vss(R"("type":"kv-v1","version":2,)" + dest), "", "InvalidSpec",
       "field \"spec.version\": versions exist only in kv-v2; remove it or set type: kv-v2"},
      {"BadDuration", Vss(R"("refreshAfter":"30 seconds",)" + dest), "", "InvalidSpec",
       "field \"spec.refreshAfter\": \"30 seconds\" is not a duration like 30s, 5m or 1.5h"},
      {"ZeroDuration", Vss(R"("refreshAfter":"0s",)" + dest), "", "InvalidSpec",
       "field \"spec.refreshAfter\" must be positive"},
      {"HugeDuration", Vss(R"("refreshAfter":"99999999999999h",)" + dest), "", "InvalidSpec",
       "field \"spec.refreshAfter\": \"99999999999999h\" is too long a duration (at most "
       "2562047h)"},
      {"HmacFlagOfWrongType", Vss(R"("hmacSecretData":"yes",)" + dest), "", "InvalidSpec",
       "field \"spec.hmacSecretData\": expected boolean, got string"},
      {"MissingDestination", Vss(R"("refreshAfter":"30s")"), "", "InvalidSpec",
       "field \"spec.destination\" is missing"},
      {"EmptyDestinationName", Vss(R"("destination":{"name":""})"), "", "InvalidSpec",
       "field \"spec.destination.name\" is empty"},
      {"InvalidDestinationName", Vss(R"("destination":{"name":"Bad_Name"})"), "", "InvalidSpec",
       "field \"spec.destination.name\": \"Bad_Name\" is not a valid Secret name (lower-case "
       "letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253)"},
      {"ReservedLabel",
       Vss(R"("destination":{"name":"db-creds","labels":{"vaultsync.io/owner":"x"}})"), "",
       "InvalidSpec",
       "field \"spec.destination.labels\": label vaultsync.io/owner is set by the operator and "
       "cannot be overridden"},
      {"TemplateSyntaxError",
       Vss(R"("destination":{"name":"db-creds","transformation":{"templates":{"url":{"text":"x{{ .password"}}}})"),
       "", "InvalidSpec",
       "field \"spec.destination.transformation.templates.url.text\": template has an unclosed "
       "{{ at offset 1"},
      {"TemplateUnknownFunction",
       Vss(R"("destination":{"name":"db-creds","transformation":{"templates":{"url":{"text":"{{ .password | sha256 }}"}}}})"),
       "", "InvalidSpec",
       "field \"spec.destination.transformation.templates.url.text\": template action {{ "
       ".password | sha256 }} at offset 0: unknown function \"sha256\" (known: b64enc, b64dec, "
       "upper, lower, trim, quote)"},
      {"TemplateNamingAMissingKey",
       Vss(R"("destination":{"name":"db-creds","transformation":{"templates":{"url":{"text":"{{ .host }}"}}}})"),
       "", "InvalidSpec",
       "template for key \"url\": template refers to key \"host\", which the Vault secret does "
       "not have",
       true, false},
      {"TemplateKeyNotASecretKey",
       Vss(R"("destination":{"name":"db-creds","transformation":{"templates":{"a b":{"text":"x"}}}})"),
       "", "InvalidSpec", "template key \"a b\" is not a valid Secret key", true, false},
      {"IncludeRegexThatDoesNotCompile",
       Vss(R"("destination":{"name":"db-creds","transformation":{"includes":["(pass"]}})"), "",
       "InvalidSpec",
       "field \"spec.destination.transformation.includes\": \"(pass\" is not a valid regular "
       "expression (not a valid ECMAScript regular expression)"},
      {"ExcludeRegexOverALimit",
       Vss(R"("destination":{"name":"db-creds","transformation":{"excludes":["x{5000}"]}})"), "",
       "InvalidSpec",
       "field \"spec.destination.transformation.excludes\": \"x{5000}\" is not a valid regular "
       "expression (a repetition count above 1000)"},
      {"UnknownRolloutTargetKind",
       Vss(dest + R"(,"rolloutRestartTargets":[{"kind":"Pod","name":"web"}])"), "", "InvalidSpec",
       "field \"spec.rolloutRestartTargets[].kind\": must be Deployment, StatefulSet, DaemonSet "
       "or argoproj.io/Rollout, got \"Pod\""},
      // ---- references -----------------------------------------------------------------------
      {"MalformedAuthRef", Vss(R"("vaultAuthRef":"a/b/c",)" + dest), "", "InvalidSpec",
       "field \"spec.vaultAuthRef\": want name or namespace/name, got \"a/b/c\""},
      {"AuthRefToAMissingVaultAuth", Vss(R"("vaultAuthRef":"nope",)" + dest), "", "AuthNotFound",
       "VaultAuth demo/nope not found", false, false},
      {"CrossNamespaceAuthNotAllowed", Vss(R"("vaultAuthRef":"platform/shared",)" + dest), "",
       "NamespaceNotAllowed",
       "VaultAuth platform/shared does not allow namespace demo (spec.allowedNamespaces)"},
      {"VaultAuthWithoutRole", Vss(R"("vaultAuthRef":"norole",)" + dest), "", "InvalidSpec",
       "VaultAuth demo/norole is invalid: field \"spec.kubernetes.role\" is required for method "
       "kubernetes"},
      {"VaultAuthTokenTooShortLived", Vss(R"("vaultAuthRef":"shortlived",)" + dest), "",
       "InvalidSpec",
       "VaultAuth demo/shortlived is invalid: field \"spec.kubernetes.tokenExpirationSeconds\": "
       "must be at least 600"},
      {"AppRoleWithoutSecret", Vss(R"("vaultAuthRef":"approle-nosecret",)" + dest), "",
       "InvalidSpec",
       "VaultAuth demo/approle-nosecret is invalid: field \"spec.appRole.secretRef\" is required "
       "for method appRole (a Secret in this namespace whose key \"id\" holds the secret ID)"},
      {"VaultTokenHeaderInConnection", Vss(R"("vaultAuthRef":"via-token-header",)" + dest), "",
       "InvalidSpec",
       "VaultConnection demo/token-header is invalid: field \"spec.headers\": X-Vault-Token "
       "cannot be set here; use a VaultAuth"},
      {"ConnectionAddressWithoutScheme", Vss(R"("vaultAuthRef":"via-no-scheme",)" + dest), "",
       "InvalidSpec",
       "VaultConnection demo/no-scheme is invalid: field \"spec.address\": must start with "
       "http:// or https://"},
      {"CrossNamespaceConnectionMissing", Vss(R"("vaultAuthRef":"via-foreign-conn",)" + dest), "",
       "ConnectionNotFound", "VaultConnection other/conn not found", false, false},
      // ---- Vault payloads -------------------------------------------------------------------
      {"KeyInvalidForASecret", Vss(dest), R"({"bad key!":"CANARY-1","ok":"v"})", "InvalidSpec",
       "Vault key \"bad key!\" is not a valid Secret key (allowed: letters, digits, '-', '_', "
       "'.'); exclude it with destination.transformation.excludes or rename it with a template",
       true, false},
      {"KeyDotDot", Vss(dest), R"({"..":"CANARY-2"})", "InvalidSpec",
       "Vault key \"..\" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); "
       "exclude it with destination.transformation.excludes or rename it with a template",
       true, false},
      {"KeyWithSlash", Vss(dest), R"({"a/b":"CANARY-3"})", "InvalidSpec",
       "Vault key \"a/b\" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); "
       "exclude it with destination.transformation.excludes or rename it with a template",
       true, false},
      {"EmptyKey", Vss(dest), R"({"":"CANARY-4"})", "InvalidSpec",
       "Vault key \"\" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); "
       "exclude it with destination.transformation.excludes or rename it with a template",
       true, false},
      {"NonUtf8Key", Vss(dest), "{\"k\xff\xfe\":\"CANARY-5\"}", "InvalidSpec",
       "Vault key \"k\\xff\\xfe\" is not a valid Secret key (allowed: letters, digits, '-', '_', "
       "'.'); exclude it with destination.transformation.excludes or rename it with a template",
       true, false},
      {"TwoMiBValue", Vss(dest), R"({"big":")" + std::string(2 << 20, 'x') + R"("})", "InvalidSpec",
       "the Secret data would be 2097155 bytes, over Kubernetes' limit of 1 MiB; use "
       "includes/excludes to select fewer keys",
       true, false},
      // Shown cut at 100 bytes: a condition message has a size limit, a key has none.
      {"OverlongKey", Vss(dest), R"({")" + std::string(300, 'k') + R"(":"CANARY-6"})",
       "InvalidSpec",
       "Vault key \"" + std::string(100, 'k') +
           "...\" is not a valid Secret key (allowed: letters, digits, '-', '_', '.'); exclude it "
           "with destination.transformation.excludes or rename it with a template",
       true, false},
  };
}

INSTANTIATE_TEST_SUITE_P(BadInput, Catalogue, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

// The payloads that are not errors: what Vault holds is written exactly as a Go program
// (Vault's own CLI, VSO) would print it, and nothing else is touched.
class Payloads : public Catalogue {};

TEST_F(Payloads, NonStringNestedNullEmptyManyKeysAndRawBytesAreWrittenExactly) {
  struct Ok {
    const char* name;
    std::string vault_json;
    std::map<std::string, std::string> data;
  };
  std::string many = "{";
  std::map<std::string, std::string> many_data;
  for (int i = 0; i < 10000; ++i) {
    std::string k = "k" + std::to_string(i);
    many += (i ? "," : "") + ("\"" + k + "\":\"v" + std::to_string(i) + "\"");
    many_data[k] = "v" + std::to_string(i);
  }
  many += "}";
  const std::vector<Ok> oks = {
      {"non-string values",
       R"({"port":5432,"on":true,"ratio":0.75,"big":1e21})",
       {{"big", "1e+21"}, {"on", "true"}, {"port", "5432"}, {"ratio", "0.75"}}},
      {"nested maps",
       R"({"m":{"b":[1,"x",{"y":null}],"a":"<&>"}})",
       {{"m", R"({"b":[1,"x",{"y":null}],"a":"\u003c\u0026\u003e"})"}}},
      {"null", R"({"n":null})", {{"n", "null"}}},
      {"empty secret", "{}", {}},
      {"10,000 keys", many, many_data},
      {"non-UTF-8 value bytes", "{\"raw\":\"\xff\xfe\x80\"}", {{"raw", "\xff\xfe\x80"}}},
  };
  for (const Ok& ok : oks) {
    SCOPED_TRACE(ok.name);
    cluster_.DeleteSecret("demo", "db-creds");
    cluster_.creates = cluster_.updates = cluster_.workload_patches = 0;
    SetVault(ok.vault_json);
    Put<VaultStaticSecret>(vss_, "demo/db", Vss(kDest), DecodeVaultStaticSecret);
    auto r = Make().Reconcile("demo/db");
    ASSERT_TRUE(r.error.ok()) << r.error.ToString();
    EXPECT_EQ(cluster_.creates, 1);
    EXPECT_EQ(cluster_.updates, 0);
    EXPECT_EQ(cluster_.workload_patches, 0);
    EXPECT_EQ(cluster_.SecretDataOf("demo", "db-creds"), ok.data);
    EXPECT_EQ(Ready().first, "Synced");
  }
}

}  // namespace
}  // namespace vaultsync::controller
