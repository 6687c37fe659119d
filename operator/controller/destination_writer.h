// The one writer of destination Secrets, shared by every kind that produces one. Given the
// owner (kind and metadata), its destination block and the data, it makes the Secret agree
// — creating it, updating data and our metadata, or leaving it alone when it already
// agrees — and enforces the ownership rules: never touch a Secret another resource
// manages, never take over a foreign Secret without destination.overwrite, and never write
// anything when the caller has failed before (callers only reach it with complete data).
// It decides from the managed-Secret cache first and reads the live Secret only when a
// write may be needed.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "controller/ports.h"
#include "controller/secret_object.h"

namespace vaultsync::controller {

inline constexpr const char* kReasonSecretConflict = "SecretConflict";
inline constexpr const char* kReasonDestinationNotFound = "DestinationNotFound";
inline constexpr const char* kReasonSecretWriteFailed = "SecretWriteFailed";

enum class WriteOutcome { kCreated, kUpdated, kUnchanged };
std::string_view WriteOutcomeName(WriteOutcome o);  // "created", "updated", "unchanged"

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::kUnchanged;
  bool data_changed = false;  // an existing Secret's data was replaced
};

// Why a write did not happen: a condition reason and a message naming the Secret.
struct WriteFailure {
  std::string reason;
  Status status;
};

// The uid of the resource of `kind` with key "namespace/name", or nullopt when there is
// none: tells a live owner from a stale label. A shard, which caches only its own
// resources, asks the API server about the others; an error (the server unreachable) fails
// the write rather than guess.
using OwnerUidLookup = std::function<Result<std::optional<std::string>>(std::string_view kind,
                                                                        const std::string& key)>;

// Thread-safe (the ports are).
class DestinationWriter {
 public:
  DestinationWriter(const Lister<ManagedSecret>& managed, Cluster& cluster,
                    const std::string& hmac_key, OwnerUidLookup owners)
      : managed_(managed), cluster_(cluster), hmac_key_(hmac_key), owners_(std::move(owners)) {}

  // Makes Secret target.name in the owner's namespace hold `data` (whose DataMac is `mac`).
  // On failure returns the status and fills *failure (reason SecretConflict,
  // DestinationNotFound or SecretWriteFailed).
  Result<WriteResult> Write(const SecretOwner& owner, const SecretTarget& target,
                            const SecretData& data, const std::string& mac, WriteFailure* failure);

  // For kinds that keep a Secret without rewriting its data (leases, certificates): when
  // `live` (Secret `name`, read from the API, managed by `owner`) does not carry the owner's
  // sharding label, sets it with a metadata-only update, so the owner's shard watches it
  // (a resource moved between shards). OK when nothing needed writing.
  Status FollowShard(const SecretOwner& owner, const std::string& name, json::Document& live);

 private:
  const Lister<ManagedSecret>& managed_;
  Cluster& cluster_;
  const std::string& hmac_key_;
  OwnerUidLookup owners_;
};

}  // namespace vaultsync::controller
