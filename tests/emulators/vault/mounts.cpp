// Mount tables and their JSON description.
#include "mounts.h"

#include "go_json.h"

namespace vaultsync::vaultemu {

Status MountTable::Add(Mount m) {
  if (m.path.empty() || m.path.back() != '/') m.path += '/';
  for (const auto& existing : mounts_) {
    if (existing->path.compare(0, m.path.size(), m.path) == 0 ||
        m.path.compare(0, existing->path.size(), existing->path) == 0) {
      return Status(StatusCode::kAlreadyExists, "path is already in use at " + existing->path);
    }
  }
  mounts_.push_back(std::make_unique<Mount>(std::move(m)));
  return Status::Ok();
}

bool MountTable::Remove(std::string_view path) {
  std::string p(path);
  if (p.empty() || p.back() != '/') p += '/';
  for (auto it = mounts_.begin(); it != mounts_.end(); ++it) {
    if ((*it)->path == p) {
      mounts_.erase(it);
      return true;
    }
  }
  return false;
}

Mount* MountTable::Match(std::string_view logical_path) {
  Mount* best = nullptr;
  for (const auto& m : mounts_) {
    if (logical_path.substr(0, m->path.size()) == m->path &&
        (best == nullptr || m->path.size() > best->path.size())) {
      best = m.get();
    }
  }
  return best;
}

Mount* MountTable::Find(std::string_view path) {
  std::string p(path);
  if (p.empty() || p.back() != '/') p += '/';
  for (const auto& m : mounts_) {
    if (m->path == p) return m.get();
  }
  return nullptr;
}

std::string RenderMount(const Mount& m, bool with_path) {
  std::string out = "{\"accessor\":" + GoQuote(m.accessor);
  out += ",\"config\":{\"default_lease_ttl\":" + std::to_string(Seconds(m.default_lease_ttl));
  out += ",\"force_no_cache\":false";
  out += ",\"max_lease_ttl\":" + std::to_string(Seconds(m.max_lease_ttl));
  if (!m.passthrough_request_headers.empty()) {
    out += ",\"passthrough_request_headers\":" + GoStringList(m.passthrough_request_headers);
  }
  if (m.auth) out += ",\"token_type\":\"default-service\"";
  out += "}";
  out += ",\"description\":" + GoQuote(m.description);
  out += ",\"external_entropy_access\":false";
  out += std::string(",\"local\":") + (m.local ? "true" : "false");
  out += ",\"options\":";
  if (m.options) {
    out += "{";
    bool first = true;
    for (const auto& [k, v] : *m.options) {
      if (!first) out += ",";
      first = false;
      out += GoQuote(k) + ":" + GoQuote(v);
    }
    out += "}";
  } else {
    out += "null";
  }
  if (with_path) out += ",\"path\":" + GoQuote(m.path);
  out += std::string(",\"seal_wrap\":") + (m.seal_wrap ? "true" : "false");
  out += ",\"type\":" + GoQuote(m.type);
  out += ",\"uuid\":" + GoQuote(m.uuid);
  out += "}";
  return out;
}

}  // namespace vaultsync::vaultemu
