// KubeEmulator: construction, authentication, routing, discovery and control paths.
#include "kube_emulator.h"

#include <strings.h>

#include <algorithm>

#include "discovery.h"
#include "emulator_internal.h"
#include "flow_control.h"
#include "object_json.h"
#include "tokens.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

}  // namespace

KubeEmulator::KubeEmulator(EmulatorOptions options)
    : options_(std::move(options)), store_(options_.watch_window), rng_(std::random_device{}()) {
  auto tokens = TokenAuthority::Create();
  if (tokens.ok()) tokens_ = std::move(tokens).value();
  flow_ = std::make_unique<FlowControl>([this] { return NewUid(); });
  FlowControl::Settings flow;
  flow.max_inflight = options_.max_requests_inflight;
  flow_->Configure(flow);
  // A fresh cluster has these namespaces, each with its default ServiceAccount.
  std::lock_guard<std::mutex> lock(mu_);
  auto ns_type = registry_.Find("", "v1", "namespaces");
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json::Document obj;
    obj.SetObject();
    auto& a = obj.GetAllocator();
    obj.AddMember("kind", "Namespace", a);
    obj.AddMember("apiVersion", "v1", a);
    json::Value md(rapidjson::kObjectType);
    md.AddMember("name", json::StringValue(ns, a), a);
    obj.AddMember("metadata", md, a);
    ObjectPtr created = CreateInternal(*ns_type, std::move(obj), "");
    AfterCreate(*ns_type, created);
  }
  auto role_type = registry_.Find("rbac.authorization.k8s.io", "v1", "clusterroles");
  for (const std::string& role : BootstrapClusterRoles()) {
    auto doc = json::Parse(role);
    if (doc.ok()) CreateInternal(*role_type, std::move(doc).value(), "");
  }
  auto binding_type = registry_.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
  for (const std::string& binding : BootstrapClusterRoleBindings()) {
    auto doc = json::Parse(binding);
    if (doc.ok()) CreateInternal(*binding_type, std::move(doc).value(), "");
  }
}

KubeEmulator::~KubeEmulator() { CutWatches(); }

TimePoint KubeEmulator::Now() const {
  TimePoint base =
      options_.clock != nullptr ? options_.clock->Now() : SystemClock::Instance().Now();
  std::lock_guard<std::mutex> lock(time_mu_);
  return base + offset_;
}

void KubeEmulator::AdvanceTime(std::chrono::seconds s) {
  std::lock_guard<std::mutex> lock(time_mu_);
  offset_ += s;
}

void KubeEmulator::SetWatchWindow(size_t events) {
  std::lock_guard<std::mutex> lock(mu_);
  store_.SetWindow(events);
}

void KubeEmulator::CompactStore() {
  std::lock_guard<std::mutex> lock(mu_);
  store_.Compact();
}

void KubeEmulator::CutWatches() {
  std::lock_guard<std::mutex> lock(mu_);
  ++cut_generation_;
  for (auto& [key, cv] : watchers_) cv->notify_all();
}

std::condition_variable& KubeEmulator::WatchersOf(const std::string& storage_key) {
  auto& cv = watchers_[storage_key];
  if (!cv) cv = std::make_unique<std::condition_variable>();
  return *cv;
}

void KubeEmulator::NotifyWatchers(const std::string& storage_key) {
  auto it = watchers_.find(storage_key);
  if (it != watchers_.end()) it->second->notify_all();
}

std::string KubeEmulator::NewUid() {
  std::uniform_int_distribution<int> hex(0, 15);
  const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      s += '-';
    } else if (i == 14) {
      s += '4';
    } else if (i == 19) {
      s += digits[8 + hex(rng_) % 4];
    } else {
      s += digits[hex(rng_)];
    }
  }
  return s;
}

std::string KubeEmulator::RandomSuffix() {
  // The alphabet apiserver's generateName uses (no vowels, no confusable characters).
  const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s;
  for (int i = 0; i < 5; ++i) s += alphabet[pick(rng_)];
  return s;
}

