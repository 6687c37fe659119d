// VaultConnection has no side effects of its own: its reconciler reports whether the spec
// is valid, and whether the address's host name resolves, in its Ready condition, writing
// status only when that changes. Whether Vault answers shows on the resources that use it
// (VaultUnavailable). A name that does not resolve is a typo far more often than an outage,
// and "Valid" on a connection nothing can reach sent users looking in the wrong place.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "controller/ports.h"
#include "runtime/reconcile_result.h"

namespace vaultsync::controller {

using runtime::ReconcileResult;

inline constexpr const char* kReasonAddressUnresolvable = "AddressUnresolvable";

// Resolves a host name (getaddrinfo in production: SystemHostResolver); an error says why.
using HostResolver = std::function<Status(const std::string& host)>;

// getaddrinfo, with the resolver's own words in the error.
Status SystemHostResolver(const std::string& host);

// The host of an http(s) URL ("" when there is none): brackets of an IPv6 literal removed.
std::string HostOfAddress(std::string_view address);

// Thread-safe.
class VaultConnectionReconciler {
 public:
  // How often a connection whose host does not resolve is checked again.
  static constexpr std::chrono::seconds kResolveRecheck{30};

  // `resolve` may be empty: no resolution check.
  VaultConnectionReconciler(const Lister<VaultConnection>& connections, Cluster& cluster,
                            const Clock& clock, HostResolver resolve = {})
      : connections_(connections), cluster_(cluster), clock_(clock), resolve_(std::move(resolve)) {}
  ReconcileResult Reconcile(const std::string& key);

 private:
  const Lister<VaultConnection>& connections_;
  Cluster& cluster_;
  const Clock& clock_;
  HostResolver resolve_;
};

}  // namespace vaultsync::controller
