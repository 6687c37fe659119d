// TokenReview over HTTP(S), the way Vault's kubernetes auth method calls the API server.
#include "token_reviewer.h"

#include <thread>

#include "http/transport.h"
#include "util/json.h"

namespace vaultsync::vaultemu {
namespace {

class HttpTokenReviewer final : public TokenReviewer {
 public:
  // Each review runs on a thread of its own that ends with it: OpenSSL keeps per-thread
  // state (error queue, DRBG) that it frees only when the thread exits, and the server's
  // pool threads never exit before the process does (LeakSanitizer reports that state).
  Result<TokenReviewResult> Review(const TokenReviewRequest& req) override {
    Result<TokenReviewResult> result = Internal("TokenReview did not run");
    std::thread worker([&] { result = DoReview(req); });
    worker.join();
    return result;
  }

 private:
  static Result<TokenReviewResult> DoReview(const TokenReviewRequest& req) {
    http::TransportConfig config;
    config.base_url = req.host;
    while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
    config.tls.ca_pem = req.ca_pem;
    config.timeout = std::chrono::seconds(10);
    config.user_agent = "Go-http-client/1.1";
    VS_ASSIGN_OR_RETURN(auto transport, http::NewTransport(config));

    std::string body =
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
        "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"token\":" +
        json::Quote(req.jwt);
    if (!req.audiences.empty()) {
      body += ",\"audiences\":[";
      for (size_t i = 0; i < req.audiences.size(); ++i) {
        if (i > 0) body += ",";
        body += json::Quote(req.audiences[i]);
      }
      body += "]";
    }
    body += "},\"status\":{\"user\":{}}}";

    http::Request r;
    r.method = "POST";
    r.target = "/apis/authentication.k8s.io/v1/tokenreviews";
    r.headers = {{"Authorization", "Bearer " + req.bearer},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/json"}};
    r.body = std::move(body);
    VS_ASSIGN_OR_RETURN(http::Response resp, transport->Send(r));
    if (resp.status == 401 || resp.status == 403) {
      return Status(StatusCode::kPermissionDenied,
                    "lookup failed: service account unauthorized; this could mean it has been "
                    "deleted or recreated with a new token");
    }
    if (resp.status < 200 || resp.status > 299) {
      return Internal("TokenReview answered HTTP " + std::to_string(resp.status));
    }
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    TokenReviewResult result;
    VS_ASSIGN_OR_RETURN(const json::Value* status, json::OptionalObject(doc, "status"));
    if (status == nullptr) return result;
    VS_ASSIGN_OR_RETURN(auto authenticated, json::OptionalBool(*status, "authenticated", "status"));
    VS_ASSIGN_OR_RETURN(auto error, json::OptionalString(*status, "error", "status"));
    result.authenticated = authenticated.value_or(false);
    if (error) result.error = std::string(*error);
    VS_ASSIGN_OR_RETURN(const json::Value* user, json::OptionalObject(*status, "user", "status"));
    if (user != nullptr) {
      VS_ASSIGN_OR_RETURN(auto username, json::OptionalString(*user, "username", "status.user"));
      VS_ASSIGN_OR_RETURN(auto uid, json::OptionalString(*user, "uid", "status.user"));
      if (username) result.username = std::string(*username);
      if (uid) result.uid = std::string(*uid);
    }
    return result;
  }
};

}  // namespace

std::unique_ptr<TokenReviewer> NewHttpTokenReviewer() {
  return std::make_unique<HttpTokenReviewer>();
}

}  // namespace vaultsync::vaultemu
