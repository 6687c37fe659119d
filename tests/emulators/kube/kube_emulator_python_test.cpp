// python3-kubernetes (Debian's package, run by the system python3) against the kube-emulator
// binary: python_client_check.py creates, lists and watches Secrets through
// watch.Watch().stream (which sends watch=True) and reads a custom resource with
// CustomObjectsApi. The script bounds every wait; this test bounds the script.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "process.h"

namespace vaultsync::kubeemu {
namespace {

namespace fs = std::filesystem;
using vaultsync::testing::RunCommand;

constexpr char kPython[] = "/usr/bin/python3";  // where Debian's python3-kubernetes lives

TEST(PythonKubernetesClient, CreatesListsWatchesAndReadsCustomResources) {
  auto probe = RunCommand(kPython, {"-c", "import kubernetes; print(kubernetes.__version__)"});
  ASSERT_EQ(probe.exit_code, 0)
      << "python3-kubernetes is missing (scripts/install-deps.sh installs it): " << probe.err;
  char tmpl[] = "/tmp/kube-python-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string kubeconfig = dir + "/kubeconfig";
  {
    auto emu = vaultsync::testing::StartEmulator(
        "kube-emulator", {"--tls-self-signed", "--write-kubeconfig", kubeconfig});
    ASSERT_TRUE(emu.ok()) << emu.status().message();
    auto r =
        RunCommand(kPython, {std::string(KUBE_EMULATOR_SOURCE_DIR) + "/python_client_check.py"},
                   {{"KUBECONFIG", kubeconfig}, {"HOME", dir}}, "", std::chrono::seconds(120));
    EXPECT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
    EXPECT_NE(r.out.find("all checks passed"), std::string::npos) << r.out;
    EXPECT_EQ(emu->process->Stop(), 0) << emu->process->Stderr();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace vaultsync::kubeemu
