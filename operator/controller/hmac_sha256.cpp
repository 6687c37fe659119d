// HMAC-SHA-256 with per-thread keyed states (see hmac_sha256.h).
#include "controller/hmac_sha256.h"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace vaultsync::controller {

namespace {

constexpr size_t kBlock = 64;  // SHA-256's block size

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// SHA-256 fetched once for the process (an explicit fetch spares the per-use lookup).
const EVP_MD* Sha256() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? static_cast<const EVP_MD*>(fetched) : EVP_sha256();
  }();
  return md;
}

void Check(int ok) {
  if (ok != 1) throw std::runtime_error("OpenSSL SHA-256 failed");
}

// The states after hashing (key XOR ipad) and (key XOR opad), for one key.
struct KeyedStates {
  std::string key;
  MdCtx inner{EVP_MD_CTX_new()}, outer{EVP_MD_CTX_new()}, work{EVP_MD_CTX_new()};
  bool ready = false;

  void Rekey(std::string_view k) {
    ready = false;  // until both states belong to k (a failure below leaves none usable)
    std::array<unsigned char, kBlock> block{};
    if (k.size() > kBlock) {
      unsigned int n = 0;
      Check(EVP_Digest(k.data(), k.size(), block.data(), &n, Sha256(), nullptr));
    } else {
      std::copy(k.begin(), k.end(), block.begin());
    }
    std::array<unsigned char, kBlock> pad;
    for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
    Check(EVP_DigestInit_ex(inner.get(), Sha256(), nullptr));
    Check(EVP_DigestUpdate(inner.get(), pad.data(), pad.size()));
    for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
    Check(EVP_DigestInit_ex(outer.get(), Sha256(), nullptr));
    Check(EVP_DigestUpdate(outer.get(), pad.data(), pad.size()));
    key.assign(k);
    ready = true;
  }
};

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  thread_local KeyedStates states;
  if (!states.ready || states.key != key) states.Rekey(key);
  unsigned char inner_hash[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  Check(EVP_MD_CTX_copy_ex(states.work.get(), states.inner.get()));
  Check(EVP_DigestUpdate(states.work.get(), message.data(), message.size()));
  Check(EVP_DigestFinal_ex(states.work.get(), inner_hash, &n));
  std::string mac(kHmacSha256Size, '\0');
  Check(EVP_MD_CTX_copy_ex(states.work.get(), states.outer.get()));
  Check(EVP_DigestUpdate(states.work.get(), inner_hash, n));
  Check(EVP_DigestFinal_ex(states.work.get(), reinterpret_cast<unsigned char*>(mac.data()), &n));
  return mac;
}

}  // namespace vaultsync::controller
