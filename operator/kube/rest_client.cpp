// REST calls to the apiserver over http::Transport.
#include "kube/rest_client.h"

#include <algorithm>
#include <thread>

#include "kube/api_error.h"
#include "kube/object.h"
#include "util/time_format.h"

namespace vaultsync::kube {

namespace {

constexpr std::string_view kJson = "application/json";

// client-go labels requests with the URL's host, which carries the port when the URL names
// one.
std::string HostOf(std::string_view base) {
  auto p = base.find("://");
  return std::string(p == std::string_view::npos ? base : base.substr(p + 3));
}

Result<std::pair<std::string, std::string>> NamespaceAndName(const ResourceType& rt,
                                                             const json::Value& obj,
                                                             bool need_name) {
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  if (rt.namespaced && m.namespace_.empty())
    return InvalidArgument(rt.kind + " object has no metadata.namespace");
  if (need_name && m.name.empty()) return InvalidArgument(rt.kind + " object has no metadata.name");
  return std::make_pair(rt.namespaced ? m.namespace_ : std::string(), m.name);
}

}  // namespace

std::pair<std::string, std::string> SplitServerUrl(std::string_view server) {
  auto scheme = server.find("://");
  size_t host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto slash = server.find('/', host_start);
  if (slash == std::string_view::npos) return {std::string(server), ""};
  std::string prefix(server.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {std::string(server.substr(0, slash)), prefix};
}

std::string_view PatchContentType(PatchType t) {
  switch (t) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

RestClient::RestClient(std::shared_ptr<http::Transport> transport, const Config& config,
                       RestClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      token_(config.bearer_token, config.token_file, options_.token_recheck, *options_.clock),
      bucket_(config.qps, config.burst, options_.clock->Now()),
      timeout_(config.timeout) {
  auto [base, prefix] = SplitServerUrl(config.server);
  prefix_ = prefix;
  host_ = HostOf(base);
}

Status RestClient::Wait(std::chrono::nanoseconds d) {
  if (options_.sleep) {
    options_.sleep(d);
  } else if (options_.cancel != nullptr) {
    options_.cancel->WaitFor(d);
  } else {
    std::this_thread::sleep_for(d);
  }
  if (options_.cancel != nullptr && options_.cancel->cancelled())
    return Status(StatusCode::kCancelled, "Kubernetes client stopped");
  return Status::Ok();
}

Status RestClient::Throttle() {
  auto wait = bucket_.Reserve(options_.clock->Now());
  if (wait > std::chrono::nanoseconds(0)) return Wait(wait);
  if (options_.cancel != nullptr && options_.cancel->cancelled())
    return Status(StatusCode::kCancelled, "Kubernetes client stopped");
  return Status::Ok();
}

void RestClient::Observe(std::string_view code, std::string_view method) {
  if (options_.hooks != nullptr) options_.hooks->ObserveRequest(code, method, host_);
}

Status RestClient::Authorize(http::Request& req) {
  VS_ASSIGN_OR_RETURN(std::string token, token_.Token());
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  return Status::Ok();
}

Status RestClient::WithoutToken(Status st) {
  auto token = token_.Token();
  if (st.ok() || !token.ok() || token->size() < 4) return st;
  std::string msg = st.message();
  bool found = false;
  for (size_t at = msg.find(*token); at != std::string::npos; at = msg.find(*token, at)) {
    msg.replace(at, token->size(), "<redacted>");
    found = true;
  }
  if (!found) return st;
  Status out(st.code(), std::move(msg), st.http_status());
  if (auto ra = st.retry_after_seconds()) out.set_retry_after_seconds(*ra);
  return out;
}

Status RestClient::Refusal(const http::Response& resp) {
  return WithoutToken(StatusFromResponse(resp));
}

Result<http::Response> RestClient::Do(std::string method, std::string target, std::string body,
                                      std::string_view content_type) {
  http::Request req;
  req.cancel = options_.cancel;
  req.method = std::move(method);
  req.target = prefix_ + target;
  req.body = std::move(body);
  req.headers.emplace_back("Accept", std::string(kJson));
  if (!content_type.empty()) req.headers.emplace_back("Content-Type", std::string(content_type));
  VS_RETURN_IF_ERROR(Authorize(req));
  for (int attempt = 0;; ++attempt) {
    VS_RETURN_IF_ERROR(Throttle());
    auto sent = std::chrono::steady_clock::now();
    auto resp = transport_->Send(req);
    if (options_.hooks != nullptr) {
      options_.hooks->ObserveRequestDuration(
          req.method, host_,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
    }
    if (!resp.ok()) {
      Observe("<error>", req.method);
      return resp.status();
    }
    Observe(std::to_string(resp->status), req.method);
    bool retryable = resp->status == 429 || (resp->status >= 500 && resp->status <= 504);
    if (!retryable || attempt >= options_.max_retries) return resp;
    // Like client-go: only an answer that says when to come back is retried; the server
    // sends Retry-After when it did not act on the request.
    Status st = StatusFromResponse(*resp);
    if (!st.retry_after_seconds().has_value() || resp->Header("Retry-After").empty()) return resp;
    auto wait = std::min<std::chrono::seconds>(std::chrono::seconds(*st.retry_after_seconds()),
                                               options_.max_retry_wait);
    VS_RETURN_IF_ERROR(Wait(wait));
  }
}

Result<json::Document> RestClient::DoObject(std::string method, std::string target,
                                            std::string body, std::string_view content_type) {
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      Do(std::move(method), std::move(target), std::move(body), content_type));
  if (resp.status < 200 || resp.status >= 300) return Refusal(resp);
  auto doc = json::Parse(resp.body);
  if (!doc.ok()) return Internal("apiserver answer: " + doc.status().message());
  if (!doc->IsObject()) return Internal("apiserver answer is not a JSON object");
  return std::move(*doc);
}

Result<json::Document> RestClient::Get(const ResourceType& rt, std::string_view ns,
                                       std::string_view name, std::string_view subresource) {
  if (name.empty()) return InvalidArgument("Get " + rt.kind + ": empty name");
  return DoObject("GET", ResourcePath(rt, ns, name, subresource), "", "");
}

Result<json::Document> RestClient::List(const ResourceType& rt, std::string_view ns,
                                        const ListOptions& opts) {
  std::string target = ResourcePath(rt, ns);
  if (!opts.label_selector.empty()) AppendQuery(target, "labelSelector", opts.label_selector);
  if (!opts.field_selector.empty()) AppendQuery(target, "fieldSelector", opts.field_selector);
  if (opts.limit > 0) AppendQuery(target, "limit", std::to_string(opts.limit));
  if (!opts.continue_token.empty()) AppendQuery(target, "continue", opts.continue_token);
  if (!opts.resource_version.empty()) AppendQuery(target, "resourceVersion", opts.resource_version);
  if (!opts.resource_version_match.empty())
    AppendQuery(target, "resourceVersionMatch", opts.resource_version_match);
  return DoObject("GET", std::move(target), "", "");
}

Result<json::Document> RestClient::Create(const ResourceType& rt, const json::Value& obj) {
  VS_ASSIGN_OR_RETURN(auto nn, NamespaceAndName(rt, obj, false));
  return DoObject("POST", ResourcePath(rt, nn.first), json::Serialize(obj), kJson);
}

Result<json::Document> RestClient::Put(const ResourceType& rt, const json::Value& obj,
                                       std::string_view subresource) {
  VS_ASSIGN_OR_RETURN(auto nn, NamespaceAndName(rt, obj, true));
  return DoObject("PUT", ResourcePath(rt, nn.first, nn.second, subresource), json::Serialize(obj),
                  kJson);
}

Result<json::Document> RestClient::Update(const ResourceType& rt, const json::Value& obj) {
  return Put(rt, obj, "");
}

Result<json::Document> RestClient::UpdateStatus(const ResourceType& rt, const json::Value& obj) {
  return Put(rt, obj, "status");
}

Result<json::Document> RestClient::Patch(const ResourceType& rt, std::string_view ns,
                                         std::string_view name, PatchType type,
                                         std::string_view patch, const PatchOptions& opts) {
  if (name.empty()) return InvalidArgument("Patch " + rt.kind + ": empty name");
  std::string target = ResourcePath(rt, ns, name, opts.subresource);
  if (!opts.field_manager.empty()) AppendQuery(target, "fieldManager", opts.field_manager);
  return DoObject("PATCH", std::move(target), std::string(patch), PatchContentType(type));
}

Status RestClient::Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                          const DeleteOptions& opts) {
  if (name.empty()) return InvalidArgument("Delete " + rt.kind + ": empty name");
  std::string body;
  bool has_pre = !opts.precondition_uid.empty() || !opts.precondition_resource_version.empty();
  if (!opts.propagation_policy.empty() || has_pre || opts.grace_period_seconds) {
    json::Document d;
    d.SetObject();
    auto& a = d.GetAllocator();
    d.AddMember("kind", "DeleteOptions", a);
    d.AddMember("apiVersion", "v1", a);
    if (!opts.propagation_policy.empty())
      d.AddMember("propagationPolicy", json::StringValue(opts.propagation_policy, a), a);
    if (opts.grace_period_seconds)
      d.AddMember("gracePeriodSeconds", json::Value(*opts.grace_period_seconds), a);
    if (has_pre) {
      json::Value pre(rapidjson::kObjectType);
      if (!opts.precondition_uid.empty())
        pre.AddMember("uid", json::StringValue(opts.precondition_uid, a), a);
      if (!opts.precondition_resource_version.empty())
        pre.AddMember("resourceVersion", json::StringValue(opts.precondition_resource_version, a),
                      a);
      d.AddMember("preconditions", pre, a);
    }
    body = json::Serialize(d);
  }
  std::string_view content_type = body.empty() ? std::string_view() : kJson;
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      Do("DELETE", ResourcePath(rt, ns, name), std::move(body), content_type));
  if (resp.status < 200 || resp.status >= 300) return Refusal(resp);
  return Status::Ok();
}

Result<TokenResult> RestClient::CreateToken(std::string_view ns, std::string_view service_account,
                                            const TokenRequestOptions& opts) {
  if (ns.empty() || service_account.empty())
    return InvalidArgument("CreateToken: namespace and service account name are required");
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  d.AddMember("apiVersion", "authentication.k8s.io/v1", a);
  d.AddMember("kind", "TokenRequest", a);
  json::Value spec(rapidjson::kObjectType);
  json::Value auds(rapidjson::kArrayType);
  for (const auto& aud : opts.audiences) auds.PushBack(json::StringValue(aud, a), a);
  spec.AddMember("audiences", auds, a);
  spec.AddMember("expirationSeconds", json::Value(opts.expiration_seconds), a);
  d.AddMember("spec", spec, a);
  VS_ASSIGN_OR_RETURN(
      json::Document resp,
      DoObject("POST", ResourcePath(resources::ServiceAccount(), ns, service_account, "token"),
               json::Serialize(d), kJson));
  VS_ASSIGN_OR_RETURN(const json::Value* status, json::Object(resp, "status"));
  VS_ASSIGN_OR_RETURN(std::string_view token, json::String(*status, "token", "status"));
  VS_ASSIGN_OR_RETURN(std::string_view exp, json::String(*status, "expirationTimestamp", "status"));
  // The answer carries a token: its words are never quoted back (the parser's message
  // would quote the timestamp as sent).
  auto expiration = ParseRfc3339(exp);
  if (!expiration.ok()) {
    return Internal("TokenRequest answer: status.expirationTimestamp is not an RFC 3339 time");
  }
  return TokenResult{std::string(token), *expiration};
}

Status RestClient::Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
                         const WatchHandler& handler, const http::CancelFlag* cancel) {
  std::string target = prefix_ + ResourcePath(rt, ns);
  AppendQuery(target, "watch", "true");
  if (opts.allow_bookmarks) AppendQuery(target, "allowWatchBookmarks", "true");
  if (!opts.label_selector.empty()) AppendQuery(target, "labelSelector", opts.label_selector);
  if (!opts.field_selector.empty()) AppendQuery(target, "fieldSelector", opts.field_selector);
  if (!opts.resource_version.empty()) AppendQuery(target, "resourceVersion", opts.resource_version);
  if (opts.timeout_seconds > 0)
    AppendQuery(target, "timeoutSeconds", std::to_string(opts.timeout_seconds));
  http::Request req;
  req.method = "GET";
  req.target = std::move(target);
  req.headers.emplace_back("Accept", std::string(kJson));
  VS_RETURN_IF_ERROR(Authorize(req));
  // The transport's timeout bounds a silence; the server may stay silent until its own
  // timeoutSeconds (bookmarks are not guaranteed), so allow that plus the usual margin.
  req.timeout = timeout_ + std::chrono::seconds(std::max(0, opts.timeout_seconds));
  VS_RETURN_IF_ERROR(Throttle());
  int http_status = 0;
  Status st = RunWatch(*transport_, req, handler, cancel, &http_status);
  Observe(http_status == 0 ? std::string("<error>") : std::to_string(http_status), "GET");
  return WithoutToken(std::move(st));
}

Result<std::unique_ptr<RestClient>> NewRestClient(const Config& config, RestClientOptions options) {
  if (config.server.empty()) return InvalidArgument("Kubernetes config has no server URL");
  http::TransportConfig tc;
  tc.base_url = SplitServerUrl(config.server).first;
  tc.tls = config.tls;
  tc.timeout = config.timeout;
  tc.user_agent = config.user_agent.empty() ? "vaultsync" : config.user_agent;
  auto t = http::NewTransport(tc);
  if (!t.ok()) {
    // Found by the bad-input catalogue: "the CA PEM holds no certificate" alone did not say
    // which CA (the operator also has Vault's).
    return t.status().WithPrefix("cannot connect to the Kubernetes API server " + config.server +
                                 ": ");
  }
  return std::make_unique<RestClient>(std::shared_ptr<http::Transport>(std::move(*t)), config,
                                      std::move(options));
}

}  // namespace vaultsync::kube
