// Tests for controller/resources.h: decoding and the validation the CRD schema cannot do.
#include "controller/resources.h"

#include <gtest/gtest.h>

#include "controller/predicates.h"
#include "controller/secret_data.h"

namespace vaultsync::controller {
namespace {

VaultStaticSecret Vss(const std::string& spec) {
  auto doc = json::Parse(
      R"({"metadata":{"name":"x","namespace":"demo","uid":"u","generation":2},"spec":)" + spec +
      "}");
  EXPECT_TRUE(doc.ok());
  auto v = DecodeVaultStaticSecret(*doc);
  EXPECT_TRUE(v.ok());
  return *v;
}

TEST(Resources, DecodesDefaults) {
  auto v = Vss(R"({"mount":"secret","path":"app/db","destination":{"name":"d"}})");
  ASSERT_TRUE(v.spec_error.ok()) << v.spec_error.ToString();
  EXPECT_EQ(v.spec.type, KvType::kV2);
  EXPECT_TRUE(v.spec.dest_create);
  EXPECT_FALSE(v.spec.dest_overwrite);
  EXPECT_EQ(v.spec.DestType(), "Opaque");
  EXPECT_TRUE(v.spec.hmac_secret_data);
  EXPECT_FALSE(v.spec.refresh_after.has_value());
  EXPECT_EQ(v.meta.generation, 2);
  auto r = Vss(
      R"({"vaultAuthRef":"team/auth","mount":"secret","path":"a","refreshAfter":"1.5m","destination":{"name":"d"}})");
  EXPECT_EQ(r.spec.auth_ref.namespace_, "team");
  EXPECT_EQ(r.spec.auth_ref.name, "auth");
  EXPECT_EQ(*r.spec.refresh_after, std::chrono::seconds(90));
}

TEST(Resources, RarelyUsedSpecPartsAreDecodedBehindOnePointer) {
  auto plain = Vss(R"({"mount":"secret","path":"a","destination":{"name":"d"}})");
  EXPECT_EQ(plain.spec.extras, nullptr);  // nothing allocated for the common case
  EXPECT_TRUE(plain.spec.More().Empty());
  auto full = Vss(R"({"mount":"secret","path":"a","destination":{"name":"d",
      "labels":{"tier":"db"},"annotations":{"team":"x"},
      "transformation":{"templates":{"url":{"text":"{{ .host }}"}},"includes":["^h"],"excludes":["p$"]}},
      "rolloutRestartTargets":[{"kind":"Deployment","name":"web"}]})");
  ASSERT_TRUE(full.spec_error.ok()) << full.spec_error.ToString();
  ASSERT_NE(full.spec.extras, nullptr);
  const VaultStaticSecretExtras& x = full.spec.More();
  EXPECT_EQ(x.dest_labels, (std::map<std::string, std::string>{{"tier", "db"}}));
  EXPECT_EQ(x.dest_annotations, (std::map<std::string, std::string>{{"team", "x"}}));
  EXPECT_EQ(x.templates, (std::map<std::string, std::string>{{"url", "{{ .host }}"}}));
  EXPECT_EQ(x.includes, std::vector<std::string>{"^h"});
  EXPECT_EQ(x.excludes, std::vector<std::string>{"p$"});
  ASSERT_EQ(x.rollout_targets.size(), 1u);
  EXPECT_EQ(x.rollout_targets[0].kind, "Deployment");
  EXPECT_EQ(x.rollout_targets[0].name, "web");
}

