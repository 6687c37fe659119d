// Decoding and validation of VaultDynamicSecret.
#include "controller/vault_dynamic_secret.h"

#include "controller/secret_data.h"

namespace vaultsync::controller {
namespace {

Status DecodeSpec(const json::Value& spec, VaultDynamicSecretSpec& s, const std::string& ns) {
  const std::string w = "spec";
  VS_RETURN_IF_ERROR(DecodeAuthRefField(spec, ns, s.auth_ref));
  VS_ASSIGN_OR_RETURN(auto mount, json::String(spec, "mount", w));
  VS_ASSIGN_OR_RETURN(auto path, json::String(spec, "path", w));
  s.mount = std::string(mount);
  s.path = std::string(path);
  if (!ValidVaultPath(s.mount))
    return InvalidArgument("field \"spec.mount\": \"" + s.mount + "\" is not a valid mount path");
  if (!ValidVaultPath(s.path)) {
    return InvalidArgument("field \"spec.path\": \"" + s.path +
                           "\" must be relative (no leading /) with no empty, . or .. segments");
  }
  VS_ASSIGN_OR_RETURN(auto method, json::OptionalString(spec, "method", w));
  if (!method || *method == "GET") {
    s.post = false;
  } else if (*method == "POST") {
    s.post = true;
  } else {
    return InvalidArgument("field \"spec.method\": must be GET or POST, got \"" +
                           std::string(*method) + "\"");
  }
  VS_ASSIGN_OR_RETURN(s.params, StringMapField(spec, "params", w));
  if (!s.params.empty() && !s.post) {
    return InvalidArgument("field \"spec.params\": parameters are sent only with method POST");
  }
  VS_ASSIGN_OR_RETURN(auto pct, json::OptionalInt64(spec, "renewalPercent", w));
  if (pct) {
    if (*pct < 1 || *pct > 90)
      return InvalidArgument("field \"spec.renewalPercent\": must be between 1 and 90");
    s.renewal_percent = static_cast<int>(*pct);
  }
  VS_ASSIGN_OR_RETURN(auto rotate, json::OptionalString(spec, "rotateBefore", w));
  if (rotate) {
    VS_ASSIGN_OR_RETURN(s.rotate_before, CrdDurationField(*rotate, "spec.rotateBefore", true));
  }
  VS_ASSIGN_OR_RETURN(auto revoke_after, json::OptionalString(spec, "revokeAfterRotation", w));
  if (revoke_after) {
    VS_ASSIGN_OR_RETURN(s.revoke_after_rotation,
                        CrdDurationField(*revoke_after, "spec.revokeAfterRotation", true));
  }
  VS_ASSIGN_OR_RETURN(auto revoke, json::OptionalBool(spec, "revoke", w));
  s.revoke = revoke.value_or(true);
  return DecodeDestinationSpec(spec, "Opaque", s.destination);
}

void DecodeStatus(const json::Value& obj, VaultDynamicSecretStatus& st) {
  st.ready = DecodeReady(obj);
  const json::Value* s = json::Find(obj, "status");
  if (s == nullptr || !s->IsObject()) return;
  if (const json::Value* l = json::Find(*s, "lease"); l != nullptr && l->IsObject()) {
    LeaseStatus lease;
    auto id = json::OptionalString(*l, "id");
    if (id.ok() && id->has_value()) lease.id = std::string(**id);
    auto duration = json::OptionalInt64(*l, "duration");
    if (duration.ok() && duration->has_value()) lease.duration_seconds = **duration;
    auto renewable = json::OptionalBool(*l, "renewable");
    lease.renewable = renewable.ok() && renewable->value_or(false);
    lease.issued = StatusTime(*l, "issuedTime");
    lease.expire = StatusTime(*l, "expireTime");
    st.lease = std::move(lease);
  }
  st.last_renewal = StatusTime(*s, "lastRenewalTime");
  auto rotations = json::OptionalInt64(*s, "rotations");
  if (rotations.ok() && rotations->has_value()) st.rotations = **rotations;
  auto mac = json::OptionalString(*s, "secretMAC");
  if (mac.ok() && mac->has_value() && !(*mac)->empty()) st.secret_mac = MacDigest(**mac);
  auto hash = json::OptionalString(*s, "requestHash");
  if (hash.ok() && hash->has_value()) st.request_hash = std::string(**hash);
  if (const json::Value* p = json::Find(*s, "pendingRevocations"); p != nullptr && p->IsArray()) {
    for (const auto& e : p->GetArray()) {
      auto id = json::OptionalString(e, "id");
      auto at = StatusTime(e, "revokeTime");
      if (id.ok() && id->has_value() && !(*id)->empty() && at) {
        st.pending_revocations.push_back(PendingRevocation{std::string(**id), *at});
      }
    }
  }
  auto owed = json::OptionalString(*s, "rolloutRestartMAC");
  if (owed.ok() && owed->has_value() && !(*owed)->empty()) {
    st.rollout_restart_mac = ShortDigest(**owed);
  }
  // Present, even as "" (no value answered yet), means this version wrote the status
  // (force_sync.h); ShortDigest is never 0, which stands for "absent".
  auto forced = json::OptionalString(*s, "forceSync");
  if (forced.ok() && forced->has_value()) st.force_sync = ShortDigest(**forced);
  auto og = json::OptionalInt64(*s, "observedGeneration");
  if (og.ok() && og->has_value()) st.observed_generation = **og;
}

}  // namespace

std::string VaultDynamicSecretSpec::RequestHash() const {
  std::string c;
  AppendCanonical(c, mount);
  AppendCanonical(c, path);
  AppendCanonical(c, post ? "POST" : "GET");
  AppendCanonical(c, std::to_string(params.size()));
  for (const auto& [k, v] : params) {
    AppendCanonical(c, k);
    AppendCanonical(c, v);
  }
  AppendDestinationCanonical(c, destination);
  return ShortHash(c);
}

Result<VaultDynamicSecret> DecodeVaultDynamicSecret(const json::Value& obj) {
  VaultDynamicSecret v;
  VS_ASSIGN_OR_RETURN(v.meta, DecodeMeta(obj));
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* spec = json::Find(obj, "spec");
  v.spec_error =
      DecodeSpec((spec != nullptr && spec->IsObject()) ? *spec : kEmpty, v.spec, v.meta.namespace_);
  DecodeStatus(obj, v.status);
  v.force_sync_value = ForceSyncValue(obj);
  return v;
}

}  // namespace vaultsync::controller
