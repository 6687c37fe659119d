// Parser for recorded .http exchanges.
#include "fixture_file.h"

#include "object_json.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vaultsync::kubeemu::testing {
namespace {

// Reads "Name: value" lines from pos up to an empty line; returns the position after it.
size_t ReadHeaders(const std::string& text, size_t pos, http::Headers* out) {
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    out->emplace_back(line.substr(0, colon), value);
  }
  return pos;
}

}  // namespace

Result<HttpExchange> ParseHttpExchange(const std::string& text, const std::string& file) {
  HttpExchange ex;
  ex.file = file;
  size_t start = 0;
  while (text.compare(start, 2, "# ") == 0) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) return InvalidArgument(file + ": only a comment");
    ex.comment += (ex.comment.empty() ? "" : "\n") + text.substr(start + 2, end - start - 2);
    start = end + 1;
  }
  size_t eol = text.find('\n', start);
  std::istringstream request_line(text.substr(start, eol - start));
  std::string version;
  request_line >> ex.method >> ex.target >> version;
  if (ex.method.empty() || ex.target.empty() || version != "HTTP/1.1") {
    return InvalidArgument(file + ": no request line");
  }
  size_t pos = ReadHeaders(text, eol + 1, &ex.request_headers);
  size_t resp = text.find("HTTP/1.1 ", pos);
  if (resp == std::string::npos) return InvalidArgument(file + ": no response");
  if (resp > pos) {
    // Body, then a blank line before the status line.
    ex.request_body = text.substr(pos, resp - pos);
    while (!ex.request_body.empty() && ex.request_body.back() == '\n') ex.request_body.pop_back();
  }
  size_t status_eol = text.find('\n', resp);
  std::string status_line = text.substr(resp, status_eol - resp);
  std::optional<int64_t> code =
      status_line.size() >= 12 ? ParseInt(status_line.substr(9, 3)) : std::nullopt;
  if (!code) return InvalidArgument(file + ": bad status line");
  ex.status = static_cast<int>(*code);
  pos = ReadHeaders(text, status_eol + 1, &ex.response_headers);
  ex.response_body = pos < text.size() ? text.substr(pos) : "";
  return ex;
}

Result<std::vector<HttpExchange>> LoadExchanges(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".http") files.push_back(entry.path().string());
  }
  if (ec) return InvalidArgument("cannot read " + dir);
  std::sort(files.begin(), files.end());
  std::vector<HttpExchange> out;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    VS_ASSIGN_OR_RETURN(
        HttpExchange ex,
        ParseHttpExchange(ss.str(), std::filesystem::path(path).filename().string()));
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace vaultsync::kubeemu::testing
