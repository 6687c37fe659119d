// SecretSource over the Vault client library: the piece that makes "one login per identity
// and one Vault read per distinct (identity, mount, path) per refresh" true. It keeps one
// vault::Client per distinct connection (shared keep-alive pool), one TokenManager per
// identity (single-flight logins, lazy renewal), and a small cache of recent reads with
// single-flight: concurrent or near-simultaneous reconciles of resources that name the same
// secret with the same identity share one read.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "controller/ports.h"
#include "metrics/hooks.h"
#include "vault/session.h"

namespace vaultsync::controller {

struct VaultSecretSourceOptions {
  metrics::VaultHooks* hooks = nullptr;
  const Clock* clock = nullptr;  // default: system clock
  // Identities and read results unused for this long are dropped.
  std::chrono::minutes idle_expiry{30};
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
  void Forget(const std::string& key_prefix) override;

  // Revokes every token obtained by login (shutdown). Returns how many identities were
  // handled without error (static tokens count, but are never revoked).
  int RevokeAll();
  // Number of identities with a live TokenManager (for tests and the benchmark).
  size_t identities() const;

 private:
  struct IdentityEntry {
    std::shared_ptr<vault::TokenManager> tokens;
    TimePoint last_used;
  };
  struct ReadEntry {
    std::shared_ptr<const KvResult> result;  // null while in flight
    bool in_flight = false;
    TimePoint last_used;
  };

  Result<std::shared_ptr<vault::TokenManager>> TokensFor(const VaultIdentity& id);
  Result<std::shared_ptr<vault::Client>> ClientFor(const VaultIdentity& id);
  Result<std::shared_ptr<const KvResult>> ReadFromVault(const vault::Session& session,
                                                        const KvRequest& request);
  Result<std::string> SecretValue(const std::string& ns, const std::string& name,
                                  const std::string& key);
  void SweepLocked(TimePoint now);

  Cluster& cluster_;
  VaultSecretSourceOptions options_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::condition_variable read_done_;
  std::map<std::string, std::shared_ptr<vault::Client>> clients_;  // by connection fingerprint
  std::map<std::string, IdentityEntry> identities_;                // by VaultIdentity::key
  std::map<std::string, ReadEntry> reads_;                         // by identity key + request
  TimePoint last_sweep_{};
};

}  // namespace vaultsync::controller
