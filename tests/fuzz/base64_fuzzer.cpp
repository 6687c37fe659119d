// Fuzz target: util/base64. The API server sends Secret data base64-encoded (the operator
// decodes it to compute the HMAC its cache keeps), and CA bundles arrive the same way.
// Invariants: no crash; what Decode accepts survives Encode/Decode unchanged; Encode/Decode
// and EncodeUrl/DecodeUrl round-trip any bytes.
#include "fuzz_support.h"
#include "util/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto decoded = base64::Decode(text)) {
    auto again = base64::Decode(base64::Encode(*decoded));
    FUZZ_CHECK(again.has_value() && *again == *decoded, "decoded bytes do not round-trip");
  }
  (void)base64::DecodeUrl(text);
  auto back = base64::Decode(base64::Encode(text));
  FUZZ_CHECK(back.has_value() && *back == text, "Encode does not round-trip");
  auto url_back = base64::DecodeUrl(base64::EncodeUrl(text));
  FUZZ_CHECK(url_back.has_value() && *url_back == text, "EncodeUrl does not round-trip");
  return 0;
}
