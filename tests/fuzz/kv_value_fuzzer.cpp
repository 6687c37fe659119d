// Fuzz target: vault/kv_value, the decoding of a KV secret's data (strings kept as they are,
// every other JSON value kept as the compact text Go would print) and its encoding for
// writes. Input: a JSON body as Vault would send it.
// Invariants: no crash; GoJson's output parses and prints again to the same text; the data
// decoded from an object encodes (KvDataToJson) to JSON that decodes to the same data.
#include <cmath>

#include "fuzz_support.h"
#include "vault/kv_value.h"

namespace {

// A -0.0 anywhere: Go prints it "-0", which RapidJSON reads back as the integer 0, so its text
// cannot survive a second round (Vault itself returns the digits it was sent; see README).
bool HasNegativeZero(const vaultsync::json::Value& v) {
  if (v.IsDouble()) return v.GetDouble() == 0 && std::signbit(v.GetDouble());
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (HasNegativeZero(e)) return true;
    }
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (HasNegativeZero(m.value)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  using namespace vaultsync::vault;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = ParseExact(text);
  if (!doc.ok()) {
    FUZZ_CHECK(doc.status().code() == StatusCode::kInternal, "unexpected parse error code");
    return 0;
  }
  if (HasNegativeZero(*doc)) return 0;
  std::string printed = GoJson(*doc);
  auto reparsed = ParseExact(printed);
  FUZZ_CHECK(reparsed.ok(), "GoJson printed invalid JSON");
  FUZZ_CHECK(GoJson(*reparsed) == printed, "GoJson is not stable under a reparse");

  auto kv = KvDataFromJson(*doc, "data");
  if (!kv.ok()) {
    FUZZ_CHECK(!doc->IsObject(), "an object was refused as KV data");
    return 0;
  }
  (void)SensitiveValues(*kv);
  auto encoded = KvDataToJson(*kv);
  if (!encoded.ok()) {
    // Only keys can make the data unwritable (empty or repeated); values always encode.
    FUZZ_CHECK(encoded.status().code() == StatusCode::kInvalidArgument, "unexpected code");
    bool bad_key = false;
    for (size_t i = 0; i < kv->size(); ++i) {
      bad_key |= (*kv)[i].first.empty() || (i > 0 && (*kv)[i].first == (*kv)[i - 1].first);
    }
    FUZZ_CHECK(bad_key, "data with good keys could not be encoded");
    return 0;
  }
  auto again_doc = ParseExact(*encoded);
  FUZZ_CHECK(again_doc.ok(), "KvDataToJson wrote invalid JSON");
  auto again = KvDataFromJson(*again_doc, "data");
  FUZZ_CHECK(again.ok() && *again == *kv, "KV data does not survive a write and a read");
  return 0;
}
