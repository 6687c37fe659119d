// Tests of the Go-compatible JSON encoding the emulator answers with.
#include "go_json.h"

#include <gtest/gtest.h>

namespace vaultsync::vaultemu {
namespace {

TEST(GoFloatTest, MatchesGoEncodingJson) {
  EXPECT_EQ(GoFloat(12345678901234567890.0), "12345678901234567000");
  EXPECT_EQ(GoFloat(0.75), "0.75");
  EXPECT_EQ(GoFloat(5432), "5432");
  EXPECT_EQ(GoFloat(0), "0");
  EXPECT_EQ(GoFloat(-1.5), "-1.5");
  EXPECT_EQ(GoFloat(1e21), "1e+21");
  EXPECT_EQ(GoFloat(1.5e-7), "1.5e-7");
  EXPECT_EQ(GoFloat(0.000001), "0.000001");
  EXPECT_EQ(GoFloat(123.456), "123.456");
}

TEST(GoJsonTest, SortsKeysEscapesHtmlAndTurnsNumbersIntoFloats) {
  auto doc =
      json::Parse(R"({"b":1,"a":{"z":"<&>","y":[1,2.5,null,true]},"big":12345678901234567890})");
  ASSERT_TRUE(doc.ok());
  NumbersToFloat64(*doc);
  EXPECT_EQ(
      GoJson(*doc),
      R"({"a":{"y":[1,2.5,null,true],"z":"\u003c\u0026\u003e"},"b":1,"big":12345678901234567000})");
}

TEST(GoJsonTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(GoQuote(std::string("a\xff") + "b"), "\"a\\ufffdb\"");
  EXPECT_EQ(GoQuote("\xc3\xa9\n"), "\"\xc3\xa9\\n\"");
}

TEST(GoJsonTest, StringListNullWhenEmptyOnRequest) {
  EXPECT_EQ(GoStringList({}, true), "null");
  EXPECT_EQ(GoStringList({}), "[]");
  EXPECT_EQ(GoStringList({"a", "b"}), R"(["a","b"])");
}

}  // namespace
}  // namespace vaultsync::vaultemu
