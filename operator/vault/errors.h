// Vault's error answers as Status values. Vault reports failures as an HTTP status plus a
// JSON body {"errors":[...]}; callers branch on the StatusCode (hvac's InvalidPath /
// Forbidden / VaultError distinction), humans read the message, which carries Vault's own
// words, the operation and the path — never a token or secret value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"
#include "util/status.h"
#include "vault/operation.h"

namespace vaultsync::vault {

// The Status for a non-2xx answer to `op` on `path` (the API path after /v1/):
//   400 "missing client token" -> kUnauthenticated
//   400 "check-and-set parameter did not match..." -> kConflict
//   other 400, 405 -> kInvalidArgument     403 -> kPermissionDenied    404 -> kNotFound
//   409 -> kConflict   412 -> kFailedPrecondition   429 -> kRateLimited (+ Retry-After)
//   500 -> kInternal   501, 502, 503 (sealed, standby), 504 -> kUnavailable
// Message: "<operation> <path>: <errors joined by '; '> (HTTP <status>)". http_status() is set.
Status ErrorFromResponse(Operation op, std::string_view path, const http::Response& resp);

// A transport failure (no answer) for `op` on `path`, keeping its code.
Status ErrorFromTransport(Operation op, std::string_view path, const Status& transport_error);

// Vault's `errors` array joined with "; "; empty when the body has none or is not JSON.
std::string JoinedErrors(std::string_view body);

// True for the failures worth another attempt: no answer at all (connection refused or
// reset, timeout) and HTTP 429, 500, 502, 503, 504. Never for any other 4xx.
bool IsRetryable(const Status& status);

}  // namespace vaultsync::vault
