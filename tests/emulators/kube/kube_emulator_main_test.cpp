// The kube-emulator binary's command line: --help is usage on stdout with exit 0, and a
// kubeconfig written for plain http comes with a warning, because kubectl sends no bearer
// token over http and would fail with 401 on every call.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "process.h"

namespace vaultsync::kubeemu {
namespace {

using vaultsync::testing::BinaryPath;
using vaultsync::testing::RunCommand;
using vaultsync::testing::StartEmulator;

TEST(KubeEmulatorMain, HelpPrintsUsageToStdoutAndExitsZero) {
  auto r = RunCommand(BinaryPath("kube-emulator"), {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("usage: kube-emulator --listen HOST:PORT", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--tls-self-signed"), std::string::npos);
  EXPECT_NE(r.out.find("bearer tokens only over https"), std::string::npos);
  EXPECT_EQ(r.err, "");
  auto bad = RunCommand(BinaryPath("kube-emulator"), {"--no-such-flag"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown argument --no-such-flag"), std::string::npos) << bad.err;
}

TEST(KubeEmulatorMain, WarnsWhenItWritesAKubeconfigForPlainHttp) {
  char tmpl[] = "/tmp/kube-emulator-main-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    auto plain = StartEmulator("kube-emulator", {"--write-kubeconfig", dir + "/plain"});
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    // stderr is read on its own thread: wait (bounded) for the warning to arrive.
    EXPECT_TRUE(
        plain->process->WaitForOutput("warning: serving plain http", std::chrono::seconds(10)))
        << plain->process->Stderr();
    EXPECT_EQ(plain->process->Stop(), 0);
    EXPECT_NE(plain->process->Stderr().find("--tls-self-signed"), std::string::npos);
  }
  {
    auto tls =
        StartEmulator("kube-emulator", {"--tls-self-signed", "--write-kubeconfig", dir + "/tls"});
    ASSERT_TRUE(tls.ok()) << tls.status().message();
    EXPECT_EQ(tls->process->Stop(), 0);
    EXPECT_TRUE(tls->process->WaitForOutputClosed(std::chrono::seconds(10)));
    EXPECT_EQ(tls->process->Stderr(), "");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace vaultsync::kubeemu
