// Decoding of the spec fields the round-2 kinds that write a Secret share with
// VaultStaticSecret (vaultAuthRef, CRD durations, the destination block with its
// transformation, rolloutRestartTargets), so VaultDynamicSecret and VaultPKISecret accept and
// reject exactly what a VaultStaticSecret does, with messages naming the field. Also the
// status fields they share (RFC 3339 times, the data MAC).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/resources.h"
#include "controller/secret_object.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::controller {

// A resource being deleted whose credentials or certificate Vault would not revoke: its
// finalizer holds it (the message says how to let it go by hand).
inline constexpr const char* kReasonRevokeFailed = "RevokeFailed";

// spec.destination plus rolloutRestartTargets: the extras (labels, annotations,
// transformation, targets) behind one shared pointer, as VaultStaticSecret keeps them.
struct DestinationSpec {
  std::string name;
  bool create = true;
  bool overwrite = false;
  std::string type;
  std::shared_ptr<const VaultStaticSecretExtras> extras;  // null when all are empty
  const VaultStaticSecretExtras& More() const;
};

// spec.vaultAuthRef ("name" or "namespace/name"; the namespace defaults to `own_namespace`).
Status DecodeAuthRefField(const json::Value& spec, const std::string& own_namespace, AuthRef& out);

// A duration in the CRD's form (30s, 5m, 1.5h) at `field`; `allow_zero` accepts "0s".
Result<std::chrono::milliseconds> CrdDurationField(std::string_view text, std::string_view field,
                                                   bool allow_zero = false);

// An optional list of strings / map of strings at spec.<key>.
Result<std::vector<std::string>> StringListField(const json::Value& obj, std::string_view key,
                                                 std::string_view where);
Result<std::map<std::string, std::string>> StringMapField(const json::Value& obj,
                                                          std::string_view key,
                                                          std::string_view where);

// A mount or path as VaultStaticSecret accepts them: relative, no empty, "." or ".."
// segment, no leading or trailing '/'.
bool ValidVaultPath(std::string_view p);

// spec.destination (required, with name) and spec.rolloutRestartTargets; `default_type` is
// the Secret type when destination.type is not given.
Status DecodeDestinationSpec(const json::Value& spec, std::string_view default_type,
                             DestinationSpec& out);

// Where the destination writer puts the Secret (`d` must outlive the target).
SecretTarget TargetOfDestination(const DestinationSpec& d);

// A status time field ("" or absent: nullopt).
std::optional<TimePoint> StatusTime(const json::Value& obj, std::string_view key);
// A JSON string of `t` for a status patch, whole seconds (metav1.Time's precision).
std::string StatusTimeJson(TimePoint t);

// The first 16 hex digits of SHA-256(`canonical`): the fingerprint of a request a resource's
// credentials or certificate were issued for.
std::string ShortHash(std::string_view canonical);

// Appends `s` length-prefixed to `out` (canonical forms that never collide).
void AppendCanonical(std::string& out, std::string_view s);
// Appends everything of `d` that shapes the Secret's data and metadata (not the restart
// targets).
void AppendDestinationCanonical(std::string& out, const DestinationSpec& d);

}  // namespace vaultsync::controller
