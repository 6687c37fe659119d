// Parsing of the scale bench's flags (see bench_options.h and the usage text below).
#include "bench_options.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "util/duration.h"

namespace vaultsync::bench {

namespace {

const char* kUsage =
    "usage: vaultsync-scale-bench [flags]\n"
    "  --resources N        VaultStaticSecrets to create (default 10000)\n"
    "  --namespaces M       namespaces they are spread over (default 10)\n"
    "  --paths P            distinct Vault paths (default N/2, so pairs share a read)\n"
    "  --refresh D          refreshAfter of every resource, e.g. 60s (default 60s)\n"
    "  --periods K          steady-state refresh periods measured (default 1; 0: none, and no\n"
    "                       changes or connection change either: the sync, memory, ceiling)\n"
    "  --keep-going         measure the steady state even when the initial sync failed\n"
    "  --concurrency C      parallel requests while creating objects (default 8)\n"
    "  --sync-timeout D     bound on the initial sync (default 120s + N x 0.3s)\n"
    "  --operator-arg A     extra operator flag (repeatable), e.g. --operator-arg=--kube-qps=100\n"
    "  --operator-env K=V   extra operator environment (repeatable), e.g. MALLOC_ARENA_MAX=2\n"
    "  --shards S           S operators (default 1); with S > 1, resource i is labelled\n"
    "                       sharding.vaultsync.io/key=shard-<i%S> and each operator started\n"
    "                       with --watch-label-selector for its shard\n"
    "  --changes M          Vault values changed and Secrets edited by hand after the steady\n"
    "                       state, for the propagation and drift delays (default 100)\n"
    "  --ceiling-sequences K  request-ceiling load loop length (default 2000, at most N)\n"
    "  --ceiling-workers W  its concurrency (default 4: the operator's reconcile workers)\n"
    "  --scale-curve LIST   run the bench once per entry of LIST (N or N/S: N resources over S\n"
    "                       shards), e.g. 0,1000,10000,50000,200000/4, with the other flags, and\n"
    "                       print the scale curve\n"
    "Exits 1 on a functional failure, 2 on a usage error; misses on time or memory targets\n"
    "are printed (PASS/MISS), not fatal.\n";

std::optional<int> ParseCount(const std::string& s, int min) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < min || v > 10'000'000) return std::nullopt;
  return int(v);
}

}  // namespace

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    bool has_value = false;
    if (size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name == "--help" || name == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (name == "--keep-going") {
      o.keep_going = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        std::cerr << name << " needs a value\n" << kUsage;
        return std::nullopt;
      }
      value = args[++i];
    }
    auto bad = [&] {
      std::cerr << "bad value for " << name << ": \"" << value << "\"\n" << kUsage;
      return std::nullopt;
    };
    if (name == "--resources" || name == "--namespaces" || name == "--paths" ||
        name == "--periods" || name == "--concurrency" || name == "--shards" ||
        name == "--changes" || name == "--ceiling-sequences" || name == "--ceiling-workers") {
      // 0 resources measures the operator's baseline; 0 changes or sequences skips a part.
      bool may_be_zero = name == "--resources" || name == "--changes" ||
                         name == "--ceiling-sequences" || name == "--periods";
      auto n = ParseCount(value, may_be_zero ? 0 : 1);
      if (!n) return bad();
      if (name == "--resources") o.resources = *n;
      if (name == "--namespaces") o.namespaces = *n;
      if (name == "--paths") o.paths = *n;
      if (name == "--periods") o.periods = *n;
      if (name == "--concurrency") o.concurrency = *n;
      if (name == "--shards") o.shards = *n;
      if (name == "--changes") o.changes = *n;
      if (name == "--ceiling-sequences") o.ceiling_sequences = *n;
      if (name == "--ceiling-workers") o.ceiling_workers = *n;
    } else if (name == "--scale-curve") {
      o.scale_curve.clear();
      for (size_t from = 0; from <= value.size();) {
        size_t comma = std::min(value.find(',', from), value.size());
        std::string entry = value.substr(from, comma - from);
        size_t slash = entry.find('/');
        if (!ParseCount(entry.substr(0, slash), 0) ||
            (slash != std::string::npos && !ParseCount(entry.substr(slash + 1), 1))) {
          return bad();
        }
        o.scale_curve.push_back(entry);
        from = comma + 1;
      }
    } else if (name == "--refresh" || name == "--sync-timeout") {
      auto d = ParseDuration(value);
      if (!d.ok() || d->count() <= 0) return bad();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      if (name == "--refresh") {
        o.refresh = ms;
      } else {
        o.sync_timeout = std::chrono::duration_cast<std::chrono::seconds>(ms);
      }
    } else if (name == "--operator-arg") {
      o.operator_args.push_back(value);
    } else if (name == "--operator-env") {
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return bad();
      o.operator_env.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else {
      std::cerr << "unknown flag " << name << "\n" << kUsage;
      return std::nullopt;
    }
  }
  if (o.paths < 0) o.paths = std::max(1, o.resources / 2);
  if (o.shards > 64) {
    std::cerr << "--shards: at most 64\n" << kUsage;
    return std::nullopt;
  }
  if (o.paths > o.resources) o.paths = o.resources;
  if (o.sync_timeout.count() == 0) {
    o.sync_timeout = std::chrono::seconds(120 + o.resources / 5);
  }
  return o;
}

}  // namespace vaultsync::bench
