// The bench's process harness (see bench_harness.h).
#include "bench_harness.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "util/time_format.h"

namespace vaultsync::bench {

std::vector<Api::LoggedRequest> Api::Requests(int64_t since) {
  std::vector<LoggedRequest> out;
  auto doc = json::Parse(Call("GET", "/__emulator/requests?since=" + std::to_string(since)).body);
  const json::Value* reqs = doc.ok() ? json::Find(*doc, "requests") : nullptr;
  if (reqs == nullptr || !reqs->IsArray()) return out;
  for (const auto& r : reqs->GetArray()) {
    auto seq = json::OptionalInt64(r, "seq");
    auto method = json::OptionalString(r, "method");
    auto path = json::OptionalString(r, "path");
    auto time = json::OptionalString(r, "time");
    if (!seq.ok() || !method.ok() || !path.ok() || !time.ok() || !seq->has_value() ||
        !method->has_value() || !path->has_value() || !time->has_value()) {
      continue;
    }
    auto at = ParseRfc3339(**time);
    if (!at.ok()) continue;
    LoggedRequest e{**seq, std::string(**method), std::string(**path), *at};
    if (auto status = json::OptionalInt64(r, "status"); status.ok() && status->has_value())
      e.status = int(**status);
    if (auto agent = json::OptionalString(r, "user_agent"); agent.ok() && agent->has_value())
      e.user_agent = std::string(**agent);
    out.push_back(std::move(e));
  }
  return out;
}

int64_t Api::LastRequestSeq() {
  auto log = Requests(0);
  return log.empty() ? 0 : log.back().seq;
}

int RunParallel(int count, int workers, const std::function<bool(int)>& fn) {
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < std::min(workers, count); ++w) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        if (!fn(i)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  return failures;
}

std::string SelfDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

Result<std::unique_ptr<testing::Process>> StartListening(const std::string& path,
                                                         const std::vector<std::string>& args,
                                                         std::string* url) {
  std::vector<std::string> full = {"--listen", "127.0.0.1:0"};
  full.insert(full.end(), args.begin(), args.end());
  VS_ASSIGN_OR_RETURN(auto proc, testing::Process::Start(path, full));
  VS_ASSIGN_OR_RETURN(std::string line, proc->WaitForLine("listening on ", 30s));
  *url = line.substr(std::string("listening on ").size());
  return proc;
}

}  // namespace vaultsync::bench