std::optional<RequestTarget> KubeEmulator::ParseTarget(const ServerRequest& req) const {
  std::vector<std::string> seg = SplitPath(req.path);
  std::string group, version;
  size_t rest;
  if (seg.size() >= 2 && seg[0] == "api") {
    version = seg[1];
    rest = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    group = seg[1];
    version = seg[2];
    rest = 3;
  } else {
    return std::nullopt;
  }
  if (seg.size() <= rest) return std::nullopt;
  RequestTarget t;
  std::vector<std::string> r(seg.begin() + rest, seg.end());
  if (r.size() >= 3 && r[0] == "namespaces") {
    auto type = registry_.Find(group, version, r[2]);
    if (type != nullptr && type->namespaced) {
      t.type = type;
      t.ns = r[1];
      r.erase(r.begin(), r.begin() + 2);
    }
  }
  if (t.type == nullptr) {
    t.type = registry_.Find(group, version, r[0]);
    if (t.type == nullptr || r.size() > 3) return std::nullopt;
  }
  if (r.size() > 3) return std::nullopt;
  if (r.size() >= 2) t.name = r[1];
  if (r.size() == 3) t.subresource = r[2];
  const std::string& m = req.method;
  if (m == "GET") {
    t.verb = !t.name.empty() ? "get" : QueryBool(req, "watch") ? "watch" : "list";
  } else if (m == "POST") {
    t.verb = "create";
  } else if (m == "PUT") {
    t.verb = "update";
  } else if (m == "PATCH") {
    t.verb = "patch";
  } else if (m == "DELETE") {
    t.verb = t.name.empty() ? "deletecollection" : "delete";
  } else {
    t.verb = Upper(m);
  }
  return t;
}

std::string KubeEmulator::CountKey(const ServerRequest& req) {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = ParseTarget(req);
  if (!t) return req.method + " " + req.path;
  std::string res = t->type->resource + (t->subresource.empty() ? "" : "/" + t->subresource);
  return Upper(t->verb) + " " + res;
}

emu::Admission KubeEmulator::ServerAdmission(const ServerRequest& req) {
  emu::Admission admission;
  std::optional<UserInfo> user;
  bool watch = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    user = Authenticate(req);
    auto t = ParseTarget(req);
    if (t) {
      std::string res = t->type->resource + (t->subresource.empty() ? "" : "/" + t->subresource);
      admission.count_key = Upper(t->verb) + " " + res;
      watch = t->verb == "watch";
    } else {
      admission.count_key = req.method + " " + req.path;
    }
  }
  // Authentication runs before flow control: a 401 carries no APF headers and takes no seat.
  if (!user) return admission;
  admission.user = user->name;
  flow_->Admit(*user, watch, req.path, &admission);
  return admission;
}

std::optional<UserInfo> KubeEmulator::Authenticate(const ServerRequest& req) {
  std::string auth(req.Header("Authorization"));
  const std::string prefix = "Bearer ";
  if (auth.size() <= prefix.size() ||
      strncasecmp(auth.c_str(), prefix.c_str(), prefix.size()) != 0) {
    return std::nullopt;
  }
  std::string token = auth.substr(prefix.size());
  if (token == options_.admin_token) {
    return UserInfo{"system:admin", "", {"system:masters", "system:authenticated"}, true};
  }
  if (tokens_ == nullptr) return std::nullopt;
  auto id = tokens_->Verify(token, Now());
  if (!id.ok()) return std::nullopt;
  if (!TokenAuthority::AudienceError(id->audiences, {TokenAuthority::kIssuer}).empty()) {
    return std::nullopt;
  }
  auto sa = store_.Get("serviceaccounts", id->ns, id->sa_name);
  if (sa == nullptr || StringAt(*sa, "metadata.uid") != id->sa_uid) return std::nullopt;
  return UserInfo{
      "system:serviceaccount:" + id->ns + ":" + id->sa_name,
      id->sa_uid,
      {"system:serviceaccounts", "system:serviceaccounts:" + id->ns, "system:authenticated"},
      false};
}

