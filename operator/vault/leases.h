// Secrets that come with a lease (the database engine's creds/<role>, and any engine that
// answers with a lease_id), and Vault's lease API: sys/leases/lookup, renew and revoke. The
// operator's VaultDynamicSecret reads credentials once, then keeps them alive by renewing
// the lease, and gives them back by revoking it; these are the calls it makes, each through
// a Session (token and 403 handling).
//
// Errors common to all calls are those of Session::Send: kPermissionDenied (403),
// kUnauthenticated, kRateLimited, kUnavailable (sealed, standby, unreachable),
// kDeadlineExceeded, kInternal (500 or an answer we cannot parse). A lease that Vault no
// longer knows (expired or revoked) is kNotFound; one that can no longer be extended (not
// renewable, or past its max TTL) is kFailedPrecondition.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/status.h"
#include "vault/kv_value.h"
#include "vault/session.h"

namespace vaultsync::vault {

struct LeasedSecret {
  KvData data;           // sorted by key; secret values
  std::string lease_id;  // "" when the answer carries no lease (not a dynamic secret)
  std::chrono::seconds lease_duration{0};
  bool renewable = false;
  std::vector<std::string> warnings;
};

// GET <mount>/<path>, or (`post`) POST with `params` as the JSON body (engines whose
// credentials take parameters, such as aws/sts/<role> with ttl). kNotFound for a 404;
// Vault's 400 and 500 refusals ("unknown role", "is not an allowed role") keep their code
// (kInvalidArgument, kInternal) and words.
Result<LeasedSecret> ReadLeased(const Session& s, std::string_view mount, std::string_view path,
                                bool post = false,
                                const std::map<std::string, std::string>& params = {});

struct LeaseInfo {
  std::string id;
  std::chrono::seconds ttl{0};  // time left, as Vault counts it
  bool renewable = false;
  std::string issue_time;    // RFC 3339 on Vault's clock, as sent
  std::string expire_time;   // idem
  std::string last_renewal;  // idem; "" when never renewed
};

// PUT sys/leases/lookup {"lease_id"}. kNotFound when Vault does not know the lease.
Result<LeaseInfo> LookupLease(const Session& s, std::string_view lease_id);

struct LeaseRenewal {
  std::chrono::seconds lease_duration{0};  // granted from now; may be less than asked
  bool renewable = false;
  std::vector<std::string> warnings;  // e.g. Vault's "TTL ... is capped" note
};

// PUT sys/leases/renew {"lease_id","increment"} (increment in seconds; 0 = the backend's
// default). kNotFound when the lease is gone; kFailedPrecondition when it cannot be renewed
// (not renewable, or past its max TTL).
Result<LeaseRenewal> RenewLease(const Session& s, std::string_view lease_id,
                                std::chrono::seconds increment);

// PUT sys/leases/revoke {"lease_id"}. Vault answers 204 for a lease it does not know, so an
// already expired or revoked lease is no error.
Status RevokeLease(const Session& s, std::string_view lease_id);

}  // namespace vaultsync::vault
