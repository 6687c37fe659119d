// Whether the API server serves a custom resource type, asked once when a controller is set
// up. Kinds added after the first release (VaultPushSecret, VaultDynamicSecret, VaultPKISecret)
// have CRDs that `helm upgrade` does not install: without this check, an operator upgraded before
// its CRDs would wait forever for a cache that cannot fill, and stop syncing every other kind too.
#pragma once

#include "controller/operator_context.h"

namespace vaultsync::controller {

// False (with a warning in the log naming the CRD to apply) when listing `rt` answers 404;
// true otherwise, also when the answer is another error (the informer will retry it).
bool KindServed(OperatorContext& ctx, const kube::ResourceType& rt);

}  // namespace vaultsync::controller
