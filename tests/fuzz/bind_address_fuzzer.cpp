// Fuzz target: metrics/bind_address, the --metrics-bind-address and
// --health-probe-bind-address syntax. Invariants: no crash; an accepted address has a port in
// 0..65535 and a host, and its Url() is http://HOST:PORT, whose HOST:PORT parses back to the
// same address.
#include "fuzz_support.h"
#include "metrics/bind_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = metrics::ParseBindAddress(text);
  if (!r.ok()) {
    FUZZ_CHECK(r.status().code() == StatusCode::kInvalidArgument, "unexpected error code");
    return 0;
  }
  if (!r->has_value()) return 0;
  const metrics::BindAddress& a = **r;
  FUZZ_CHECK(a.port >= 0 && a.port <= 65535, "port out of range");
  FUZZ_CHECK(!a.host.empty(), "empty host");
  std::string url = a.Url();
  FUZZ_CHECK(url.rfind("http://", 0) == 0, "Url() is not http://");
  std::string suffix = ":" + std::to_string(a.port);
  FUZZ_CHECK(url.size() > suffix.size() &&
                 url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0,
             "Url() does not end with the port");
  auto again = metrics::ParseBindAddress(std::string_view(url).substr(7));
  FUZZ_CHECK(
      again.ok() && again->has_value() && (*again)->host == a.host && (*again)->port == a.port,
      "Url()'s host:port does not parse back to the same address");
  return 0;
}
