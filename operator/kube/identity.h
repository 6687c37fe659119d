// Names this process goes by towards the API server: the host name (the pod name in a
// cluster) and random UUIDs, for leader-election identities and Event reporting instances.
#pragma once

#include <string>

namespace vaultsync::kube {

// gethostname(), or "unknown" when it fails.
std::string HostName();
// A random (version 4) UUID in its canonical lower-case text form.
std::string NewUuid();

}  // namespace vaultsync::kube
