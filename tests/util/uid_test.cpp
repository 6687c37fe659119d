// Uid: canonical UUIDs round-trip through their 16 bytes, anything else is kept as text, and
// comparisons agree with comparing the text.
#include "util/uid.h"

#include <gtest/gtest.h>

namespace vaultsync {
namespace {

TEST(Uid, CanonicalUuidRoundTripsAndCompares) {
  const std::string text = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  Uid u(text);
  EXPECT_FALSE(u.empty());
  EXPECT_EQ(u.str(), text);
  EXPECT_EQ(static_cast<std::string>(u), text);
  EXPECT_TRUE(u == text);
  EXPECT_TRUE(text == u);  // the reversed form a std::string on the left uses
  EXPECT_FALSE(u == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1");
  EXPECT_FALSE(u == "");
  Uid copy = u;
  EXPECT_TRUE(copy == u);
  EXPECT_EQ(sizeof(Uid), 24u);
}

TEST(Uid, OtherTextIsKeptExactly) {
  // Upper case, the nil UUID, a short test uid and a wrongly placed hyphen are not packed:
  // each must print back exactly as given.
  for (std::string text :
       {"0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "00000000-0000-0000-0000-000000000000", "uid-1",
        "0f1e2d3c4-b5a-6978-8796-a5b4c3d2e1f0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg"}) {
    Uid u(text);
    EXPECT_EQ(u.str(), text);
    EXPECT_TRUE(u == text) << text;
    EXPECT_FALSE(u == Uid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")) << text;
    Uid copy;
    copy = u;
    EXPECT_TRUE(copy == u) << text;
  }
  // Upper and lower case of one UUID are different uids, as their texts are.
  EXPECT_FALSE(Uid("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0") ==
               Uid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
}

TEST(Uid, EmptyAndReassigned) {
  Uid u;
  EXPECT_TRUE(u.empty());
  EXPECT_EQ(u.str(), "");
  EXPECT_TRUE(u == "");
  EXPECT_TRUE(u == Uid(""));
  u = std::string_view("uid-1");
  EXPECT_EQ(u.str(), "uid-1");
  u = std::string_view("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  EXPECT_EQ(u.str(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  u = std::string_view("");
  EXPECT_TRUE(u.empty());
}

}  // namespace
}  // namespace vaultsync
