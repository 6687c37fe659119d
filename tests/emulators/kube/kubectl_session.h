// What the kubectl tests share: a kube-emulator binary served with --tls-self-signed (kubectl
// sends its bearer token over https only) and a kubectl (on PATH, or a path) run with a
// private HOME, kubeconfig and discovery cache. Stop() (also run by the destructor) stops the
// emulator and removes the directory.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process.h"

namespace vaultsync::kubeemu {

class KubectlSession {
 public:
  explicit KubectlSession(std::string kubectl = "kubectl") : kubectl_(std::move(kubectl)) {}
  ~KubectlSession() { Stop(); }
  KubectlSession(const KubectlSession&) = delete;
  KubectlSession& operator=(const KubectlSession&) = delete;

  // Starts the emulator; a failure is reported to the current test.
  ::testing::AssertionResult Start() {
    char tmpl[] = "/tmp/kubectl-test-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return ::testing::AssertionFailure() << "mkdtemp failed";
    dir_ = tmpl;
    kubeconfig_ = dir_ + "/kubeconfig";
    auto emu = vaultsync::testing::StartEmulator(
        "kube-emulator", {"--tls-self-signed", "--write-kubeconfig", kubeconfig_});
    if (!emu.ok()) return ::testing::AssertionFailure() << emu.status().message();
    emu_ = std::move(emu).value();
    return ::testing::AssertionSuccess();
  }

  void Stop() {
    if (emu_.process) {
      EXPECT_EQ(emu_.process->Stop(), 0) << emu_.process->Stderr();
      emu_.process.reset();
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  const std::string& url() const { return emu_.url; }
  const std::string& dir() const { return dir_; }

  vaultsync::testing::CommandResult Run(std::vector<std::string> args) {
    args.push_back("--cache-dir=" + dir_ + "/cache");
    return vaultsync::testing::RunCommand(kubectl_, args,
                                          {{"HOME", dir_}, {"KUBECONFIG", kubeconfig_}}, "",
                                          std::chrono::seconds(60));
  }

  // Runs kubectl and expects success without any complaint on stderr; returns stdout.
  std::string Ok(const std::vector<std::string>& args) {
    vaultsync::testing::CommandResult r = Run(args);
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    EXPECT_EQ(r.exit_code, 0) << "kubectl" << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_EQ(r.err, "") << "kubectl" << cmd << " complained";
    return r.out;
  }

 private:
  std::string kubectl_;
  std::string dir_, kubeconfig_;
  vaultsync::testing::RunningEmulator emu_;
};

}  // namespace vaultsync::kubeemu
