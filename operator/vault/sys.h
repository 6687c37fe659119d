// The sys/ endpoints the operator and the CLI use: health and seal status (unauthenticated,
// straight on a Client) and ACL policies (through a Session).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "vault/client.h"
#include "vault/session.h"

namespace vaultsync::vault {

struct HealthStatus {
  int http_status = 0;  // 200, 429, 472, 473, 501 or 503
  // "active", "standby", "dr secondary", "performance standby", "not initialized", "sealed"
  std::string state;
  bool initialized = false;
  bool sealed = false;
  bool standby = false;
  bool performance_standby = false;
  std::string replication_performance_mode;
  std::string replication_dr_mode;
  int64_t server_time_utc = 0;
  std::string version;
  std::string cluster_name;  // empty while sealed
  std::string cluster_id;
  // True when this node serves requests: active (200). Standbys forward, but the CLI and
  // readiness treat only an active node as healthy.
  bool active() const { return http_status == 200; }
};

// GET sys/health. Vault answers 200 active, 429 unsealed standby, 472 DR secondary, 473
// performance standby, 501 not initialized, 503 sealed — all with a health body; these are
// results here, not errors, and are not retried. Errors: transport failures, and statuses
// without a health body (e.g. a proxy's 502), mapped as Client::Send does.
Result<HealthStatus> Health(const Client& client, std::string* raw_body = nullptr);

struct SealStatus {
  std::string type;  // "shamir", ...
  bool initialized = false;
  bool sealed = false;
  int64_t t = 0;  // threshold
  int64_t n = 0;  // shares
  int64_t progress = 0;
  std::string version;
  std::string storage_type;
  std::string cluster_name;
};

// GET sys/seal-status (200 also while sealed).
Result<SealStatus> GetSealStatus(const Client& client, std::string* raw_body = nullptr);

// LIST sys/policies/acl: the ACL policy names.
Result<std::vector<std::string>> ListPolicies(const Session& s, std::string* raw_body = nullptr);

struct Policy {
  std::string name;
  std::string rules;  // the policy text (HCL)
};

// GET sys/policies/acl/<name>. kNotFound when there is no such policy.
Result<Policy> ReadPolicy(const Session& s, std::string_view name, std::string* raw_body = nullptr);

}  // namespace vaultsync::vault