TEST(Resources, RejectsWhatTheSchemaCannot) {
  for (
      const char* spec : {
          R"({"mount":"secret","path":"/abs","destination":{"name":"d"}})",
          R"({"mount":"secret","path":"a/../b","destination":{"name":"d"}})",
          R"({"mount":"secret","path":"a","type":"kv-v1","version":1,"destination":{"name":"d"}})",
          R"({"mount":"secret","path":"a","refreshAfter":"30 seconds","destination":{"name":"d"}})",
          R"({"mount":"secret","path":"a","destination":{"name":"d","transformation":{"includes":["("]}}})",
          R"({"mount":"secret","path":"a","destination":{"name":"d","transformation":{"templates":{"k":{"text":"{{ .x"}}}}})",
          R"({"mount":"secret","path":"a","destination":{"name":"d","labels":{"vaultsync.io/owner":"y"}}})",
          R"({"mount":"secret","path":"a","destination":{"name":"d"},"rolloutRestartTargets":[{"kind":"Pod","name":"p"}]})",
          R"({"mount":5,"path":"a","destination":{"name":"d"}})",
          // Several sources: at least one of path, sources, find; each with its own rules.
          R"({"mount":"secret","destination":{"name":"d"}})",
          R"({"mount":"secret","version":2,"sources":[{"path":"a"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a/"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a","mount":"/x"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a","type":"kv-v1","version":1}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a","version":0}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a","keyPrefix":"DB/"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","sources":[{"path":"a","type":"kv-v3"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"/team"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"a/../b/"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"t","nameRegex":"("}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"t","maxSecrets":0}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"t","maxSecrets":1001}],"destination":{"name":"d"}})",
          R"({"mount":"secret","find":[{"path":"t","keyFormat":"yaml"}],"destination":{"name":"d"}})",
          R"({"mount":"secret","path":"a","onKeyConflict":"FirstWins","destination":{"name":"d"}})",
      }) {
    EXPECT_FALSE(Vss(spec).spec_error.ok()) << spec;
  }
}

// Found by tests/fuzz/resources_fuzzer.cpp (regressions/resources/): the CRD pattern accepts a
// refreshAfter of any length, and 100,000 digits overflowed std::regex's stack, then
// std::stold threw. Now a bounded InvalidSpec.
TEST(Resources, OverlongOrHugeDurationsAreInvalidSpec) {
  auto huge = Vss(R"({"mount":"secret","path":"a","refreshAfter":")" + std::string(100000, '9') +
                  R"(s","destination":{"name":"d"}})");
  EXPECT_EQ(huge.spec_error.code(), StatusCode::kInvalidArgument);
  EXPECT_LT(huge.spec_error.message().size(), 200u);
  EXPECT_NE(huge.spec_error.message().find("spec.refreshAfter"), std::string::npos);
  auto big = Vss(
      R"({"mount":"secret","path":"a","refreshAfter":"99999999999999h","destination":{"name":"d"}})");
  EXPECT_EQ(big.spec_error.message(),
            "field \"spec.refreshAfter\": \"99999999999999h\" is too long a duration (at most "
            "2562047h)");
  EXPECT_TRUE(
      Vss(R"({"mount":"secret","path":"a","refreshAfter":"2562047h","destination":{"name":"d"}})")
          .spec_error.ok());
}

TEST(Resources, DecodesSourcesFindAndTheirDefaults) {
  auto v = Vss(R"({"mount":"secret","type":"kv-v1","destination":{"name":"d"},
      "onKeyConflict":"LastWins",
      "sources":[{"path":"shared/db","keyPrefix":"DB_","optional":true},
                 {"mount":"kv2","path":"x","type":"kv-v2","version":4}],
      "find":[{"path":"team-a/"},{"mount":"other","path":"","nameRegex":"^db","maxSecrets":7,
               "keyFormat":"flatten","type":"kv-v2"}],
      "rolloutRestartTargets":[{"kind":"argoproj.io/Rollout","name":"canary"}]})");
  ASSERT_TRUE(v.spec_error.ok()) << v.spec_error.ToString();
  EXPECT_EQ(v.spec.path, "");
  const auto& x = v.spec.More();
  EXPECT_EQ(x.on_key_conflict, KeyConflictPolicy::kLastWins);
  ASSERT_EQ(x.sources.size(), 2u);
  EXPECT_EQ(x.sources[0].mount, "secret");    // spec.mount
  EXPECT_EQ(x.sources[0].type, KvType::kV1);  // spec.type
  EXPECT_EQ(x.sources[0].key_prefix, "DB_");
  EXPECT_TRUE(x.sources[0].optional);
  EXPECT_EQ(x.sources[0].version, std::nullopt);
  EXPECT_EQ(x.sources[1].mount, "kv2");
  EXPECT_EQ(x.sources[1].type, KvType::kV2);
  EXPECT_EQ(x.sources[1].version, 4);
  EXPECT_FALSE(x.sources[1].optional);
  ASSERT_EQ(x.finds.size(), 2u);
  EXPECT_EQ(x.finds[0].mount, "secret");
  EXPECT_EQ(x.finds[0].path, "team-a");  // the trailing '/' is optional
  EXPECT_EQ(x.finds[0].max_secrets, 100);
  EXPECT_EQ(x.finds[0].key_format, FindKeyFormat::kJson);
  EXPECT_EQ(x.finds[0].type, KvType::kV1);
  EXPECT_EQ(x.finds[0].name_regex, "");
  EXPECT_EQ(x.finds[1].mount, "other");
  EXPECT_EQ(x.finds[1].path, "");  // the mount's root
  EXPECT_EQ(x.finds[1].name_regex, "^db");
  EXPECT_EQ(x.finds[1].max_secrets, 7);
  EXPECT_EQ(x.finds[1].key_format, FindKeyFormat::kFlatten);
  ASSERT_EQ(x.rollout_targets.size(), 1u);
  EXPECT_EQ(x.rollout_targets[0].kind, "argoproj.io/Rollout");
  // Only find, or only sources, is enough.
  EXPECT_TRUE(
      Vss(R"({"mount":"secret","find":[{"path":""}],"destination":{"name":"d"}})").spec_error.ok());
  EXPECT_TRUE(Vss(R"({"mount":"secret","sources":[{"path":"a"}],"destination":{"name":"d"}})")
                  .spec_error.ok());
  // The message of the empty spec says what to do.
  EXPECT_NE(Vss(R"({"mount":"secret","destination":{"name":"d"}})")
                .spec_error.message()
                .find("spec.path, spec.sources and spec.find"),
            std::string::npos);
}

