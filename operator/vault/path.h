// Building Vault API paths from user input (mount names and secret paths) safely: the
// pieces are checked for traversal and percent-encoded, so a secret path can never reach a
// different API endpoint than the one the caller meant.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace vaultsync::vault {

// "secret", "/secret/", "team/kv" -> "secret", "secret", "team/kv". kInvalidArgument when
// empty, or when a segment is "." or "..".
Result<std::string> CleanMount(std::string_view mount);

// A secret path below a mount with leading and trailing '/' removed. kInvalidArgument when a
// segment is empty, "." or "..", or contains a control character. Empty is allowed (the
// mount root, for listing) only when `allow_empty`.
Result<std::string> CleanSecretPath(std::string_view path, bool allow_empty);

// Percent-encodes everything except unreserved characters (A-Z a-z 0-9 - . _ ~) and '/'.
std::string EscapePath(std::string_view path);

}  // namespace vaultsync::vault
