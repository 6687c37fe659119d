// The two listeners main() starts: /metrics on --metrics-bind-address and the probes on
// --health-probe-bind-address. Both accept the controller-runtime address forms
// (bind_address.h); "0" turns a server off.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/health.h"
#include "metrics/http_endpoint.h"
#include "util/status.h"

namespace vaultsync::metrics {

// Produces the exposition text for one scrape (OperatorMetrics::ExpositionText).
using RenderFn = std::function<std::string()>;

// The Prometheus text format's media type.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// The /metrics handler: GET (or HEAD) /metrics gives 200 with render()'s text; other paths
// 404, other methods 405.
EndpointResponse MetricsResponse(const EndpointRequest& req, const RenderFn& render);

// Starts serving /metrics. On success: the endpoint, or nullptr when `bind_address` is "0"
// or empty (disabled). InvalidArgument for a malformed address, Unavailable when the address
// cannot be bound. `render` must stay callable until the endpoint is stopped.
Result<std::unique_ptr<HttpEndpoint>> ServeMetrics(std::string_view bind_address, RenderFn render);

// Starts serving /healthz and /readyz from `probes`, which must outlive the endpoint. Same
// results as ServeMetrics.
Result<std::unique_ptr<HttpEndpoint>> ServeProbes(std::string_view bind_address,
                                                  const Probes& probes);

}  // namespace vaultsync::metrics
