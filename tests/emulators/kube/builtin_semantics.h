// Per-kind rules of the built-in types that the real apiserver applies on write: decoding
// checks that fail with 400 (Secret data must be base64, Lease MicroTime needs 6 fraction
// digits), defaults (Secret type, Deployment strategy and pod template defaults, Namespace
// label/finalizer/phase), name validation (422 with the exact RFC 1123 messages), immutable
// fields, the field selectors each type supports, and the member order of its JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api_errors.h"
#include "resource_types.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

// Decoding checks (before defaulting). Returns a 400 message or nullopt.
std::optional<ApiError> CheckDecodable(const ResourceType& t, const json::Value& obj);

// Top-level members of a built-in object that its Go type does not have (they are dropped,
// with a warning, or rejected under fieldValidation=Strict).
std::vector<std::string> UnknownBuiltinFields(const ResourceType& t, const json::Value& obj);

// Defaults applied on every write (create and update), in place. Folds Secret stringData.
void ApplyBuiltinDefaults(const ResourceType& t, json::Document& obj);

// Validation causes for a create (old == nullptr) or update of a built-in object.
std::vector<StatusCause> ValidateBuiltin(const ResourceType& t, const json::Value& obj,
                                         const json::Value* old);

// Name validation shared by all types (RFC 1123 subdomain, or label for namespaces).
std::vector<StatusCause> ValidateObjectName(const ResourceType& t, const json::Value& obj);

// Field selector paths beyond metadata.name/namespace this type accepts.
std::vector<std::string> SupportedFieldSelectors(const ResourceType& t);

// Puts the members of a built-in object in the order the apiserver writes them (struct field
// order; map-typed fields sorted by key).
void CanonicalizeBuiltin(const ResourceType& t, json::Document& obj);
// Same for metadata of any object.
void CanonicalizeMetadata(json::Value& metadata, json::Allocator& a);

// Go's base64.StdEncoding check: the offset of the first illegal byte, or -1 when valid.
int Base64ErrorOffset(std::string_view s);

}  // namespace vaultsync::kubeemu
