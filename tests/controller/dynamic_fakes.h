// In-memory fakes for the VaultDynamicSecret and VaultPKISecret reconcilers: a LeaseSource
// that behaves like Vault's expiration manager on a fake clock (TTL, max TTL, renewals capped
// at the max TTL, expired leases gone), a CertificateSource that issues real X.509
// certificates (OpenSSL, P-256) valid from the fake clock's now, and a JSON merge patch so a
// test can apply the reconcilers' status and finalizer patches to the object it feeds back
// (what the API server and the informer do in production).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "controller/ports.h"
#include "util/clock.h"
#include "util/json.h"

namespace vaultsync::controller::testing {

class FakeLeaseSource : public LeaseSource {
 public:
  explicit FakeLeaseSource(const Clock* clock) : clock_(clock) {}

  Result<LeasedCredentials> Read(const VaultIdentity& identity,
                                 const LeasedReadRequest& request) override;
  Result<LeaseLookupResult> Lookup(const VaultIdentity& identity,
                                   const std::string& lease_id) override;
  Result<LeaseRenewResult> Renew(const VaultIdentity& identity, const std::string& lease_id,
                                 std::chrono::seconds increment) override;
  Status Revoke(const VaultIdentity& identity, const std::string& lease_id) override;

  // Vault's side.
  std::chrono::seconds ttl{3600};       // the role's default TTL
  std::chrono::seconds max_ttl{86400};  // the role's max TTL
  bool renewable = true;
  bool with_lease = true;  // false: answers without a lease (like a KV read)
  Status down;             // non-OK: every call fails with it (sealed, unreachable)
  Status refuse_revoke;    // non-OK: revocations fail with it

  // What happened.
  int reads = 0, lookups = 0, renewals = 0;
  std::vector<std::string> revoked;
  std::vector<LeasedReadRequest> requests;
  std::vector<std::chrono::seconds> increments;
  bool Alive(const std::string& id) const;
  std::string LastLeaseId() const { return last_id_; }

 private:
  struct Lease {
    TimePoint issued;
    TimePoint expire;
  };
  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Lease> leases_;
  std::string last_id_;
};

class FakeCertificateSource : public CertificateSource {
 public:
  explicit FakeCertificateSource(const Clock* clock);
  ~FakeCertificateSource() override;

  Result<IssuedCertificateData> Issue(const VaultIdentity& identity,
                                      const CertificateIssueRequest& request) override;
  Status Revoke(const VaultIdentity& identity, const std::string& mount,
                const std::string& serial_number) override;

  std::chrono::seconds role_ttl{86400};
  std::chrono::seconds role_max_ttl{259200};
  Status down;
  std::vector<std::string> chain;  // ca_chain to send (empty: like a root-issued certificate)

  int issued = 0;
  std::vector<CertificateIssueRequest> requests;
  std::vector<std::string> serials;
  std::vector<std::string> revoked;

 private:
  struct Ca;
  const Clock* clock_;
  std::mutex mu_;
  Ca* ca_;
};

// RFC 7386: applies `patch` to `target` in place.
void MergePatch(json::Value& target, const json::Value& patch, json::Allocator& a);

}  // namespace vaultsync::controller::testing
