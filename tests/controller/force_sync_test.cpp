// Tests for the force-sync pieces every kind uses: the annotation decoded into ObjectMeta,
// the predicate that lets a new value through (and nothing else of metadata), and the tracker
// that tells the reconcile it is the forced one.
#include "controller/force_sync.h"

#include <gtest/gtest.h>

#include "controller/predicates.h"

namespace vaultsync::controller {
namespace {

VaultStaticSecret WithAnnotations(const std::string& annotations, int64_t generation = 1) {
  auto doc = json::Parse(R"({"metadata":{"name":"x","namespace":"demo","uid":"u","generation":)" +
                         std::to_string(generation) + R"(,"annotations":)" + annotations +
                         R"(},"spec":{"mount":"secret","path":"a","destination":{"name":"d"}}})");
  EXPECT_TRUE(doc.ok());
  auto v = DecodeVaultStaticSecret(*doc);
  EXPECT_TRUE(v.ok());
  return *v;
}

TEST(ForceSync, TheAnnotationIsKeptAsADigest) {
  EXPECT_EQ(WithAnnotations("{}").meta.force_sync, 0u);
  auto a = WithAnnotations(R"({"vaultsync.io/force-sync":"2024-01-01T00:00:00Z"})");
  auto b = WithAnnotations(R"({"vaultsync.io/force-sync":"2024-01-01T00:00:01Z"})");
  EXPECT_NE(a.meta.force_sync, 0u);
  EXPECT_NE(a.meta.force_sync, b.meta.force_sync);
  // Even an empty value asks (any new value does).
  EXPECT_NE(WithAnnotations(R"({"vaultsync.io/force-sync":""})").meta.force_sync, 0u);
}

TEST(ForceSync, ThePredicateLetsANewValueThroughWithoutAGenerationChange) {
  auto none = WithAnnotations("{}");
  auto other = WithAnnotations(R"({"team":"x"})");
  auto a = WithAnnotations(R"({"vaultsync.io/force-sync":"1"})");
  auto b = WithAnnotations(R"({"vaultsync.io/force-sync":"2"})");
  EXPECT_FALSE(SpecOrLifecycleChanged(none, other));  // other annotations: no reconcile
  EXPECT_TRUE(SpecOrLifecycleChanged(none, a));
  EXPECT_TRUE(SpecOrLifecycleChanged(a, b));
  EXPECT_FALSE(SpecOrLifecycleChanged(a, a));     // a status write keeps the annotation
  EXPECT_FALSE(SpecOrLifecycleChanged(a, none));  // removing it forces nothing
  EXPECT_TRUE(ForceSyncRequested(a, b));
  EXPECT_FALSE(GenerationChanged(a, b));
}

TEST(ForceSync, TheTrackerSaysForcedOncePerNewValue) {
  ForceSyncTracker t;
  auto none = WithAnnotations("{}");
  auto a = WithAnnotations(R"({"vaultsync.io/force-sync":"1"})");
  auto b = WithAnnotations(R"({"vaultsync.io/force-sync":"2"})");
  EXPECT_FALSE(t.Take(none.meta));
  EXPECT_TRUE(t.Take(a.meta));
  EXPECT_FALSE(t.Take(a.meta));  // the refreshes that follow are ordinary
  EXPECT_TRUE(t.Take(b.meta));
  EXPECT_FALSE(t.Take(b.meta));
  t.Forget(b.meta.Key());
  EXPECT_TRUE(t.Take(b.meta));  // a new process (or a recreated resource) sees it once
}

}  // namespace
}  // namespace vaultsync::controller
