// Tests for util/base64.h.
#include "util/base64.h"

#include <gtest/gtest.h>

namespace vaultsync::base64 {
namespace {

TEST(Base64, RoundTripsAllLengths) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Decode(Encode(s)), s);
    EXPECT_EQ(DecodeUrl(EncodeUrl(s)), s);
    s += char(i * 37);
  }
}

TEST(Base64, KnownValues) {
  EXPECT_EQ(Encode("admin"), "YWRtaW4=");
  EXPECT_EQ(Encode("s3cr3t"), "czNjcjN0");
  EXPECT_EQ(EncodeUrl("\xfb\xff"), "-_8");
}

TEST(Base64, RejectsWhatTheApiserverRejects) {
  EXPECT_FALSE(Decode("not base64!"));
  EXPECT_FALSE(Decode("YWRtaW4"));   // missing padding
  EXPECT_FALSE(Decode("YWRtaW5="));  // non-canonical trailing bits
  EXPECT_TRUE(DecodeUrl("YWRtaW4"));
}

}  // namespace
}  // namespace vaultsync::base64
