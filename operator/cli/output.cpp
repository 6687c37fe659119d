// Text rendering for vaultsyncctl.
#include "cli/output.h"

#include <algorithm>

#include "util/duration.h"

namespace vaultsync::cli {

std::string Table(const Rows& rows) {
  size_t width = 0;
  for (const auto& [k, v] : rows) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : rows) {
    out += k;
    if (!v.empty()) {
      out.append(width - k.size() + 3, ' ');
      out += v;
    }
    out += '\n';
  }
  return out;
}

std::string Columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(width[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatTtl(std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return "never expires";
  return FormatDuration(ttl);
}

std::string FormatLoginInfo(const vault::LoginInfo& info, std::string_view method,
                            std::string_view mount) {
  std::string policies;
  for (const auto& p : info.policies) policies += (policies.empty() ? "" : ", ") + p;
  Rows rows = {
      {"display name", info.display_name},
      {"policies", policies.empty() ? "(none)" : policies},
      {"ttl", FormatTtl(info.ttl)},
      {"renewable", info.renewable ? "true" : "false"},
      {"auth method", std::string(method) + " (auth/" + std::string(mount) + ")"},
  };
  if (!info.expire_time.empty()) rows.emplace_back("expire time", info.expire_time);
  if (info.explicit_max_ttl.count() > 0) {
    rows.emplace_back("explicit max ttl", FormatTtl(info.explicit_max_ttl));
  }
  if (!info.entity_id.empty()) rows.emplace_back("entity id", info.entity_id);
  if (!info.type.empty()) rows.emplace_back("token type", info.type);
  return Table(rows);
}

std::string FormatSecret(const vault::KvSecret& secret, vault::KvVersion kv_version) {
  Rows rows = {{"Key", "Value"}, {"---", "-----"}};
  for (const auto& [k, v] : secret.data) rows.emplace_back(k, v.text);
  std::string out = Table(rows);
  Rows meta;
  if (kv_version == vault::KvVersion::kV2) {
    if (secret.version) meta.emplace_back("version", std::to_string(*secret.version));
    if (!secret.created_time.empty()) meta.emplace_back("created_time", secret.created_time);
  } else if (secret.lease_duration) {
    meta.emplace_back("lease_duration", FormatTtl(*secret.lease_duration));
  }
  if (!meta.empty()) {
    std::string title = kv_version == vault::KvVersion::kV2 ? "Metadata" : "Lease";
    out += "\n" + title + "\n" + std::string(title.size(), '-') + "\n" + Table(meta);
  }
  return out;
}

std::string FormatLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string FormatHealth(const vault::HealthStatus& h) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  Rows rows = {
      {"state", h.state},
      {"http status", std::to_string(h.http_status)},
      {"initialized", b(h.initialized)},
      {"sealed", b(h.sealed)},
      {"standby", b(h.standby)},
      {"performance standby", b(h.performance_standby)},
  };
  if (!h.version.empty()) rows.emplace_back("version", h.version);
  if (!h.cluster_name.empty()) rows.emplace_back("cluster name", h.cluster_name);
  if (!h.cluster_id.empty()) rows.emplace_back("cluster id", h.cluster_id);
  if (!h.replication_performance_mode.empty()) {
    rows.emplace_back("replication (performance)", h.replication_performance_mode);
  }
  if (!h.replication_dr_mode.empty()) rows.emplace_back("replication (dr)", h.replication_dr_mode);
  return Table(rows);
}

std::string FormatWrite(std::string_view where, const vault::KvWriteResult& result,
                        vault::KvVersion kv_version) {
  std::string out = "Success! Data written to: " + std::string(where) + "\n";
  if (kv_version == vault::KvVersion::kV2 && result.version > 0) {
    Rows rows = {{"version", std::to_string(result.version)}};
    if (!result.created_time.empty()) rows.emplace_back("created_time", result.created_time);
    out += Table(rows);
  }
  return out;
}

std::string WithNewline(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

}  // namespace vaultsync::cli
