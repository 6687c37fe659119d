// Tests for util/json.h.
#include "util/json.h"

#include <gtest/gtest.h>

namespace vaultsync::json {
namespace {

TEST(Json, TypedAccessorsNameTheField) {
  auto doc = Parse(R"({"spec":{"mount":5,"path":"a/b","n":3,"b":true,"nul":null}})");
  ASSERT_TRUE(doc.ok());
  const Value* spec = *Object(*doc, "spec");
  EXPECT_EQ(*String(*spec, "path", "spec"), "a/b");
  auto mount = String(*spec, "mount", "spec");
  ASSERT_FALSE(mount.ok());
  EXPECT_EQ(mount.status().message(), "field \"spec.mount\": expected string, got number");
  EXPECT_EQ(String(*spec, "missing", "spec").status().message(),
            "field \"spec.missing\" is missing");
  EXPECT_EQ(*Int64(*spec, "n"), 3);
  EXPECT_TRUE(*Bool(*spec, "b"));
  EXPECT_FALSE(OptionalString(*spec, "nul")->has_value());
  EXPECT_FALSE(OptionalString(*spec, "mount").ok());
}

TEST(Json, ParseErrorDoesNotEchoInput) {
  auto doc = Parse("{\"password\": s3cr3t}");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message().find("s3cr3t"), std::string::npos);
}

TEST(Json, SerializeIsCompact) {
  auto doc = Parse(R"({ "a" : [1, 2, "x"], "b" : {"c": null} })");
  EXPECT_EQ(Serialize(*doc), R"({"a":[1,2,"x"],"b":{"c":null}})");
  EXPECT_EQ(Quote("a\"b\n"), R"("a\"b\n")");
}

}  // namespace
}  // namespace vaultsync::json
