// The HTTP boundary. The Vault and Kubernetes clients speak to their servers only through
// Transport, so (a) cpprestsdk's tasks and exceptions stay behind this interface, and
// (b) every client can be unit-tested with a scripted fake instead of a network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "util/status.h"

namespace vaultsync::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; empty when absent.
std::string_view FindHeader(const Headers& headers, std::string_view name);

// Lets another thread stop a Stream() (shutdown, informer restart). Thread-safe.
class CancelFlag {
 public:
  // Sets the flag and runs the registered callbacks (once).
  void Cancel();
  bool cancelled() const { return cancelled_; }
  // Runs `fn` on Cancel(), or at once when already cancelled. Returns an id for Unregister.
  int Register(std::function<void()> fn);
  // After Unregister returns the callback is not running and will not run, so whatever it
  // refers to may be destroyed (it waits for a Cancel() on another thread that already took
  // the callback to finish running it).
  void Unregister(int id);
  // Waits `d`, or less when Cancel() comes first. Returns false when cancelled (before or
  // meanwhile): the one way a throttle or backoff waits, so shutdown never waits it out.
  bool WaitFor(std::chrono::nanoseconds d) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable woken_;  // notified by Cancel()
  std::condition_variable ran_;
  bool running_ = false;  // Cancel() is running callbacks it took from callbacks_
  std::thread::id runner_;
  int next_id_ = 0;
  std::vector<std::pair<int, std::function<void()>>> callbacks_;
};

struct TlsConfig {
  std::string ca_pem;           // the only trusted CA certificates (PEM); empty = system roots
  std::string server_name;      // SNI and name to verify; empty = the URL's host
  bool skip_verify = false;     // accept any certificate (test setups only)
  std::string client_cert_pem;  // client certificate chain for mutual TLS (kubeconfig)
  std::string client_key_pem;
};

struct TransportConfig {
  std::string base_url;  // scheme://host[:port], no trailing path
  TlsConfig tls;
  std::chrono::milliseconds timeout{30000};  // per request, unless the request says otherwise
  std::string user_agent = "vaultsync";
  // When set and cancelled, every request in flight on this transport ends at once with
  // kCancelled and new ones are refused (shutdown, lost leadership). Not owned.
  const CancelFlag* cancel = nullptr;
};

struct Request {
  std::string method = "GET";  // any verb, including Vault's LIST
  std::string target;          // path and query, already escaped: "/v1/secret/data/a?version=2"
  Headers headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;
  // When set and cancelled, this request ends at once with kCancelled (besides the
  // transport's own flag): clients sharing one transport can be stopped apart. Not owned.
  const CancelFlag* cancel = nullptr;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

// Thread-safe: concurrent Send/Stream calls share pooled keep-alive connections.
class Transport {
 public:
  virtual ~Transport() = default;

  // Sends one request and reads the whole body. Any HTTP status is a successful Response;
  // the error results are for transport failures only: kUnavailable (connect refused,
  // reset, TLS handshake or verification failure, each message saying which),
  // kDeadlineExceeded (timeout), kCancelled (the transport's cancel flag fired).
  virtual Result<Response> Send(const Request& req) = 0;

  // Sends a request whose body is a long-lived stream (a Kubernetes watch). `on_data` gets
  // each piece of body as it arrives and returns false to stop reading. Returns the
  // response (status and headers; body empty unless the status was not 2xx, in which case
  // the whole body is read into it and on_data is not called) when the stream ends, or an
  // error as for Send. `cancel`, when set, ends the stream promptly with kCancelled.
  // The request timeout bounds the time without any data, not the stream's length.
  virtual Result<Response> Stream(const Request& req,
                                  const std::function<bool(std::string_view)>& on_data,
                                  const CancelFlag* cancel) = 0;
};

// True for a transport failure of the TLS handshake (an untrusted or mismatched server
// certificate, a protocol error): callers add a hint about CAs, and credential caches take
// it as a reason to re-read a CA that may have been rotated.
bool IsTlsFailure(const Status& status);

// The real transport over cpprestsdk. Fails with kInvalidArgument on a bad URL or CA.
Result<std::unique_ptr<Transport>> NewTransport(const TransportConfig& config);

// Sizes the thread pool that runs every cpprestsdk connection's I/O (clients and servers
// alike). Call once, before the first transport or server exists; later calls do nothing.
// cpprestsdk's default of 40 threads is sized for a desktop app; the operator's I/O needs a
// few, since no request blocks a pool thread (callers wait on their own threads).
void ConfigureIoThreads(size_t threads);

}  // namespace vaultsync::http
