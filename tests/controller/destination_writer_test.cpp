// Tests for controller/destination_writer.h: the writer every kind shares. The owner's kind
// is part of ownership, so two kinds' resources of the same name never take each other's
// Secret.
#include "controller/destination_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/base64.h"

#include "fakes.h"

namespace vaultsync::controller {
namespace {

using ::testing::HasSubstr;

ObjectMeta Meta(const std::string& name, const std::string& uid) {
  ObjectMeta m;
  m.namespace_ = "demo";
  m.name = name;
  m.uid = uid;
  return m;
}

class WriterTest : public ::testing::Test {
 protected:
  WriterTest()
      : writer_(managed_, cluster_, key_,
                [this](std::string_view kind,
                       const std::string& k) -> Result<std::optional<std::string>> {
                  if (!lookup_error_.ok()) return lookup_error_;
                  auto it = live_.find(std::string(kind) + " " + k);
                  if (it == live_.end()) return std::optional<std::string>();
                  return std::optional<std::string>(it->second);
                }) {}
  // Refreshes the managed cache from the fake cluster, as the Secret informer would.
  void Sync(const std::string& name) {
    auto text = cluster_.SecretJson("demo", name);
    ASSERT_TRUE(text.has_value());
    managed_.Put("demo/" + name, *ManagedSecretDecoder(&key_)(*json::Parse(*text)));
  }
  Result<WriteResult> Write(const std::string& kind, const ObjectMeta& meta,
                            const std::string& dest, const SecretData& data,
                            WriteFailure* failure) {
    SecretTarget t;
    t.name = dest;
    return writer_.Write(SecretOwner{kind, &meta}, t, data, DataMac(key_, data), failure);
  }

  // Puts Secret demo/db (data a=1) labelled as managed by VaultStaticSecret `owner` (`uid`).
  void PutSecretOwnedBy(const std::string& owner, const std::string& uid) {
    cluster_.PutSecret("demo", R"({"metadata":{"name":"db","namespace":"demo",)"
                               R"("resourceVersion":"5","labels":{"vaultsync.io/owner":")" +
                                   owner +
                                   R"(","vaultsync.io/owner-kind":"VaultStaticSecret"},)"
                                   R"("annotations":{"vaultsync.io/owner-uid":")" +
                                   uid + R"("}},"data":{"a":"MQ=="}})");
  }
  // Writes `data` into demo/db for the VaultStaticSecret `meta`, with destination.overwrite.
  Result<WriteResult> Overwrite(const ObjectMeta& meta, const SecretData& data, WriteFailure* f) {
    SecretTarget t;
    t.name = "db";
    t.overwrite = true;
    return writer_.Write(SecretOwner{"VaultStaticSecret", &meta}, t, data, DataMac(key_, data), f);
  }

  const std::string key_ = "k";
  testing::FakeLister<ManagedSecret> managed_;
  testing::FakeCluster cluster_;
  std::map<std::string, std::string> live_;  // "Kind ns/name" -> uid of live owners
  Status lookup_error_;                      // when set, every owner lookup fails with it
  DestinationWriter writer_;
};

TEST_F(WriterTest, SameNameDifferentKindsNeverShareASecret) {
  ObjectMeta vss = Meta("x", "uid-vss"), pki = Meta("x", "uid-pki");
  live_["VaultStaticSecret demo/x"] = "uid-vss";
  live_["VaultPKISecret demo/x"] = "uid-pki";
  WriteFailure f;
  auto first = Write("VaultStaticSecret", vss, "shared", {{"a", "1"}}, &f);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->outcome, WriteOutcome::kCreated);
  Sync("shared");
  // The PKI resource named x wants the same Secret: refused, even with the same owner name.
  auto second = Write("VaultPKISecret", pki, "shared", {{"tls.crt", "c"}}, &f);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(f.reason, kReasonSecretConflict);
  EXPECT_THAT(f.status.message(), HasSubstr("managed by VaultStaticSecret x"));
  EXPECT_EQ(cluster_.SecretDataOf("demo", "shared"), (SecretData{{"a", "1"}}));
  // Its own Secret carries its kind, so the VaultStaticSecret x does not claim it.
  auto own = Write("VaultPKISecret", pki, "tls", {{"tls.crt", "c"}}, &f);
  ASSERT_TRUE(own.ok());
  Sync("tls");
  auto cached = managed_.Get("demo/tls");
  EXPECT_EQ(cached->OwnerKind(), "VaultPKISecret");
  EXPECT_EQ(cached->OwnerKey(), "demo/x");
}

