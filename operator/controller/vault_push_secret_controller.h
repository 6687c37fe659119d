// Registers the VaultPushSecret controller on the manager: its informer and field indexes,
// the filtered cache of the Secrets such resources name, and how each change (a source
// Secret's data, an identity object, another resource on the same Vault path) maps to the
// keys it re-queues.
#pragma once

#include "controller/operator_context.h"

namespace vaultsync::controller {

Status SetupVaultPushSecretController(OperatorContext& ctx);

}  // namespace vaultsync::controller
