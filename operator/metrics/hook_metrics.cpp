// Families behind the hooks: registration (names, label names, help, buckets) and the
// per-call updates.
#include "metrics/hook_metrics.h"

#include "metrics/buckets.h"

namespace vaultsync::metrics {

namespace {

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Histogram>& Histogram(prometheus::Registry& r, const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

}  // namespace

WorkQueueMetrics::WorkQueueMetrics(prometheus::Registry& r)
    : depth_(Gauge(r, "workqueue_depth", "Number of items waiting in the work queue"), {"name"}),
      adds_(Counter(r, "workqueue_adds_total", "Items added to the work queue"), {"name"}),
      retries_(Counter(r, "workqueue_retries_total",
                       "Items put back into the work queue after a failure (rate-limited)"),
               {"name"}),
      queue_duration_(Histogram(r, "workqueue_queue_duration_seconds",
                                "Seconds an item waited in the work queue before a worker took it"),
                      {"name"}, WorkQueueDurationBuckets()),
      work_duration_(Histogram(r, "workqueue_work_duration_seconds",
                               "Seconds a worker spent on an item taken from the work queue"),
                     {"name"}, WorkQueueDurationBuckets()),
      unfinished_(Gauge(r, "workqueue_unfinished_work_seconds",
                        "Seconds of work in progress not yet observed by "
                        "workqueue_work_duration_seconds (summed over the items in process)"),
                  {"name"}),
      longest_(Gauge(r, "workqueue_longest_running_processor_seconds",
                     "Seconds the longest-running item in process has been running"),
               {"name"}) {}

void WorkQueueMetrics::SetUnfinishedWork(std::string_view queue, double unfinished_seconds,
                                         double longest_seconds) {
  unfinished_.With({queue},
                   [unfinished_seconds](prometheus::Gauge& g) { g.Set(unfinished_seconds); });
  longest_.With({queue}, [longest_seconds](prometheus::Gauge& g) { g.Set(longest_seconds); });
}

void WorkQueueMetrics::RegisterQueue(std::string_view queue) {
  depth_.With({queue}, [](prometheus::Gauge&) {});
  adds_.With({queue}, [](prometheus::Counter&) {});
  retries_.With({queue}, [](prometheus::Counter&) {});
  queue_duration_.With({queue}, [](prometheus::Histogram&) {});
  work_duration_.With({queue}, [](prometheus::Histogram&) {});
  unfinished_.With({queue}, [](prometheus::Gauge&) {});
  longest_.With({queue}, [](prometheus::Gauge&) {});
}

void WorkQueueMetrics::SetDepth(std::string_view queue, double depth) {
  depth_.With({queue}, [depth](prometheus::Gauge& g) { g.Set(depth); });
}
void WorkQueueMetrics::IncAdds(std::string_view queue) {
  adds_.With({queue}, [](prometheus::Counter& c) { c.Increment(); });
}
void WorkQueueMetrics::IncRetries(std::string_view queue) {
  retries_.With({queue}, [](prometheus::Counter& c) { c.Increment(); });
}
void WorkQueueMetrics::ObserveQueueDuration(std::string_view queue, double s) {
  queue_duration_.With({queue}, [s](prometheus::Histogram& h) { h.Observe(s); });
}
void WorkQueueMetrics::ObserveWorkDuration(std::string_view queue, double s) {
  work_duration_.With({queue}, [s](prometheus::Histogram& h) { h.Observe(s); });
}

RestClientMetrics::RestClientMetrics(prometheus::Registry& r)
    : requests_(Counter(r, "rest_client_requests_total",
                        "Kubernetes API requests by HTTP status code, method and API server host"),
                {"code", "method", "host"}),
      duration_(Histogram(r, "rest_client_request_duration_seconds",
                          "Kubernetes API request latency in seconds, by verb and API server host"),
                {"verb", "host"}, RestClientDurationBuckets()) {}

void RestClientMetrics::ObserveRequest(std::string_view code, std::string_view method,
                                       std::string_view host) {
  requests_.With({code, method, host}, [](prometheus::Counter& c) { c.Increment(); });
}
void RestClientMetrics::ObserveRequestDuration(std::string_view verb, std::string_view host,
                                               double seconds) {
  duration_.With({verb, host}, [seconds](prometheus::Histogram& h) { h.Observe(seconds); });
}

LeaderElectionMetrics::LeaderElectionMetrics(prometheus::Registry& r)
    : status_(Gauge(r, "leader_election_master_status",
                    "1 while this replica holds the leader lease `name`, 0 while it is a standby"),
              {"name"}) {}

void LeaderElectionMetrics::SetLeader(std::string_view lease_name, bool leading) {
  status_.With({lease_name}, [leading](prometheus::Gauge& g) { g.Set(leading ? 1 : 0); });
}

VaultMetrics::VaultMetrics(prometheus::Registry& r)
    : requests_(Counter(r, "vaultsync_vault_requests_total",
                        "Vault HTTP requests by operation and HTTP status code (\"error\" when no "
                        "response arrived)"),
                {"operation", "code"}),
      duration_(Histogram(r, "vaultsync_vault_request_duration_seconds",
                          "Seconds per Vault HTTP request, by operation"),
                {"operation"}, VaultRequestBuckets()),
      logins_(Counter(r, "vaultsync_vault_logins_total", "Vault logins by auth method and result"),
              {"method", "result"}),
      token_ttl_(Gauge(r, "vaultsync_vault_token_ttl_seconds",
                       "Remaining TTL of the cached Vault token, by VaultAuth (namespace/name) "
                       "and the namespace the identity acts for"),
                 {"vaultauth", "namespace"}),
      sealed_(Gauge(r, "vaultsync_vault_sealed",
                    "1 while the Vault at this address says it is sealed (sys/health), else 0"),
              {"address"}) {}

void VaultMetrics::ObserveRequest(std::string_view operation, std::string_view code,
                                  double seconds) {
  requests_.With({operation, code}, [](prometheus::Counter& c) { c.Increment(); });
  duration_.With({operation}, [seconds](prometheus::Histogram& h) { h.Observe(seconds); });
}
void VaultMetrics::ObserveLogin(std::string_view method, std::string_view result) {
  logins_.With({method, result}, [](prometheus::Counter& c) { c.Increment(); });
}
void VaultMetrics::SetTokenTtl(std::string_view vaultauth, std::string_view ns, double seconds) {
  token_ttl_.With({vaultauth, ns}, [seconds](prometheus::Gauge& g) { g.Set(seconds); });
}
void VaultMetrics::RemoveTokenTtl(std::string_view vaultauth, std::string_view ns) {
  token_ttl_.Remove({vaultauth, ns});
}
void VaultMetrics::SetSealed(std::string_view address, bool sealed) {
  sealed_.With({address}, [sealed](prometheus::Gauge& g) { g.Set(sealed ? 1 : 0); });
}

}  // namespace vaultsync::metrics
