// Parser of recorded .http exchanges.
#include "http_fixture.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vaultsync::vaultemu::testing {
namespace {

http::Headers ParseHeaders(std::string_view block) {
  http::Headers headers;
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find('\n', start);
    std::string_view line = block.substr(start, end == std::string_view::npos ? end : end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return headers;
}

}  // namespace

Result<HttpExchange> ParseHttpExchange(const std::string& name, const std::string& text) {
  HttpExchange x;
  x.name = name;
  size_t resp = text.find("\nHTTP/1.1 ");
  if (resp == std::string::npos) return InvalidArgument(name + ": no response status line");
  std::string_view request = std::string_view(text).substr(0, resp);
  std::string_view response = std::string_view(text).substr(resp + 1);

  size_t line_end = request.find('\n');
  std::string_view request_line = request.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1) return InvalidArgument(name + ": request line");
  x.method = std::string(request_line.substr(0, sp1));
  x.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view rest = line_end == std::string_view::npos ? "" : request.substr(line_end + 1);
  size_t blank = rest.find("\n\n");
  if (blank == std::string_view::npos) {
    // No body: headers, then the single blank line before the response.
    if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
    x.request_headers = ParseHeaders(rest);
  } else {
    x.request_headers = ParseHeaders(rest.substr(0, blank));
    std::string_view body = rest.substr(blank + 2);
    if (!body.empty() && body.back() == '\n') body.remove_suffix(1);  // the separator line
    x.request_body = std::string(body);
  }

  size_t status_end = response.find('\n');
  std::string_view status_line = response.substr(0, status_end);
  try {
    x.status = std::stoi(std::string(status_line.substr(9, 3)));
  } catch (...) {
    return InvalidArgument(name + ": response status line");
  }
  std::string_view after =
      status_end == std::string_view::npos ? "" : response.substr(status_end + 1);
  size_t head_end = after.find("\n\n");
  if (head_end == std::string_view::npos) {
    x.response_headers = ParseHeaders(after);
  } else {
    x.response_headers = ParseHeaders(after.substr(0, head_end));
    x.response_body = std::string(after.substr(head_end + 2));
  }
  return x;
}

Result<std::vector<HttpExchange>> LoadHttpExchanges(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".http") files.push_back(entry.path().filename().string());
  }
  if (ec) return NotFound("cannot read " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<HttpExchange> out;
  for (const auto& f : files) {
    std::ifstream in(dir + "/" + f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    VS_ASSIGN_OR_RETURN(HttpExchange x, ParseHttpExchange(f, ss.str()));
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace vaultsync::vaultemu::testing
