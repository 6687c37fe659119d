// Loads one recorded kube-apiserver exchange from tests/kube/fixtures (see its README) so
// tests can replay the real server's answer through a FakeTransport.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "http/transport.h"

namespace vaultsync::kube::testing {

struct Recorded {
  std::string request_line;
  std::string request_body;
  http::Response response;
};

inline Recorded LoadRecorded(const std::string& file) {
  std::ifstream in(std::string(KUBE_FIXTURES_DIR) + "/" + file, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << file;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Recorded r;
  r.request_line = text.substr(0, text.find('\n'));
  size_t req_head_end = text.find("\n\n");
  size_t resp = text.find("\nHTTP/1.1 ", req_head_end);
  EXPECT_NE(resp, std::string::npos) << file;
  std::string req_body = text.substr(req_head_end + 2, resp - req_head_end - 2);
  while (!req_body.empty() && req_body.back() == '\n') req_body.pop_back();
  r.request_body = req_body;
  size_t status_end = text.find('\n', resp + 1);
  std::string status_line = text.substr(resp + 1, status_end - resp - 1);
  r.response.status = std::stoi(status_line.substr(9, 3));
  size_t head_end = text.find("\n\n", status_end);
  std::string headers = text.substr(status_end + 1, head_end - status_end - 1);
  std::istringstream hs(headers);
  for (std::string line; std::getline(hs, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    r.response.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  r.response.body = text.substr(head_end + 2);
  return r;
}

// Scripts the recorded answer: a plain response, or for a 2xx watch the body as one piece.
inline void PushRecorded(FakeTransport& t, const Recorded& r) {
  ScriptedAnswer a;
  a.status = r.response.status;
  a.headers = r.response.headers;
  a.body = r.response.body;
  if (r.response.status / 100 == 2) a.pieces.push_back(r.response.body);
  t.Push(std::move(a));
}

}  // namespace vaultsync::kube::testing
