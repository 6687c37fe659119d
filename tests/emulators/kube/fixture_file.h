// Reads the recorded exchanges in tests/fixtures/kube-apiserver-1.26 (`NNN-what.http`: request
// line, headers, blank line, optional body and blank line, response status line, headers,
// blank line, body to end of file) so the contract test can replay them. Leading lines that
// start with "# " are a comment: files reconstructed from the apiserver's source rather than
// recorded say so there.
#pragma once

#include <string>
#include <vector>

#include "http/transport.h"
#include "util/status.h"

namespace vaultsync::kubeemu::testing {

struct HttpExchange {
  std::string file;     // base name, e.g. "013-secret-create.http"
  std::string comment;  // the leading "# " lines, without the "# "
  std::string method;
  std::string target;  // path and query as sent
  http::Headers request_headers;
  std::string request_body;
  int status = 0;
  http::Headers response_headers;
  std::string response_body;
};

// Parses one file's text; kInvalidArgument naming `file` when it does not have that shape.
Result<HttpExchange> ParseHttpExchange(const std::string& text, const std::string& file);

// Every *.http file of `dir`, in file-name order.
Result<std::vector<HttpExchange>> LoadExchanges(const std::string& dir);

}  // namespace vaultsync::kubeemu::testing
