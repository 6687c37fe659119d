// Tests of VaultPushSecret's decoder and validation, of the push data rules (key selection,
// UTF-8, MACs) and of the filtered Secret cache's decoder (declines Secrets nobody names,
// keeps one digest per key selection, never the data).
#include "controller/vault_push_secret.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/push_data.h"
#include "util/base64.h"

namespace vaultsync::controller {
namespace {
using ::testing::HasSubstr;

Result<VaultPushSecret> Decode(const std::string& spec, const std::string& extra_meta = "",
                               const std::string& status = "") {
  auto doc =
      json::Parse(R"({"metadata":{"name":"p","namespace":"demo","generation":2)" + extra_meta +
                  R"(},"spec":)" + spec + (status.empty() ? "" : ",\"status\":" + status) + "}");
  EXPECT_TRUE(doc.ok());
  return DecodeVaultPushSecret(*doc);
}

TEST(VaultPushSecretDecode, DefaultsAsTheSpecSays) {
  auto v = Decode(R"({"secretName":"app","mount":"secret","path":"app/x"})");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->spec_error.ok()) << v->spec_error.message();
  EXPECT_EQ(v->spec.type, KvType::kV2);
  EXPECT_EQ(v->spec.update_policy, UpdatePolicy::kReplace);
  EXPECT_EQ(v->spec.deletion_policy, DeletionPolicy::kRetain);
  EXPECT_EQ(v->spec.refresh_after, std::chrono::hours(1));
  EXPECT_TRUE(v->spec.keys.empty());
  EXPECT_TRUE(v->spec.auth_ref.empty());
  EXPECT_EQ(v->spec.VaultPath(), "secret/app/x");
  EXPECT_EQ(PushSourceIndexValues(*v), std::vector<std::string>{"demo/app"});
  EXPECT_EQ(PushVaultPathIndexValues(*v), std::vector<std::string>{"secret/app/x"});
}

TEST(VaultPushSecretDecode, EveryField) {
  auto v = Decode(
      R"({"vaultAuthRef":"team/auth","secretName":"app","keys":["b","a","b"],"mount":"kv",
          "path":"x/y","type":"kv-v1","updatePolicy":"IfNotExists","deletionPolicy":"Delete",
          "refreshAfter":"90s"})",
      R"(,"creationTimestamp":"2026-01-02T03:04:05Z","finalizers":["vaultsync.io/push-cleanup"])",
      R"({"observedGeneration":2,"secretMAC":"abc","lastPushTime":"2026-01-02T03:05:00Z",
          "destinationVersion":4,"vaultPath":"kv/x/y"})");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->spec_error.ok()) << v->spec_error.message();
  EXPECT_EQ(v->spec.auth_ref.Key(), "team/auth");
  EXPECT_EQ(v->spec.keys, (std::vector<std::string>{"b", "a"})) << "repeats dropped";
  EXPECT_EQ(v->spec.type, KvType::kV1);
  EXPECT_EQ(v->spec.update_policy, UpdatePolicy::kIfNotExists);
  EXPECT_EQ(v->spec.deletion_policy, DeletionPolicy::kDelete);
  EXPECT_EQ(v->spec.refresh_after, std::chrono::seconds(90));
  EXPECT_EQ(v->created_seconds, 1767323045);
  EXPECT_TRUE(v->meta.HasFinalizer(kPushCleanupFinalizer));
  EXPECT_EQ(v->status.observed_generation, 2);
  EXPECT_EQ(v->status.secret_mac, MacDigest("abc"));
  EXPECT_TRUE(v->status.pushed_before);
  EXPECT_EQ(v->status.destination_version, 4);
  EXPECT_EQ(v->status.vault_path, "kv/x/y");
}

TEST(VaultPushSecretDecode, InvalidSpecsNameTheField) {
  struct Case {
    const char* spec;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"mount":"secret","path":"a"})", "secretName"},
           {R"({"secretName":"","mount":"secret","path":"a"})", "spec.secretName"},
           {R"({"secretName":"app","path":"a"})", "mount"},
           {R"({"secretName":"app","mount":"secret","path":"/a"})", "spec.path"},
           {R"({"secretName":"app","mount":"secret","path":"a/../b"})", "spec.path"},
           {R"({"secretName":"app","mount":"secret","path":"a","type":"kv-v3"})", "spec.type"},
           {R"({"secretName":"app","mount":"secret","path":"a","updatePolicy":"Always"})",
            "spec.updatePolicy"},
           {R"({"secretName":"app","mount":"secret","path":"a","deletionPolicy":"Orphan"})",
            "spec.deletionPolicy"},
           {R"({"secretName":"app","mount":"secret","path":"a","refreshAfter":"1d"})",
            "spec.refreshAfter"},
           {R"({"secretName":"app","mount":"secret","path":"a","keys":["no/slash"]})", "spec.keys"},
           {R"({"secretName":"app","mount":"secret","path":"a","vaultAuthRef":"a/b/c"})",
            "spec.vaultAuthRef"},
       }) {
    auto v = Decode(c.spec);
    ASSERT_TRUE(v.ok()) << c.spec;
    EXPECT_FALSE(v->spec_error.ok()) << c.spec;
    EXPECT_THAT(v->spec_error.message(), HasSubstr(c.message)) << c.spec;
    EXPECT_TRUE(PushVaultPathIndexValues(*v).empty()) << "an invalid spec holds no path";
  }
}

