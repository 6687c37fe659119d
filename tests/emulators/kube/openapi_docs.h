// The OpenAPI documents a v1.26 apiserver publishes, built from the type registry: one
// swagger 2.0 document for /openapi/v2 and one OpenAPI 3.0 document per group/version for
// /openapi/v3/<api/v1|apis/GROUP/VERSION>. Definitions come from builtin_schemas.h for the
// built-in kinds and from each served version's openAPIV3Schema for custom resources
// (named like the apiextensions-apiserver names them, "io.vaultsync.v1alpha1.VaultStaticSecret",
// converted for v2 as it converts them: no allOf/oneOf/anyOf/not, nullable and
// x-kubernetes-preserve-unknown-fields nodes without properties). Paths carry, per
// resource, the operations its verbs allow with their query parameters (dryRun,
// fieldManager, fieldValidation, force ...) and x-kubernetes-action /
// x-kubernetes-group-version-kind, which kubectl reads to decide on dry-run, server-side
// field validation and patch types.
//
// Simplifications, on purpose: parameter and operation descriptions are short; PATCH of a
// built-in kind does not advertise strategic merge patch (the published schemas are a subset,
// so kubectl 1.21+ computes those patches from its compiled-in types instead of from them).
#pragma once

#include <string>

#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// The /openapi/v2 document.
json::Document OpenApiV2Document(const TypeRegistry& registry);

// The /openapi/v3 document of one group/version ("" group = core), or a null document when
// the group/version is not served.
json::Document OpenApiV3Document(const TypeRegistry& registry, const std::string& group,
                                 const std::string& version);

// The definition name of a type's kind ("io.k8s.api.core.v1.Secret",
// "io.vaultsync.v1alpha1.VaultStaticSecret"), or "" when none is published.
std::string DefinitionNameOf(const ResourceType& t);

// A custom type's definition (its CRD schema plus apiVersion, kind, metadata and the GVK
// extension) for OpenAPI v2 (`v2`) or v3.
json::Document CustomDefinition(const ResourceType& t, bool v2);

}  // namespace vaultsync::kubeemu
