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

// Found by tests/fuzz (regressions/kube_object/integer-field-2e45-overflowed-int64): a number
// too large for int64 was cast before it was checked, undefined behaviour.
TEST(Json, IntegerOutOfInt64RangeIsAWrongType) {
  auto doc =
      Parse(R"({"a":2.2e45,"b":-9.3e18,"c":9.2e18,"d":1e3,"e":1.5,"f":-9223372036854775808})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(Int64(*doc, "a", "x").status().message(),
            "field \"x.a\": expected integer, got number");
  EXPECT_FALSE(Int64(*doc, "b").ok());
  EXPECT_EQ(*Int64(*doc, "c"), 9200000000000000000);
  EXPECT_EQ(*Int64(*doc, "d"), 1000);
  EXPECT_FALSE(Int64(*doc, "e").ok());
  EXPECT_EQ(*Int64(*doc, "f"), INT64_MIN);
}

// Vault's TTLs and lease durations: bounded, so adding one to a time point cannot overflow.
TEST(Json, SecondsAreBoundedToAHundredYears) {
  auto doc = Parse(R"({"ok":3600,"zero":0,"neg":-1,"huge":9000000000000000000,"max":3162240000})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*Seconds(*doc, "ok"), std::chrono::seconds(3600));
  EXPECT_EQ(*Seconds(*doc, "zero"), std::chrono::seconds(0));
  EXPECT_EQ(*Seconds(*doc, "max"), std::chrono::seconds(kMaxSeconds));
  EXPECT_EQ(Seconds(*doc, "neg", "auth").status().message(),
            "field \"auth.neg\": expected a number of seconds from 0 to 3162240000, got -1");
  EXPECT_FALSE(Seconds(*doc, "huge").ok());
  EXPECT_FALSE(OptionalSeconds(*doc, "absent")->has_value());
  EXPECT_FALSE(Seconds(*doc, "absent").ok());
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

// Found by tests/fuzz (regressions/kube_object/, kv_value/): RapidJSON's reader recurses once
// per level, so a body of 200,000 '[' overflowed the stack. Depth is checked first.
TEST(Json, RefusesDocumentsNestedTooDeep) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  auto r = Parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("nested deeper than 1000"), std::string::npos);
  const std::string ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(Parse(ok).ok());
  // Brackets inside strings do not count.
  EXPECT_TRUE(Parse("{\"a\":\"" + std::string(5000, '[') + "\\\"\"}").ok());
}

}  // namespace
}  // namespace vaultsync::json
