// The --metrics-bind-address / --health-probe-bind-address syntax, as controller-runtime
// reads it: "0" (or empty) turns the server off, ":8080" listens on every interface,
// "host:port" on one address ("[::1]:8080" for IPv6), and port 0 picks a free port
// (tests use "127.0.0.1:0").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vaultsync::metrics {

struct BindAddress {
  std::string host;  // "0.0.0.0" for ":port"; IPv6 literals without brackets
  int port = 0;      // 0 = pick a free port when listening

  // "http://host:port" with brackets around IPv6 literals.
  std::string Url() const;
};

// nullopt for "0" and "" (server disabled); InvalidArgument (naming the flag value) for
// anything that is not [host]:port with a port in 0..65535.
Result<std::optional<BindAddress>> ParseBindAddress(std::string_view text);

// A TCP port that was free on `host` a moment ago: binds port 0, reads the port the kernel
// chose, closes the socket. Another process may take it before we listen again, so callers
// retry on a bind failure. Unavailable when the host cannot be resolved or bound.
Result<int> PickFreePort(const std::string& host);

}  // namespace vaultsync::metrics
