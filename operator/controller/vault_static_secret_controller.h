// Registers the VaultStaticSecret controller on the manager: what it reconciles, what it watches,
// and how each change maps to the keys it re-queues.
#pragma once

#include "controller/operator_context.h"

namespace vaultsync::controller {

Status SetupVaultStaticSecretController(OperatorContext& ctx);

}  // namespace vaultsync::controller
