// ExpiryMetrics over a prometheus-cpp registry: four gauge families keyed by the resource's
// namespace and name, whose series go away with the resource (RemoveLease /
// RemoveCertificate), so a deleted resource leaves no alert behind.
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "metrics/child_cache.h"
#include "metrics/expiry_metrics.h"

namespace vaultsync::metrics {

// Thread-safe. The registry must outlive it.
class ExpiryGauges final : public ExpiryMetrics {
 public:
  explicit ExpiryGauges(prometheus::Registry& registry);
  void SetLease(std::string_view ns, std::string_view name, TimePoint expire,
                std::chrono::seconds duration) override;
  void RemoveLease(std::string_view ns, std::string_view name) override;
  void SetCertificate(std::string_view ns, std::string_view name, TimePoint not_after,
                      TimePoint renewal) override;
  void RemoveCertificate(std::string_view ns, std::string_view name) override;

 private:
  ChildCache<prometheus::Gauge, 2> lease_expiry_;
  ChildCache<prometheus::Gauge, 2> lease_duration_;
  ChildCache<prometheus::Gauge, 2> certificate_expiry_;
  ChildCache<prometheus::Gauge, 2> certificate_renewal_;
};

}  // namespace vaultsync::metrics
