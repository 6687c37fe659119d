// Tests for controller/secret_object.h: what the managed-Secret cache keeps of a Secret and
// how it is compared with what a VaultStaticSecret wants.
#include "controller/secret_object.h"

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {

VaultStaticSecret Vss(const std::string& dest) {
  auto doc = json::Parse(
      R"({"metadata":{"name":"db","namespace":"demo","uid":"uid-1"},"spec":{"mount":"secret",)"
      R"("path":"app/db","destination":)" +
      dest + "}}");
  EXPECT_TRUE(doc.ok());
  return *DecodeVaultStaticSecret(*doc);
}

ManagedSecret Decode(const std::string& metadata, const std::string& data = "{}") {
  std::string key = "k";
  auto doc = json::Parse(R"({"metadata":)" + metadata + R"(,"data":)" + data + "}");
  EXPECT_TRUE(doc.ok());
  auto s = ManagedSecretDecoder(&key)(*doc);
  EXPECT_TRUE(s.ok());
  return *s;
}

TEST(SecretObject, KeepsLabelsAndAnnotationsApart) {
  ManagedSecret s =
      Decode(R"({"name":"db-creds","namespace":"demo","labels":{"tier":"db","both":"label"},)"
             R"("annotations":{"note":"x","both":"annotation"}})");
  EXPECT_EQ(s.namespace_, "demo");
  EXPECT_EQ(s.Label("tier"), "db");
  EXPECT_EQ(s.Annotation("note"), "x");
  EXPECT_EQ(s.Label("both"), "label");
  EXPECT_EQ(s.Annotation("both"), "annotation");
  EXPECT_EQ(s.Label("note"), std::nullopt);  // an annotation is not a label
  EXPECT_EQ(s.Annotation("tier"), std::nullopt);
}

TEST(SecretObject, TheOwnerUidComesFromItsAnnotationElseTheControllerReference) {
  const std::string uuid = "6c2f8d4e-1b3a-4e5f-9a7b-0c1d2e3f4a5b";
  ManagedSecret annotated = Decode(
      R"({"name":"s","namespace":"demo","annotations":{"vaultsync.io/owner-uid":")" + uuid +
      R"("},"ownerReferences":[{"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret",)"
      R"("name":"s","uid":"other","controller":true}]})");
  EXPECT_EQ(annotated.OwnerUid(), uuid);
  EXPECT_EQ(annotated.Annotation("vaultsync.io/owner-uid"), uuid);
  ManagedSecret referenced = Decode(
      R"({"name":"s","namespace":"demo","ownerReferences":[{"apiVersion":"vaultsync.io/v1alpha1",)"
      R"("kind":"VaultStaticSecret","name":"s","uid":")" +
      uuid + R"(","controller":true}]})");
  EXPECT_EQ(referenced.OwnerUid(), uuid);
  // Only the annotation answers as an annotation.
  EXPECT_EQ(referenced.Annotation("vaultsync.io/owner-uid"), std::nullopt);
  ManagedSecret blank =
      Decode(R"({"name":"s","namespace":"demo","annotations":{"vaultsync.io/owner-uid":""}})");
  EXPECT_EQ(blank.Annotation("vaultsync.io/owner-uid"), "");
  EXPECT_EQ(blank.OwnerUid(), "");
  ManagedSecret none = Decode(R"({"name":"s","namespace":"demo"})");
  EXPECT_EQ(none.OwnerUid(), "");
}

TEST(SecretObject, MetadataInSyncNeedsEveryWantedLabelAndAnnotation) {
  VaultStaticSecret vss = Vss(R"({"name":"db-creds","labels":{"tier":"db"}})");
  const SecretOwner owner{kKindVaultStaticSecret, &vss.meta};
  const SecretTarget target = TargetOf(vss);
  ManagedSecret ok = Decode(
      R"({"name":"db-creds","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"vaultsync",)"
      R"("vaultsync.io/owner":"db","vaultsync.io/owner-kind":"VaultStaticSecret","tier":"db",)"
      R"("extra":"kept"},"annotations":{"vaultsync.io/owner-uid":"uid-1"}})");
  EXPECT_TRUE(MetadataInSync(ok, owner, target));
  EXPECT_EQ(ok.OwnerUid(), "uid-1");
  EXPECT_EQ(ok.metadata.Find("a:vaultsync.io/owner-uid"), std::nullopt);  // not stored twice
  EXPECT_EQ(ok.Annotation("vaultsync.io/owner-uid"), "uid-1");
  // The owner uid given as a label instead of an annotation does not count.
  ManagedSecret misplaced = Decode(
      R"({"name":"db-creds","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"vaultsync",)"
      R"("vaultsync.io/owner":"db","tier":"db","vaultsync.io/owner-uid":"uid-1"}})");
  EXPECT_FALSE(MetadataInSync(misplaced, owner, target));
  ManagedSecret changed = Decode(
      R"({"name":"db-creds","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"vaultsync",)"
      R"("vaultsync.io/owner":"db","tier":"web"},"annotations":{"vaultsync.io/owner-uid":"uid-1"}})");
  EXPECT_FALSE(MetadataInSync(changed, owner, target));
  // Written before owner-kind labels existed: brought in line once.
  ManagedSecret unkinded = Decode(
      R"({"name":"db-creds","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"vaultsync",)"
      R"("vaultsync.io/owner":"db","tier":"db"},"annotations":{"vaultsync.io/owner-uid":"uid-1"}})");
  EXPECT_FALSE(MetadataInSync(unkinded, owner, target));
  EXPECT_EQ(unkinded.OwnerKind(), kKindVaultStaticSecret);  // the meaning of no label
}