TEST(VaultPushSecretDecode, OlderByCreationThenNameThenNamespace) {
  auto a = *Decode(R"({"secretName":"s","mount":"m","path":"p"})",
                   R"(,"creationTimestamp":"2026-01-01T00:00:00Z")");
  auto b = *Decode(R"({"secretName":"s","mount":"m","path":"p"})",
                   R"(,"creationTimestamp":"2026-01-02T00:00:00Z")");
  EXPECT_TRUE(OlderThan(a, b));
  EXPECT_FALSE(OlderThan(b, a));
  b.created_seconds = a.created_seconds;
  b.meta.name = "q";
  EXPECT_TRUE(OlderThan(a, b));
  b.meta.name = a.meta.name;
  b.meta.namespace_ = "zzz";
  EXPECT_TRUE(OlderThan(a, b));
  EXPECT_FALSE(OlderThan(a, a));
}

TEST(PushData, Utf8AsGoDecidesIt) {
  for (std::string ok :
       std::vector<std::string>{"", "plain ascii", "h\xc3\xa9llo", "\xe2\x82\xac",
                                "\xf0\x9f\x94\x91", std::string("nul\0inside", 10)}) {
    EXPECT_TRUE(ValidUtf8(ok)) << ok;
  }
  for (std::string bad :
       {"\xff", "\xc3", "\x80", "\xc0\xaf" /* overlong '/' */, "\xed\xa0\x80" /* surrogate */,
        "\xf4\x90\x80\x80" /* > U+10FFFF */, "\xe2\x82" /* cut */}) {
    EXPECT_FALSE(ValidUtf8(bad)) << base64::Encode(bad);
  }
  Status st = CheckUtf8({{"good", "x"}, {"bin", "\xff\x01secret"}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(R"(key "bin")"));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("secret")));
}

TEST(PushData, KeySelection) {
  SecretData data = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(*SelectKeys(data, {}), data);
  EXPECT_EQ(*SelectKeys(data, {"c", "a"}), (SecretData{{"a", "1"}, {"c", "3"}}));
  auto missing = SelectKeys(data, {"a", "x", "y", "x"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), R"(no keys "x", "y")");
  EXPECT_EQ(SelectionFingerprint({}), 0u);
  EXPECT_EQ(SelectionFingerprint({"a", "b"}), SelectionFingerprint({"b", "a", "a"}));
  EXPECT_NE(SelectionFingerprint({"a", "b"}), SelectionFingerprint({"a"}));
  EXPECT_NE(PushDigest("k", data, {}), 0u);
  EXPECT_EQ(PushDigest("k", data, {}), MacDigest(DataMac("k", data)));
  EXPECT_EQ(PushDigest("k", data, {"x"}), 0u) << "a missing key: nothing to push";
  EXPECT_EQ(PushDigest("k", {{"a", "\xff"}}, {}), 0u) << "not UTF-8: nothing to push";
  EXPECT_NE(PushDigest("k", data, {}), PushDigest("other key", data, {}));
}

TEST(PushData, SecretDataIsDecodedFromBase64) {
  auto doc = json::Parse(R"({"metadata":{"name":"s"},"data":{"a":"MQ==","b":""}})");
  EXPECT_EQ(*SecretDataOf(*doc), (SecretData{{"a", "1"}, {"b", ""}}));
  auto none = json::Parse(R"({"metadata":{"name":"s"}})");
  EXPECT_TRUE(SecretDataOf(*none)->empty());
  auto bad = json::Parse(R"({"metadata":{"name":"s"},"data":{"a":"!!"}})");
  EXPECT_EQ(SecretDataOf(*bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(PushSourceCache, DeclinesSecretsNoResourceNamesAndKeepsOneDigestPerSelection) {
  std::string key = "hmac";
  auto all = std::make_shared<const VaultPushSecret>(
      *Decode(R"({"secretName":"app","mount":"m","path":"p"})"));
  auto all_too = std::make_shared<const VaultPushSecret>(
      *Decode(R"({"secretName":"app","mount":"m","path":"q"})"));
  auto some = std::make_shared<const VaultPushSecret>(
      *Decode(R"({"secretName":"app","mount":"m","path":"r","keys":["a"]})"));
  std::vector<std::string> asked;
  auto decode = PushSourceDecoder(&key, [&](const std::string& k) {
    asked.push_back(k);
    return k == "demo/app" ? std::vector<std::shared_ptr<const VaultPushSecret>>{all, all_too, some}
                           : std::vector<std::shared_ptr<const VaultPushSecret>>{};
  });
  auto other =
      json::Parse(R"({"metadata":{"name":"other","namespace":"demo"},"data":{"a":"MQ=="}})");
  auto declined = decode(*other);
  ASSERT_TRUE(declined.ok());
  EXPECT_FALSE(declined->has_value());
  auto app = json::Parse(
      R"({"metadata":{"name":"app","namespace":"demo"},"data":{"a":"MQ==","b":"Mg=="}})");
  auto kept = decode(*app);
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ(asked, (std::vector<std::string>{"demo/other", "demo/app"}));
  const PushSource& s = **kept;
  EXPECT_EQ(s.key, "demo/app");
  ASSERT_EQ(s.macs.size(), 2u) << "two resources pushing every key share one digest";
  EXPECT_EQ(s.DigestFor(0), PushDigest(key, {{"a", "1"}, {"b", "2"}}, {}));
  EXPECT_EQ(s.DigestFor(SelectionFingerprint({"a"})), PushDigest(key, {{"a", "1"}}, {}));
  EXPECT_FALSE(s.DigestFor(SelectionFingerprint({"b"})).has_value());
}

}  // namespace
}  // namespace vaultsync::controller
