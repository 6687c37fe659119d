// vaultsyncctl's verbs: from a parsed command line to calls of the Vault library and
// printed results. Output goes to the given streams so tests can run the whole CLI
// in-process as well as through the real binary.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/settings.h"

namespace vaultsync::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // Vault refused or failed; stderr says why
inline constexpr int kExitUsage = 2;   // bad command line or local configuration

// Runs vaultsyncctl with `argv` (without the program name), reading VAULT_* through `env`.
// Results go to `out`, errors and usage problems to `err`; `in` is read only by
// `policy write NAME -`. Returns the exit code. Tokens obtained by logging in are revoked
// before returning; no token is ever written.
int RunCli(const std::vector<std::string>& argv, const EnvLookup& env, std::istream& in,
           std::ostream& out, std::ostream& err);
// Same with nothing on standard input.
int RunCli(const std::vector<std::string>& argv, const EnvLookup& env, std::ostream& out,
           std::ostream& err);

}  // namespace vaultsync::cli
