// The request ceiling (see ceiling.h).
#include "ceiling.h"

#include <algorithm>
#include <chrono>

#include "util/clock.h"
#include "util/time_format.h"
#include "workload.h"

namespace vaultsync::bench {

Ceiling MeasureCeiling(Api& kube, Api& vault, const Options& o, int sequences, int workers) {
  Ceiling c;
  const int n = std::min(sequences, o.resources);
  if (n <= 0) return c;
  const std::string now = FormatRfc3339(std::chrono::system_clock::now());
  const auto t0 = std::chrono::steady_clock::now();
  c.failures = RunParallel(n, workers, [&](int i) {
    const std::string ns = NamespaceName(i % o.namespaces);
    auto read = vault.Call("GET", "/v1/secret/data/" + VaultPath(i % o.paths));
    if (read.status != 200) return false;
    auto created = kube.Call("POST", "/api/v1/namespaces/" + ns + "/secrets",
                             R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"ceiling-)" +
                                 std::to_string(i) +
                                 R"("},"type":"Opaque","data":{"password":"Y2VpbGluZw=="}})");
    if (created.status != 201) return false;
    auto status =
        kube.Call("PATCH",
                  "/apis/vaultsync.io/v1alpha1/namespaces/" + ns + "/vaultstaticsecrets/" +
                      ResourceName(i) + "/status",
                  R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"Synced",)"
                  R"("message":"ceiling","lastTransitionTime":")" +
                      now + R"("}]}})",
                  "application/merge-patch+json");
    return status.status == 200;
  });
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.sequences = n - c.failures;
  c.per_second = c.seconds > 0 ? c.sequences / c.seconds : 0;
  return c;
}

}  // namespace vaultsync::bench