ServerResponse KubeEmulator::Handle(const ServerRequest& req) {
  std::unique_lock<std::mutex> lock(mu_);
  ServerResponse resp = HandleLocked(req, lock);
  std::string ua(req.Header("User-Agent"));
  bool pretty = ua.rfind("curl/", 0) == 0 || ua.rfind("Wget", 0) == 0;
  if (pretty && !resp.stream && !resp.body.empty() && req.path != "/version") {
    auto doc = json::Parse(resp.body);
    if (doc.ok()) resp.body = Pretty(*doc);
  }
  return resp;
}

ServerResponse KubeEmulator::HandleLocked(const ServerRequest& req,
                                          std::unique_lock<std::mutex>& lock) {
  std::optional<UserInfo> user = Authenticate(req);
  if (!user) return ErrorAnswer(UnauthorizedError());
  auto target = ParseTarget(req);
  if (options_.rbac) {
    Attributes attrs;
    if (target) {
      attrs = {target->verb,
               target->type->group,
               target->type->resource,
               target->subresource,
               target->ns,
               target->name,
               req.path};
    } else {
      std::string verb = req.method;
      std::transform(verb.begin(), verb.end(), verb.begin(), ::tolower);
      attrs.verb = verb == "post" ? "create" : verb == "put" ? "update" : verb;
      attrs.path = req.path;
    }
    if (!RbacAllows(store_, *user, attrs)) {
      ServerResponse denied = ErrorAnswer(ForbiddenFor(*user, attrs));
      denied.headers.emplace_back("X-Content-Type-Options", "nosniff");
      return denied;
    }
  }
  const std::string& p = req.path;
  if (req.method == "GET") {
    if (p == "/version" || p == "/version/") return JsonAnswer(200, VersionJson());
    if (p == "/healthz" || p == "/livez" || p == "/readyz") {
      ServerResponse r = JsonAnswer(200, "ok");
      r.headers[1].second = "text/plain; charset=utf-8";
      return r;
    }
    if (p == "/api" || p == "/api/") {
      std::string host(req.Header("Host"));
      return JsonAnswer(200, ApiVersionsJson(host.empty() ? "127.0.0.1:443" : host));
    }
    if (p == "/apis" || p == "/apis/") return JsonAnswer(200, ApiGroupListJson(registry_));
    std::vector<std::string> seg = SplitPath(p);
    if (seg.size() == 2 && seg[0] == "api") {
      if (auto doc = ResourceListJson(registry_, "", seg[1])) return JsonAnswer(200, *doc);
      return ErrorAnswer(PageNotFoundError());
    }
    if (seg.size() == 2 && seg[0] == "apis") {
      if (auto doc = ApiGroupJson(registry_, seg[1])) return JsonAnswer(200, *doc);
      return ErrorAnswer(PageNotFoundError());
    }
    if (seg.size() == 3 && seg[0] == "apis") {
      if (auto doc = ResourceListJson(registry_, seg[1], seg[2])) return JsonAnswer(200, *doc);
      return ErrorAnswer(PageNotFoundError());
    }
    if (!seg.empty() && seg[0] == "openapi") return OpenApi(req);
  }
  if (!target) return ErrorAnswer(PageNotFoundError());
  return Dispatch(req, *target, *user, lock);
}

ServerResponse KubeEmulator::Dispatch(const ServerRequest& req, const RequestTarget& t,
                                      const UserInfo& user, std::unique_lock<std::mutex>& lock) {
  const ResourceType& type = *t.type;
  if (type.group == "events.k8s.io") return EventsV1(req, t, user, lock);
  if (!t.subresource.empty()) {
    const std::string& s = t.subresource;
    bool known = type.HasSubresource(s);
    if (!known) return ErrorAnswer(PageNotFoundError());
    if (s == "token" && t.verb == "create") return CreateToken(req, t);
    if (s == "status" && (t.verb == "get" || t.verb == "update" || t.verb == "patch")) {
      if (t.verb == "get") return Get(req, t);
      if (t.verb == "update") return Update(req, t);
      return Patch(req, t);
    }
    if (s == "finalize" && t.verb == "update") return Update(req, t);
    if (s == "scale" && (t.verb == "get" || t.verb == "update" || t.verb == "patch")) {
      return ScaleSubresource(req, t);
    }
    return ErrorAnswer(MethodNotSupportedError(type.Ref(), t.verb));
  }
  if (std::find(type.verbs.begin(), type.verbs.end(), t.verb) == type.verbs.end()) {
    return ErrorAnswer(MethodNotSupportedError(type.Ref(), t.verb));
  }
  if (type.kind == "TokenReview") return CreateTokenReview(req, t);
  if (type.group == "authorization.k8s.io") return AccessReview(req, t, user);
  if (t.verb == "get") return Get(req, t);
  if (t.verb == "list") return List(req, t);
  if (t.verb == "watch") {
    (void)lock;
    return Watch(req, t);
  }
  if (t.verb == "create") return Create(req, t);
  if (t.verb == "update") return Update(req, t);
  if (t.verb == "patch") return Patch(req, t);
  if (t.verb == "delete") return Delete(req, t);
  if (t.verb == "deletecollection") return DeleteCollection(req, t);
  return ErrorAnswer(MethodNotSupportedError(type.Ref(), t.verb));
}

