// Random identifiers in Vault's shapes.
#include "ids.h"

namespace vaultsync::vaultemu {

IdGenerator::IdGenerator() : rng_(std::random_device{}()) {}

std::string IdGenerator::Base62(size_t n) {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlphabet[pick(rng_)];
  return s;
}

std::string IdGenerator::Hex(size_t n) {
  static constexpr std::string_view kAlphabet = "0123456789abcdef";
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_int_distribution<size_t> pick(0, 15);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlphabet[pick(rng_)];
  return s;
}

std::string IdGenerator::Uuid() {
  std::string h = Hex(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string IdGenerator::Token() { return "s." + Base62(24); }

std::string IdGenerator::Accessor() { return Base62(24); }

std::string IdGenerator::MountAccessor(std::string_view type) {
  return std::string(type) + "_" + Hex(8);
}

std::string IdGenerator::RandomBytes(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_int_distribution<int> pick(0, 255);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(pick(rng_));
  return s;
}

}  // namespace vaultsync::vaultemu
