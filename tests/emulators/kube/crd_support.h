// CustomResourceDefinition specifics that are not emulator state: validation of a CRD
// object, the member order the apiserver writes it in, and the ResourceTypes it defines.
#pragma once

#include <memory>
#include <vector>

#include "api_errors.h"
#include "object_store.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

std::vector<StatusCause> ValidateCrd(const json::Value& crd);
// Struct order of CustomResourceDefinition (spec, names, versions, schemas), in place; also
// fills the create-time defaults (conversion strategy None, initial status).
void CanonicalizeCrd(json::Document& crd);
// One ResourceType per served version, preferred (highest priority) version first.
std::vector<std::shared_ptr<const ResourceType>> TypesFromCrd(const ObjectPtr& crd);
// Kubernetes version priority: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other (by name).
bool VersionLess(const std::string& a, const std::string& b);

}  // namespace vaultsync::kubeemu
