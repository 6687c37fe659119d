// The Client over HTTP: builds apiserver URLs and bodies, authenticates with the bearer
// token (re-read when its file rotates), optionally throttles like client-go's flowcontrol
// (token bucket qps/burst; qps 0 = none, controller-runtime's default), maps error answers
// to Status values (a 429 or 5xx keeps the server's Retry-After in the Status), and reports
// every request to the metrics hooks. By default it never waits out a Retry-After itself:
// the caller (a reconcile) turns it into "requeue after D", so no worker sleeps.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/token_bucket.h"
#include "kube/token_source.h"
#include "metrics/hooks.h"

namespace vaultsync::kube {

struct RestClientOptions {
  metrics::RestClientHooks* hooks = nullptr;  // optional
  // Retries, inside one call, of a request answered 429 (or 500-504) with Retry-After
  // (client-go does 10). 0: none — the error goes back to the caller at once with
  // Status::retry_after_seconds set, which is what reconcilers want.
  int max_retries = 0;
  // A Retry-After longer than this is waited this long.
  std::chrono::seconds max_retry_wait{60};
  std::chrono::milliseconds token_recheck{5000};
  const Clock* clock = &SystemClock::Instance();
  // Ends every wait (throttle, Retry-After) and every request in flight at once when
  // cancelled: the call then fails with kCancelled. Not owned; may be null.
  const http::CancelFlag* cancel = nullptr;
  // How the client waits; tests substitute a recorder. Default: a wait on `cancel`.
  std::function<void(std::chrono::nanoseconds)> sleep;
};

// Thread-safe.
class RestClient final : public Client {
 public:
  // `transport` talks to config.server's scheme://host:port (its base URL); a path in
  // config.server is prefixed to every request.
  RestClient(std::shared_ptr<http::Transport> transport, const Config& config,
             RestClientOptions options = {});

  Result<json::Document> Get(const ResourceType& rt, std::string_view ns, std::string_view name,
                             std::string_view subresource = "") override;
  Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                              const ListOptions& opts = {}) override;
  Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> Update(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> Patch(const ResourceType& rt, std::string_view ns, std::string_view name,
                               PatchType type, std::string_view patch,
                               const PatchOptions& opts = {}) override;
  Status Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                const DeleteOptions& opts = {}) override;
  Result<TokenResult> CreateToken(std::string_view ns, std::string_view service_account,
                                  const TokenRequestOptions& opts) override;
  Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
               const WatchHandler& handler, const http::CancelFlag* cancel) override;

 private:
  // Sends with throttling, auth, Retry-After retries and metrics. Any HTTP status is a
  // Response; errors are transport failures or an unreadable token.
  Result<http::Response> Do(std::string method, std::string target, std::string body,
                            std::string_view content_type);
  Result<json::Document> DoObject(std::string method, std::string target, std::string body,
                                  std::string_view content_type);
  Result<json::Document> Put(const ResourceType& rt, const json::Value& obj,
                             std::string_view subresource);
  Status Authorize(http::Request& req);
  // The Status of a non-2xx answer (api_error.h), without our bearer token: the apiserver
  // never echoes it, but a proxy or webhook in between might, and messages reach logs,
  // Events and conditions.
  Status Refusal(const http::Response& resp);
  Status WithoutToken(Status st);
  // Waits for the token bucket (if any). kCancelled when `cancel` fired.
  Status Throttle();
  Status Wait(std::chrono::nanoseconds d);
  void Observe(std::string_view code, std::string_view method);

  std::shared_ptr<http::Transport> transport_;
  RestClientOptions options_;
  std::string prefix_;  // path part of config.server, without a trailing '/'
  std::string host_;    // host:port, the metrics label
  TokenSource token_;
  TokenBucket bucket_;
  std::chrono::milliseconds timeout_;
};

// Builds the real transport for `config` and a RestClient over it. Fails with
// kInvalidArgument on a bad server URL or TLS material.
Result<std::unique_ptr<RestClient>> NewRestClient(const Config& config,
                                                  RestClientOptions options = {});

// scheme://host[:port] and the path prefix of a server URL ("https://h/k8s/x" →
// {"https://h", "/k8s/x"}).
std::pair<std::string, std::string> SplitServerUrl(std::string_view server);

}  // namespace vaultsync::kube
