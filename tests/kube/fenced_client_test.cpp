// Tests of kube/fenced_client.h: once the fence closes, no write reaches the server, while
// reads and watches go on.
#include "kube/fenced_client.h"

#include <gtest/gtest.h>

#include "fake_client.h"

namespace vaultsync::kube {
namespace {

json::Document Secret(const std::string& name) {
  return json::Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
                     R"(","namespace":"demo"},"data":{"k":"dg=="}})")
      .value();
}

TEST(FencedClient, AClosedFenceRefusesEveryWriteAndKeepsReads) {
  fake::FakeClient inner;
  WriteFence fence;
  FencedClient client(inner, fence);
  ASSERT_TRUE(client.Create(resources::Secret(), Secret("a")).ok());
  fence.Close();
  EXPECT_FALSE(fence.open());
  auto create = client.Create(resources::Secret(), Secret("b"));
  EXPECT_EQ(create.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(client.Patch(resources::Secret(), "demo", "a", PatchType::kMerge, "{}").status().code(),
            StatusCode::kCancelled);
  EXPECT_EQ(client.Delete(resources::Secret(), "demo", "a").code(), StatusCode::kCancelled);
  EXPECT_EQ(client.Update(resources::Secret(), Secret("a")).status().code(),
            StatusCode::kCancelled);
  EXPECT_EQ(client.CreateToken("demo", "default", {}).status().code(), StatusCode::kCancelled);
  EXPECT_EQ(inner.Calls("create", "secrets"), 1) << "nothing reached the server";
  EXPECT_EQ(inner.Calls("patch", "secrets"), 0);
  EXPECT_EQ(inner.Calls("delete", "secrets"), 0);
  EXPECT_TRUE(client.Get(resources::Secret(), "demo", "a").ok());
  EXPECT_TRUE(client.List(resources::Secret(), "demo").ok());
}

}  // namespace
}  // namespace vaultsync::kube
