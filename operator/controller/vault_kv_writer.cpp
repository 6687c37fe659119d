// VaultPushSecret's Vault calls.
#include "controller/vault_kv_writer.h"

#include "vault/kv.h"

namespace vaultsync::controller {
namespace {

Status Stopped() {
  return Status(StatusCode::kCancelled,
                "this replica stopped doing work (leadership lost or shutting down); no Vault "
                "write was started");
}

std::vector<KvEntry> Entries(vault::KvData data) {
  std::vector<KvEntry> out;
  out.reserve(data.size());
  for (auto& [k, v] : data) out.push_back(KvEntry{k, v.is_string, std::move(v.text)});
  return out;
}

}  // namespace

template <typename T>
Result<T> VaultKvWriter::WithSession(const VaultIdentity& identity, bool writes,
                                     const std::function<Result<T>(const vault::Session&)>& call) {
  Result<T> result = Status(StatusCode::kInternal, "unset");
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (writes && stop_ != nullptr && stop_->cancelled()) return Stopped();
    auto session = source_.SessionFor(identity);
    result = session.ok() ? call(*session) : Result<T>(session.status());
    if (result.ok() || !source_.RebuiltAfterFailure(identity, result.status())) break;
  }
  return result;
}

Result<KvState> VaultKvWriter::ReadCurrent(const VaultIdentity& identity, const KvTarget& target) {
  return WithSession<KvState>(identity, false, [&](const vault::Session& s) -> Result<KvState> {
    KvState out;
    if (target.type == KvType::kV1) {
      auto secret = vault::KvV1Read(s, target.mount, target.path);
      if (!secret.ok()) {
        if (secret.status().code() == StatusCode::kNotFound) return out;
        return secret.status();
      }
      out.exists = true;
      out.entries = Entries(std::move(secret->data));
      return out;
    }
    auto secret = vault::KvV2Read(s, target.mount, target.path);
    if (secret.ok()) {
      out.exists = true;
      out.current_version = secret->version.value_or(0);
      out.entries = Entries(std::move(secret->data));
      return out;
    }
    if (secret.status().code() == StatusCode::kNotFound) return out;  // no metadata at all
    if (secret.status().code() != StatusCode::kFailedPrecondition) return secret.status();
    // The current version is deleted or destroyed: a check-and-set needs its number.
    auto md = vault::KvV2ReadMetadata(s, target.mount, target.path);
    if (!md.ok()) return md.status();
    out.current_version = md->current_version;
    return out;
  });
}

Result<int64_t> VaultKvWriter::Write(const VaultIdentity& identity, const KvTarget& target,
                                     const SecretData& data, std::optional<int64_t> cas) {
  vault::KvData kv;
  kv.reserve(data.size());
  for (const auto& [k, v] : data) kv.emplace_back(k, vault::KvValue::String(v));
  return WithSession<int64_t>(identity, true, [&](const vault::Session& s) -> Result<int64_t> {
    if (target.type == KvType::kV1) {
      VS_RETURN_IF_ERROR(vault::KvV1Write(s, target.mount, target.path, kv));
      return int64_t{0};
    }
    VS_ASSIGN_OR_RETURN(vault::KvWriteResult w,
                        vault::KvV2Write(s, target.mount, target.path, kv, cas));
    return w.version;
  });
}

Status VaultKvWriter::Delete(const VaultIdentity& identity, const KvTarget& target) {
  auto done = WithSession<bool>(identity, true, [&](const vault::Session& s) -> Result<bool> {
    // Vault answers 204 for a path that holds nothing, so every error is a real one.
    VS_RETURN_IF_ERROR(target.type == KvType::kV1
                           ? vault::KvV1Delete(s, target.mount, target.path)
                           : vault::KvV2Delete(s, target.mount, target.path));
    return true;
  });
  return done.status();
}

}  // namespace vaultsync::controller
