// Tests for controller/transformation.h: compiled once per generation, never for resources
// without a transformation.
#include "controller/transformation.h"

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {

ObjectMeta Meta(int64_t generation, const std::string& uid = "u1") {
  ObjectMeta m;
  m.namespace_ = "demo";
  m.name = "db";
  m.uid = uid;
  m.generation = generation;
  return m;
}

TEST(TransformationCache, CompilesOncePerGeneration) {
  TransformationCache cache;
  VaultStaticSecretExtras x;
  x.includes = {"^pass"};
  x.templates = {{"url", "db://{{ .user }}"}};
  auto a = cache.Get(Meta(1), x);
  auto b = cache.Get(Meta(1), x);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());  // the same compiled object, not compiled again
  EXPECT_EQ((*a)->includes.size(), 1u);
  EXPECT_EQ((*a)->templates.size(), 1u);
  auto c = cache.Get(Meta(2), x);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->get(), c->get());  // a new generation compiles anew
  auto d = cache.Get(Meta(2, "u2"), x);
  EXPECT_NE(c->get(), d->get());  // a new object of the same name too
  cache.Forget("demo/db");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TransformationCache, ResourcesWithoutATransformationShareTheEmptyOne) {
  TransformationCache cache;
  auto a = cache.Get(Meta(1), VaultStaticSecretExtras{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->get(), Transformation::None().get());
  EXPECT_TRUE((*a)->Empty());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(Transformation, NamesTheFieldThatDoesNotCompile) {
  auto bad_re = Transformation::Compile({}, {"("}, {});
  ASSERT_FALSE(bad_re.ok());
  EXPECT_NE(bad_re.status().message().find("transformation.includes"), std::string::npos);
  auto bad_tpl = Transformation::Compile({{"k", "{{ .x "}}, {}, {});
  ASSERT_FALSE(bad_tpl.ok());
  EXPECT_NE(bad_tpl.status().message().find("templates.k.text"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::controller
