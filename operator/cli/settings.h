// From vaultsyncctl's flags plus the VAULT_* environment to the library's configs: flags
// win over the environment, the environment over defaults. Local problems (unreadable CA or
// secret-id file, missing role, no token) are usage errors found before any request.
#pragma once

#include "cli/flags.h"
#include "util/status.h"
#include "vault/auth.h"
#include "vault/connection.h"

namespace vaultsync::cli {

using EnvLookup = vault::ConnectionConfig::EnvLookup;

// kInvalidArgument for an unreadable --ca-cert / VAULT_CACERT, a bad VAULT_SKIP_VERIFY or an
// invalid address.
Result<vault::ConnectionConfig> ConnectionFromFlags(const GlobalFlags& flags, const EnvLookup& env);

// The auth method: --method, else appRole when --role-id is given, kubernetes when --role
// or --jwt-file is, else token. kInvalidArgument for an unknown method, a kubernetes method
// without --role, appRole without --role-id or with an unreadable --secret-id-file, and the
// token method with neither --token nor VAULT_TOKEN.
Result<vault::AuthConfig> AuthFromFlags(const GlobalFlags& flags, const EnvLookup& env);

}  // namespace vaultsync::cli
