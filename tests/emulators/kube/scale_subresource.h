// The autoscaling/v1 Scale view of an object with a scale subresource (apps workloads, and
// custom resources whose CRD declares subresources.scale); see emulator_scale.cpp.
#pragma once

#include <string>

#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// The Scale of `obj` as the apiserver answers GET .../scale.
json::Document ScaleOf(const ResourceType& t, const json::Value& obj);

// Dotted path of the replica count a Scale writes ("spec.replicas", or a CRD's
// specReplicasPath without its leading dot).
std::string ScaleReplicasPath(const ResourceType& t);

}  // namespace vaultsync::kubeemu
