// Wiring of the /metrics and probe handlers onto HttpEndpoint.
#include "metrics/servers.h"

namespace vaultsync::metrics {

EndpointResponse MetricsResponse(const EndpointRequest& req, const RenderFn& render) {
  if (req.path != "/metrics") return {404, "text/plain; charset=utf-8", "404 page not found\n"};
  if (req.method != "GET" && req.method != "HEAD") {
    return {405, "text/plain; charset=utf-8", "method not allowed\n"};
  }
  return {200, kExpositionContentType, render()};
}

namespace {

Result<std::unique_ptr<HttpEndpoint>> Serve(std::string_view bind_address,
                                            EndpointHandler handler) {
  VS_ASSIGN_OR_RETURN(std::optional<BindAddress> address, ParseBindAddress(bind_address));
  if (!address) return std::unique_ptr<HttpEndpoint>();
  return HttpEndpoint::Start(*address, std::move(handler));
}

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> ServeMetrics(std::string_view bind_address, RenderFn render) {
  return Serve(bind_address, [render = std::move(render)](const EndpointRequest& req) {
    return MetricsResponse(req, render);
  });
}

Result<std::unique_ptr<HttpEndpoint>> ServeProbes(std::string_view bind_address,
                                                  const Probes& probes) {
  return Serve(bind_address, [&probes](const EndpointRequest& req) { return probes.Handle(req); });
}

}  // namespace vaultsync::metrics