TEST(SecretObject, TheSecretCarriesItsOwnersShardLabelAndNoOther) {
  auto sharded_doc = json::Parse(
      R"({"metadata":{"name":"db","namespace":"demo","uid":"uid-1","labels":{)"
      R"("sharding.vaultsync.io/key":"shard-2"}},"spec":{"mount":"secret","path":"app/db",)"
      R"("destination":{"name":"db-creds","labels":{"sharding.vaultsync.io/key":"mine"}}}})");
  ASSERT_TRUE(sharded_doc.ok());
  auto sharded = DecodeVaultStaticSecret(*sharded_doc);
  ASSERT_TRUE(sharded.ok()) << sharded.status().ToString();
  ASSERT_NE(sharded->meta.shard, 0);
  EXPECT_EQ(ShardLabelValue(sharded->meta.shard), "shard-2");
  const SecretOwner owner{kKindVaultStaticSecret, &sharded->meta};
  // The owner's label wins over a destination label of the same key.
  auto secret = NewSecret(owner, TargetOf(*sharded), {{"k", "v"}});
  EXPECT_TRUE(ShardLabelInSync(secret, sharded->meta));
  EXPECT_NE(json::Serialize(secret).find(R"("sharding.vaultsync.io/key":"shard-2")"),
            std::string::npos);
  std::string key = "k";
  EXPECT_TRUE(MetadataInSync(*ManagedSecretDecoder(&key)(secret), owner, TargetOf(*sharded)));

  // Moved to an unlabelled owner: the label is removed, and until then out of sync.
  VaultStaticSecret plain = Vss(R"({"name":"db-creds"})");
  const SecretOwner plain_owner{kKindVaultStaticSecret, &plain.meta};
  EXPECT_EQ(plain.meta.shard, 0);
  EXPECT_FALSE(ShardLabelInSync(secret, plain.meta));
  EXPECT_FALSE(MetadataInSync(*ManagedSecretDecoder(&key)(secret), plain_owner, TargetOf(plain)));
  UpdateSecret(secret, plain_owner, TargetOf(plain), {{"k", "v"}}, false);
  EXPECT_TRUE(ShardLabelInSync(secret, plain.meta));
  EXPECT_EQ(json::Serialize(secret).find("sharding.vaultsync.io"), std::string::npos);
  EXPECT_TRUE(MetadataInSync(*ManagedSecretDecoder(&key)(secret), plain_owner, TargetOf(plain)));

  // And back to a shard, metadata only: the data is left as it is.
  SetShardLabel(secret, sharded->meta);
  EXPECT_TRUE(ShardLabelInSync(secret, sharded->meta));
  EXPECT_FALSE(ShardLabelInSync(secret, plain.meta));
  EXPECT_NE(json::Serialize(secret).find(R"("data":{"k":"dg=="})"), std::string::npos);
  SetShardLabel(secret, plain.meta);
  EXPECT_TRUE(ShardLabelInSync(secret, plain.meta));
}

