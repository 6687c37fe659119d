// Custom resources against their CRD's structural OpenAPI v3 schema, as the apiextensions
// apiserver treats them: unknown fields pruned (reported for the `Warning: 299` header or
// rejected under fieldValidation=Strict), non-nullable nulls dropped, defaults applied, then
// validation (types, required, enum, pattern, minimum/maximum, lengths, items) into 422
// causes worded like the real server's.
#pragma once

#include <string>
#include <vector>

#include "api_errors.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// The openAPIV3Schema of the type's version in its CRD, or nullptr.
const json::Value* SchemaOf(const ResourceType& t);

// Prunes fields the schema does not know (except under x-kubernetes-preserve-unknown-fields),
// appending their paths ("spec.unknownField") to `unknown`; drops nulls of non-nullable
// fields; applies `default`s. apiVersion, kind and metadata are left alone.
void PruneAndDefault(const json::Value& schema, json::Value& obj, json::Allocator& a,
                     std::vector<std::string>* unknown);

// Validation causes for obj (already pruned), in the order the apiserver reports them.
std::vector<StatusCause> ValidateAgainstSchema(const json::Value& schema, const json::Value& obj);

}  // namespace vaultsync::kubeemu
