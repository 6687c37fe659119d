// Tests for controller/resources.h: decoding and the validation the CRD schema cannot do.
#include "controller/resources.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(v.spec.dest_type, "Opaque");
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
      }) {
    EXPECT_FALSE(Vss(spec).spec_error.ok()) << spec;
  }
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
