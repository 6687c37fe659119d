// Turning apiserver error answers into Status values. The apiserver explains every failure
// with a meta/v1 Status object (code, reason, message, details.causes); the reconciler
// branches on the StatusCode and shows the message, so both come from here.
#pragma once

#include <string_view>

#include "http/transport.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kube {

// Maps a non-2xx answer to a Status:
//   400 BadRequest → kInvalidArgument      401 → kUnauthenticated   403 → kPermissionDenied
//   404 → kNotFound                         409 AlreadyExists → kAlreadyExists
//   409 (Conflict, anything else) → kConflict                        410 → kGone
//   422 Invalid → kInvalidArgument (the causes are in the message)   429 → kRateLimited
//   500 → kInternal    504 / reason Timeout → kDeadlineExceeded    other 5xx → kUnavailable
//   other 4xx → kInvalidArgument
// The message is "<Reason>: <server message>" (plus causes the message does not already
// name). A Retry-After header or details.retryAfterSeconds sets retry_after_seconds.
// http_status() is the HTTP status. A body that is not a Status object is summarised
// without echoing it at length.
Status StatusFromResponse(const http::Response& resp);

// Same for a Status object received some other way (a watch ERROR event). `http_status` is
// the Status's own `code` when present.
Status StatusFromStatusObject(const json::Value& status, int fallback_http_status);

}  // namespace vaultsync::kube
