// Fuzz target: what the Kubernetes client makes of the API server's answers — kube/rest_client
// (objects, lists, TokenRequest status, watch streams) and kube/api_error (Status bodies,
// Retry-After). A RestClient runs one call over a transport that answers with the fuzzed
// status, header and body. Input: a byte for the call, one for the HTTP status, one for the
// Retry-After header, one for where a watch stream is cut, then the body.
// Invariants: no crash; a 2xx answer never becomes an error code reserved for refusals and a
// non-2xx answer never succeeds; Retry-After is never negative; the bearer token never
// appears in an error message.
#include <memory>

#include "fuzz_support.h"
#include "kube/api_error.h"
#include "kube/rest_client.h"

namespace {

using namespace vaultsync;

constexpr const char* kToken = "kube-TOKEN-CANARY-4f1e";

class FuzzTransport final : public http::Transport {
 public:
  explicit FuzzTransport(http::Response answer, size_t cut)
      : answer_(std::move(answer)), cut_(cut) {}
  Result<http::Response> Send(const http::Request&) override { return answer_; }
  Result<http::Response> Stream(const http::Request&,
                                const std::function<bool(std::string_view)>& on_data,
                                const http::CancelFlag*) override {
    if (answer_.status < 200 || answer_.status >= 300) return answer_;
    std::string_view body = answer_.body;
    for (size_t at = 0; at < body.size(); at += cut_) {
      if (!on_data(body.substr(at, cut_))) break;
    }
    return http::Response{answer_.status, answer_.headers, ""};
  }

 private:
  http::Response answer_;
  size_t cut_;
};

json::Document Obj(std::string_view text) {
  auto d = json::Parse(text);
  FUZZ_CHECK(d.ok(), "bad built-in object");
  return std::move(d).value();
}

// `stream`: a watch, whose 2xx body may carry an ERROR event (410 Expired...) that is a
// refusal with its own code.
// `direct`: the mapping called on its own, which quotes the server's words as they are (the
// RestClient, which knows the token, redacts it).
void CheckStatus(const Status& st, int http_status, bool stream = false, bool direct = false) {
  if (!direct) {
    FUZZ_CHECK(!fuzz::Contains(st.message(), kToken), "an error message shows the bearer token");
  }
  if (auto ra = st.retry_after_seconds()) FUZZ_CHECK(*ra >= 0, "negative Retry-After");
  if (st.ok()) return;
  const bool success = http_status >= 200 && http_status < 300;
  if (success && !stream) {
    // A 2xx whose body we cannot use is the server's fault, never a refusal of ours.
    FUZZ_CHECK(st.code() == StatusCode::kInternal || st.code() == StatusCode::kInvalidArgument,
               "a 2xx answer became a refusal");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int kStatuses[] = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409,
                                  410, 415, 422, 429, 500, 502, 503, 504, 302, 999};
  static const char* kRetryAfter[] = {
      nullptr, "1", "0", "-5", "abc", "99999999999", " 7 ", "Wed, 21 Oct 2015 07:28:00 GMT"};
  fuzz::FuzzInput in(data, size);
  const size_t op = in.Pick(9);
  http::Response answer;
  answer.status = in.PickFrom(kStatuses);
  const char* retry_after = in.PickFrom(kRetryAfter);
  const size_t cut = 1 + in.Pick(32);
  answer.headers.emplace_back("Content-Type", "application/json");
  if (retry_after != nullptr) answer.headers.emplace_back("Retry-After", retry_after);
  answer.body = std::string(in.Rest());

  const bool success = answer.status >= 200 && answer.status < 300;
  // Straight through the mapping, as the informer and the reconcilers see it.
  if (!success) {
    Status st = kube::StatusFromResponse(answer);
    FUZZ_CHECK(!st.ok(), "a non-2xx answer mapped to OK");
    FUZZ_CHECK(st.http_status() == answer.status, "the HTTP status was lost");
    CheckStatus(st, answer.status, false, true);
  }
  if (auto doc = json::Parse(answer.body); doc.ok() && doc->IsObject()) {
    Status st = kube::StatusFromStatusObject(*doc, 500);
    CheckStatus(st, 500, false, true);
  }

  kube::Config cfg;
  cfg.server = "https://kube.test:6443";
  cfg.bearer_token = kToken;
  cfg.qps = 0;
  kube::RestClientOptions o;
  o.max_retries = 0;
  o.sleep = [](std::chrono::nanoseconds) {};
  kube::RestClient client(std::make_shared<FuzzTransport>(answer, cut), cfg, o);
  const auto& secrets = kube::resources::Secret();
  const json::Document secret =
      Obj(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x","namespace":"demo",)"
          R"("resourceVersion":"7"},"data":{"k":"dg=="}})");
  Status st;
  switch (op) {
    case 0:
      st = client.Get(secrets, "demo", "x").status();
      break;
    case 1:
      st = client.List(secrets, "demo", kube::ListOptions{.limit = 2}).status();
      break;
    case 2:
      st = client.Create(secrets, secret).status();
      break;
    case 3:
      st = client.Update(secrets, secret).status();
      break;
    case 4:
      st = client.UpdateStatus(kube::resources::VaultStaticSecret(), secret).status();
      break;
    case 5:
      st = client.Patch(secrets, "demo", "x", kube::PatchType::kMerge, R"({"data":{}})").status();
      break;
    case 6:
      st = client.Delete(secrets, "demo", "x");
      break;
    case 7: {
      auto tok = client.CreateToken("demo", "default", kube::TokenRequestOptions{});
      st = tok.status();
      if (tok.ok()) FUZZ_CHECK(success, "a token from a refused request");
      break;
    }
    default: {
      kube::WatchOptions wo;
      wo.resource_version = "5";
      st = client.Watch(
          secrets, "demo", wo, [](kube::WatchEvent& ev) { return ev.doc.IsObject(); }, nullptr);
      break;
    }
  }
  if (!success) FUZZ_CHECK(!st.ok(), "a refused request succeeded");
  CheckStatus(st, answer.status, op == 8);
  return 0;
}
