// Fuzz target: util/time_format's RFC 3339 parser. Timestamps come from the API server
// (conditions' lastTransitionTime, Lease renewTime, a TokenRequest's expirationTimestamp) and
// from Vault (created_time, expire_time). Invariants: no crash or exception, and an accepted
// time printed with nanoseconds parses back to the same instant.
#include "fuzz_support.h"
#include "util/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)Rfc3339FractionDigits(text);
  auto t = ParseRfc3339(text);
  if (!t.ok()) return 0;
  std::string printed = FormatRfc3339(*t, 9);
  auto again = ParseRfc3339(printed);
  FUZZ_CHECK(again.ok(), "FormatRfc3339 printed text ParseRfc3339 refuses");
  FUZZ_CHECK(*again == *t, "FormatRfc3339's text parses back to another instant");
  return 0;
}
