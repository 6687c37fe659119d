// /openapi/v2 and /openapi/v3 (see KubeEmulator::OpenApi in kube_emulator.h).
#include "emulator_internal.h"
#include "kube_emulator.h"

namespace vaultsync::kubeemu {

ServerResponse KubeEmulator::OpenApi(const ServerRequest&) {
  // Not served yet: clients that need it fall back (kubectl validates server-side).
  return ErrorAnswer(PageNotFoundError());
}

}  // namespace vaultsync::kubeemu
