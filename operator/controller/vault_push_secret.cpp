// Decoding and validation of VaultPushSecret, and the filtered Secret cache's decoder.
#include "controller/vault_push_secret.h"

#include <algorithm>
#include <tuple>

#include "controller/push_data.h"
#include "controller/secret_data.h"
#include "util/time_format.h"

namespace vaultsync::controller {
namespace {

const json::Value& SpecOf(const json::Value& obj) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* spec = json::Find(obj, "spec");
  return (spec != nullptr && spec->IsObject()) ? *spec : kEmpty;
}

Status DecodeSpec(const json::Value& spec, VaultPushSecretSpec& s, const std::string& own_ns) {
  const std::string w = "spec";
  VS_RETURN_IF_ERROR(
      DecodeObjectRef(spec, "vaultAuthRef", own_ns, s.auth_ref.namespace_, s.auth_ref.name));
  VS_ASSIGN_OR_RETURN(auto secret_name, json::String(spec, "secretName", w));
  s.secret_name = std::string(secret_name);
  if (s.secret_name.empty() || s.secret_name.find('/') != std::string::npos) {
    return InvalidArgument(
        "field \"spec.secretName\": want the name of a Secret in this namespace");
  }
  VS_ASSIGN_OR_RETURN(const json::Value* keys, json::OptionalArray(spec, "keys", w));
  if (keys != nullptr) {
    for (const auto& k : keys->GetArray()) {
      if (!k.IsString()) return InvalidArgument("field \"spec.keys\": expected strings");
      std::string key(json::View(k));
      if (!ValidSecretKey(key)) {
        return InvalidArgument("field \"spec.keys\": " + json::Quote(key) +
                               " is not a valid Secret key");
      }
      if (std::find(s.keys.begin(), s.keys.end(), key) == s.keys.end()) s.keys.push_back(key);
    }
  }
  VS_ASSIGN_OR_RETURN(auto mount, json::String(spec, "mount", w));
  VS_ASSIGN_OR_RETURN(auto path, json::String(spec, "path", w));
  s.mount = std::string(mount);
  s.path = std::string(path);
  if (!IsValidKvPath(s.mount))
    return InvalidArgument("field \"spec.mount\": \"" + s.mount + "\" is not a valid mount path");
  if (!IsValidKvPath(s.path)) {
    return InvalidArgument("field \"spec.path\": \"" + s.path +
                           "\" must be relative (no leading /) with no empty, . or .. segments");
  }
  VS_ASSIGN_OR_RETURN(auto type, json::OptionalString(spec, "type", w));
  if (!type || *type == "kv-v2") {
    s.type = KvType::kV2;
  } else if (*type == "kv-v1") {
    s.type = KvType::kV1;
  } else {
    return InvalidArgument("field \"spec.type\": must be kv-v1 or kv-v2, got \"" +
                           std::string(*type) + "\"");
  }
  VS_ASSIGN_OR_RETURN(auto update, json::OptionalString(spec, "updatePolicy", w));
  if (!update || *update == "Replace") {
    s.update_policy = UpdatePolicy::kReplace;
  } else if (*update == "IfNotExists") {
    s.update_policy = UpdatePolicy::kIfNotExists;
  } else {
    return InvalidArgument("field \"spec.updatePolicy\": must be Replace or IfNotExists, got \"" +
                           std::string(*update) + "\"");
  }
  VS_ASSIGN_OR_RETURN(auto deletion, json::OptionalString(spec, "deletionPolicy", w));
  if (!deletion || *deletion == "Retain") {
    s.deletion_policy = DeletionPolicy::kRetain;
  } else if (*deletion == "Delete") {
    s.deletion_policy = DeletionPolicy::kDelete;
  } else {
    return InvalidArgument("field \"spec.deletionPolicy\": must be Retain or Delete, got \"" +
                           std::string(*deletion) + "\"");
  }
  VS_ASSIGN_OR_RETURN(auto refresh, json::OptionalString(spec, "refreshAfter", w));
  if (refresh) {
    VS_ASSIGN_OR_RETURN(s.refresh_after, DecodeCrdDuration(*refresh, "spec.refreshAfter"));
  }
  return Status::Ok();
}

void DecodeStatus(const json::Value& obj, VaultPushSecretStatus& st) {
  st.ready = DecodeReady(obj);
  const json::Value* s = json::Find(obj, "status");
  if (s == nullptr || !s->IsObject()) return;
  auto mac = json::OptionalString(*s, "secretMAC");
  if (mac.ok() && mac->has_value() && !(*mac)->empty()) st.secret_mac = MacDigest(**mac);
  auto last = json::OptionalString(*s, "lastPushTime");
  st.pushed_before = last.ok() && last->has_value() && !(*last)->empty();
  auto version = json::OptionalInt64(*s, "destinationVersion");
  if (version.ok()) st.destination_version = *version;
  auto path = json::OptionalString(*s, "vaultPath");
  if (path.ok() && path->has_value()) st.vault_path = std::string(**path);
  auto og = json::OptionalInt64(*s, "observedGeneration");
  if (og.ok() && og->has_value()) st.observed_generation = **og;
}

}  // namespace

