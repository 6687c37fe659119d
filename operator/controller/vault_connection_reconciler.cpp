// The Ready condition of VaultConnection.
#include "controller/vault_connection_reconciler.h"

#include <netdb.h>
#include <sys/socket.h>

#include "controller/identity.h"
#include "controller/status.h"
#include "controller/vault_auth_reconciler.h"

namespace vaultsync::controller {

Status SystemHostResolver(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  if (rc != 0) return Unavailable(::gai_strerror(rc));
  return Status::Ok();
}

std::string HostOfAddress(std::string_view address) {
  size_t scheme = address.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = address.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    return close == std::string_view::npos ? "" : std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

ReconcileResult VaultConnectionReconciler::Reconcile(const std::string& key) {
  auto conn = connections_.Get(key);
  if (conn == nullptr || conn->meta.deleting) return ReconcileResult::Done();
  ReadyState want{true, kReasonValid, "VaultConnection is valid (" + conn->spec.address + ")"};
  bool unresolved = false;
  if (!conn->spec_error.ok()) {
    want = {false, kReasonInvalidSpec, conn->spec_error.message()};
  } else if (resolve_) {
    std::string host = HostOfAddress(conn->spec.address);
    Status resolved = host.empty() ? Status::Ok() : resolve_(host);
    if (!resolved.ok()) {
      unresolved = true;
      want = {false, kReasonAddressUnresolvable,
              "cannot resolve host " + host + " of address " + conn->spec.address + ": " +
                  resolved.message() +
                  " (checked again every 30s; resources using this connection fail with "
                  "VaultUnavailable meanwhile)"};
    }
  }
  ReconcileResult r =
      ReportValidity(cluster_, clock_, kKindVaultConnection, conn->meta, conn->ready, want);
  // Not the spec's fault alone (DNS may catch up): look again later, unlike InvalidSpec.
  if (unresolved && r.terminal) return ReconcileResult::After(kResolveRecheck);
  return r;
}

}  // namespace vaultsync::controller
