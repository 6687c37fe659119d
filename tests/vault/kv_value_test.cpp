// KV values: strings kept as-is, everything else as the compact JSON a Go program prints.
#include "vault/kv_value.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference_bodies.h"

namespace vaultsync::vault {
namespace {

std::string Go(std::string_view json_text) {
  auto d = ParseExact(json_text);
  EXPECT_TRUE(d.ok()) << json_text;
  return GoJson(*d);
}

TEST(KvValue, ReadsTheRecordedTypedSecret) {
  auto doc = ParseExact(testing::kKv2ReadTyped);
  ASSERT_TRUE(doc.ok());
  const json::Value& data = (*doc)["data"]["data"];
  auto kv = KvDataFromJson(data, "data.data");
  ASSERT_TRUE(kv.ok()) << kv.status().ToString();
  KvData want = {
      {"big", KvValue::Json("12345678901234567000")},  // float64-mangled by Vault: kept as sent
      {"enabled", KvValue::Json("true")},
      {"list", KvValue::Json(R"(["a",1,false,null])")},
      {"nested", KvValue::Json(R"({"inner":{"deep":1},"k":"v"})")},
      {"nothing", KvValue::Json("null")},
      {"port", KvValue::Json("5432")},
      {"ratio", KvValue::Json("0.75")},
      {"string", KvValue::String("text")},
  };
  EXPECT_EQ(*kv, want);
}

// RapidJSON 1.1.0's full-precision conversion reads out of bounds or returns garbage on such
// numbers (found by fuzz_kv_value, tests/fuzz/regressions/kv_value/): refused with a clear
// error instead.
TEST(KvValue, ExtremeNumbersAreRefusedNotConverted) {
  std::string digits(90, '7');
  for (const std::string& body : std::vector<std::string>{
           R"({"n":0.)" + digits + R"(75e-330,"f":1})", R"({"n":1e400})", R"({"n":-2E+301})",
           R"({"n":)" + std::string(300, '9') + "}",
           // Magnitude, not the exponent written: 200 digits then e250 is about 3e449 (RapidJSON
           // made it 6.1e40), and 0.000001e-296 is 1e-302.
           R"({"n":)" + std::string(200, '3') + "e250}", R"({"n":[0.000001e-296]})",
           // Past what RapidJSON converts right: 9e308 became negative, 2e308 NaN.
           R"({"n":9e308})", R"({"n":2e308})", R"({"n":1e-324})",
           // Written within the text bounds, but the value rounds to 1e300.
           R"({"n":9.99999999999999999999e299})"}) {
    auto d = ParseExact(body);
    ASSERT_FALSE(d.ok()) << body;
    EXPECT_NE(d.status().message().find("not supported"), std::string::npos);
  }
  // Within the bounds, and the same text inside strings, parse as before.
  for (const std::string& body : std::vector<std::string>{
           std::string(R"({"n":1.5e-250,"m":-1E+250,"s":"1e-999","z":0e-340})"),
           R"({"s":")" + std::string(300, '9') + R"("})", R"({"n":)" + std::string(218, '3') + "}",
           R"({"n":9.9e299,"m":-1e-300,"k":0.00001e-295})"}) {
    EXPECT_TRUE(ParseExact(body).ok()) << body;
  }
}

// Found by fuzz_kv_value: an accepted number (218 digits then e51, about 3.3e268) printed as
// "3.3333333333333332e+268", which the earlier exponent-only rule refused to read again.
// Whatever we print for an accepted number is accepted again.
TEST(KvValue, PrintedNumbersAreAcceptedAgain) {
  for (const std::string& text :
       {std::string(218, '3') + "e51", std::string("9.99999999999999e299"),
        std::string("1.0000000000000001e-300"), std::string("-1e-300"), std::string(250, '9')}) {
    auto d = ParseExact(text);
    ASSERT_TRUE(d.ok()) << text;
    const std::string printed = GoJson(*d);
    auto again = ParseExact(printed);
    ASSERT_TRUE(again.ok()) << printed;
    EXPECT_EQ(GoJson(*again), printed);
  }
}

TEST(KvValue, SortsKeysByteWise) {
  auto doc = ParseExact(R"({"b":"2","B":"1","a":"3"})");
  auto kv = KvDataFromJson(*doc, "data");
  ASSERT_TRUE(kv.ok());
  ASSERT_EQ(kv->size(), 3u);
  EXPECT_EQ((*kv)[0].first, "B");
  EXPECT_EQ((*kv)[1].first, "a");
  EXPECT_EQ((*kv)[2].first, "b");
}

TEST(KvValue, NumbersPrintAsGoPrintsFloat64) {
  EXPECT_EQ(Go("0.1"), "0.1");
  EXPECT_EQ(Go("1e21"), "1e+21");
  EXPECT_EQ(Go("1.2345678901234569e+23"), "1.2345678901234569e+23");
  // Needs full-precision parsing: the fast path lands one ULP off (…567e+23).
  EXPECT_EQ(Go("123456789012345678901234"), "1.2345678901234569e+23");
  EXPECT_EQ(Go("100000000000000000000"), "100000000000000000000");
  EXPECT_EQ(Go("1e-7"), "1e-7");
  EXPECT_EQ(Go("0.000001"), "0.000001");
  EXPECT_EQ(Go("-2.5e-10"), "-2.5e-10");
  EXPECT_EQ(Go("-42"), "-42");
  EXPECT_EQ(Go("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Go("0.30000000000000004"), "0.30000000000000004");
  EXPECT_EQ(Go("3.141592653589793"), "3.141592653589793");
}

TEST(KvValue, StringsInsideValuesEscapeAsGoDoes) {
  EXPECT_EQ(Go(R"(["<a href=\"x\">&</a>"])"),
            R"(["\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e"])");
  EXPECT_EQ(Go(R"(["tab\tnl\nctl\u0001"])"), R"(["tab\tnl\nctl\u0001"])");
  EXPECT_EQ(Go("[\"\xE2\x80\xA8\"]"), R"(["\u2028"])");
  EXPECT_EQ(Go(R"(["é✓"])"), "[\"é✓\"]");
}

TEST(KvValue, TopLevelStringsAreNotQuoted) {
  auto doc = ParseExact(R"({"pw":"a\"b<c>"})");
  auto kv = KvDataFromJson(*doc, "data");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ((*kv)[0].second, KvValue::String("a\"b<c>"));
}

TEST(KvValue, RejectsNonObjectData) {
  auto doc = ParseExact(R"(["a"])");
  EXPECT_EQ(KvDataFromJson(*doc, "data.data").status().code(), StatusCode::kInternal);
}

TEST(KvValue, SerializesForWrites) {
  KvData data = {{"password", KvValue::String("p\"w")},
                 {"port", KvValue::Json("5432")},
                 {"list", KvValue::Json(R"([ "a" , 1 ])")}};
  auto j = KvDataToJson(data);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, R"({"password":"p\"w","port":5432,"list":["a",1]})");
}

TEST(KvValue, WriteRejectsBadValuesWithoutEchoingThem) {
  auto bad = KvDataToJson({{"k", KvValue::Json("{not json SECRETVALUE")}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"k\""), std::string::npos);
  EXPECT_EQ(bad.status().message().find("SECRETVALUE"), std::string::npos);
  EXPECT_FALSE(KvDataToJson({{"", KvValue::String("x")}}).ok());
  EXPECT_FALSE(KvDataToJson({{"a", KvValue::String("x")}, {"a", KvValue::String("y")}}).ok());
}

TEST(KvValue, ParseErrorsDoNotEchoTheBody) {
  auto bad = ParseExact(R"({"password": "SECRETVALUE" oops})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("SECRETVALUE"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::vault
