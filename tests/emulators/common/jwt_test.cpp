// Tests for jwt.h: sign/verify round trip, tampering, parsing errors, kid shape.
#include "jwt.h"

#include <gtest/gtest.h>

namespace vaultsync::emu::jwt {
namespace {

TEST(Jwt, SignVerifyRoundTripAndTamper) {
  auto key = RsaKey::Generate();
  ASSERT_TRUE(key.ok());
  auto token = SignRs256(*key, R"({"alg":"RS256","kid":"k"})",
                         R"({"sub":"system:serviceaccount:demo:default"})");
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(VerifyRs256(*token, *key));
  auto pub = RsaKey::FromPublicPem(key->PublicPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(VerifyRs256(*token, *pub));
  EXPECT_EQ(pub->KeyId(), key->KeyId());
  EXPECT_EQ(key->KeyId().size(), 43u);  // 32 bytes, base64url without padding

  auto other = RsaKey::Generate();
  EXPECT_FALSE(VerifyRs256(*token, *other));
  std::string tampered = *token;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE(VerifyRs256(tampered, *key));

  auto parsed = ParseUnverified(*token);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->claims_json, R"({"sub":"system:serviceaccount:demo:default"})");
  auto again = RsaKey::FromPrivatePem(key->PrivatePem());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(VerifyRs256(*SignRs256(*again, R"({"alg":"RS256"})", "{}"), *key));
}

TEST(Jwt, ParseRejectsNonJws) {
  EXPECT_FALSE(ParseUnverified("not-a-jwt").ok());
  EXPECT_FALSE(ParseUnverified("a.b").ok());
  EXPECT_FALSE(ParseUnverified("a.b.c.d").ok());
  EXPECT_FALSE(ParseUnverified("a!.b.c").ok());
  EXPECT_FALSE(RsaKey::FromPublicPem("junk").ok());
}

}  // namespace
}  // namespace vaultsync::emu::jwt