TEST_F(WriterTest, UnchangedDataWritesNothingAndChangedDataUpdates) {
  ObjectMeta vss = Meta("db", "uid-1");
  WriteFailure f;
  ASSERT_TRUE(Write("VaultStaticSecret", vss, "db", {{"a", "1"}}, &f).ok());
  Sync("db");
  int writes = cluster_.writes(), gets = cluster_.gets;
  auto same = Write("VaultStaticSecret", vss, "db", {{"a", "1"}}, &f);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(cluster_.writes(), writes);
  EXPECT_EQ(cluster_.gets, gets);
  auto changed = Write("VaultStaticSecret", vss, "db", {{"a", "2"}}, &f);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->outcome, WriteOutcome::kUpdated);
  EXPECT_TRUE(changed->data_changed);
}

TEST_F(WriterTest, AStaleOwnerLabelDoesNotBlockAnOverwrite) {
  // A Secret left by a resource that no longer exists may be taken over with overwrite.
  PutSecretOwnedBy("gone", "uid-gone");
  WriteFailure f;
  auto r = Overwrite(Meta("db", "uid-1"), {{"a", "2"}}, &f);
  ASSERT_TRUE(r.ok()) << f.status.ToString();
  EXPECT_EQ(r->outcome, WriteOutcome::kUpdated);
}

// A resource moved between shards: its Secret, labelled for the shard before, is outside
// the new shard's cache. The create is refused, the live Secret is ours with the same data,
// and one update relabels it (the data untouched).
TEST_F(WriterTest, ASecretOfAMovedResourceIsRelabelledWithOneWrite) {
  ObjectMeta before = Meta("db", "uid-1");
  before.shard = *InternShardLabel("shard-1");
  WriteFailure f;
  SecretData data{{"a", "1"}};
  ASSERT_TRUE(Write("VaultStaticSecret", before, "db", data, &f).ok());
  ASSERT_NE(cluster_.SecretJson("demo", "db")->find(R"("sharding.vaultsync.io/key":"shard-1")"),
            std::string::npos);
  ObjectMeta after = before;
  after.shard = *InternShardLabel("shard-2");
  const int creates = cluster_.creates, updates = cluster_.updates;
  auto moved = Write("VaultStaticSecret", after, "db", data, &f);  // not in this cache
  ASSERT_TRUE(moved.ok()) << f.status.ToString();
  EXPECT_EQ(moved->outcome, WriteOutcome::kUpdated);
  EXPECT_FALSE(moved->data_changed);
  EXPECT_EQ(cluster_.creates, creates + 1) << "tried to create, refused (AlreadyExists)";
  EXPECT_EQ(cluster_.updates, updates + 1);
  EXPECT_NE(cluster_.SecretJson("demo", "db")->find(R"("sharding.vaultsync.io/key":"shard-2")"),
            std::string::npos);
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db"), data);
  // Now cached as the new shard sees it: nothing more to write.
  Sync("db");
  auto again = Write("VaultStaticSecret", after, "db", data, &f);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, WriteOutcome::kUnchanged);

  // FollowShard, for kinds that keep a Secret without rewriting it: metadata only.
  ObjectMeta unlabelled = after;
  unlabelled.shard = 0;
  auto live = json::Parse(*cluster_.SecretJson("demo", "db"));
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(writer_.FollowShard(SecretOwner{"VaultStaticSecret", &unlabelled}, "db", *live).ok());
  EXPECT_EQ(cluster_.updates, updates + 2);
  EXPECT_EQ(cluster_.SecretJson("demo", "db")->find("sharding.vaultsync.io"), std::string::npos);
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db"), data);
  live = json::Parse(*cluster_.SecretJson("demo", "db"));
  ASSERT_TRUE(writer_.FollowShard(SecretOwner{"VaultStaticSecret", &unlabelled}, "db", *live).ok());
  EXPECT_EQ(cluster_.updates, updates + 2) << "already in line: no write";
}

