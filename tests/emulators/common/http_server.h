// The HTTP server both emulators stand on. It turns cpprestsdk's listener into plain
// request/response structs so each emulator is a function of (request) -> response that
// unit tests can call in-process, and it owns what every emulator needs the same way:
// port 0 ("pick a free one"), the `listening on` line, streaming (chunked) bodies for
// watches, fault injection and request counters behind the `/__emulator/` control paths.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"  // for http::Headers and FindHeader
#include "util/status.h"

namespace vaultsync::emu {

using http::Headers;

struct ServerRequest {
  std::string method;  // upper case, as sent ("GET", "LIST", ...)
  std::string path;    // decoded path, without the query
  std::string query;   // raw query string without '?', still %-encoded
  Headers headers;
  std::string body;

  std::string_view Header(std::string_view name) const { return http::FindHeader(headers, name); }
  // Decoded value of a query parameter; empty when absent. `present` tells them apart.
  std::string Query(std::string_view key, bool* present = nullptr) const;
};

// Where a streaming handler writes its body. Write returns false once the server is
// stopping; the handler should then return promptly.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual bool Write(std::string_view chunk) = 0;
  virtual bool stopping() const = 0;
};

struct ServerResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body is produced by this function on its own thread and sent chunked
  // (Transfer-Encoding: chunked) as it is written; `body` is ignored.
  std::function<void(StreamWriter&)> stream;
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

// One injected fault. Matched against requests by method (empty = any) and path prefix.
struct FaultRule {
  std::string method;
  std::string path_prefix;
  int status = 0;                        // answer this status instead (0 = let the request through)
  std::string body;                      // body for that answer (default: a generic error body)
  int retry_after_seconds = -1;          // add Retry-After when >= 0
  std::chrono::milliseconds latency{0};  // delay before handling
  double rate = 1.0;                     // probability that the rule applies to a matching request
  int remaining = -1;                    // apply this many times, then expire (-1 = forever)
  bool drop = false;                     // close the connection without an answer
};

// Thread-safe counters of handled requests keyed "METHOD path-key".
class RequestCounters {
 public:
  void Add(const std::string& key);
  std::map<std::string, int64_t> Snapshot() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> counts_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;              // 0 = pick a free port
  std::string tls_cert_pem;  // when set, serve https with this certificate...
  std::string tls_key_pem;   // ...and key
  // Maps a request to the key it is counted under (e.g. "GET secrets"); default: method + path.
  std::function<std::string(const ServerRequest&)> count_key;
};

// Serves `handler` until Stop() or destruction. Control paths handled here, never passed
// to the handler:
//   POST   /__emulator/faults    body: one FaultRule as JSON (fields as above, latency in ms
//                                as "latency_ms") or {"rules":[...]}; appends
//   DELETE /__emulator/faults    clears all rules
//   GET    /__emulator/counters  {"counts":{"GET /v1/...":N,...},"total":N}
//   DELETE /__emulator/counters  resets them
// Extra control paths can be added by the emulator with AddControl.
class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, Handler handler);
  ~HttpServer();

  // "http://127.0.0.1:PORT" (or https).
  const std::string& url() const { return url_; }
  int port() const { return port_; }

  // Adds a control path under /__emulator/ (e.g. "time"); the handler gets the request.
  void AddControl(const std::string& name, Handler handler);
  void AddFault(FaultRule rule);
  void ClearFaults();
  // Replaces the serving certificate of an https server: connections accepted from now on
  // use it, open ones keep theirs, nothing else is touched. Fails with kInvalidArgument
  // (leaving the old certificate) when the pair does not load or the key does not match,
  // and with kFailedPrecondition on a plain-http server.
  Status SetTlsCertificate(const std::string& cert_pem, const std::string& key_pem);
  RequestCounters& counters() { return counters_; }

  // Stops accepting, ends open streams, waits for their threads.
  void Stop();

  // Called by the listener glue; public for that reason only.
  struct Impl;

 private:
  HttpServer() = default;
  std::unique_ptr<Impl> impl_;
  std::string url_;
  int port_ = 0;
  RequestCounters counters_;
};

// Picks a free TCP port on host by binding port 0 and closing the socket again.
Result<int> PickFreePort(const std::string& host);

// For emulator mains: parses "HOST:PORT" (from --listen).
Result<std::pair<std::string, int>> ParseListen(std::string_view listen);

// Emulator mains call BlockTerminationSignals() first thing (before any thread starts, so
// every thread inherits the mask), start their server, then WaitForTerminationSignal().
void BlockTerminationSignals();
// Blocks until SIGINT or SIGTERM.
void WaitForTerminationSignal();

}  // namespace vaultsync::emu
