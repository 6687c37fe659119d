// YAML manifests (crds/, samples) as JSON for tests that POST them to the API emulator.
// Plain scalars get YAML 1.2 core-schema types (true/false, null, integers, floats); quoted
// scalars stay strings, as kubectl's conversion does.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace vaultsync::testing {

// Every document of a (multi-document) YAML file as compact JSON.
Result<std::vector<std::string>> YamlFileToJson(const std::string& path);
Result<std::vector<std::string>> YamlToJson(const std::string& yaml_text);

}  // namespace vaultsync::testing