// find[].nameRegex is compiled with the same bounds as the transformation's regexes
// (bounded_regex.h): a pattern nested deeper than the limit is InvalidSpec, not a stack
// overflow in the operator.
TEST(Resources, FindNameRegexIsBounded) {
  std::string deep(40, '(');
  deep += "a";
  deep += std::string(40, ')');
  auto v = Vss(R"({"mount":"secret","find":[{"path":"","nameRegex":")" + deep +
               R"("}],"destination":{"name":"d"}})");
  EXPECT_EQ(v.spec_error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.spec_error.message().find("spec.find[0].nameRegex"), std::string::npos)
      << v.spec_error.message();
  EXPECT_NE(v.spec_error.message().find("is not a valid regular expression ("), std::string::npos)
      << v.spec_error.message();
  EXPECT_TRUE(Vss(R"({"mount":"secret","find":[{"path":"","nameRegex":"^(db|cache)/"}],)"
                  R"("destination":{"name":"d"}})")
                  .spec_error.ok());
}

TEST(Resources, TheDigestsKeptInPaddingCostNoMemory) {
  // The force-sync digest, the shard label id and the owed-restart digest sit where the
  // structs had padding.
  struct MetaBefore {
    std::string a, b;
    Uid c;
    std::string d;
    int64_t g;
    bool x;
    std::vector<std::string> f;
  };
  EXPECT_EQ(sizeof(ObjectMeta), sizeof(MetaBefore));
  EXPECT_NE(ShortDigest(""), 0u);
  EXPECT_NE(ShortDigest("a"), ShortDigest("b"));
  // A MAC kept as MacDigest (the Secret cache) compares with one kept as ShortDigest (status).
  for (const char* mac : {"", "bWFj", "K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols="})
    EXPECT_EQ(FoldDigest(MacDigest(mac)), ShortDigest(mac)) << mac;
}

TEST(Resources, TheShardingLabelIsDecodedAndAChangeOfItWakesTheController) {
  auto with_labels = [](const std::string& labels) {
    auto doc =
        json::Parse(R"({"metadata":{"name":"x","namespace":"demo","uid":"u","labels":)" + labels +
                    R"(},"spec":{"mount":"secret","path":"a","destination":{"name":"d"}}})");
    EXPECT_TRUE(doc.ok());
    auto v = DecodeVaultStaticSecret(*doc);
    EXPECT_TRUE(v.ok());
    return *v;
  };
  auto none = with_labels("{}");
  auto other = with_labels(R"({"team":"a"})");
  auto one = with_labels(R"({"sharding.vaultsync.io/key":"shard-1","team":"a"})");
  auto two = with_labels(R"({"sharding.vaultsync.io/key":"shard-2"})");
  EXPECT_EQ(none.meta.shard, 0);
  EXPECT_EQ(other.meta.shard, 0);
  EXPECT_EQ(ShardLabelValue(one.meta.shard), "shard-1");
  EXPECT_EQ(ShardLabelValue(two.meta.shard), "shard-2");
  // Its Secret must follow the label, so a change is worth a reconcile; other labels are not.
  EXPECT_FALSE(SpecOrLifecycleChanged(none, other));
  EXPECT_TRUE(SpecOrLifecycleChanged(other, one));
  EXPECT_TRUE(SpecOrLifecycleChanged(one, two));
  EXPECT_TRUE(SpecOrLifecycleChanged(two, none));
  EXPECT_FALSE(
      SpecOrLifecycleChanged(one, with_labels(R"({"sharding.vaultsync.io/key":"shard-1"})")));
}

