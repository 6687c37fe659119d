// OpenAPI definitions of the built-in kinds the emulator serves, for /openapi/v2 and
// /openapi/v3 (kubectl explain, kubectl 1.20's client-side validation and patch computation,
// dry-run support checks). A compact but truthful SUBSET of the v1.26 definitions: the kinds
// clients read and write here (Secret, ConfigMap, Namespace, ServiceAccount, Event, the apps
// workloads and their pod template, Lease, RBAC, CustomResourceDefinition, token and access
// reviews, Scale) are described field by field, every field of each described struct listed
// with its real name, type and patch/list extensions; deeper structs no client here touches
// (probes, affinity, security contexts, volume sources, the CRD's JSONSchemaProps, workload
// statuses ...) are opaque objects (`type: object` without properties), which clients treat
// as free-form maps. The descriptions are the emulator's own short wording, not the upstream
// text.
#pragma once

#include <string>

#include "util/json.h"

namespace vaultsync::kubeemu {

// The built-in definitions in OpenAPI v2 form (refs "#/definitions/NAME"), keyed by
// definition name ("io.k8s.api.core.v1.Secret"), members sorted. Built once; immutable.
const json::Document& BuiltinDefinitionsV2();

// The definition name of a built-in kind's Go type ("io.k8s.api.apps.v1" + ".Deployment"), or
// "" when the emulator publishes no definition for it.
std::string BuiltinDefinitionName(const std::string& group, const std::string& version,
                                  const std::string& kind);

}  // namespace vaultsync::kubeemu
