// The built-in APIResourceList documents the emulator serves (see builtin_discovery.cpp).
#pragma once

#include <string_view>
#include <vector>

namespace vaultsync::kubeemu {

// APIResourceList JSON documents, in /apis discovery order (core v1 first).
const std::vector<std::string_view>& BuiltinResourceLists();

}  // namespace vaultsync::kubeemu