// A shard cannot see another shard's resources and asks the API server whose a Secret is:
// when that read fails, the write fails (retried later) rather than take the Secret over.
TEST_F(WriterTest, AnOwnerThatCannotBeCheckedIsNotTakenOver) {
  PutSecretOwnedBy("other", "uid-other");
  lookup_error_ = Status(StatusCode::kUnavailable, "connection refused");
  const ObjectMeta vss = Meta("db", "uid-1");
  WriteFailure f;
  const SecretData data{{"a", "2"}};
  const int updates = cluster_.updates;
  ASSERT_FALSE(Overwrite(vss, data, &f).ok());
  EXPECT_EQ(f.reason, kReasonSecretWriteFailed);
  EXPECT_EQ(f.status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(f.status.message(), HasSubstr("reading its owner VaultStaticSecret other"));
  EXPECT_EQ(cluster_.updates, updates);
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db"), (SecretData{{"a", "1"}}));
  // Once the owner is known to live, it is a conflict; once known gone, a take-over.
  lookup_error_ = Status::Ok();
  live_["VaultStaticSecret demo/other"] = "uid-other";
  ASSERT_FALSE(Overwrite(vss, data, &f).ok());
  EXPECT_EQ(f.reason, kReasonSecretConflict);
  live_.clear();
  EXPECT_TRUE(Overwrite(vss, data, &f).ok());
  EXPECT_EQ(cluster_.SecretDataOf("demo", "db"), data);
}

TEST_F(WriterTest, AThrottledWriteKeepsTheServersRetryAfter) {
  Status throttled(StatusCode::kRateLimited, "Too many requests", 429);
  throttled.set_retry_after_seconds(30);
  cluster_.fail_writes = throttled;
  ObjectMeta vss = Meta("db", "uid-1");
  WriteFailure f;
  ASSERT_FALSE(Write("VaultStaticSecret", vss, "db", {{"a", "1"}}, &f).ok());
  EXPECT_EQ(f.reason, kReasonSecretWriteFailed);
  EXPECT_EQ(f.status.retry_after_seconds(), 30);
}

// An admission webhook that quotes the request in its refusal: the values sent (as they are
// and base64-encoded) never reach the condition, Event or log.
TEST_F(WriterTest, ARefusalQuotingTheValuesSentIsRedacted) {
  const std::string value = "CANARY-PASSWORD-7d1e";
  cluster_.fail_secret_writes =
      Status(StatusCode::kInvalidArgument,
             "admission webhook \"policy.example.com\" denied the request: data.password=" + value +
                 " (" + base64::Encode(value) + ") is not allowed",
             422);
  ObjectMeta vss = Meta("db", "uid-1");
  WriteFailure f;
  ASSERT_FALSE(Write("VaultStaticSecret", vss, "db", {{"password", value}}, &f).ok());
  EXPECT_EQ(f.reason, kReasonSecretWriteFailed);
  EXPECT_EQ(f.status.http_status(), 422);
  EXPECT_EQ(f.status.message().find(value), std::string::npos) << f.status.message();
  EXPECT_EQ(f.status.message().find(base64::Encode(value)), std::string::npos);
  EXPECT_THAT(f.status.message(), HasSubstr("denied the request: data.password=<redacted>"));
}

}  // namespace
}  // namespace vaultsync::controller
