// process_* from /proc: parsing of stat, limits and /proc/stat, and the scrape-time
// collection.
#include "metrics/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

namespace vaultsync::metrics {

namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\n' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

template <typename T>
bool ToNumber(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

std::optional<double> CountOpenFds(const std::string& fd_dir) {
  DIR* dir = ::opendir(fd_dir.c_str());
  if (dir == nullptr) return std::nullopt;
  // The directory stream's own descriptor is counted, as client_golang counts it.
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") ++n;
  }
  ::closedir(dir);
  return n;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Tokens after the command: token 0 is field 3 (state), so field k is token k - 3.
  std::vector<std::string_view> t = SplitSpaces(text.substr(close + 1));
  if (t.size() < 22) return std::nullopt;
  ProcStat s;
  if (!ToNumber(t[14 - 3], s.utime_ticks) || !ToNumber(t[15 - 3], s.stime_ticks) ||
      !ToNumber(t[22 - 3], s.starttime_ticks) || !ToNumber(t[23 - 3], s.vsize_bytes) ||
      !ToNumber(t[24 - 3], s.rss_pages)) {
    return std::nullopt;
  }
  return s;
}

std::optional<double> ParseMaxOpenFiles(std::string_view text) {
  constexpr std::string_view kPrefix = "Max open files";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    std::vector<std::string_view> t = SplitSpaces(line.substr(kPrefix.size()));
    if (t.empty()) return std::nullopt;
    if (t[0] == "unlimited") return static_cast<double>(std::numeric_limits<uint64_t>::max());
    uint64_t v = 0;
    if (!ToNumber(t[0], v)) return std::nullopt;
    return static_cast<double>(v);
  }
  return std::nullopt;
}

std::optional<double> ParseBootTime(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::vector<std::string_view> t = SplitSpaces(text.substr(pos, end - pos));
    pos = end + 1;
    uint64_t v = 0;
    if (t.size() == 2 && t[0] == "btime" && ToNumber(t[1], v)) return static_cast<double>(v);
  }
  return std::nullopt;
}

ProcessCollector::ProcessCollector(std::string proc_root, std::string self)
    : proc_root_(std::move(proc_root)), self_dir_(proc_root_ + "/" + self) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));

  std::optional<ProcStat> stat;
  if (auto text = ReadFile(self_dir_ + "/stat")) stat = ParseProcStat(*text);
  if (stat && ticks > 0) {
    out.push_back(Family(
        "process_cpu_seconds_total", "User and system CPU time spent by the process, in seconds",
        MetricType::Counter, static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks));
  }
  if (auto fds = CountOpenFds(self_dir_ + "/fd")) {
    out.push_back(Family("process_open_fds", "Open file descriptors", MetricType::Gauge, *fds));
  }
  if (auto text = ReadFile(self_dir_ + "/limits")) {
    if (auto max = ParseMaxOpenFiles(*text)) {
      out.push_back(Family("process_max_fds", "Soft limit on open file descriptors",
                           MetricType::Gauge, *max));
    }
  }
  if (stat) {
    out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size, in bytes",
                         MetricType::Gauge, static_cast<double>(stat->vsize_bytes)));
    out.push_back(Family("process_resident_memory_bytes", "Resident memory size, in bytes",
                         MetricType::Gauge, static_cast<double>(stat->rss_pages) * page));
  }
  if (auto text = ReadFile(proc_root_ + "/stat"); text && stat && ticks > 0) {
    if (auto boot = ParseBootTime(*text)) {
      out.push_back(Family(
          "process_start_time_seconds", "When the process started, in seconds since the Unix epoch",
          MetricType::Gauge, *boot + static_cast<double>(stat->starttime_ticks) / ticks));
    }
  }
  return out;
}

}  // namespace vaultsync::metrics
