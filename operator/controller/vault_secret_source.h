// SecretSource over the Vault client library: the piece that makes "one login per identity
// and one Vault read per distinct (identity, mount, path, version) per refresh" true. It keeps
// one vault::Client per distinct connection (shared keep-alive pool), one TokenManager per
// identity (single-flight logins, lazy renewal), and a small cache of recent reads and folder
// LISTs with single-flight: concurrent or near-simultaneous reconciles of resources (and
// sources of one resource) that name the same secret or folder with the same identity share
// one request. A "not found" is remembered for optional sources only; other failures are
// never shared.
//
// Credentials given by reference follow their Secrets without a restart. Clients and
// identities remember the resourceVersion of every Secret they were built from (the
// VaultConnection's CA, the VaultAuth's AppRole secret ID or token). CheckCredentials —
// run every 30 s by the operator — re-reads those Secrets and drops whatever was built on
// one that changed (revoking its token), so the next read rebuilds with the new material;
// a TLS failure re-checks the CA at once and retries. An AppRole secret ID and a token are
// also read anew at every login and whenever the token is found dead.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "controller/ports.h"
#include "http/transport.h"
#include "metrics/hooks.h"
#include "vault/health_gates.h"
#include "vault/session.h"

namespace vaultsync::controller {

struct VaultSecretSourceOptions {
  metrics::VaultHooks* hooks = nullptr;
  const Clock* clock = nullptr;  // default: system clock
  // Identities and read results unused for this long are dropped.
  std::chrono::minutes idle_expiry{30};
  // Requests in flight end at once when this fires (operator shutdown). Not owned.
  const http::CancelFlag* cancel = nullptr;
  // The breakers of the Vault addresses (a sealed or down Vault is asked through one
  // sys/health probe, not by every resource). Optional; must outlive this object.
  vault::HealthGates* gates = nullptr;
  log::Logger* logger = nullptr;  // default log::Default()
  // A Secret is re-read after a TLS failure at most this often.
  std::chrono::milliseconds recheck_interval{5000};
  // Test seam: builds the Vault client of a connection (default vault::Client::Create).
  std::function<Result<std::shared_ptr<vault::Client>>(const vault::ConnectionConfig&,
                                                       vault::ClientOptions)>
      make_client;
};

// Thread-safe.
class VaultSecretSource final : public SecretSource {
 public:
  // `cluster` reads the Secrets that hold CA certificates, AppRole secret IDs and tokens,
  // and mints ServiceAccount tokens; it must outlive this object.
  VaultSecretSource(Cluster& cluster, VaultSecretSourceOptions options);
  ~VaultSecretSource() override;

  Result<std::shared_ptr<const KvResult>> Read(const VaultIdentity& identity,
                                               const KvRequest& request) override;
  Result<std::shared_ptr<const KvListResult>> List(const VaultIdentity& identity,
                                                   const KvListRequest& request) override;
  void Forget(const std::string& key_prefix) override;

  // The session (client and token) of `identity`, shared with the reads: for every other
  // Vault operation a kind needs (KV writes, leases, PKI), so that each identity still logs in
  // once. Errors as a read's (kUnauthenticated when the login was refused, ...).
  Result<vault::Session> SessionFor(const VaultIdentity& identity);
  // After a call made with SessionFor failed with `failure`: true when one retry with a new
  // SessionFor makes sense — a TLS failure after the CA Secret changed (the client was
  // rebuilt), or an identity retired since its credentials changed (vault::IsRetiredIdentity).
  bool RebuiltAfterFailure(const VaultIdentity& identity, const Status& failure);

  // Re-reads every Secret a live client or identity was built from. Drops (and revokes the
  // tokens of) those built on one that changed or disappeared, and returns the keys
  // ("namespace/name") of the Secrets that did, so their users can be reconciled again.
  std::vector<std::string> CheckCredentials();
  // Called with the key of a Secret found changed on a failure path (TLS), from Read().
  void OnCredentialChanged(std::function<void(const std::string& secret_key)> fn);

