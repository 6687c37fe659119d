// Tests for controller/finalizers.h: added while the object lives (never once it is being
// deleted), cleanup before removal, a failed cleanup keeps the finalizer, patches carry the
// resourceVersion.
#include "controller/finalizers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes.h"

namespace vaultsync::controller {
namespace {

using ::testing::HasSubstr;

ObjectMeta Meta(bool deleting, std::vector<std::string> finalizers) {
  ObjectMeta m;
  m.namespace_ = "demo";
  m.name = "push";
  m.uid = "u1";
  m.resource_version = "42";
  m.deleting = deleting;
  m.finalizers = std::move(finalizers);
  return m;
}

TEST(Finalizer, AddedToALiveObjectKeepingOthers) {
  testing::FakeCluster cluster;
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  auto added = f.Ensure(Meta(false, {"other.io/x"}));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(*added);
  ASSERT_EQ(cluster.object_patch_bodies.size(), 1u);
  EXPECT_EQ(
      cluster.object_patch_bodies[0],
      R"(VaultPushSecret demo/push {"metadata":{"resourceVersion":"42","finalizers":["other.io/x","vaultsync.io/push-cleanup"]}})");
  // Already there: nothing to do.
  auto again = f.Ensure(Meta(false, {"vaultsync.io/push-cleanup"}));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(cluster.object_patches, 1);
}

TEST(Finalizer, NeverAddedToAnObjectBeingDeleted) {
  testing::FakeCluster cluster;
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  auto added = f.Ensure(Meta(true, {}));
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);
  EXPECT_EQ(cluster.object_patches, 0);
}

TEST(Finalizer, RemovedFromALiveObjectThatNoLongerNeedsIt) {
  testing::FakeCluster cluster;
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  auto removed = f.Remove(Meta(false, {"other.io/x", "vaultsync.io/push-cleanup"}));
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  ASSERT_EQ(cluster.object_patch_bodies.size(), 1u);
  EXPECT_EQ(
      cluster.object_patch_bodies[0],
      R"(VaultPushSecret demo/push {"metadata":{"resourceVersion":"42","finalizers":["other.io/x"]}})");
  // Not there, or the object is being deleted (Finalize's business): nothing to do.
  for (bool deleting : {false, true}) {
    auto again =
        f.Remove(Meta(deleting, deleting ? std::vector<std::string>{"vaultsync.io/push-cleanup"}
                                         : std::vector<std::string>{"other.io/x"}));
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
  }
  EXPECT_EQ(cluster.object_patches, 1);
  cluster.fail_object_patches = Status(StatusCode::kConflict, "stale", 409);
  EXPECT_EQ(f.Remove(Meta(false, {"vaultsync.io/push-cleanup"})).status().code(),
            StatusCode::kConflict);
}

TEST(Finalizer, CleanupRunsBeforeRemovalAndAFailureKeepsTheFinalizer) {
  testing::FakeCluster cluster;
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  int cleanups = 0;
  Status refused = f.Finalize(Meta(true, {"vaultsync.io/push-cleanup", "other.io/x"}), [&] {
    ++cleanups;
    return Status(StatusCode::kPermissionDenied, "Vault refused the delete");
  });
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(cluster.object_patches, 0);  // kept: the object stays until cleanup succeeds
  Status ok = f.Finalize(Meta(true, {"vaultsync.io/push-cleanup", "other.io/x"}), [&] {
    ++cleanups;
    return Status::Ok();
  });
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(cleanups, 2);
  ASSERT_EQ(cluster.object_patch_bodies.size(), 1u);
  EXPECT_THAT(cluster.object_patch_bodies[0],
              HasSubstr(R"({"resourceVersion":"42","finalizers":["other.io/x"]})"));
}

TEST(Finalizer, NothingToDoWithoutOurFinalizerOrWithoutDeletion) {
  testing::FakeCluster cluster;
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  int cleanups = 0;
  auto count = [&] {
    ++cleanups;
    return Status::Ok();
  };
  EXPECT_TRUE(f.Finalize(Meta(true, {"other.io/x"}), count).ok());
  EXPECT_TRUE(f.Finalize(Meta(false, {"vaultsync.io/push-cleanup"}), count).ok());
  EXPECT_EQ(cleanups, 0);
  EXPECT_EQ(cluster.object_patches, 0);
}

TEST(Finalizer, AConflictIsReturnedForARetry) {
  testing::FakeCluster cluster;
  cluster.fail_object_patches = Status(StatusCode::kConflict, "the object has been modified");
  Finalizer f(cluster, "VaultPushSecret", "vaultsync.io/push-cleanup");
  auto added = f.Ensure(Meta(false, {}));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.status().code(), StatusCode::kConflict);
}

}  // namespace
}  // namespace vaultsync::controller
