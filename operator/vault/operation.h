// The fixed, small set of names under which Vault requests are counted and reported
// (metrics label `operation`, log field, error messages). A path never becomes a label, so
// metric cardinality stays bounded however many secrets are synced.
#pragma once

#include <string_view>

namespace vaultsync::vault {

enum class Operation {
  kKvRead,
  kKvWrite,
  kKvList,
  kKvDelete,
  kKvMetadata,
  kMountDetect,
  kLogin,
  kTokenLookup,
  kTokenRenew,
  kTokenRevoke,
  kSysHealth,
  kSysSealStatus,
  kSysPolicy,
  kSysMount,     // enabling and listing auth methods and secrets engines (vaultsyncctl)
  kAuthAdmin,    // an auth method's config, roles, role-id and secret-id (vaultsyncctl)
  kDynamicRead,  // reading credentials that come with a lease (database/creds/<role>, ...)
  kLeaseLookup,
  kLeaseRenew,
  kLeaseRevoke,
  kPkiIssue,
  kPkiRevoke,
};

// "kv_read", "kv_write", ... as listed in the metrics contract.
constexpr std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kKvRead:
      return "kv_read";
    case Operation::kKvWrite:
      return "kv_write";
    case Operation::kKvList:
      return "kv_list";
    case Operation::kKvDelete:
      return "kv_delete";
    case Operation::kKvMetadata:
      return "kv_metadata";
    case Operation::kMountDetect:
      return "mount_detect";
    case Operation::kLogin:
      return "login";
    case Operation::kTokenLookup:
      return "token_lookup";
    case Operation::kTokenRenew:
      return "token_renew";
    case Operation::kTokenRevoke:
      return "token_revoke";
    case Operation::kSysHealth:
      return "sys_health";
    case Operation::kSysSealStatus:
      return "sys_seal_status";
    case Operation::kSysPolicy:
      return "sys_policy";
    case Operation::kSysMount:
      return "sys_mount";
    case Operation::kAuthAdmin:
      return "auth_admin";
    case Operation::kDynamicRead:
      return "dynamic_read";
    case Operation::kLeaseLookup:
      return "lease_lookup";
    case Operation::kLeaseRenew:
      return "lease_renew";
    case Operation::kLeaseRevoke:
      return "lease_revoke";
    case Operation::kPkiIssue:
      return "pki_issue";
    case Operation::kPkiRevoke:
      return "pki_revoke";
  }
  return "unknown";
}

}  // namespace vaultsync::vault
