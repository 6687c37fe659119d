// Bucket boundaries; see buckets.h for where each list comes from.
#include "metrics/buckets.h"

namespace vaultsync::metrics {

std::vector<double> ReconcileTimeBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
}

std::vector<double> WorkQueueDurationBuckets() {
  std::vector<double> b;
  double v = 10e-9;
  for (int i = 0; i < 10; ++i) {
    b.push_back(v);
    v *= 10;  // repeated multiplication, not pow(): Go's rounding, bit for bit
  }
  return b;
}

std::vector<double> VaultRequestBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

std::vector<double> RestClientDurationBuckets() {
  return {0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60};
}

}  // namespace vaultsync::metrics
