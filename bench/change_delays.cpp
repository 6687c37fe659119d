// Change propagation and drift restoration (see change_delays.h).
#include "change_delays.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include "workload.h"

namespace vaultsync::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string SecretPath(const Options& o, int i) {
  return "/api/v1/namespaces/" + NamespaceName(i % o.namespaces) + "/secrets/" + SecretName(i);
}

bool IsOperatorWrite(const Api::LoggedRequest& r) {
  return (r.method == "PUT" || r.method == "PATCH") && r.status == 200 &&
         r.user_agent.rfind("vaultsync-operator", 0) == 0;
}

// One Secret the measurement waits for: from `start` (known up front, or the bench's own
// logged edit) to the operator's first successful write logged after `after_seq`.
struct Awaited {
  std::optional<TimePoint> start;
  int64_t after_seq = 0;
  std::optional<TimePoint> done;
};

// Follows the kube emulator's request log from `since` until every awaited Secret is done or
// `wait` has passed. With `edits_in_log`, a Secret's start is the bench's own logged write of
// it (a hand edit); otherwise it was set by the caller.
Delays Await(Api& kube, int64_t since, std::map<std::string, Awaited>& want, bool edits_in_log,
             std::chrono::seconds wait) {
  const auto deadline = Clock::now() + wait;
  size_t done = 0;
  while (done < want.size() && Clock::now() < deadline) {
    for (const auto& r : kube.Requests(since)) {
      since = std::max(since, r.seq);
      auto it = want.find(r.path);
      if (it == want.end() || it->second.done) continue;
      Awaited& a = it->second;
      if (edits_in_log && !a.start && r.user_agent.rfind("vaultsync-scale-bench", 0) == 0 &&
          r.method == "PATCH" && r.status == 200) {
        a.start = r.time;
        a.after_seq = r.seq;
      } else if (a.start && r.seq > a.after_seq && IsOperatorWrite(r)) {
        a.done = r.time;
        ++done;
      }
    }
    if (done < want.size()) std::this_thread::sleep_for(200ms);
  }
  Delays d;
  for (const auto& [path, a] : want) {
    if (a.start && a.done) {
      d.seconds.push_back(std::max(0.0, std::chrono::duration<double>(*a.done - *a.start).count()));
    } else {
      ++d.missing;
    }
  }
  return d;
}

}  // namespace

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t rank = size_t(std::ceil(p * double(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

Delays MeasurePropagation(Api& kube, Api& vault, const Options& o, int changes,
                          std::chrono::seconds wait) {
  const int m = std::min(changes, o.paths);
  if (m <= 0) return {};
  const int64_t since = kube.LastRequestSeq();
  std::map<std::string, Awaited> want;
  Delays failed;
  for (int k = 0; k < m; ++k) {
    const int p = int(int64_t(k) * o.paths / m);
    std::string body = R"({"data":{"username":"user-)" + std::to_string(p) + R"(","password":")" +
                       RandomHex(12) + R"(","port":"5432"}})";
    auto r = vault.Call("POST", "/v1/secret/data/" + VaultPath(p), body);
    if (r.status != 200 && r.status != 204) {
      ++failed.missing;
      continue;
    }
    const TimePoint written = std::chrono::system_clock::now();
    for (int i = p; i < o.resources; i += o.paths) want[SecretPath(o, i)] = {written, since, {}};
  }
  Delays d = Await(kube, since, want, false, wait);
  d.missing += failed.missing;
  return d;
}

Delays MeasureDrift(Api& kube, const Options& o, int edits, std::chrono::seconds wait) {
  const int m = std::min(edits, o.resources);
  if (m <= 0) return {};
  const int64_t since = kube.LastRequestSeq();
  std::map<std::string, Awaited> want;
  std::vector<std::string> paths;
  for (int k = 0; k < m; ++k) {
    paths.push_back(SecretPath(o, int(int64_t(k) * o.resources / m)));
    want[paths.back()] = {};
  }
  // "edited-by-hand", base64: a value the operator must replace with Vault's.
  const std::string patch = R"({"data":{"password":"ZWRpdGVkLWJ5LWhhbmQ="}})";
  // A refused edit logs no start, so its Secret counts as missing.
  RunParallel(m, o.concurrency, [&](int k) {
    return kube.Call("PATCH", paths[k], patch, "application/merge-patch+json").status == 200;
  });
  return Await(kube, since, want, true, wait);
}

}  // namespace vaultsync::bench
