// The standard process_* metrics, read from /proc when Prometheus scrapes, with the meaning
// the official client libraries give them (client_golang's process collector, which
// controller-runtime registers). A Collectable rather than prometheus-cpp gauges because the
// values belong to the moment of the scrape: gauges would need a refresh thread and would be
// stale between refreshes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace vaultsync::metrics {

// The parts of /proc/<pid>/stat the metrics need, in the kernel's units.
struct ProcStat {
  unsigned long long utime_ticks = 0;      // field 14
  unsigned long long stime_ticks = 0;      // field 15
  unsigned long long starttime_ticks = 0;  // field 22, clock ticks after boot
  unsigned long long vsize_bytes = 0;      // field 23
  long long rss_pages = 0;                 // field 24
};

// Parses the text of /proc/<pid>/stat; nullopt when it is malformed. The command name (field
// 2) may contain spaces and parentheses, so fields are counted from the last ')'.
std::optional<ProcStat> ParseProcStat(std::string_view text);
// The soft "Max open files" limit from the text of /proc/<pid>/limits; "unlimited" gives
// 2^64-1 (what client_golang reports). nullopt when the line is missing.
std::optional<double> ParseMaxOpenFiles(std::string_view text);
// The "btime" line (boot time, Unix seconds) from the text of /proc/stat.
std::optional<double> ParseBootTime(std::string_view text);

// Exposes process_cpu_seconds_total (counter), process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds (gauges). A value whose /proc file cannot be read is left out of
// that scrape rather than reported as 0. Thread-safe (stateless apart from the paths).
class ProcessCollector final : public prometheus::Collectable {
 public:
  // `proc_root` is the /proc mount and `self` the process directory under it; tests point
  // them at a fixture tree.
  explicit ProcessCollector(std::string proc_root = "/proc", std::string self = "self");
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_root_;
  std::string self_dir_;
};

}  // namespace vaultsync::metrics
