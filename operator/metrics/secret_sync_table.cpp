// SecretSyncTable: the key encoding, the updates, and building both gauge families at
// scrape time.
#include "metrics/secret_sync_table.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <locale>
#include <sstream>
#include <utility>

namespace vaultsync::metrics {

std::string SecretSyncTable::Encode(Key k) {
  std::string out;
  out.reserve(k.ns.size() + k.name.size() + 2);
  std::size_t len = k.ns.size();
  do {
    unsigned char byte = len & 0x7f;
    len >>= 7;
    if (len != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (len != 0);
  out.append(k.ns);
  out.append(k.name);
  return out;
}

SecretSyncTable::Key SecretSyncTable::Decode(std::string_view encoded) noexcept {
  std::size_t len = 0;
  std::size_t pos = 0;
  for (int shift = 0; pos < encoded.size() && shift < 64; shift += 7) {
    auto byte = static_cast<unsigned char>(encoded[pos++]);
    len |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  len = std::min(len, encoded.size() - pos);  // only Encode's output is ever decoded
  return {encoded.substr(pos, len), encoded.substr(pos + len)};
}

std::size_t SecretSyncTable::Hash::operator()(Key k) const noexcept {
  std::hash<std::string_view> h;
  return h(k.ns) * 1000003u ^ h(k.name);
}

void SecretSyncTable::Set(std::string_view ns, std::string_view name, double last_sync_seconds,
                          double refresh_seconds) {
  const Values v{last_sync_seconds, refresh_seconds};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key{ns, name});
  if (it != entries_.end()) {
    it->second = v;
    return;
  }
  entries_.emplace(Encode(Key{ns, name}), v);
}

void SecretSyncTable::Remove(std::string_view ns, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key{ns, name});
  if (it != entries_.end()) entries_.erase(it);
}

std::size_t SecretSyncTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

namespace {

constexpr const char* kLastSyncHelp =
    "When each VaultStaticSecret last synced successfully (changed or not), in Unix seconds";
constexpr const char* kRefreshHelp =
    "The refresh interval each VaultStaticSecret syncs at (refreshAfter, else the KV v1 "
    "ttl, else the operator's default), in seconds";

// A label value as prometheus::TextSerializer escapes it.
void AppendLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, SecretSyncTable::Values>> SecretSyncTable::SortedRows() const {
  // Copy under the lock, format outside it: reconciles only wait for the copy.
  std::vector<std::pair<std::string, Values>> rows;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rows.reserve(entries_.size());
    for (const auto& [key, values] : entries_) rows.emplace_back(key, values);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    Key x = Decode(a.first);
    Key y = Decode(b.first);
    return x.ns != y.ns ? x.ns < y.ns : x.name < y.name;
  });
  return rows;
}

void SecretSyncTable::AppendText(std::string* out) const {
  const auto rows = SortedRows();
  if (rows.empty()) return;
  // Numbers exactly as TextSerializer prints them (classic locale, max_digits10 - 1).
  std::ostringstream num;
  num.imbue(std::locale::classic());
  num.precision(std::numeric_limits<double>::max_digits10 - 1);
  auto value = [&num](double v) {
    num.str("");
    if (std::isnan(v)) {
      num << "Nan";
    } else if (std::isinf(v)) {
      num << (v < 0 ? "-Inf" : "+Inf");
    } else {
      num << v;
    }
    return num.str();
  };
  for (int family = 0; family < 2; ++family) {
    const char* name = family == 0 ? kLastSyncName : kRefreshName;
    out->append("# HELP ").append(name).append(" ");
    out->append(family == 0 ? kLastSyncHelp : kRefreshHelp).append("\n");
    out->append("# TYPE ").append(name).append(" gauge\n");
    for (const auto& [encoded, values] : rows) {
      Key k = Decode(encoded);
      out->append(name).append("{name=\"");
      AppendLabelValue(out, k.name);
      out->append("\",namespace=\"");
      AppendLabelValue(out, k.ns);
      out->append("\"} ");
      out->append(value(family == 0 ? values.last_sync : values.refresh)).append("\n");
    }
  }
}

std::vector<prometheus::MetricFamily> SecretSyncTable::Collect() const {
  const auto rows = SortedRows();
  if (rows.empty()) return {};
  std::vector<prometheus::MetricFamily> families(2);
  prometheus::MetricFamily& last = families[0];
  last.name = kLastSyncName;
  last.help = kLastSyncHelp;
  last.type = prometheus::MetricType::Gauge;
  prometheus::MetricFamily& refresh = families[1];
  refresh.name = kRefreshName;
  refresh.help = kRefreshHelp;
  refresh.type = prometheus::MetricType::Gauge;
  last.metric.reserve(rows.size());
  refresh.metric.reserve(rows.size());
  for (const auto& [encoded, values] : rows) {
    Key k = Decode(encoded);
    // Label names in alphabetical order, as prometheus-cpp writes its own families.
    prometheus::ClientMetric m;
    m.label = {{"name", std::string(k.name)}, {"namespace", std::string(k.ns)}};
    m.gauge.value = values.last_sync;
    last.metric.push_back(m);
    m.gauge.value = values.refresh;
    refresh.metric.push_back(std::move(m));
  }
  return families;
}

}  // namespace vaultsync::metrics
