// Vault's expiration manager for secrets with a lease (what the database engine issues):
// a lease table on the emulator's clock, sys/leases/lookup, sys/leases/renew and
// sys/leases/revoke with Vault 1.8's TTL arithmetic (framework.CalculateTTL: an increment,
// else the role's default TTL, else the mount's; never past issue time + the smaller of the
// role's and the mount's max TTL, with Vault's warning when capped) and its error texts. A
// lease past its expire time is gone, as if Vault's expiration manager had revoked it.
// Reconstructed from Vault 1.8's vault/expiration.go, logical_system.go and
// sdk/framework/lease.go; not recorded.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "backend.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

struct State;

struct Lease {
  std::string id;           // "database/creds/app/<24 base62>"
  std::string issued_path;  // "database/creds/app"
  std::string mount_path;   // "database/"
  TimePoint issue_time;
  TimePoint expire_time;
  std::optional<TimePoint> last_renewal;
  bool renewable = true;
  Duration default_ttl{0};  // the role's (0 = the mount's default)
  Duration max_ttl{0};      // the role's (0 = the mount's max)
};

// Not thread-safe: the emulator serializes access.
class LeaseTable {
 public:
  // Registers a lease and counts one issue for its path.
  const Lease& Add(Lease lease);
  // The live lease with this id; expired leases are dropped on the way (nullptr).
  Lease* Find(std::string_view id, TimePoint now);
  // Removes the lease; false when there was none.
  bool Revoke(std::string_view id);
  // Drops every expired lease.
  void Expire(TimePoint now);

  const std::map<std::string, Lease, std::less<>>& all() const { return leases_; }
  // Issued leases per path ("database/creds/app" -> N), revoked and expired ones included.
  const std::map<std::string, int64_t>& issued() const { return issued_; }
  int64_t revoked() const { return revoked_; }
  int64_t expired() const { return expired_; }

 private:
  std::map<std::string, Lease, std::less<>> leases_;
  std::map<std::string, int64_t> issued_;
  int64_t revoked_ = 0;
  int64_t expired_ = 0;
};

// The TTL Vault grants: see the file comment. Fails with "past the max TTL, cannot renew".
struct GrantedTtl {
  Duration ttl{0};
  std::vector<std::string> warnings;
};
Result<GrantedTtl> CalculateTtl(const State& s, std::string_view mount_path, Duration increment,
                                Duration backend_ttl, Duration backend_max_ttl,
                                TimePoint start_time);

// sys/leases/<sub> (lookup, renew, revoke).
Reply HandleSysLeases(State& s, Call& c, std::string_view sub);

// The mount's effective TTLs (its tuning, else the system's 768h).
Duration MountDefaultTtl(const State& s, std::string_view mount_path);
Duration MountMaxTtl(const State& s, std::string_view mount_path);

// GET /__emulator/leases: {"issued":{"<path>":N,...},"revoked":N,"expired":N,
// "leases":[{"lease_id","issue_time","expire_time","ttl","renewable"},...]} (live leases).
std::string RenderLeaseControl(State& s);

}  // namespace vaultsync::vaultemu
