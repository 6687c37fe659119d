// process_* metrics: /proc parsing on fixed text, computation on a fixture /proc tree, and
// live values of this test process.
#include "metrics/process_collector.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace vaultsync::metrics {
namespace {

namespace fs = std::filesystem;

// A /proc/<pid>/stat line whose command name has spaces and a ')' in it.
constexpr char kStat[] =
    "4242 (my (weird) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 "
    "123456 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcParseTest, StatFieldsAreCountedFromTheLastParen) {
  auto s = ParseProcStat(kStat);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 150u);
  EXPECT_EQ(s->starttime_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 104857600u);
  EXPECT_EQ(s->rss_pages, 2560);
  EXPECT_FALSE(ParseProcStat("4242 (x) S 1 2 3\n").has_value());
  EXPECT_FALSE(ParseProcStat("no paren at all").has_value());
}

TEST(ProcParseTest, MaxOpenFilesIsTheSoftLimit) {
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(ParseMaxOpenFiles(limits), 1024);
  EXPECT_EQ(
      ParseMaxOpenFiles("Max open files            unlimited            unlimited    files\n"),
      18446744073709551615.0);
  EXPECT_FALSE(ParseMaxOpenFiles("Max processes 10 10 processes\n").has_value());
}

TEST(ProcParseTest, BootTime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
}

std::map<std::string, prometheus::MetricFamily> ByName(
    const std::vector<prometheus::MetricFamily>& families) {
  std::map<std::string, prometheus::MetricFamily> out;
  for (const auto& f : families) out[f.name] = f;
  return out;
}

class FixtureProc : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vaultsync-proc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "4242" / "fd");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const fs::path& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  fs::path root_;
};

TEST_F(FixtureProc, ComputesEachMetricTheWayClientLibrariesDo) {
  Write("4242/stat", kStat);
  Write("4242/limits",
        "Max open files            4096                 4096                 files\n");
  Write("stat", "cpu 1 2 3\nbtime 1600000000\n");
  for (const char* fd : {"0", "1", "2", "7"}) Write(fs::path("4242/fd") / fd, "");
  auto f = ByName(ProcessCollector(root_.string(), "4242").Collect());
  const double tck = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f["process_cpu_seconds_total"].type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(f["process_cpu_seconds_total"].metric[0].counter.value, 400 / tck);
  EXPECT_EQ(f["process_resident_memory_bytes"].metric[0].gauge.value, 2560 * page);
  EXPECT_EQ(f["process_virtual_memory_bytes"].metric[0].gauge.value, 104857600);
  EXPECT_EQ(f["process_open_fds"].metric[0].gauge.value, 4);
  EXPECT_EQ(f["process_max_fds"].metric[0].gauge.value, 4096);
  EXPECT_DOUBLE_EQ(f["process_start_time_seconds"].metric[0].gauge.value,
                   1600000000 + 123456 / tck);
  for (const auto& [name, family] : f) {
    EXPECT_FALSE(family.help.empty()) << name;
    EXPECT_TRUE(family.metric[0].label.empty()) << name;
  }
}

TEST_F(FixtureProc, UnreadableFilesLeaveTheirMetricsOut) {
  Write("4242/limits",
        "Max open files            4096                 4096                 files\n");
  // No stat, no /proc/stat: only the fd count and the limit remain.
  auto f = ByName(ProcessCollector(root_.string(), "4242").Collect());
  EXPECT_EQ(f.size(), 2u);
  EXPECT_TRUE(f.count("process_open_fds"));
  EXPECT_TRUE(f.count("process_max_fds"));
}

TEST(ProcessCollectorTest, LiveValuesOfThisProcess) {
  auto before = ByName(ProcessCollector().Collect());
  ASSERT_EQ(before.size(), 6u);
  EXPECT_GT(before["process_resident_memory_bytes"].metric[0].gauge.value, 0);
  EXPECT_GT(before["process_virtual_memory_bytes"].metric[0].gauge.value,
            before["process_resident_memory_bytes"].metric[0].gauge.value);
  EXPECT_GT(before["process_open_fds"].metric[0].gauge.value, 0);
  EXPECT_GE(before["process_max_fds"].metric[0].gauge.value,
            before["process_open_fds"].metric[0].gauge.value);
  const double start = before["process_start_time_seconds"].metric[0].gauge.value;
  const double now = static_cast<double>(::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);  // this test process started within the hour

  // The values belong to the scrape: opening files shows at the next Collect.
  int fds[3];
  for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY);
  auto after = ByName(ProcessCollector().Collect());
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(after["process_open_fds"].metric[0].gauge.value,
            before["process_open_fds"].metric[0].gauge.value + 3);
}

}  // namespace
}  // namespace vaultsync::metrics
