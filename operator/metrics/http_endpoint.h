// A tiny HTTP server for the operator's own endpoints (/metrics, /healthz, /readyz) on
// cpprestsdk's http_listener, the project's one HTTP server library. It reduces a request to
// method, path and query and lets a plain function answer, so handlers are testable without
// a socket. cpprestsdk's tasks and exceptions stay inside http_endpoint.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/bind_address.h"
#include "util/status.h"

namespace vaultsync::metrics {

struct EndpointRequest {
  std::string method;  // "GET", ...
  std::string path;    // decoded, without the query
  std::string query;   // raw, without '?', still %-encoded

  // True when the query names `key` (with or without a value): "?verbose" has "verbose".
  bool HasParam(std::string_view key) const;
  // Every decoded value of `key`, in order ("?exclude=a&exclude=b" gives {"a","b"}).
  std::vector<std::string> Params(std::string_view key) const;
};

struct EndpointResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called on cpprestsdk's thread pool, possibly concurrently; must not throw (if it does, the
// client gets a 500).
using EndpointHandler = std::function<EndpointResponse(const EndpointRequest&)>;

// Serves one handler on one address until Stop() or destruction. Thread-safe.
class HttpEndpoint {
 public:
  // Listens on `address`. Port 0 picks a free port (retrying when another process takes it
  // first); port() then tells which. Unavailable, naming the address, when it cannot listen
  // (port taken, host not local).
  static Result<std::unique_ptr<HttpEndpoint>> Start(const BindAddress& address,
                                                     EndpointHandler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  int port() const { return port_; }
  // "http://host:port" as bound ("0.0.0.0" when listening on every interface).
  const std::string& url() const { return url_; }

  // Stops listening and waits for requests in flight. Idempotent.
  void Stop();

  struct Impl;  // cpprestsdk state; public only so http_endpoint.cpp can name it

 private:
  HttpEndpoint() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::string url_;
};

}  // namespace vaultsync::metrics