TEST(SecretObject, TheCacheKeepsTheShardLabelAsAnIdInPadding) {
  // A value some resource has (decoding the resource added it to the table) is kept as its id.
  ASSERT_TRUE(InternShardLabel("shard-9").ok());
  ManagedSecret s =
      Decode(R"({"name":"db","namespace":"demo","labels":{"sharding.vaultsync.io/key":"shard-9",)"
             R"("tier":"db"}})");
  EXPECT_NE(s.shard, 0);
  EXPECT_EQ(s.Label("sharding.vaultsync.io/key"), "shard-9");
  EXPECT_EQ(s.metadata.Find("l:sharding.vaultsync.io/key"), std::nullopt);
  EXPECT_EQ(s.Label("tier"), "db");
  EXPECT_EQ(Decode(R"({"name":"db","namespace":"demo"})").Label("sharding.vaultsync.io/key"),
            std::nullopt);
  // A value no resource has is not added to the table (anyone who may label a Secret could
  // fill it): it stays in `metadata`, and Label() still answers it.
  ManagedSecret unknown = Decode(
      R"({"name":"db","namespace":"demo","labels":{"sharding.vaultsync.io/key":"no-such-shard"}})");
  EXPECT_EQ(unknown.shard, 0);
  EXPECT_EQ(unknown.Label("sharding.vaultsync.io/key"), "no-such-shard");
  EXPECT_EQ(FindShardLabel("no-such-shard"), 0);
  struct Before {  // ManagedSecret without the id
    std::string a;
    FlatStringMap b;
    Uid c;
    uint64_t d;
    uint8_t e;
  };
  EXPECT_EQ(sizeof(ManagedSecret), sizeof(Before));
}

TEST(SecretObject, ShardLabelValuesAreStoredOnceEach) {
  auto a = InternShardLabel("shard-x");
  auto b = InternShardLabel("shard-y");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, 0);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(*InternShardLabel("shard-x"), *a);
  EXPECT_EQ(ShardLabelValue(*a), "shard-x");
  EXPECT_EQ(ShardLabelValue(0), "");
  // An empty value is a value (the label is present), not the absence of the label.
  auto empty = InternShardLabel("");
  ASSERT_TRUE(empty.ok());
  EXPECT_NE(*empty, 0);
  EXPECT_EQ(ShardLabelValue(*empty), "");
}

TEST(SecretObject, TheOwnersKindComesFromTheRegistration) {
  VaultStaticSecret vss = Vss(R"({"name":"db-creds"})");
  auto secret = NewSecret(SecretOwner{"VaultPKISecret", &vss.meta}, TargetOf(vss), {{"k", "v"}});
  std::string text = json::Serialize(secret);
  EXPECT_NE(text.find(R"("vaultsync.io/owner-kind":"VaultPKISecret")"), std::string::npos);
  EXPECT_NE(text.find(R"("kind":"VaultPKISecret","name":"db","uid":"uid-1","controller":true)"),
            std::string::npos);
  auto [kind, name] = OwnerOf(secret);
  EXPECT_EQ(kind, "VaultPKISecret");
  EXPECT_EQ(name, "db");
  EXPECT_EQ(OwnerUid(secret), "uid-1");
  std::string key = "k";
  auto cached = ManagedSecretDecoder(&key)(secret);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->OwnerKind(), "VaultPKISecret");
  EXPECT_EQ(cached->OwnerKey(), "demo/db");
}

TEST(SecretObject, WellKnownLabelsAreKeptAsBitsAndStillAnswered) {
  ManagedSecret compact = Decode(
      R"({"name":"s","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"vaultsync",)"
      R"("vaultsync.io/owner-kind":"VaultPKISecret","vaultsync.io/owner":"x"}})");
  EXPECT_EQ(compact.Label("app.kubernetes.io/managed-by"), "vaultsync");
  EXPECT_EQ(compact.Label("vaultsync.io/owner-kind"), "VaultPKISecret");
  EXPECT_EQ(compact.OwnerKind(), "VaultPKISecret");
  EXPECT_EQ(compact.metadata.size(), 1u) << "only the owner's name takes space";
  // Other values are kept as they are.
  ManagedSecret other =
      Decode(R"({"name":"s","namespace":"demo","labels":{"app.kubernetes.io/managed-by":"helm",)"
             R"("vaultsync.io/owner-kind":"SomethingNew"}})");
  EXPECT_EQ(other.Label("app.kubernetes.io/managed-by"), "helm");
  EXPECT_EQ(other.OwnerKind(), "SomethingNew");
  EXPECT_EQ(other.well_known_labels, 0);
}

TEST(SecretObject, TheCacheKeepsAMacOfTheDataNotTheData) {
  ManagedSecret a = Decode(R"({"name":"s","namespace":"demo"})", R"({"password":"czNjcjN0"})");
  ManagedSecret b = Decode(R"({"name":"s","namespace":"demo"})", R"({"password":"b3RoZXI="})");
  EXPECT_NE(a.data_mac, 0u);
  EXPECT_NE(a.data_mac, b.data_mac);
  EXPECT_EQ(a.data_mac, MacDigest(DataMac("k", {{"password", "s3cr3t"}})));
}

}  // namespace
}  // namespace vaultsync::controller
