// The three PATCH content types the apiserver accepts from clients: JSON merge patch
// (RFC 7386), JSON patch (RFC 6902, including `test`), and strategic merge patch (merge
// patch whose lists of keyed items merge by key, with `$patch`/`$setElementOrder`
// directives), enough for kubectl apply and client-go's Event and rollout patches.
#pragma once

#include <optional>
#include <string>

#include "api_errors.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kubeemu {

// Applies patch to target in place (target's allocator owns the result).
void ApplyMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a);

// Failure kinds of a JSON patch: decoding (400) or application (422 generic).
enum class JsonPatchError { kNone, kDecode, kApply };
JsonPatchError ApplyJsonPatch(json::Document& target, const json::Value& ops, std::string* error);

// Strategic merge patch. `kind` selects the merge keys of known list fields (containers by
// name, ownerReferences by uid, ...); unknown lists are replaced as merge patch does.
Status ApplyStrategicMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a);

// Applies a PATCH request body of media type `content_type` (merge, JSON or strategic merge
// patch; strategic merge only for built-in kinds) to `target`, answering as the apiserver's
// patch handler fails: 400 for an undecodable patch, 422 for a JSON patch that cannot apply,
// 415 for another media type. Server-side apply is not handled here.
std::optional<ApiError> ApplyPatchRequest(const std::string& content_type, const std::string& body,
                                          bool custom, json::Document& target);

}  // namespace vaultsync::kubeemu
