// fork/exec based child processes with captured output.
#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

extern char** environ;

namespace vaultsync::testing {

std::string BinaryPath(std::string_view name) {
  // The emulators are test infrastructure: the sanitizer stage of scripts/test.sh runs its
  // instrumented operator against the Release build's emulators (their own tests run in
  // the Release stage), which saves a quarter of its end-to-end CPU.
  if (name == "kube-emulator" || name == "vault-emulator") {
    if (const char* dir = std::getenv("VAULTSYNC_EMULATOR_DIR"); dir != nullptr && *dir != '\0')
      return std::string(dir) + "/" + std::string(name);
  }
  return std::string(VAULTSYNC_BIN_DIR) + "/" + std::string(name);
}

namespace {

std::vector<std::string> MergedEnv(const Env& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (const auto& [k, v] : extra) overridden |= (k == key);
    if (!overridden) out.push_back(kv);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

Result<std::unique_ptr<Process>> Process::Start(const std::string& program,
                                                const std::vector<std::string>& args,
                                                const Env& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Unavailable("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Unavailable("pipe failed");
  }
  std::vector<std::string> envs = MergedEnv(env);
  std::vector<char*> argv, envp;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return Unavailable("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    // Own process group, so Stop() also reaches grandchildren (a shell's children).
    setpgid(0, 0);
    execvpe(program.c_str(), argv.data(), envp.data());
    std::fprintf(stderr, "exec %s: %s\n", program.c_str(), std::strerror(errno));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::unique_ptr<Process> p(new Process());
  p->pid_ = pid;
  Process* raw = p.get();
  int ofd = out_pipe[0], efd = err_pipe[0];
  p->out_reader_ = std::thread([raw, ofd] { raw->ReadLoop(ofd, true); });
  p->err_reader_ = std::thread([raw, efd] { raw->ReadLoop(efd, false); });
  return p;
}

void Process::ReadLoop(int fd, bool is_stdout) {
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard<std::mutex> lock(mu_);
    (is_stdout ? out_ : err_).append(buf, size_t(n));
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  ++eof_count_;
  cv_.notify_all();
}

Process::~Process() {
  Stop();
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

Result<std::string> Process::WaitForLine(std::string_view prefix,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t pos = 0;
    while (pos < out_.size()) {
      size_t nl = out_.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string_view line(out_.data() + pos, nl - pos);
      if (line.substr(0, prefix.size()) == prefix) return std::string(line);
      pos = nl + 1;
    }
    if (eof_count_ >= 2) {
      return Status(StatusCode::kUnavailable, "process exited before printing \"" +
                                                  std::string(prefix) +
                                                  "\"; stderr: " + err_.substr(0, 2000));
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return Status(
          StatusCode::kDeadlineExceeded,
          "timed out waiting for \"" + std::string(prefix) + "\"; stderr: " + err_.substr(0, 2000));
    }
  }
}

bool Process::WaitForOutput(std::string_view needle, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return out_.find(needle) != std::string::npos || err_.find(needle) != std::string::npos;
  });
}

bool Process::WaitForOutputClosed(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return eof_count_ >= 2; });
}

std::string Process::Stdout() const {
  std::lock_guard<std::mutex> lock(mu_);
  return out_;
}

std::string Process::Stderr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return err_;
}

int Process::Reap(bool block) {
  if (exited_) return exit_code_;
  int status = 0;
  pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exited_ ? exit_code_ : -1;
}

void Process::Signal(int sig) {
  if (!exited_ && pid_ > 0) kill(pid_, sig);
}

int Process::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Reap(false) < 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exited_ ? exit_code_ : -1;
}

int Process::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (Reap(false) >= 0) {
    kill(-pid_, SIGKILL);  // leftovers in its group
    return exit_code_;
  }
  kill(pid_, SIGTERM);
  if (Wait(grace) < 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    Reap(true);
  }
  kill(-pid_, SIGKILL);
  return exit_code_;
}

CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args,
                         const Env& env, const std::string& stdin_data,
                         std::chrono::milliseconds timeout) {
  CommandResult result;
  // Feed stdin through a temporary file: simple and cannot deadlock on large inputs.
  std::string stdin_path;
  Env full_env = env;
  std::vector<std::string> full_args = args;
  std::string prog = program;
  if (!stdin_data.empty()) {
    char tmpl[] = "/tmp/vaultsync-stdin-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
      result.err = "mkstemp failed";
      return result;
    }
    ssize_t written = write(fd, stdin_data.data(), stdin_data.size());
    close(fd);
    if (written != ssize_t(stdin_data.size())) {
      result.err = "write failed";
      return result;
    }
    stdin_path = tmpl;
    // Run through sh so the file becomes stdin: exec "$0" "$@" < file.
    full_args.clear();
    full_args.push_back("-c");
    full_args.push_back("exec \"$0\" \"$@\" < '" + stdin_path + "'");
    full_args.push_back(program);
    for (const auto& a : args) full_args.push_back(a);
    prog = "/bin/sh";
  }
  auto p = Process::Start(prog, full_args, full_env);
  if (!p.ok()) {
    result.err = p.status().ToString();
    return result;
  }
  int code = (*p)->Wait(timeout);
  if (code < 0) (*p)->Stop(std::chrono::milliseconds(500));
  result.exit_code = code;
  (*p)->WaitForOutputClosed(std::chrono::seconds(5));
  result.out = (*p)->Stdout();
  result.err = (*p)->Stderr();
  if (!stdin_path.empty()) unlink(stdin_path.c_str());
  return result;
}

Result<RunningEmulator> StartEmulator(std::string_view name, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--listen", "127.0.0.1:0"};
  full.insert(full.end(), args.begin(), args.end());
  VS_ASSIGN_OR_RETURN(auto proc, Process::Start(BinaryPath(name), full));
  VS_ASSIGN_OR_RETURN(std::string line,
                      proc->WaitForLine("listening on ", std::chrono::seconds(20)));
  RunningEmulator e;
  e.url = line.substr(std::string("listening on ").size());
  e.process = std::move(proc);
  return e;
}

}  // namespace vaultsync::testing