  // Revokes every token obtained by login (shutdown). Returns how many identities were
  // handled without error (static tokens count, but are never revoked).
  int RevokeAll();
  // The identity's token created leases (VaultDynamicSecret): Vault revokes a token's leases
  // with it, so neither RevokeAll nor a credential rotation revokes this token; it expires
  // on its own.
  void KeepTokenOf(const VaultIdentity& identity);
  // Number of identities with a live TokenManager (for tests and the benchmark).
  size_t identities() const;
  // Number of Vault clients (connections) alive.
  size_t clients() const;

 private:
  struct ClientEntry {
    std::shared_ptr<vault::Client> client;
    std::string ca_secret;  // "ns/name" it was built from, or ""
  };
  struct IdentityEntry {
    std::shared_ptr<vault::TokenManager> tokens;
    std::string client_fp;
    std::string credential_secret;  // "ns/name" of the AppRole/token Secret, or ""
    TimePoint last_used;
  };
  // A read answered "not found", remembered for optional sources.
  struct MissingAnswer {
    Status status;
    TimePoint at;
  };
  // One shared answer, typed by its key: a KvResult for a read, a KvListResult for a LIST
  // (keys with "#list:"), or a MissingAnswer when `missing`. One pointer for all three keeps
  // the entry as small as one for reads only (there is one entry per distinct path).
  struct ReadEntry {
    std::shared_ptr<const void> answer;  // null while in flight
    bool missing = false;
    bool in_flight = false;
    uint32_t waiters = 0;  // callers waiting for this flight (0: its end wakes nobody)
    TimePoint last_used;
  };

  Result<std::shared_ptr<vault::TokenManager>> TokensFor(const VaultIdentity& id);
  Result<std::shared_ptr<vault::Client>> ClientFor(const VaultIdentity& id);
  Result<std::shared_ptr<const KvResult>> ReadOnce(const VaultIdentity& identity,
                                                   const KvRequest& request);
  Result<std::shared_ptr<const KvResult>> ReadFromVault(const vault::Session& session,
                                                        const KvRequest& request);
  Result<std::shared_ptr<const KvListResult>> ListOnce(const VaultIdentity& identity,
                                                       const KvListRequest& request);
  // Waits for a request of `key` in flight, then either returns true with the lock held and
  // nothing to do (the caller found its answer through `fresh`), or marks `key` in flight.
  bool JoinOrStart(std::unique_lock<std::mutex>& lock, const std::string& key,
                   const std::function<bool(ReadEntry&, TimePoint now)>& fresh);
  // Ends the flight of entry `e` (mu_ held); returns whether anyone waits for it.
  static bool EndFlight(ReadEntry& e);
  std::condition_variable& FlightDone(const std::string& key);
  // Reads key `key` of Secret ns/name and remembers its resourceVersion.
  Result<std::string> SecretValue(const std::string& ns, const std::string& name,
                                  const std::string& key);
  // Current resourceVersion of Secret `secret_key` ("" when it does not exist).
  Result<std::string> CurrentVersion(const std::string& secret_key);
  // Drops clients and identities built on `secret_key`; returns the dropped token managers.
  std::vector<std::shared_ptr<vault::TokenManager>> DropBuiltOnLocked(
      const std::string& secret_key);
  // After a TLS failure of `id`: true when its CA Secret changed (and was dropped).
  bool CaChanged(const VaultIdentity& id);
  void SweepLocked(TimePoint now);

  Cluster& cluster_;
  VaultSecretSourceOptions options_;
  const Clock* clock_;
  mutable std::mutex mu_;
  // A flight's end wakes only the callers waiting on its stripe (by key hash), and only when
  // it has any: one shared variable woke every waiting worker at every read's end.
  std::array<std::condition_variable, 8> read_done_;
  std::map<std::string, ClientEntry> clients_;        // by connection fingerprint
  std::map<std::string, IdentityEntry> identities_;   // by VaultIdentity::key
  std::map<std::string, ReadEntry> reads_;            // by identity key + request
  std::map<std::string, std::string> seen_versions_;  // Secret key -> resourceVersion read
  std::map<std::string, TimePoint> rechecked_at_;     // Secret key -> last failure re-check
  std::set<std::string> keep_tokens_;                 // identity keys (KeepTokenOf)
  std::vector<std::function<void(const std::string&)>> on_changed_;
  TimePoint last_sweep_{};
};

}  // namespace vaultsync::controller
