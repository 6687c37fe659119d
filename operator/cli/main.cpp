// vaultsyncctl entry point: hands the command line and environment to RunCli. The library
// logs through the process logger; the CLI reports errors itself, so only errors are logged.
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "util/log.h"

int main(int argc, char** argv) {
  vaultsync::log::Default().Configure(vaultsync::log::Level::kError, vaultsync::log::Format::kText);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto env = [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  return vaultsync::cli::RunCli(args, env, std::cin, std::cout, std::cerr);
}
