// Child processes for integration tests: the emulators, the operator, kubectl and
// vaultsyncctl. Every process a test starts is owned by an object that stops it, and every
// wait here is bounded, so a failing test cannot leave strays or hang CI.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "util/status.h"

namespace vaultsync::testing {

using Env = std::vector<std::pair<std::string, std::string>>;

// Path of a binary the build produced (build/bin/NAME).
std::string BinaryPath(std::string_view name);

// A running child whose stdout and stderr are captured (and also kept for failure messages).
// Not thread-safe except where noted.
class Process {
 public:
  // Starts `program` (a path, or a name looked up on PATH) with args. `env` entries are
  // added to (or override) the current environment.
  static Result<std::unique_ptr<Process>> Start(const std::string& program,
                                                const std::vector<std::string>& args,
                                                const Env& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Waits at most `timeout` for a line of stdout starting with `prefix`; returns the line.
  // Fails with kDeadlineExceeded (or kUnavailable if the process exited first).
  Result<std::string> WaitForLine(std::string_view prefix, std::chrono::milliseconds timeout);
  // Waits at most `timeout` until stdout+stderr contain `needle`.
  bool WaitForOutput(std::string_view needle, std::chrono::milliseconds timeout);

  std::string Stdout() const;  // thread-safe
  std::string Stderr() const;  // thread-safe

  // SIGTERM, then SIGKILL after `grace`. Returns the exit code (128+signal when killed by
  // a signal). Idempotent. The default grace is long because a sanitizer build's exit runs
  // LeakSanitizer over the whole heap: an operator holding 1,000 resources took over 5 s on a
  // loaded machine. Tests of how fast a shutdown is measure it themselves.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  // Waits at most `timeout` until the child's stdout and stderr are closed (all output read).
  bool WaitForOutputClosed(std::chrono::milliseconds timeout);
  // Sends a signal without waiting.
  void Signal(int sig);
  // Waits at most `timeout` for the process to exit by itself; the exit code, or -1 if still
  // running.
  int Wait(std::chrono::milliseconds timeout);

 private:
  Process() = default;
  void ReadLoop(int fd, bool is_stdout);
  int Reap(bool block);

  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_, err_;
  int eof_count_ = 0;
  std::thread out_reader_, err_reader_;
};

// A finished command.
struct CommandResult {
  int exit_code = -1;  // -1 when it had to be killed at the timeout
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), feeding `stdin_data`.
CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                         const Env& env = {}, const std::string& stdin_data = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// An emulator started on 127.0.0.1 with a port of its own choosing.
struct RunningEmulator {
  std::unique_ptr<Process> process;
  std::string url;  // from its "listening on URL" line
};

// Starts build/bin/`name` with `--listen 127.0.0.1:0` plus `args`, waits (bounded) for its
// `listening on` line.
Result<RunningEmulator> StartEmulator(std::string_view name,
                                      const std::vector<std::string>& args = {});

}  // namespace vaultsync::testing
