// The scale curve (see scale_curve.h).
#include "scale_curve.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "bench_harness.h"

namespace vaultsync::bench {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs one bench, its table echoed to stderr as it comes; returns its key=value figures.
std::map<std::string, std::string> RunOne(const std::vector<std::string>& args) {
  std::string cmd = ShellQuote(SelfDir() + "/vaultsync-scale-bench");
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  std::map<std::string, std::string> figures;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return figures;
  char buf[4096];
  bool machine = false;
  while (std::fgets(buf, sizeof buf, p) != nullptr) {
    std::string line(buf);
    std::fputs(buf, stderr);
    if (line.rfind("# machine-readable figures", 0) == 0) machine = true;
    size_t eq = line.find('=');
    if (machine && eq != std::string::npos) {
      figures[line.substr(0, eq)] = line.substr(eq + 1, line.find_last_not_of('\n') - eq);
    }
  }
  pclose(p);
  return figures;
}

double Num(const std::map<std::string, std::string>& f, const std::string& k) {
  auto it = f.find(k);
  if (it == f.end() || it->second == "n/a") return -1;
  return std::strtod(it->second.c_str(), nullptr);
}

}  // namespace

int RunScaleCurve(const std::vector<std::string>& args, const Options& o) {
  std::vector<std::string> common;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool ours = false;
    for (const char* name : {"--scale-curve", "--resources", "--shards"}) {
      if (a == name) {
        ours = true;
        ++i;  // and its value
      } else if (a.rfind(std::string(name) + "=", 0) == 0) {
        ours = true;
      }
    }
    if (!ours) common.push_back(a);
  }
  struct Point {
    std::string entry;
    int resources = 0, shards = 1;
    std::map<std::string, std::string> f;
  };
  std::vector<Point> points;
  for (const std::string& entry : o.scale_curve) {
    Point p;
    p.entry = entry;
    size_t slash = entry.find('/');
    p.resources = std::atoi(entry.substr(0, slash).c_str());
    if (slash != std::string::npos) p.shards = std::atoi(entry.substr(slash + 1).c_str());
    std::vector<std::string> run = common;
    run.insert(run.end(),
               {"--resources", std::to_string(p.resources), "--shards", std::to_string(p.shards)});
    std::fprintf(stderr, "[curve] %d resources over %d operator(s)\n", p.resources, p.shards);
    p.f = RunOne(run);
    points.push_back(std::move(p));
  }
  // The baseline for marginal memory: the run with no resource, when there is one.
  double hwm0 = -1;
  for (const auto& p : points) {
    if (p.resources == 0 && p.shards == 1) hwm0 = Num(p.f, "hwm_after_steady_kib");
  }
  bool ok = true;
  std::printf(
      "\nvaultsync scale curve (each row: its own emulators and operators; memory and\n"
      "CPU per operator for sharded rows; marginal bytes against the 0-resource row)\n");
  std::printf("%-10s %7s %9s %8s %9s %9s %15s %10s %11s %11s %7s\n", "resources", "shards",
              "sync (s)", "res/s", "of ceil.", "VmHWM KiB", "anon/file KiB", "B/resource",
              "CPU s/1000", "ms/steady", "result");
  std::printf("%-10s %7s %9s %8s %9s %9s %15s %10s %11s %11s %7s\n", "", "", "", "", "", "", "",
              "(marginal)", "reconciles", "Vault read", "");
  for (const auto& p : points) {
    auto s = [&](const std::string& k) {
      auto it = p.f.find(k);
      std::string v = it == p.f.end() ? std::string("n/a") : it->second;
      // A run with no steady state (--periods 0) has its memory figures after the sync.
      if (v == "n/a" && k.find("_after_steady_") != std::string::npos) {
        it = p.f.find(k.substr(0, k.find("_after_steady_")) + "_after_sync_kib");
        if (it != p.f.end()) v = it->second;
      }
      return v;
    };
    std::string marginal = "n/a";
    const std::string hwm_text = s("hwm_after_steady_kib");
    double hwm = hwm_text == "n/a" ? -1 : std::strtod(hwm_text.c_str(), nullptr);
    int per_operator = p.resources / p.shards;
    if (hwm0 >= 0 && hwm >= 0 && per_operator > 0) {
      marginal = std::to_string(std::llround((hwm - hwm0) * 1024 / per_operator));
    }
    std::string result = s("result");
    ok = ok && result == "ok";
    std::printf("%-10d %7d %9s %8s %9s %9s %15s %10s %11s %11s %7s\n", p.resources, p.shards,
                s("sync_seconds").c_str(), s("sync_per_second").c_str(),
                s("sync_fraction_of_ceiling").c_str(), s("hwm_after_steady_kib").c_str(),
                (s("rss_anon_after_steady_kib") + "/" + s("rss_file_after_steady_kib")).c_str(),
                marginal.c_str(), s("cpu_seconds_per_1000_reconciles").c_str(),
                s("cpu_ms_per_steady_read").c_str(), result.c_str());
  }
  std::printf("\n# machine-readable curve\n");
  for (const auto& p : points) {
    for (const char* k :
         {"sync_seconds", "sync_per_second", "sync_fraction_of_ceiling", "hwm_after_steady_kib",
          "rss_anon_after_steady_kib", "rss_file_after_steady_kib",
          "cpu_seconds_per_1000_reconciles", "cpu_ms_per_steady_read", "propagation_p99_seconds",
          "drift_p99_seconds", "result"}) {
      auto it = p.f.find(k);
      std::string entry = p.entry;  // "N/S" is keyed "NxS"
      if (size_t slash = entry.find('/'); slash != std::string::npos) entry[slash] = 'x';
      std::printf("curve_%s_%s=%s\n", entry.c_str(), k,
                  it == p.f.end() ? "n/a" : it->second.c_str());
    }
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}

}  // namespace vaultsync::bench
