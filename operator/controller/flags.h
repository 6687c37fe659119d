// The operator's command line and environment (SPEC.md "Operator flags"), turned into
// OperatorOptions. Pure: the environment is passed in, so every combination is unit-tested.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/operator.h"
#include "util/log.h"

namespace vaultsync::controller {

struct OperatorFlags {
  bool help = false;
  bool version = false;
  std::string kubeconfig;
  log::Level log_level = log::Level::kInfo;
  log::Format log_format = log::Format::kJson;
  OperatorOptions options;  // kube config not yet loaded (needs the filesystem)
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Parses argv (without the program name): "--flag value", "--flag=value", booleans as
// "--flag", "--flag=true|false". VAULT_ADDR, VAULT_CACERT (a file, read here), VAULT_NAMESPACE,
// VAULT_SKIP_VERIFY, VAULT_TOKEN and VAULTSYNC_SERVICEACCOUNT_DIR come from `env`; flags win.
// kInvalidArgument (usage error) naming the flag for anything malformed or unknown.
Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& argv,
                                         const EnvLookup& env);

// The --help text.
std::string OperatorUsage();

}  // namespace vaultsync::controller
