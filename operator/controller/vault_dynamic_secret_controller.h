// Registers the VaultDynamicSecret controller on the manager: its informer (indexed by the
// VaultAuth each names), its reconciler with the lease source, and what it watches — its own
// objects, the Secrets it wrote, and its identity objects.
#pragma once

#include "controller/operator_context.h"

namespace vaultsync::controller {

Status SetupVaultDynamicSecretController(OperatorContext& ctx);

}  // namespace vaultsync::controller
