// The operator assembled: one Kubernetes client, shared informer caches for the three kinds
// and the managed Secrets, a controller per kind, the Vault secret source, Events, metrics,
// probes and (optionally) leader election — and the order in which they start and stop.
// main() only turns flags into ManagerOptions and calls Run.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "controller/identity.h"
#include "http/transport.h"
#include "kube/config.h"

namespace vaultsync::controller {

struct ManagerOptions {
  kube::Config kube;
  std::vector<std::string> watch_namespaces;  // empty = all
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  bool leader_elect = false;
  std::string leader_election_namespace;  // default: the operator's namespace
  std::string leader_election_id = "vaultsync-leader";
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  int max_concurrent_reconciles = 4;
  OperatorDefaults defaults;
  std::string operator_namespace = "default";  // where the HMAC key Secret lives
  std::string hmac_secret_name = "vaultsync-hmac-key";
  std::chrono::milliseconds default_refresh{60000};
  std::chrono::milliseconds shutdown_timeout{20000};
};

// Blocks until `stop` is cancelled (SIGTERM/SIGINT in main) or leadership is lost, then
// shuts down in order: stop taking work, finish in-flight reconciles within the timeout,
// revoke the Vault tokens it obtained, flush Events, release the Lease, stop the caches
// and servers. Returns OK after a requested stop; an error when start-up failed or the
// lease was lost (the process should exit non-zero and be restarted, as controller-runtime
// does).
Status RunManager(const ManagerOptions& options, http::CancelFlag& stop);

}  // namespace vaultsync::controller
