// The random identifiers Vault hands out: request ids and mount uuids (UUID-shaped hex),
// service tokens ("s." + 24 base62 characters), accessors (24 base62 characters) and
// mount accessors ("kv_1a2b3c4d"). Same shapes as the real server so that clients which
// look at a token's prefix behave the same.
#pragma once

#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace vaultsync::vaultemu {

// Thread-safe.
class IdGenerator {
 public:
  IdGenerator();
  std::string Uuid();                                // 8-4-4-4-12 lower-case hex
  std::string Token();                               // "s.XXXXXXXXXXXXXXXXXXXXXXXX"
  std::string Accessor();                            // 24 base62 characters
  std::string MountAccessor(std::string_view type);  // "<type>_" + 8 hex
  std::string RandomBytes(size_t n);                 // n raw bytes

 private:
  std::string Base62(size_t n);
  std::string Hex(size_t n);

  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace vaultsync::vaultemu
