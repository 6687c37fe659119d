// Tests for controller/bounded_regex.h, with the inputs tests/fuzz/resources_fuzzer.cpp found
// (regressions/resources/): each of them crashed or hung the operator through std::regex.
#include "controller/bounded_regex.h"

#include <gtest/gtest.h>

#include "controller/resources.h"
#include "controller/secret_data.h"
#include "controller/transformation.h"

namespace vaultsync::controller {
namespace {

std::string Why(const std::string& pattern) {
  auto r = CompileBoundedRegex(pattern);
  return r.ok() ? "ok" : r.status().message();
}

TEST(BoundedRegex, OrdinaryPatternsCompileAndMatchAsBefore) {
  for (const char* p : {"^pass", "user$", "^(db|cache)_[a-z]+$", "[0-9]{3}-[0-9]{4}", "\\.",
                        "a{2,}", "x{1000}", "^tmp_"}) {
    EXPECT_EQ(Why(p), "ok") << p;
  }
  auto re = CompileBoundedRegex("^(db|cache)_[a-z]+$");
  EXPECT_TRUE(BoundedSearch(*re, "db_password"));
  EXPECT_FALSE(BoundedSearch(*re, "db_pass1"));
  auto partial = CompileBoundedRegex("pass");  // a search, not a whole-key match
  EXPECT_TRUE(BoundedSearch(*partial, "db_password"));
}

TEST(BoundedRegex, PatternsOverALimitAreRefusedSayingWhich) {
  EXPECT_NE(Why(std::string(1025, 'a')).find("longer than 1024"), std::string::npos);
  // Compiling 20,000 nested groups overflowed the stack.
  EXPECT_NE(Why(std::string(20000, '(') + "a" + std::string(20000, ')')).find("longer than"),
            std::string::npos);
  EXPECT_NE(Why(std::string(33, '(') + "a" + std::string(33, ')')).find("nested deeper than 32"),
            std::string::npos);
  EXPECT_EQ(Why(std::string(32, '(') + "a" + std::string(32, ')')), "ok");
  // "a{99999999}" took seconds and hundreds of MB to compile.
  EXPECT_NE(Why("a{99999999}").find("repetition count above 1000"), std::string::npos);
  EXPECT_NE(Why("a{2,1001}").find("repetition count above 1000"), std::string::npos);
  EXPECT_NE(Why("((a{10}){10}){30}").find("too large"), std::string::npos);
  EXPECT_NE(Why("(a)\\1").find("back-references"), std::string::npos);
  EXPECT_NE(Why("(").find("not a valid"), std::string::npos);
}

TEST(BoundedRegex, MatchingIsPolynomialAndNeverRecursesPerCharacter) {
  // Exponential backtracking with the default executor: this never returned.
  auto redos = CompileBoundedRegex("(a+)+$");
  ASSERT_TRUE(redos.ok());
  EXPECT_FALSE(BoundedSearch(*redos, std::string(252, 'a') + "b"));
  EXPECT_TRUE(BoundedSearch(*redos, std::string(253, 'a')));
  // A 200,000-character key overflowed the stack; keys longer than any Secret key are not
  // matched at all.
  auto star = CompileBoundedRegex("(a|b)*c");
  ASSERT_TRUE(star.ok());
  EXPECT_FALSE(BoundedSearch(*star, std::string(200000, 'a') + "c"));
  EXPECT_TRUE(BoundedSearch(*star, std::string(252, 'a') + "c"));
}

TEST(BoundedRegex, AnOverlongKeyIsNeitherIncludedNorExcludedButReported) {
  auto t = Transformation::Compile({}, {}, {"^long"});
  ASSERT_TRUE(t.ok());
  const std::string key = "long" + std::string(300, 'x');
  auto data = BuildSecretData({{key, true, "v"}, {"ok", true, "w"}}, *t);
  ASSERT_FALSE(data.ok()) << "not dropped silently";
  EXPECT_NE(data.status().message().find("is not a valid Secret key"), std::string::npos);
  auto only = Transformation::Compile({}, {"^ok$"}, {});
  auto kept = BuildSecretData({{key, true, "v"}, {"ok", true, "w"}}, *only);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->size(), 1u);
}

TEST(BoundedRegex, TheDecoderReportsAPatternOverALimitAsInvalidSpec) {
  auto doc = json::Parse(
      R"({"metadata":{"name":"x","namespace":"demo"},"spec":{"mount":"secret","path":"a",)"
      R"("destination":{"name":"d","transformation":{"excludes":["a{5000}"]}}}})");
  auto v = DecodeVaultStaticSecret(*doc);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(
      v->spec_error.message(),
      "field \"spec.destination.transformation.excludes\": \"a{5000}\" is not a valid regular "
      "expression (a repetition count above 1000)");
}

}  // namespace
}  // namespace vaultsync::controller
