// Smoke test of the scale benchmark: a small run of the real binary (emulators + operator)
// exits 0 and prints every machine-readable figure. Behaviour only: no threshold on time or
// memory, which belong to the benchmark's own PASS/MISS lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process.h"

namespace vaultsync::bench {
namespace {

using namespace std::chrono_literals;

TEST(ScaleBenchSmoke, SmallRunSyncsEverythingAndPrintsEveryFigure) {
  auto r = testing::RunCommand(testing::BinaryPath("vaultsync-scale-bench"),
                               {"--resources", "40", "--namespaces", "2", "--paths", "10",
                                "--refresh", "5s", "--changes", "10"},
                               {}, "", 100s);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* key : {"resources",
                          "namespaces",
                          "distinct_paths",
                          "refresh_seconds",
                          "setup_seconds",
                          "sync_all_created_seconds",
                          "sync_seconds",
                          "cpu_sync_seconds",
                          "rss_after_sync_kib",
                          "hwm_after_sync_kib",
                          "rss_anon_after_sync_kib",
                          "rss_file_after_sync_kib",
                          "sync_kube_requests",
                          "sync_kube_writes",
                          "sync_vault_reads",
                          "steady_period_seconds",
                          "steady_periods",
                          "cpu_steady_seconds_per_period",
                          "rss_after_steady_kib",
                          "hwm_after_steady_kib",
                          "rss_anon_after_steady_kib",
                          "rss_file_after_steady_kib",
                          "rss_max_sampled_kib",
                          "steady_kube_requests",
                          "steady_kube_writes",
                          "steady_kube_reads",
                          "steady_kube_watches",
                          "steady_vault_reads_per_period",
                          "steady_vault_other_requests",
                          "steady_vault_reads_max_per_second",
                          "steady_vault_reads_mean_per_second",
                          "vault_identities",
                          "vault_logins_total",
                          "kube_emulator_cpu_sync_seconds",
                          "kube_emulator_rss_kib",
                          "operator_exit_code",
                          "target_rss",
                          "target_steady_writes",
                          "target_steady_reads",
                          "target_read_window",
                          "target_logins",
                          "shards",
                          "cpu_ms_per_steady_read",
                          "propagation_p50_seconds",
                          "propagation_p99_seconds",
                          "drift_p50_seconds",
                          "drift_p99_seconds",
                          "ceiling_per_second",
                          "sync_fraction_of_ceiling",
                          "result"}) {
    std::string line = "\n" + std::string(key) + "=";
    size_t pos = r.out.find(line);
    ASSERT_NE(pos, std::string::npos) << "missing figure " << key << "\n" << r.out;
    std::string value =
        r.out.substr(pos + line.size(), r.out.find('\n', pos + 1) - pos - line.size());
    EXPECT_NE(value, "n/a") << key;
    EXPECT_FALSE(value.empty()) << key;
  }
  // Behaviour the design promises, checked as counts (not timings): every resource synced,
  // nothing written in the steady state, operator stopped cleanly.
  EXPECT_THAT(r.out, ::testing::HasSubstr("\nresult=ok\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\nsteady_kube_writes=0\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\noperator_exit_code=0\n"));
  // The default VaultConnection appearing reaches every resource and every path.
  EXPECT_THAT(r.out, ::testing::HasSubstr("\nconnection_change_paths_read=10\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\ntarget_steady_writes=PASS\n"));
  // Every changed Vault value reached its Secrets, every hand edit was undone, and every
  // sequence of the ceiling's load loop was served (10 paths changed: 40 resources over 10
  // paths, so 4 Secrets each; 10 Secrets edited; 40 sequences).
  EXPECT_THAT(r.out, ::testing::HasSubstr("\npropagation_secrets=40\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\npropagation_missing=0\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\ndrift_secrets=10\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\ndrift_missing=0\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\nceiling_sequences=40\n"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("\nceiling_failures=0\n"));
  // The human-readable table is there too.
  EXPECT_THAT(r.out, ::testing::HasSubstr("vaultsync scale benchmark"));
  // Secret values never reach the output.
  EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr("password")));
}

}  // namespace
}  // namespace vaultsync::bench
