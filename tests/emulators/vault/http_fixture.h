// Reads the recorded exchanges of tests/fixtures/vault-1.8 (one `.http` file per call:
// request line, headers, blank line, body, blank line, then the response status line,
// headers, blank line and the body exactly as received). Test-only.
#pragma once

#include <string>
#include <vector>

#include "http/transport.h"
#include "util/status.h"

namespace vaultsync::vaultemu::testing {

struct HttpExchange {
  std::string name;    // file name, e.g. "010-kv2-write.http"
  std::string method;  // "GET", "LIST", ...
  std::string target;  // "/v1/secret/data/app/db?version=1"
  http::Headers request_headers;
  std::string request_body;
  int status = 0;
  http::Headers response_headers;
  std::string response_body;  // byte-exact, trailing newline included when there was one
};

// Parses one file's text; fails with kInvalidArgument naming what is malformed.
Result<HttpExchange> ParseHttpExchange(const std::string& name, const std::string& text);

// All `*.http` files of `dir`, in file-name (= recording) order.
Result<std::vector<HttpExchange>> LoadHttpExchanges(const std::string& dir);

}  // namespace vaultsync::vaultemu::testing
