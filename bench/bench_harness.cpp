// The bench's process harness (see bench_harness.h).
#include "bench_harness.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

namespace vaultsync::bench {

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
