// What every fuzz target shares. FuzzInput splits libFuzzer's bytes into the choices a target
// makes (an operation, an HTTP status, where to cut a stream) — the job of LLVM's
// FuzzedDataProvider, which the gcc builds of the replay tests cannot include. FUZZ_CHECK
// states an invariant: it aborts in every build type, so libFuzzer keeps the input and the
// replay test fails on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                         \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace vaultsync::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : text_(reinterpret_cast<const char*>(data), size) {}

  // The next byte, or 0 once the input is used up (so short inputs still pick something).
  uint8_t Byte() {
    if (pos_ >= text_.size()) return 0;
    return static_cast<uint8_t>(text_[pos_++]);
  }
  // A choice among `n` (> 0) options.
  size_t Pick(size_t n) { return Byte() % n; }
  template <typename T, size_t N>
  const T& PickFrom(const T (&options)[N]) {
    return options[Pick(N)];
  }
  // Bytes up to (not including) the next `sep`, which is consumed; the rest when absent.
  std::string_view Until(char sep) {
    std::string_view rest = text_.substr(pos_);
    size_t at = rest.find(sep);
    if (at == std::string_view::npos) {
      pos_ = text_.size();
      return rest;
    }
    pos_ += at + 1;
    return rest.substr(0, at);
  }
  std::string_view Rest() {
    std::string_view rest = text_.substr(pos_);
    pos_ = text_.size();
    return rest;
  }
  bool empty() const { return pos_ >= text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// True when `needle` occurs in `hay` (for "never echoes the token" checks).
inline bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

}  // namespace vaultsync::fuzz