TEST(Resources, ACachedVaultStaticSecretStaysCompact) {
  // 10,000 of these sit in the informer cache: the uid in 16 bytes, the spec verdict as one
  // pointer, the destination type among the extras and the small fields in one word keep a
  // resource at 488 bytes (584 before), and its uid needs no heap block.
  EXPECT_EQ(sizeof(CompactStatus), sizeof(void*));
  EXPECT_LE(sizeof(VaultStaticSecret), 488u);
  auto v = Vss(R"({"mount":"secret","path":"a","destination":{"name":"d","type":"Opaque"}})");
  EXPECT_EQ(v.spec.extras, nullptr);  // Opaque is the default, not an extra
  EXPECT_EQ(v.spec.DestType(), "Opaque");
  auto tls = Vss(R"({"mount":"secret","path":"a","destination":{"name":"d",)"
                 R"("type":"kubernetes.io/tls"}})");
  EXPECT_EQ(tls.spec.DestType(), "kubernetes.io/tls");
}

TEST(Resources, DecodesTheOwedRolloutRestart) {
  auto doc = json::Parse(R"({"metadata":{"name":"x","namespace":"demo"},
      "spec":{"mount":"secret","path":"a","destination":{"name":"d"}},
      "status":{"secretMAC":"bWFj","rolloutRestartMAC":"bWFj"}})");
  auto v = DecodeVaultStaticSecret(*doc);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status.rollout_restart_mac, ShortDigest("bWFj"));
  EXPECT_NE(v->status.rollout_restart_mac, 0u);
  EXPECT_EQ(
      Vss(R"({"mount":"secret","path":"a","destination":{"name":"d"}})").status.rollout_restart_mac,
      0u);
}

TEST(Resources, AuthAndConnectionValidation) {
  auto auth = [](const std::string& spec) {
    return *DecodeVaultAuth(
        *json::Parse(R"({"metadata":{"name":"a","namespace":"ns"},"spec":)" + spec + "}"));
  };
  EXPECT_FALSE(auth(R"({"method":"kubernetes"})").spec_error.ok());  // role required
  EXPECT_FALSE(auth(R"({"method":"appRole","appRole":{"roleId":"r"}})").spec_error.ok());
  auto ok = auth(R"({"method":"appRole","appRole":{"roleId":"r","secretRef":"s"}})");
  EXPECT_TRUE(ok.spec_error.ok());
  EXPECT_EQ(ok.spec.mount, "approle");
  EXPECT_TRUE(ok.AllowsNamespace("ns"));
  EXPECT_FALSE(ok.AllowsNamespace("other"));
  auto conn = [](const std::string& spec) {
    return *DecodeVaultConnection(
        *json::Parse(R"({"metadata":{"name":"c","namespace":"ns"},"spec":)" + spec + "}"));
  };
  EXPECT_TRUE(conn(R"({"address":"https://vault:8200/"})").spec_error.ok());
  EXPECT_EQ(conn(R"({"address":"https://vault:8200/"})").spec.address, "https://vault:8200");
  EXPECT_FALSE(conn(R"({"address":"vault:8200"})").spec_error.ok());
  EXPECT_FALSE(conn(R"({"address":"http://v","headers":{"x-vault-token":"t"}})").spec_error.ok());
  EXPECT_FALSE(DecodeVaultAuth(*json::Parse(R"({"spec":{}})")).ok());  // no metadata at all
}

}  // namespace
}  // namespace vaultsync::controller
