// The HTTP server both emulators stand on. It turns cpprestsdk's listener into plain
// request/response structs so each emulator is a function of (request) -> response that
// unit tests can call in-process, and it owns what every emulator needs the same way:
// port 0 ("pick a free one"), the `listening on` line, streaming (chunked) bodies for
// watches, fault injection, request counters, a request log and an admission hook (overload
// protection) behind the `/__emulator/` control paths.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"  // for http::Headers and FindHeader
#include "util/clock.h"
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

// One injected fault. A request matches when every set criterion holds: method (empty =
// any), path prefix, path substring, User-Agent substring, and no excluded prefix.
//
// As JSON (POST /__emulator/faults), field names as here, e.g.
//   {"status":429,"retry_after_seconds":30,"exclude_path_prefix":["/apis/coordination.k8s.io/"]}
//   {"latency_ms":5000,"path_contains":"/leases/"}
//   {"status":503,"user_agent":"replica-b"}
struct FaultRule {
  std::string method;
  std::string path_prefix;
  // A request whose path starts with any of these is never faulted by this rule (JSON: a
  // list of strings, or one string).
  std::vector<std::string> exclude_path_prefix;
  std::string path_contains;             // only paths containing this substring
  std::string user_agent;                // only requests whose User-Agent contains this
  int status = 0;                        // answer this status instead (0 = let the request through)
  std::string body;                      // body for that answer (default: a generic error body)
  int retry_after_seconds = -1;          // add Retry-After when >= 0
  std::chrono::milliseconds latency{0};  // delay before handling ("latency_ms")
  double rate = 1.0;                     // probability that the rule applies to a matching request
  int remaining = -1;                    // apply this many times, then expire (-1 = forever)
  bool drop = false;                     // close the connection without an answer

  bool Matches(const ServerRequest& req) const;
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

// One handled request as the request log keeps it: never a body, a header value other
// than the User-Agent (only the other headers' names), or a secret-looking query value
// (see RedactQuery).
struct LoggedRequest {
  int64_t seq = 0;  // 1, 2, ... in the order the answers were decided
  TimePoint start;  // when the request was received
  TimePoint time;   // when its answer was decided (for a watch: when it started)
  std::string method, path, query;
  int status = 0;  // 0 = the connection was dropped by a fault
  std::string user_agent;
  std::string user;  // the authenticated user as the emulator saw it ("" = none)
  std::string count_key;
  std::vector<std::string> header_names;  // as sent (case kept), in order
};

// Thread-safe ring buffer of the last `capacity` handled requests.
class RequestLog {
 public:
  explicit RequestLog(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  // Assigns the next sequence number and appends (dropping the oldest entry when full).
  void Add(LoggedRequest entry);
  // Entries with seq > since, oldest first.
  std::vector<LoggedRequest> Since(int64_t since) const;
  // Forgets every entry; sequence numbers keep increasing.
  void Clear();

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  int64_t next_seq_ = 1;
  std::deque<LoggedRequest> entries_;
};

// The query string with the value of every parameter whose name contains "token",
// "secret" or "password" (any case) replaced by "REDACTED", so the request log never holds
// a credential (Vault's GET auth/token/lookup?token=...).
std::string RedactQuery(std::string_view query);

// What an emulator decides about a request before faults and its handler run
// (ServerOptions::admit).
struct Admission {
  std::string count_key;  // counted (and logged) under this key
  std::string user;       // the authenticated user, for the request log ("" = none)
  // When set, answered instead of running faults and the handler (overload protection);
  // the request is also counted under "<status> <count_key>".
  std::optional<ServerResponse> reject;
  // Added to the handler's answer and to `reject` (not to a fault's answer).
  Headers headers;
  // Whatever the request holds while it is handled (an in-flight seat); released once the
  // handler has produced its answer, before the answer is sent. May be null.
  std::shared_ptr<void> seat;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;              // 0 = pick a free port
  std::string tls_cert_pem;  // when set, serve https with this certificate...
  std::string tls_key_pem;   // ...and key
  // Maps a request to the key it is counted under (e.g. "GET secrets"); default: method + path.
  std::function<std::string(const ServerRequest&)> count_key;
  // When set, decides each request's count key, user, rejection and extra headers (and
  // replaces count_key).
  std::function<Admission(const ServerRequest&)> admit;
  // Entries the request log keeps.
  size_t request_log_capacity = 10000;
};

// Serves `handler` until Stop() or destruction. Control paths handled here, never passed
// to the handler:
//   POST   /__emulator/faults    body: one FaultRule as JSON (fields as above, latency in ms
//                                as "latency_ms") or {"rules":[...]}; appends
//   DELETE /__emulator/faults    clears all rules
//   GET    /__emulator/counters  {"counts":{"GET /v1/...":N,...},"total":N}
//   DELETE /__emulator/counters  resets them
//   GET    /__emulator/requests  [?since=SEQ] the request log, oldest first:
//            {"requests":[{"seq":1,"start_time":"RFC 3339, 9 digits","time":"...",
//              "method":"PUT","path":"/api/v1/...","query":"...","status":200,
//              "user_agent":"...","user":"...","count_key":"UPDATE secrets"},...]}
//   DELETE /__emulator/requests  clears the log (sequence numbers keep increasing)
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
  RequestLog& request_log() { return *log_; }

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
  std::unique_ptr<RequestLog> log_;
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
