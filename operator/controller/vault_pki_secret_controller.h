// Registers the VaultPKISecret controller on the manager: its informer (indexed by the
// VaultAuth each names), its reconciler with the certificate source, and what it watches — its own
// objects, the Secrets it wrote, and its identity objects.
#pragma once

#include "controller/operator_context.h"

namespace vaultsync::controller {

Status SetupVaultPkiSecretController(OperatorContext& ctx);

}  // namespace vaultsync::controller
