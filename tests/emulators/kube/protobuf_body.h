// Request bodies in the Kubernetes protobuf encoding (`Content-Type:
// application/vnd.kubernetes.protobuf`), which kubectl's typed commands send (`kubectl create
// namespace|secret|configmap|serviceaccount|token`, `kubectl auth can-i`). The emulator stores
// JSON, so these few kinds are decoded into their JSON form; other kinds are refused with 415.
#pragma once

#include <string_view>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kubeemu {

constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";

// Decodes the "k8s\0" envelope and the object inside. kUnimplemented-style failures are
// kInvalidArgument with a message naming the kind that is not supported.
Result<json::Document> DecodeProtobufObject(std::string_view body);

}  // namespace vaultsync::kubeemu
