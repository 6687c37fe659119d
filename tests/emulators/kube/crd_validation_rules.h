// x-kubernetes-validations in CRD schemas, as a v1.26 apiserver (CRDValidationExpressions on
// by default) handles them: every rule must compile when the CRD is written (cel.h; a rule
// outside the emulator's CEL subset is refused, never ignored), and every rule of a schema
// node is evaluated against each custom object's value there, transition rules (oldSelf)
// only on updates of a value that existed before.
#pragma once

#include <vector>

#include "api_errors.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// Compilation failures of the rules in a CRD's version schemas, as 422 causes:
// spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule:
// Invalid value: apiextensions.ValidationRule{Rule:"...", Message:"..."}: compilation failed: ...
std::vector<StatusCause> CheckValidationRules(const json::Value& crd);

// The causes of failed rules for a custom object (`old` nullptr on create):
// "spec: Invalid value: \"object\": <message>" with the field path of the schema node that
// carries the rule. `schema_causes` are the structural validation causes already found: when
// one of them is a type or enum error the rules are not evaluated, as the apiserver reports.
std::vector<StatusCause> EvaluateValidationRules(const json::Value& schema, const json::Value& obj,
                                                 const json::Value* old,
                                                 const std::vector<StatusCause>& schema_causes);

}  // namespace vaultsync::kubeemu
