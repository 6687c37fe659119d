// Decoding and validation of VaultPKISecret.
#include "controller/vault_pki_secret.h"

#include "controller/secret_data.h"

namespace vaultsync::controller {
namespace {

Status DecodeSpec(const json::Value& spec, VaultPkiSecretSpec& s, const std::string& ns) {
  const std::string w = "spec";
  VS_RETURN_IF_ERROR(DecodeAuthRefField(spec, ns, s.auth_ref));
  VS_ASSIGN_OR_RETURN(auto mount, json::OptionalString(spec, "mount", w));
  if (mount && !mount->empty()) s.mount = std::string(*mount);
  if (!ValidVaultPath(s.mount))
    return InvalidArgument("field \"spec.mount\": \"" + s.mount + "\" is not a valid mount path");
  VS_ASSIGN_OR_RETURN(auto role, json::String(spec, "role", w));
  s.role = std::string(role);
  if (s.role.empty() || s.role.find('/') != std::string::npos || s.role == "." || s.role == "..") {
    return InvalidArgument("field \"spec.role\": \"" + s.role +
                           "\" must be a role name (one path segment)");
  }
  VS_ASSIGN_OR_RETURN(auto cn, json::String(spec, "commonName", w));
  s.common_name = std::string(cn);
  if (s.common_name.empty()) return InvalidArgument("field \"spec.commonName\" is empty");
  VS_ASSIGN_OR_RETURN(s.alt_names, StringListField(spec, "altNames", w));
  VS_ASSIGN_OR_RETURN(s.ip_sans, StringListField(spec, "ipSans", w));
  VS_ASSIGN_OR_RETURN(s.uri_sans, StringListField(spec, "uriSans", w));
  for (const auto* list : {&s.alt_names, &s.ip_sans, &s.uri_sans}) {
    for (const auto& name : *list) {
      // Vault takes these lists comma-separated: a comma inside one name would split it.
      if (name.empty() || name.find(',') != std::string::npos) {
        const char* field = list == &s.alt_names ? "altNames"
                            : list == &s.ip_sans ? "ipSans"
                                                 : "uriSans";
        return InvalidArgument(std::string("field \"spec.") + field + "\": \"" + name +
                               "\" is empty or contains a comma");
      }
    }
  }
  VS_ASSIGN_OR_RETURN(auto ttl, json::OptionalString(spec, "ttl", w));
  if (ttl) {
    VS_ASSIGN_OR_RETURN(auto d, CrdDurationField(*ttl, "spec.ttl"));
    if (d < std::chrono::seconds(1)) return InvalidArgument("field \"spec.ttl\": at least 1s");
    s.ttl = std::chrono::duration_cast<std::chrono::seconds>(d);
  }
  VS_ASSIGN_OR_RETURN(auto format, json::OptionalString(spec, "privateKeyFormat", w));
  if (!format || *format == "pkcs8") {
    s.pkcs1 = false;
  } else if (*format == "pkcs1") {
    s.pkcs1 = true;
  } else {
    return InvalidArgument("field \"spec.privateKeyFormat\": must be pkcs1 or pkcs8, got \"" +
                           std::string(*format) + "\"");
  }
  VS_ASSIGN_OR_RETURN(auto renew, json::OptionalString(spec, "renewBefore", w));
  if (renew) {
    VS_ASSIGN_OR_RETURN(auto d, CrdDurationField(*renew, "spec.renewBefore"));
    s.renew_before = d;
  }
  VS_ASSIGN_OR_RETURN(auto revoke, json::OptionalBool(spec, "revoke", w));
  s.revoke = revoke.value_or(false);
  return DecodeDestinationSpec(spec, "kubernetes.io/tls", s.destination);
}

void DecodeStatus(const json::Value& obj, VaultPkiSecretStatus& st) {
  st.ready = DecodeReady(obj);
  const json::Value* s = json::Find(obj, "status");
  if (s == nullptr || !s->IsObject()) return;
  auto serial = json::OptionalString(*s, "serialNumber");
  if (serial.ok() && serial->has_value()) st.serial_number = std::string(**serial);
  st.not_after = StatusTime(*s, "notAfter");
  st.next_renewal = StatusTime(*s, "nextRenewalTime");
  auto mac = json::OptionalString(*s, "secretMAC");
  if (mac.ok() && mac->has_value() && !(*mac)->empty()) st.secret_mac = MacDigest(**mac);
  auto hash = json::OptionalString(*s, "requestHash");
  if (hash.ok() && hash->has_value()) st.request_hash = std::string(**hash);
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

std::string VaultPkiSecretSpec::RequestHash() const {
  std::string c;
  AppendCanonical(c, mount);
  AppendCanonical(c, role);
  AppendCanonical(c, common_name);
  for (const auto* list : {&alt_names, &ip_sans, &uri_sans}) {
    AppendCanonical(c, std::to_string(list->size()));
    for (const auto& n : *list) AppendCanonical(c, n);
  }
  AppendCanonical(c, ttl ? std::to_string(ttl->count()) : "");
  AppendCanonical(c, pkcs1 ? "pkcs1" : "pkcs8");
  AppendDestinationCanonical(c, destination);
  return ShortHash(c);
}

Result<VaultPkiSecret> DecodeVaultPkiSecret(const json::Value& obj) {
  VaultPkiSecret v;
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
