// The lease and certificate expiry gauges.
#include "metrics/expiry_gauges.h"

namespace vaultsync::metrics {
namespace {

prometheus::Family<prometheus::Gauge>& Family(prometheus::Registry& r, const char* name,
                                              const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

double Unix(TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

}  // namespace

ExpiryGauges::ExpiryGauges(prometheus::Registry& registry)
    : lease_expiry_(Family(registry, "vaultsync_lease_expiry_timestamp_seconds",
                           "When the lease of a VaultDynamicSecret's credentials ends (Unix "
                           "seconds), unless renewed"),
                    {"namespace", "name"}),
      lease_duration_(Family(registry, "vaultsync_lease_duration_seconds",
                             "Length of the current grant of a VaultDynamicSecret's lease"),
                      {"namespace", "name"}),
      certificate_expiry_(Family(registry, "vaultsync_certificate_expiry_timestamp_seconds",
                                 "notAfter of a VaultPKISecret's certificate (Unix seconds)"),
                          {"namespace", "name"}),
      certificate_renewal_(Family(registry, "vaultsync_certificate_renewal_timestamp_seconds",
                                  "When a VaultPKISecret's next certificate is due (Unix "
                                  "seconds)"),
                           {"namespace", "name"}) {}

void ExpiryGauges::SetLease(std::string_view ns, std::string_view name, TimePoint expire,
                            std::chrono::seconds duration) {
  lease_expiry_.With({ns, name}, [&](prometheus::Gauge& g) { g.Set(Unix(expire)); });
  lease_duration_.With({ns, name}, [&](prometheus::Gauge& g) { g.Set(double(duration.count())); });
}

void ExpiryGauges::RemoveLease(std::string_view ns, std::string_view name) {
  lease_expiry_.Remove({ns, name});
  lease_duration_.Remove({ns, name});
}

void ExpiryGauges::SetCertificate(std::string_view ns, std::string_view name, TimePoint not_after,
                                  TimePoint renewal) {
  certificate_expiry_.With({ns, name}, [&](prometheus::Gauge& g) { g.Set(Unix(not_after)); });
  certificate_renewal_.With({ns, name}, [&](prometheus::Gauge& g) { g.Set(Unix(renewal)); });
}

void ExpiryGauges::RemoveCertificate(std::string_view ns, std::string_view name) {
  certificate_expiry_.Remove({ns, name});
  certificate_renewal_.Remove({ns, name});
}

}  // namespace vaultsync::metrics
