// Fuzz target: controller/template, the transformation templates users write in a
// VaultStaticSecret. Input: the template text, then (after a NUL byte) key names, one per
// line, that the "Vault secret" also holds. Invariants: no crash; Parse and Render errors
// are kInvalidArgument and never carry a secret value (the canaries below) unless the
// template text itself contains it; a template without actions renders as its own text.
#include <map>
#include <string>

#include "controller/template.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  fuzz::FuzzInput in(data, size);
  std::string_view text = in.Until('\0');
  std::map<std::string, std::string, std::less<>> values = {
      {"password", "pw-CANARY-1"},        {"username", "admin-CANARY-2"},
      {"key-with-dashes", "kd-CANARY-3"}, {"b64", "Y2FuYXJ5LUNBTkFSWS00"},  // "canary-CANARY-4"
      {"notb64", "%%-CANARY-5"},
  };
  while (!in.empty()) {
    std::string_view key = in.Until('\n');
    values.emplace(std::string(key), "in-CANARY-6");
  }
  const bool text_has_canary = fuzz::Contains(text, "CANARY") || fuzz::Contains(text, "canary");
  auto t = controller::Template::Parse(text);
  if (!t.ok()) {
    FUZZ_CHECK(t.status().code() == StatusCode::kInvalidArgument, "unexpected parse error code");
    return 0;
  }
  auto out = t->Render(values);
  if (!out.ok()) {
    FUZZ_CHECK(out.status().code() == StatusCode::kInvalidArgument, "unexpected render error code");
    FUZZ_CHECK(text_has_canary || (!fuzz::Contains(out.status().message(), "CANARY") &&
                                   !fuzz::Contains(out.status().message(), "canary")),
               "a render error shows a secret value");
    return 0;
  }
  if (!fuzz::Contains(text, "{{")) {
    FUZZ_CHECK(*out == text, "a template without actions did not render as itself");
  }
  return 0;
}
