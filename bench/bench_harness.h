// The bench's process harness: starting the emulators and finding its sibling binaries,
// talking HTTP to the emulators (with bounded retries), and running setup requests in
// parallel.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/transport.h"
#include "process.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::bench {

using namespace std::chrono_literals;

class Api {
 public:
  static std::unique_ptr<Api> Connect(const std::string& url, http::Headers auth) {
    http::TransportConfig c;
    c.base_url = url;
    c.timeout = 60s;
    c.tls.skip_verify = true;  // the kube emulator's self-signed certificate
    c.user_agent = "vaultsync-scale-bench";
    auto t = http::NewTransport(c);
    if (!t.ok()) return nullptr;
    std::unique_ptr<Api> api(new Api());
    api->transport_ = std::move(*t);
    api->auth_ = std::move(auth);
    return api;
  }

  // Any HTTP answer; status 0 with the error text as body on a transport failure. Retries
  // (bounded) transport failures, 429 and 5xx.
  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::string& content_type = "application/json") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = auth_;
    r.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) r.headers.emplace_back("Content-Type", content_type);
    http::Response last;
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto resp = transport_->Send(r);
      if (!resp.ok()) {
        last = http::Response{0, {}, resp.status().ToString()};
      } else {
        last = *resp;
        if (last.status != 429 && last.status < 500) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    return last;
  }

  std::map<std::string, int64_t> Counters() {
    std::map<std::string, int64_t> out;
    auto resp = Call("GET", "/__emulator/counters");
    auto doc = json::Parse(resp.body);
    if (!doc.ok()) return out;
    const json::Value* counts = json::Find(*doc, "counts");
    if (counts == nullptr || !counts->IsObject()) return out;
    for (auto it = counts->MemberBegin(); it != counts->MemberEnd(); ++it) {
      if (it->value.IsInt64()) out[std::string(json::View(it->name))] = it->value.GetInt64();
    }
    return out;
  }
  bool ResetCounters() { return Call("DELETE", "/__emulator/counters").status == 200; }

  // One entry of the emulator's request log.
  struct LoggedRequest {
    int64_t seq = 0;
    std::string method, path;
    TimePoint time;  // when its answer was decided
    int status = 0;  // 0: no answer (dropped)
    std::string user_agent;
  };
  // The request log after sequence number `since`, oldest first (the emulator keeps its last
  // 10,000 entries); empty when unreadable.
  std::vector<LoggedRequest> Requests(int64_t since);
  // The sequence number of the newest entry of the request log (0 when empty).
  int64_t LastRequestSeq();

 private:
  Api() = default;
  std::unique_ptr<http::Transport> transport_;
  http::Headers auth_;
};

// Runs fn(0..count-1) on `workers` threads; returns how many calls returned false.
int RunParallel(int count, int workers, const std::function<bool(int)>& fn);

// The folder of the running executable (its sibling binaries live there).
std::string SelfDir();

// Starts an emulator on 127.0.0.1 and a free port; *url gets the address it prints.
Result<std::unique_ptr<testing::Process>> StartListening(const std::string& path,
                                                         const std::vector<std::string>& args,
                                                         std::string* url);

}  // namespace vaultsync::bench
