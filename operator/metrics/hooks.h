// The hooks through which the kube and vault layers report what they did, so that the
// metrics layer can count it without those layers depending on prometheus-cpp (and so that
// tests can count calls with a fake). Every hook is optional: a layer given nullptr reports
// nothing. Implementations must be thread-safe and cheap (they run on hot paths).
//
// Label values are passed as they should appear on the metric. Never pass a secret, a
// token or a full URL with a query: label values are public.
#pragma once

#include <string_view>

namespace vaultsync::metrics {

// client-go's workqueue metrics, per queue name (controller-runtime names the queue after
// the controller, e.g. "vaultstaticsecret").
class WorkQueueHooks {
 public:
  virtual ~WorkQueueHooks() = default;
  virtual void SetDepth(std::string_view queue, double depth) = 0;  // workqueue_depth
  virtual void IncAdds(std::string_view queue) = 0;                 // workqueue_adds_total
  virtual void IncRetries(std::string_view queue) = 0;              // workqueue_retries_total
  virtual void ObserveQueueDuration(std::string_view queue, double s) = 0;  // time from add to get
  virtual void ObserveWorkDuration(std::string_view queue, double s) = 0;   // time from get to done
  // A queue starts: its series are created at 0 (client-go does it), so that dashboards and
  // absent() alerts see them before the first add or retry.
  virtual void RegisterQueue(std::string_view queue) { (void)queue; }
  // workqueue_unfinished_work_seconds{name} (the summed time of the items in process) and
  // workqueue_longest_running_processor_seconds{name}: a stuck worker shows here long
  // before it finishes (client-go updates both every 500ms).
  virtual void SetUnfinishedWork(std::string_view queue, double unfinished_seconds,
                                 double longest_seconds) {
    (void)queue, (void)unfinished_seconds, (void)longest_seconds;
  }
};

// One call per Kubernetes API request (rest_client_requests_total{code,method,host}).
// `code` is the HTTP status as text, or "<error>" when no response arrived (client-go's
// convention). `host` is host:port of the API server.
class RestClientHooks {
 public:
  virtual ~RestClientHooks() = default;
  virtual void ObserveRequest(std::string_view code, std::string_view method,
                              std::string_view host) = 0;
  // rest_client_request_duration_seconds{verb,host} (client-go's buckets): one per request,
  // its latency including the answer's body.
  virtual void ObserveRequestDuration(std::string_view verb, std::string_view host,
                                      double seconds) {
    (void)verb, (void)host, (void)seconds;
  }
};

// leader_election_master_status{name}: 1 while this process holds the lease `name`.
class LeaderElectionHooks {
 public:
  virtual ~LeaderElectionHooks() = default;
  virtual void SetLeader(std::string_view lease_name, bool leading) = 0;
};

// Vault traffic. `operation` is one of a fixed, small set chosen by the vault client
// (e.g. "kv_read", "kv_list", "login", "token_renew", "token_lookup", "sys_health"): never
// a path, so label cardinality stays bounded. `code` is the HTTP status as text, or "error"
// when no response arrived.
class VaultHooks {
 public:
  virtual ~VaultHooks() = default;
  // vaultsync_vault_requests_total{operation,code} and
  // vaultsync_vault_request_duration_seconds{operation}; once per HTTP attempt.
  virtual void ObserveRequest(std::string_view operation, std::string_view code,
                              double seconds) = 0;
  // vaultsync_vault_logins_total{method,result}; result "success" or "failure".
  virtual void ObserveLogin(std::string_view method, std::string_view result) = 0;
  // vaultsync_vault_token_ttl_seconds{vaultauth,namespace}: remaining TTL of the token cached
  // for the identity labelled `vaultauth` ("namespace/name" of the VaultAuth, or "default")
  // acting in `ns` (a tenant identity's consuming namespace; else the VaultAuth's own), so
  // tenant identities of one VaultAuth are separate series.
  virtual void SetTokenTtl(std::string_view vaultauth, std::string_view ns, double seconds) = 0;
  virtual void RemoveTokenTtl(std::string_view vaultauth, std::string_view ns) = 0;
  // vaultsync_vault_sealed{address}: 1 while the address's sys/health says sealed, else 0
  // (from the first use of the address on).
  virtual void SetSealed(std::string_view address, bool sealed) = 0;
};

}  // namespace vaultsync::metrics