void KubeEmulator::RegisterControls(emu::HttpServer& server) {
  auto answer = [](int code, const std::string& body) { return JsonAnswer(code, body); };
  server.AddControl("time", [this, answer](const ServerRequest& req) {
    if (req.method == "POST") {
      auto doc = json::Parse(req.body);
      if (!doc.ok()) return answer(400, "{\"error\":\"body must be JSON\"}");
      auto secs = json::Int64(*doc, "advance_seconds");
      if (!secs.ok())
        return answer(400, "{\"error\":" + json::Quote(secs.status().message()) + "}");
      AdvanceTime(std::chrono::seconds(*secs));
    }
    return answer(200, "{\"now\":" + json::Quote(FormatRfc3339(Now(), 0)) + "}");
  });
  server.AddControl("watch-window", [this, answer](const ServerRequest& req) {
    auto doc = json::Parse(req.body);
    if (!doc.ok()) return answer(400, "{\"error\":\"body must be JSON\"}");
    auto n = json::Int64(*doc, "events");
    if (!n.ok() || *n < 1) return answer(400, "{\"error\":\"events must be a positive integer\"}");
    SetWatchWindow(static_cast<size_t>(*n));
    return answer(200, "{}");
  });
  server.AddControl("compact", [this, answer](const ServerRequest&) {
    CompactStore();
    return answer(200, "{}");
  });
  server.AddControl("cut-watches", [this, answer](const ServerRequest&) {
    CutWatches();
    return answer(200, "{}");
  });
  server.AddControl("overload", [this, answer](const ServerRequest& req) {
    if (req.method == "POST" || req.method == "PUT") {
      auto doc = json::Parse(req.body);
      if (!doc.ok() || !doc->IsObject()) return answer(400, "{\"error\":\"body must be JSON\"}");
      FlowControl::Settings s = flow_->settings();
      auto max = json::OptionalInt64(*doc, "max_inflight");
      auto retry = json::OptionalInt64(*doc, "retry_after_seconds");
      auto exempt = json::OptionalBool(*doc, "exempt_masters");
      for (const Status& st : {max.status(), retry.status(), exempt.status()}) {
        if (!st.ok()) return answer(400, "{\"error\":" + json::Quote(st.message()) + "}");
      }
      if ((*max && **max < 0) || (*retry && **retry < 0)) {
        return answer(400, "{\"error\":\"max_inflight and retry_after_seconds must be >= 0\"}");
      }
      if (*max) s.max_inflight = static_cast<int>(**max);
      if (*retry) s.retry_after_seconds = static_cast<int>(**retry);
      if (*exempt) s.exempt_masters = **exempt;
      flow_->Configure(s);
    }
    FlowControl::Settings s = flow_->settings();
    return answer(200, "{\"max_inflight\":" + std::to_string(s.max_inflight) +
                           ",\"retry_after_seconds\":" + std::to_string(s.retry_after_seconds) +
                           ",\"exempt_masters\":" + (s.exempt_masters ? "true" : "false") +
                           ",\"in_flight\":" + std::to_string(flow_->in_flight()) +
                           ",\"rejected\":" + std::to_string(flow_->rejected()) + "}");
  });
}

}  // namespace vaultsync::kubeemu
