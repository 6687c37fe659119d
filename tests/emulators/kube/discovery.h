// Discovery answers: /version, /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>,
// built from the type registry so a CRD's group shows up as soon as it is created. v1.26 has
// no aggregated discovery: every Accept gets the plain documents, and kubectl falls back.
#pragma once

#include <optional>
#include <string>

#include "resource_types.h"

namespace vaultsync::kubeemu {

std::string VersionJson();
// `server_address` is HOST:PORT as the client reached us.
std::string ApiVersionsJson(const std::string& server_address);
std::string ApiGroupListJson(const TypeRegistry& registry);
// nullopt when the group is not served.
std::optional<std::string> ApiGroupJson(const TypeRegistry& registry, const std::string& group);
std::optional<std::string> ResourceListJson(const TypeRegistry& registry, const std::string& group,
                                            const std::string& version);

// The storageVersionHash the apiserver publishes: base64(sha256("group/version/kind")[:8]).
std::string StorageVersionHash(const std::string& group, const std::string& version,
                               const std::string& kind);

}  // namespace vaultsync::kubeemu