Result<VaultPushSecret> DecodeVaultPushSecret(const json::Value& obj) {
  VaultPushSecret v;
  VS_ASSIGN_OR_RETURN(v.meta, DecodeMeta(obj));
  if (const json::Value* md = json::Find(obj, "metadata"); md != nullptr) {
    auto created = json::OptionalString(*md, "creationTimestamp");
    if (created.ok() && created->has_value()) {
      if (auto t = ParseRfc3339(**created); t.ok()) {
        v.created_seconds =
            std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
      }
    }
  }
  v.spec_error = DecodeSpec(SpecOf(obj), v.spec, v.meta.namespace_);
  DecodeStatus(obj, v.status);
  return v;
}

bool OlderThan(const VaultPushSecret& a, const VaultPushSecret& b) {
  return std::tie(a.created_seconds, a.meta.name, a.meta.namespace_) <
         std::tie(b.created_seconds, b.meta.name, b.meta.namespace_);
}

std::vector<std::string> PushSourceIndexValues(const VaultPushSecret& vps) {
  if (vps.spec.secret_name.empty()) return {};
  return {vps.meta.namespace_ + "/" + vps.spec.secret_name};
}

std::vector<std::string> PushVaultPathIndexValues(const VaultPushSecret& vps) {
  if (!vps.spec_error.ok()) return {};
  return {vps.spec.VaultPath()};
}

std::optional<uint64_t> PushSource::DigestFor(uint64_t selection) const {
  for (const Mac& m : macs) {
    if (m.selection == selection) return m.digest;
  }
  return std::nullopt;
}

std::function<Result<std::optional<PushSource>>(const json::Value&)> PushSourceDecoder(
    const std::string* hmac_key, PushSourceNamers namers) {
  return [hmac_key,
          namers = std::move(namers)](const json::Value& obj) -> Result<std::optional<PushSource>> {
    const json::Value* md = json::Find(obj, "metadata");
    if (md == nullptr) return InvalidArgument("no metadata");
    VS_ASSIGN_OR_RETURN(auto name, json::String(*md, "name", "metadata"));
    VS_ASSIGN_OR_RETURN(auto ns, json::OptionalString(*md, "namespace", "metadata"));
    std::string key = std::string(ns.value_or("")) + "/" + std::string(name);
    auto named_by = namers(key);
    if (named_by.empty()) return std::optional<PushSource>();  // not one of ours: keep nothing
    PushSource out;
    out.key = std::move(key);
    auto data = SecretDataOf(obj);
    for (const auto& vps : named_by) {
      uint64_t selection = SelectionFingerprint(vps->spec.keys);
      if (out.DigestFor(selection)) continue;
      uint64_t digest = data.ok() ? PushDigest(*hmac_key, *data, vps->spec.keys) : 0;
      out.macs.push_back(PushSource::Mac{selection, digest});
    }
    out.macs.shrink_to_fit();
    return std::optional<PushSource>(std::move(out));
  };
}

}  // namespace vaultsync::controller
