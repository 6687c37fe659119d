// A scripted http::Transport for unit tests of the REST client and the watch loop: each
// request takes the next scripted answer (a whole response, a streamed body in pieces, or
// a transport error) and is recorded for the test to inspect.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "http/transport.h"

namespace vaultsync::kube::testing {

struct ScriptedAnswer {
  int status = 200;
  http::Headers headers;
  std::string body;                 // for Send, and for Stream when status is not 2xx
  std::vector<std::string> pieces;  // for Stream with a 2xx status
  Status error;                     // when not OK: the transport fails with it
  Status error_after_pieces;        // Stream: fail with this after the pieces
};

class FakeTransport final : public http::Transport {
 public:
  void Push(ScriptedAnswer a) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.push_back(std::move(a));
  }
  void PushJson(int status, std::string body, http::Headers headers = {}) {
    ScriptedAnswer a;
    a.status = status;
    a.body = std::move(body);
    a.headers = std::move(headers);
    a.headers.emplace_back("Content-Type", "application/json");
    Push(std::move(a));
  }
  std::vector<http::Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t remaining() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_.size();
  }

  Result<http::Response> Send(const http::Request& req) override {
    ScriptedAnswer a = Next(req);
    if (!a.error.ok()) return a.error;
    return http::Response{a.status, a.headers, a.body};
  }

  Result<http::Response> Stream(const http::Request& req,
                                const std::function<bool(std::string_view)>& on_data,
                                const http::CancelFlag* cancel) override {
    ScriptedAnswer a = Next(req);
    if (!a.error.ok()) return a.error;
    if (a.status < 200 || a.status >= 300) return http::Response{a.status, a.headers, a.body};
    for (const auto& p : a.pieces) {
      if (cancel != nullptr && cancel->cancelled())
        return Status(StatusCode::kCancelled, "stream cancelled");
      if (!on_data(p)) break;
    }
    if (!a.error_after_pieces.ok()) return a.error_after_pieces;
    return http::Response{a.status, a.headers, ""};
  }

 private:
  ScriptedAnswer Next(const http::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
    if (answers_.empty()) {
      ScriptedAnswer a;
      a.error = Status(StatusCode::kUnavailable, "fake transport: no scripted answer left");
      return a;
    }
    ScriptedAnswer a = std::move(answers_.front());
    answers_.pop_front();
    return a;
  }

  mutable std::mutex mu_;
  std::deque<ScriptedAnswer> answers_;
  std::vector<http::Request> requests_;
};

}  // namespace vaultsync::kube::testing
