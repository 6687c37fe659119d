// The bench's workload: how its namespaces, Vault paths, VaultStaticSecrets and Secrets are
// named, and the random values it writes.
#pragma once

#include <cstddef>
#include <string>

namespace vaultsync::bench {

inline std::string NamespaceName(int ns) { return "bench-" + std::to_string(ns); }
inline std::string VaultPath(int path) { return "bench/p" + std::to_string(path); }
// Resource i lives in namespace i % M and reads path i % P, so with P = N/2 each path is
// read by two resources (in different namespaces when M is even... or the same; both count).
inline std::string ResourceName(int i) { return "vss-" + std::to_string(i); }
inline std::string SecretName(int i) { return "dest-" + std::to_string(i); }
// Sharding (Flux's convention, as the operator's --watch-label-selector expects): with S > 1
// shards, resource i carries the label sharding.vaultsync.io/key=shard-<i % S>.
constexpr const char* kShardLabel = "sharding.vaultsync.io/key";
inline std::string ShardName(int shard) { return "shard-" + std::to_string(shard); }

// `bytes` random bytes from /dev/urandom, as hex.
std::string RandomHex(size_t bytes);

}  // namespace vaultsync::bench
