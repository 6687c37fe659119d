// The vaultsync operator assembled on the runtime's Manager: the informer caches of its
// kinds (with the field indexes that route changes), the shared services (Vault secret
// source, destination writer, Event sink) and one controller per kind — VaultConnection,
// VaultAuth, VaultStaticSecret — each declared with what it watches. main() only turns
// flags into OperatorOptions and calls RunOperator.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "controller/identity.h"
#include "http/transport.h"
#include "runtime/manager.h"

namespace vaultsync::controller {

struct OperatorOptions {
  runtime::ManagerOptions manager;            // clients, servers, leader election, shutdown
  std::vector<std::string> watch_namespaces;  // empty = all
  // --watch-label-selector, canonical (watch_label_selector.h): the reconciled kinds are
  // listed and watched with it; "" = all of them (an unsharded replica).
  std::string watch_label_selector;
  int max_concurrent_reconciles = 4;  // VaultStaticSecret workers
  OperatorDefaults defaults;
  std::string operator_namespace = "default";  // the HMAC key and the "default" objects
  std::string hmac_secret_name = "vaultsync-hmac-key";
  std::chrono::milliseconds default_refresh{60000};
  // How often the Secrets named by VaultConnections and VaultAuths (CA, secret ID, token)
  // are read again to pick up a rotation.
  std::chrono::milliseconds credential_check_interval{30000};
  // --rollout-restart-coalesce: changes of several resources targeting one workload within
  // this window give it one restart.
  std::chrono::milliseconds rollout_restart_coalesce{5000};
};

// Blocks until `stop` fires or leadership is lost (see runtime::Manager::Run).
Status RunOperator(const OperatorOptions& options, http::CancelFlag& stop);

}  // namespace vaultsync::controller
