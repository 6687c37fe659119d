// The scale bench's command line: what to create, how long to measure, what to pass to the
// operator. Parsed once in main; the bench reads the result.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vaultsync::bench {

using namespace std::chrono_literals;

struct Options {
  int resources = 10000;
  int namespaces = 10;
  int paths = -1;  // default: resources / 2
  std::chrono::milliseconds refresh = 60s;
  int periods = 1;  // steady refresh periods measured
  bool keep_going = false;
  int concurrency = 8;                     // parallel HTTP requests while creating objects
  std::chrono::seconds sync_timeout{0};    // 0: derived from N
  std::vector<std::string> operator_args;  // extra operator flags
  std::vector<std::pair<std::string, std::string>> operator_env;
  int shards = 1;                // operators, each watching its label shard (Flux's convention)
  int changes = 100;             // Vault values changed, and Secrets edited by hand, once synced
  int ceiling_sequences = 2000;  // sequences of the load loop (at most N)
  int ceiling_workers = 4;       // its concurrency: the operator's default reconcile workers
  // When set, the bench runs itself once per entry ("N" or "N/S": N resources over S shards)
  // and prints the scale curve; every other flag is passed to each run.
  std::vector<std::string> scale_curve;
};

// Returns nullopt (after printing why) on a usage error; prints the usage and exits 0 on
// --help.
std::optional<Options> ParseOptions(int argc, char** argv);

}  // namespace vaultsync::bench
