// Fuzz target: kube/config's kubeconfig reader (YAML through yaml-cpp, whose exceptions must
// stay inside config.cpp). Input: the kubeconfig file's bytes; it is written to a private
// temporary folder, so relative CA/certificate/token paths resolve to files that do not exist.
// Invariants: no crash or escaping exception; failures are kInvalidArgument, kNotFound or
// kFailedPrecondition; a success names a server.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz_support.h"
#include "kube/config.h"

namespace {

// A folder of our own for the whole run, removed at exit.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/vaultsync-kubeconfig-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr, "mkdtemp");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  static TempDir dir;
  const std::string file = dir.path + "/config";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto cfg = kube::FromKubeconfig(file);
  if (!cfg.ok()) {
    StatusCode c = cfg.status().code();
    FUZZ_CHECK(c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound ||
                   c == StatusCode::kFailedPrecondition,
               "unexpected error code");
    return 0;
  }
  FUZZ_CHECK(!cfg->server.empty(), "a configuration without a server");
  return 0;
}
