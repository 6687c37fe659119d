// What the VaultDynamicSecret and VaultPKISecret reconcilers report about the lifetimes they
// manage, as an interface in the style of reconciler_metrics.h (no prometheus-cpp here):
// when each lease and each certificate ends, so alerts can fire before something expires.
#pragma once

#include <chrono>
#include <string_view>

#include "util/clock.h"

namespace vaultsync::metrics {

// Implementations are thread-safe. Label values are resource names, never secret data.
class ExpiryMetrics {
 public:
  virtual ~ExpiryMetrics() = default;
  // vaultsync_lease_expiry_timestamp_seconds{namespace,name} = `expire` (Unix seconds) and
  // vaultsync_lease_duration_seconds{namespace,name} = the current grant's length, so an
  // alert can tell a lease within 10 % of its end.
  virtual void SetLease(std::string_view ns, std::string_view name, TimePoint expire,
                        std::chrono::seconds duration) = 0;
  virtual void RemoveLease(std::string_view ns, std::string_view name) = 0;
  // vaultsync_certificate_expiry_timestamp_seconds{namespace,name} = notAfter and
  // vaultsync_certificate_renewal_timestamp_seconds{namespace,name} = when the operator will
  // issue the next one, so an alert can tell a certificate past its renewal time.
  virtual void SetCertificate(std::string_view ns, std::string_view name, TimePoint not_after,
                              TimePoint renewal) = 0;
  virtual void RemoveCertificate(std::string_view ns, std::string_view name) = 0;
};

// Records nothing.
class NoopExpiryMetrics final : public ExpiryMetrics {
 public:
  void SetLease(std::string_view, std::string_view, TimePoint, std::chrono::seconds) override {}
  void RemoveLease(std::string_view, std::string_view) override {}
  void SetCertificate(std::string_view, std::string_view, TimePoint, TimePoint) override {}
  void RemoveCertificate(std::string_view, std::string_view) override {}
};

}  // namespace vaultsync::metrics
