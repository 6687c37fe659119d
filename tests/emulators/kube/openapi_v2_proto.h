// The protobuf form of /openapi/v2 (gnostic's openapi.v2.Document, OpenAPIv2.proto), which
// the apiserver answers when asked for application/com.github.proto-openapi.spec.v2...+protobuf
// and which kubectl up to 1.26 asks for and decodes as protobuf only (kubectl 1.20 needs it
// for explain, client-side validation and the dry-run support check).
#pragma once

#include <string>

#include "util/json.h"

namespace vaultsync::kubeemu {

// Encodes a swagger 2.0 JSON document (as openapi_docs.h builds it: inline parameters,
// schemas with the members Kubernetes uses) in gnostic's wire format. Vendor extensions and
// `default`/`enum`/`example` values travel as YAML text, as gnostic carries them.
std::string EncodeOpenApiV2Proto(const json::Value& swagger);

}  // namespace vaultsync::kubeemu
