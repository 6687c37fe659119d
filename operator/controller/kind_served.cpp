// One LIST with limit 1 to tell whether a custom resource type is served.
#include "controller/kind_served.h"

#include "util/log.h"

namespace vaultsync::controller {

bool KindServed(OperatorContext& ctx, const kube::ResourceType& rt) {
  kube::ListOptions opts;
  opts.limit = 1;
  const std::string ns =
      ctx.options.watch_namespaces.empty() ? "" : ctx.options.watch_namespaces[0];
  auto listed = ctx.manager.reader().List(rt, ns, opts);
  if (listed.ok() || listed.status().code() != StatusCode::kNotFound) return true;
  log::Default().Warn(
      "custom resource not served: its controller is off until the CRD is "
      "applied and the operator restarted",
      {{"kind", rt.kind}, {"crd", rt.QualifiedName()}});
  return false;
}

}  // namespace vaultsync::controller
