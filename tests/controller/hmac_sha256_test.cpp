// HmacSha256 gives exactly what OpenSSL's one-shot HMAC() gives, for keys shorter than,
// equal to and longer than a block, across key changes and threads; and RFC 4231's vectors.
#include "controller/hmac_sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <thread>
#include <vector>

namespace vaultsync::controller {
namespace {

std::string OneShot(const std::string& key, const std::string& msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

TEST(HmacSha256, MatchesRfc4231) {
  // Test case 2 and test case 6 (a key longer than the block).
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, MatchesOpensslForEveryKeyLengthAndAcrossKeyChanges) {
  std::vector<std::string> keys = {"",
                                   "k",
                                   std::string(63, 'a'),
                                   std::string(64, 'b'),
                                   std::string(65, 'c'),
                                   std::string(200, '\x01')};
  std::vector<std::string> messages = {"", "x", std::string(1000, 'm'),
                                       std::string("\0with\0nul", 9)};
  for (int round = 0; round < 2; ++round) {  // every key used again after the others
    for (const auto& k : keys) {
      for (const auto& m : messages) {
        EXPECT_EQ(HmacSha256(k, m), OneShot(k, m)) << "key length " << k.size();
      }
    }
  }
  EXPECT_EQ(HmacSha256("key", "message").size(), kHmacSha256Size);
  EXPECT_NE(HmacSha256("key", "message"), HmacSha256("key2", "message"));
}

TEST(HmacSha256, EachThreadGetsTheSameAnswer) {
  const std::string want = OneShot("shared-key", "payload");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (HmacSha256(i % 2 ? "shared-key" : "other", "payload") !=
            (i % 2 ? want : OneShot("other", "payload"))) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace vaultsync::controller
