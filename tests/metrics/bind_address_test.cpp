// The controller-runtime bind-address forms and free-port picking.
#include "metrics/bind_address.h"

#include <gtest/gtest.h>

namespace vaultsync::metrics {
namespace {

TEST(BindAddressTest, ZeroAndEmptyDisable) {
  for (const char* text : {"0", ""}) {
    auto r = ParseBindAddress(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_FALSE(r->has_value()) << text;
  }
}

TEST(BindAddressTest, PortOnlyMeansEveryInterface) {
  auto r = ParseBindAddress(":8080");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->host, "0.0.0.0");
  EXPECT_EQ((*r)->port, 8080);
  EXPECT_EQ((*r)->Url(), "http://0.0.0.0:8080");
}

TEST(BindAddressTest, HostAndPortForms) {
  auto a = ParseBindAddress("127.0.0.1:0");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->host, "127.0.0.1");
  EXPECT_EQ((*a)->port, 0);
  auto b = ParseBindAddress("localhost:9443");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->host, "localhost");
  EXPECT_EQ((*b)->port, 9443);
  auto c = ParseBindAddress("[::1]:8081");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->host, "::1");
  EXPECT_EQ((*c)->Url(), "http://[::1]:8081");
}

TEST(BindAddressTest, MalformedAddressesAreInvalidArgument) {
  for (const char* text :
       {"8080", "host:", "host:port", ":65536", ":-1", "::1:80", "[]:80", "[::1:80", ":80x", "1"}) {
    auto r = ParseBindAddress(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
  }
}

// Found by tests/fuzz/bind_address_fuzzer.cpp: "[[\xCF]:5" was accepted with the host
// "[\xCF", which no listener can bind and whose Url() did not parse back.
TEST(BindAddressTest, HostsWithCharactersNoAddressHasAreRefused) {
  for (const char* text : {"[[\xCF]:5", "[a]b]:1", "my host:80", "a/b:80", "[::1]]:80"}) {
    auto r = ParseBindAddress(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
  }
  for (const char* text : {"[fe80::1%eth0]:80", "metrics-host.local:8080", "[localhost]:1"}) {
    EXPECT_TRUE(ParseBindAddress(text).ok()) << text;
  }
}

TEST(BindAddressTest, PickFreePortGivesAUsablePort) {
  auto p = PickFreePort("127.0.0.1");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_GT(*p, 0);
  EXPECT_LE(*p, 65535);
  EXPECT_FALSE(PickFreePort("no-such-host.invalid").ok());
}

}  // namespace
}  // namespace vaultsync::metrics
