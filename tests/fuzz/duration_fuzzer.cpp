// Fuzz target: util/duration. Durations come from outside in a VaultStaticSecret's
// refreshAfter, a VaultConnection's timeout, and the `ttl` key of a kv-v1 secret (Vault data).
// Invariants: no crash or exception, nothing negative accepted, a whole number of
// nanoseconds parsed exactly, errors of bounded length, and every accepted value prints
// (FormatDuration) to text that parses back to exactly the same value.
#include <string>

#include "fuzz_support.h"
#include "util/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = ParseDuration(text);
  if (!d.ok()) {
    FUZZ_CHECK(d.status().code() == StatusCode::kInvalidArgument, "unexpected error code");
    FUZZ_CHECK(d.status().message().size() < 128, "the error quotes the whole input");
    return 0;
  }
  // "<digits>ns": the value is exactly that integer.
  if (text.size() > 2 && text.size() < 20 && text.substr(text.size() - 2) == "ns" &&
      text.find_first_not_of("0123456789") == text.size() - 2) {
    FUZZ_CHECK(d->count() == std::stoll(std::string(text.substr(0, text.size() - 2))),
               "a whole number of nanoseconds was not parsed exactly");
  }
  FUZZ_CHECK(d->count() >= 0, "a negative duration was accepted");
  std::string printed = FormatDuration(*d);
  auto again = ParseDuration(printed);
  FUZZ_CHECK(again.ok(), "FormatDuration printed text ParseDuration refuses");
  FUZZ_CHECK(*again == *d, "FormatDuration's text parses back to another value");
  return 0;
}
