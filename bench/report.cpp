// The scale bench's report (see report.h).
#include "report.h"

#include <cstdio>

namespace vaultsync::bench {

void PrintReport(const Figures& f, const ReportDetail& d) {
  auto g = [&](const char* k) { return f.Get(k); };
  auto row = [](const std::string& what, const std::string& value, const std::string& target = "",
                const std::string& verdict = "") {
    std::printf("  %-46s %14s  %-24s %s\n", what.c_str(), value.c_str(), target.c_str(),
                verdict.c_str());
  };
  std::printf("\nvaultsync scale benchmark\n");
  row("resources / namespaces / distinct paths",
      g("resources") + "/" + g("namespaces") + "/" + g("distinct_paths"));
  row("operators (shards)", g("shards"));
  row("refreshAfter (s)", g("refresh_seconds"));
  row("setup: create Vault secrets + resources (s)", g("setup_seconds"));
  std::printf("initial sync (operator start -> all Secrets exist and all Ready)\n");
  row("all Secrets created (s)", g("sync_all_created_seconds"));
  row("all Secrets exist and all Ready (s)", g("sync_seconds"), "<= 20 s at N = 10,000",
      g("target_sync"));
  row("  resources per second / of the ceiling",
      g("sync_per_second") + "/" + g("sync_fraction_of_ceiling"), ">= 0.70 of the ceiling");
  row("request ceiling (sequences per second)", g("ceiling_per_second"));
  row("  kube-emulator cores during the ceiling", g("ceiling_kube_emulator_cores"));
  row("operator CPU for the initial sync (s)", g("cpu_sync_seconds"));
  row("  per 1,000 reconciles (s)", g("cpu_seconds_per_1000_reconciles"));
  row("operator VmRSS after sync (KiB)", g("rss_after_sync_kib"));
  row("  of which anonymous / file-backed (KiB)",
      g("rss_anon_after_sync_kib") + "/" + g("rss_file_after_sync_kib"));
  row("operator VmHWM after sync (KiB)", g("hwm_after_sync_kib"));
  row("Kubernetes requests / writes", g("sync_kube_requests") + "/" + g("sync_kube_writes"));
  row("Vault KV reads", g("sync_vault_reads"));
  row("kube-emulator CPU during sync (s) / RSS (KiB)",
      g("kube_emulator_cpu_sync_seconds") + "/" + g("kube_emulator_rss_kib"));
  row("kube-emulator cores during sync / bottleneck",
      g("kube_emulator_cores_during_sync") + "/" + g("emulator_bottleneck"));
  std::printf("steady state (%s period(s) of %s s)\n", g("steady_periods").c_str(),
              g("steady_period_seconds").c_str());
  row("operator CPU per refresh period (s)", g("cpu_steady_seconds_per_period"));
  row("operator CPU per steady Vault read (ms)", g("cpu_ms_per_steady_read"), "<= 0.35 ms",
      g("target_cpu_per_read"));
  row("operator VmRSS after steady period (KiB)", g("rss_after_steady_kib"));
  row("  of which anonymous / file-backed (KiB)",
      g("rss_anon_after_steady_kib") + "/" + g("rss_file_after_steady_kib"));
  row("operator VmHWM after steady period (KiB)", g("hwm_after_steady_kib"),
      "<= 36864 KiB at 10,000", g("target_rss"));
  row("operator VmRSS max sampled (KiB)", g("rss_max_sampled_kib"));
  row("Kubernetes writes in the steady state", g("steady_kube_writes"), "= 0",
      g("target_steady_writes"));
  row("Kubernetes requests (reads / watches)", g("steady_kube_requests") + " (" +
                                                   g("steady_kube_reads") + "/" +
                                                   g("steady_kube_watches") + ")");
  row("Vault KV reads per refresh period", g("steady_vault_reads_per_period"),
      "= " + g("distinct_paths") + " (+-15 %)", g("target_steady_reads"));
  row("Vault KV reads in the busiest second / mean",
      g("steady_vault_reads_max_per_second") + "/" + g("steady_vault_reads_mean_per_second"),
      "max <= 2 x mean", g("target_read_window"));
  row("Vault other requests in the steady state", g("steady_vault_other_requests"));
  std::printf("changes once synced (delays to the operator's write of each Secret)\n");
  row("Vault values changed: Secrets followed / missing",
      g("propagation_secrets") + "/" + g("propagation_missing"));
  row("  p50 / p99 (s)", g("propagation_p50_seconds") + "/" + g("propagation_p99_seconds"),
      "p99 <= refreshAfter + 1 s", g("target_propagation"));
  row("Secrets edited by hand: restored / missing", g("drift_secrets") + "/" + g("drift_missing"));
  row("  p50 / p99 (s)", g("drift_p50_seconds") + "/" + g("drift_p99_seconds"), "p99 <= 1 s",
      g("target_drift"));
  std::printf("a VaultConnection change every resource depends on (the default one appears)\n");
  row("until every path is read through it (s)", g("connection_change_seconds"));
  row("  paths read through it / reconciles",
      g("connection_change_paths_read") + "/" + g("connection_change_reconciles"));
  row("Vault logins (whole run) / identities",
      g("vault_logins_total") + "/" + g("vault_identities"), "<= 1 per identity",
      g("target_logins"));
  row("operator exit code", g("operator_exit_code"));
  std::printf("Kubernetes requests during the initial sync, by verb:\n%s",
              Dump(d.sync_kube).c_str());
  std::printf("Kubernetes requests during the steady period, by verb:\n%s",
              Dump(d.steady_kube).c_str());
  std::printf("Vault requests during the steady period: %lld KV reads, %lld logins, %lld other\n",
              static_cast<long long>(d.steady_vault.kv_reads),
              static_cast<long long>(d.steady_vault.logins),
              static_cast<long long>(d.steady_vault.other));
  if (!d.failures.empty()) {
    std::printf("FUNCTIONAL FAILURES:\n");
    for (const auto& failure : d.failures) std::printf("  - %s\n", failure.c_str());
    std::printf("%s", d.log_tail.c_str());
  }
  std::printf("\n# machine-readable figures\n");
  for (const auto& k : kFigureKeys) std::printf("%s=%s\n", k.c_str(), g(k.c_str()).c_str());
  std::fflush(stdout);
}

}  // namespace vaultsync::bench
