// The prometheus-cpp implementations of the hooks in hooks.h. Each class registers its own
// families in the registry it is given, with the names, label names and (for the
// controller-runtime ones) buckets that controller-runtime and client-go export, so existing
// dashboards work unchanged. OperatorMetrics owns one of each; they are public so a test or a
// tool can build just the one it needs.
//
// All classes are thread-safe and cheap per call (one cached-child lookup, no allocation once
// a label combination has been seen). The registry must outlive them.
#pragma once

#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/child_cache.h"
#include "metrics/hooks.h"

namespace vaultsync::metrics {

// workqueue_depth, workqueue_adds_total, workqueue_retries_total (label `name`),
// workqueue_queue_duration_seconds, workqueue_work_duration_seconds (histograms).
class WorkQueueMetrics final : public WorkQueueHooks {
 public:
  explicit WorkQueueMetrics(prometheus::Registry& registry);

  void SetDepth(std::string_view queue, double depth) override;
  void IncAdds(std::string_view queue) override;
  void IncRetries(std::string_view queue) override;
  void ObserveQueueDuration(std::string_view queue, double s) override;
  void ObserveWorkDuration(std::string_view queue, double s) override;
  void RegisterQueue(std::string_view queue) override;
  void SetUnfinishedWork(std::string_view queue, double unfinished_seconds,
                         double longest_seconds) override;

 private:
  ChildCache<prometheus::Gauge, 1> depth_;
  ChildCache<prometheus::Counter, 1> adds_;
  ChildCache<prometheus::Counter, 1> retries_;
  ChildCache<prometheus::Histogram, 1> queue_duration_;
  ChildCache<prometheus::Histogram, 1> work_duration_;
  ChildCache<prometheus::Gauge, 1> unfinished_;
  ChildCache<prometheus::Gauge, 1> longest_;
};

// rest_client_requests_total{code,method,host}.
class RestClientMetrics final : public RestClientHooks {
 public:
  explicit RestClientMetrics(prometheus::Registry& registry);
  void ObserveRequest(std::string_view code, std::string_view method,
                      std::string_view host) override;
  void ObserveRequestDuration(std::string_view verb, std::string_view host,
                              double seconds) override;

 private:
  ChildCache<prometheus::Counter, 3> requests_;
  ChildCache<prometheus::Histogram, 2> duration_;
};

// leader_election_master_status{name}: 1 while leading, 0 after losing the lease (the series
// stays at 0 rather than vanishing, as client-go does).
class LeaderElectionMetrics final : public LeaderElectionHooks {
 public:
  explicit LeaderElectionMetrics(prometheus::Registry& registry);
  void SetLeader(std::string_view lease_name, bool leading) override;

 private:
  ChildCache<prometheus::Gauge, 1> status_;
};

// vaultsync_vault_requests_total{operation,code},
// vaultsync_vault_request_duration_seconds{operation} (buckets: VaultRequestBuckets()),
// vaultsync_vault_logins_total{method,result},
// vaultsync_vault_token_ttl_seconds{vaultauth,namespace}, vaultsync_vault_sealed{address}.
class VaultMetrics final : public VaultHooks {
 public:
  explicit VaultMetrics(prometheus::Registry& registry);
  void ObserveRequest(std::string_view operation, std::string_view code, double seconds) override;
  void ObserveLogin(std::string_view method, std::string_view result) override;
  void SetTokenTtl(std::string_view vaultauth, std::string_view ns, double seconds) override;
  void RemoveTokenTtl(std::string_view vaultauth, std::string_view ns) override;
  void SetSealed(std::string_view address, bool sealed) override;

 private:
  ChildCache<prometheus::Counter, 2> requests_;
  ChildCache<prometheus::Histogram, 1> duration_;
  ChildCache<prometheus::Counter, 2> logins_;
  ChildCache<prometheus::Gauge, 2> token_ttl_;
  ChildCache<prometheus::Gauge, 1> sealed_;
};

}  // namespace vaultsync::metrics
