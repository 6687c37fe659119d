// The router: turns an HTTP request into a Vault logical request, applies quotas, the
// seal, the token and its ACL in Vault's order, and hands it to the sys handlers, the
// token store or the engine mounted at the path.
#include "vault_emulator.h"

#include <algorithm>

#include "envelope.h"
#include "go_json.h"
#include "state.h"
#include "sys_handlers.h"
#include "token_auth.h"
#include "token_reviewer.h"
#include "util/base64.h"
#include "wrapping.h"

namespace vaultsync::vaultemu {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Paths that answer while sealed.
bool WorksSealed(std::string_view path) {
  return path == "sys/health" || path == "sys/seal-status" || path == "sys/unseal" ||
         path == "sys/init" || path == "sys/leader";
}

// Paths Vault answers outside its logical router (so X-Vault-Wrap-TTL means nothing there).
bool NotLogical(std::string_view path) { return WorksSealed(path) || path == "sys/seal"; }

// Paths that need no token.
bool Unauthenticated(State& s, std::string_view path) {
  if (WorksSealed(path) || path == "sys/wrapping/lookup") return true;
  if (!StartsWith(path, "auth/")) {
    Mount* m = StartsWith(path, "sys/") ? nullptr : s.mounts.Match(path);
    return m != nullptr && m->backend != nullptr &&
           m->backend->Unauthenticated(path.substr(m->path.size()));
  }
  Mount* m = s.auth.Match(path.substr(5));
  if (m == nullptr || m->backend == nullptr) return false;
  std::string_view rel = path.substr(5 + m->path.size());
  return rel == "login" || StartsWith(rel, "login/");
}

// Paths that additionally need the sudo capability (Vault's root-protected paths).
bool NeedsSudo(std::string_view path) {
  return StartsWith(path, "sys/auth/") || path == "sys/seal" || StartsWith(path, "sys/raw") ||
         path == "sys/rotate" || StartsWith(path, "sys/audit/") ||
         StartsWith(path, "auth/token/accessors") || StartsWith(path, "sys/leases/lookup/");
}

std::string_view TokenFrom(const ServerRequest& req) {
  std::string_view t = req.Header("X-Vault-Token");
  if (!t.empty()) return t;
  std::string_view auth = req.Header("Authorization");
  if (StartsWith(auth, "Bearer ")) return auth.substr(7);
  return {};
}

ServerResponse PlainNotFound() {
  ServerResponse r;
  r.status = 404;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = "404 page not found\n";
  return r;
}

}  // namespace

VaultEmulator::VaultEmulator(const EmulatorOptions& options)
    : state_(std::make_unique<State>(*options.clock)) {
  State& s = *state_;
  if (options.reviewer == nullptr) {
    owned_reviewer_ = NewHttpTokenReviewer();
    s.reviewer = owned_reviewer_.get();
  } else {
    s.reviewer = options.reviewer;
  }
  s.unseal_key = s.ids.RandomBytes(32);
  s.cluster_id = s.ids.Uuid();
  s.cluster_name = "vault-cluster-" + s.cluster_id.substr(0, 8);
  SetUpDevServer(s);
  TokenSpec root;
  root.id = options.root_token;
  root.policies = {"root"};
  root.display_name = "root";
  root.path = "auth/token/root";
  root.renewable = false;
  root_token_ = s.tokens.Create(root).id;
}

VaultEmulator::~VaultEmulator() = default;

std::string VaultEmulator::unseal_key() const {
  std::lock_guard<std::mutex> lock(mu_);
  return base64::Encode(state_->unseal_key);
}

ServerResponse VaultEmulator::Handle(const ServerRequest& req) {
  std::unique_lock<std::mutex> lock(mu_);
  std::string request_id = state_->ids.Uuid();
  return Route(req, lock, request_id);
}

ServerResponse VaultEmulator::Route(const ServerRequest& req, std::unique_lock<std::mutex>& lock,
                                    const std::string& request_id) {
  State& s = *state_;
  if (!StartsWith(req.path, "/v1/")) return PlainNotFound();
  Call call;
  call.http = &req;
  call.lock = &lock;
  call.path = req.path.substr(4);
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    bool list = false;
    std::string v = req.Query("list", &list);
    call.op = (list && (v.empty() || v == "true" || v == "1")) ? Op::kList : Op::kRead;
  } else if (m == "LIST") {
    call.op = Op::kList;
  } else if (m == "POST" || m == "PUT") {
    call.op = Op::kUpdate;
  } else if (m == "DELETE") {
    call.op = Op::kDelete;
  } else {
    return Render(Error(405, {}), request_id);
  }
  if (m == "HEAD" && call.path != "sys/health") return Render(Error(405, {}), request_id);
  if (call.op == Op::kList && (call.path.empty() || call.path.back() != '/')) call.path += '/';
  const std::string& path = call.path;

  emu::Headers extra_headers;
  if (auto limited = s.quotas.Apply(path, s.clock.Now(), extra_headers)) {
    return Render(std::move(*limited), request_id);
  }

  json::Document body;
  if (call.op == Op::kUpdate && req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto parsed = json::Parse(req.body);
    if (!parsed.ok() || !parsed->IsObject()) {
      return Render(Error(400, {"error parsing JSON"}), request_id);
    }
    body = std::move(parsed).value();
    call.body = &body;
  }

  std::optional<Duration> wrap_ttl;
  if (!NotLogical(path)) {
    auto parsed_ttl = ParseWrapTtl(req);
    if (!parsed_ttl.ok()) return Render(Error(400, {parsed_ttl.status().message()}), request_id);
    wrap_ttl = *parsed_ttl;
  }

  std::string_view token_id = TokenFrom(req);
  if (IsWrappingTokenPath(path) && (call.op == Op::kUpdate || call.op == Op::kCreate)) {
    if (auto refused = CheckWrappingToken(s, call, token_id)) {
      return Render(std::move(*refused), request_id);
    }
  }
  if (s.sealed && !WorksSealed(path)) {
    return Render(Error(503, {token_id.empty() ? "Vault is sealed"
                                               : "error performing token check: Vault is sealed"}),
                  request_id);
  }

  // Find who answers, before authorization: a write creates or updates depending on
  // whether the engine already has the path.
  Mount* mount = nullptr;
  std::string rel;
  bool is_auth = StartsWith(path, "auth/");
  if (is_auth) {
    mount = s.auth.Match(path.substr(5));
    if (mount != nullptr) rel = path.substr(5 + mount->path.size());
  } else if (!StartsWith(path, "sys/")) {
    mount = s.mounts.Match(path);
    if (mount != nullptr) rel = path.substr(mount->path.size());
  }
  if (call.op == Op::kUpdate && mount != nullptr && mount->backend != nullptr &&
      !mount->backend->Exists(rel)) {
    call.op = Op::kCreate;
  }
  call.rel = rel;

  Token spent;  // stands in for a token its own request used up (num_uses)
  if (!Unauthenticated(s, path)) {
    if (token_id.empty()) return Render(Error(400, {"missing client token"}), request_id);
    call.token = s.tokens.Lookup(token_id);
    if (call.token == nullptr) return Render(Error(403, {"permission denied"}), request_id);
    if (!StartsWith(path, "sys/internal/ui/mounts")) {
      Acl acl = AclFor(s, *call.token);
      Capability need = kCapRead;
      switch (call.op) {
        case Op::kRead:
          need = kCapRead;
          break;
        case Op::kList:
          need = kCapList;
          break;
        case Op::kCreate:
          need = kCapCreate;
          break;
        case Op::kUpdate:
          need = kCapUpdate;
          break;
        case Op::kDelete:
          need = kCapDelete;
          break;
      }
      unsigned caps = acl.Capabilities(path);
      bool allowed = (caps & need) != 0 && (!NeedsSudo(path) || (caps & kCapSudo) != 0);
      if (!allowed) {
        return Render(Error(403, {MultiError("permission denied")}), request_id);
      }
    }
    Token before = *call.token;
    s.tokens.Use(before.id);
    call.token = s.tokens.Lookup(token_id);
    if (call.token == nullptr) {  // a last use revokes it, but this request still proceeds
      spent = std::move(before);
      call.token = &spent;
    }
  }

  Reply reply;
  if (StartsWith(path, "sys/")) {
    std::string_view sub = std::string_view(path).substr(4);
    auto below = [&](std::string_view prefix) -> std::optional<std::string_view> {
      if (sub == prefix) return std::string_view();
      if (StartsWith(sub, std::string(prefix) + "/")) return sub.substr(prefix.size() + 1);
      return std::nullopt;
    };
    if (auto rest = below("mounts")) {
      reply = HandleSysMounts(s, call, *rest);
    } else if (auto rest = below("auth")) {
      reply = HandleSysAuth(s, call, *rest);
    } else if (auto rest = below("internal/ui/mounts")) {
      reply = HandleUiMounts(s, call, *rest);
    } else if (StartsWith(sub, "policies/acl") || StartsWith(sub, "policy")) {
      reply = HandleSysPolicies(s, call, StartsWith(sub, "policies/") ? sub.substr(9) : sub);
    } else if (auto rest = below("quotas")) {
      reply = s.quotas.Handle(call, *rest);
    } else if (sub == "health") {
      reply = HandleHealth(s, call);
    } else if (sub == "seal-status") {
      reply = HandleSealStatus(s, call);
    } else if (sub == "seal") {
      reply = HandleSeal(s, call);
    } else if (sub == "unseal") {
      reply = HandleUnseal(s, call);
    } else if (sub == "init") {
      reply = HandleInit(s, call);
    } else if (sub == "leader") {
      reply = HandleLeader(s, call);
    } else if (sub == "capabilities-self") {
      reply = HandleCapabilitiesSelf(s, call);
    } else if (auto rest = below("leases")) {
      reply = HandleSysLeases(s, call, *rest);
    } else if (auto rest = below("wrapping")) {
      reply = HandleSysWrapping(s, call, *rest, wrap_ttl);
    } else {
      reply = Error(404, {MultiError("unsupported path")});
    }
  } else if (StartsWith(path, "auth/token/")) {
    reply = HandleTokenAuth(s, call, std::string_view(path).substr(11));
  } else if (mount != nullptr && mount->backend != nullptr) {
    std::shared_ptr<Backend> backend = mount->backend;  // survives a disable meanwhile
    reply = backend->Handle(call);
  } else if (mount != nullptr) {
    reply = Error(405, {MultiError("unsupported operation")});
  } else {
    std::string shown = path;
    if (call.op == Op::kList && !shown.empty()) shown.pop_back();
    reply = Error(404, {"no handler for route '" + shown + "'"});
  }
  if (wrap_ttl) {
    reply = WrapReply(s, call, std::move(reply), request_id, *wrap_ttl);
    // A wrapped answer carries no request id of its own; the wrapped one keeps it.
    if (reply.envelope && reply.envelope->wrap_info_json) {
      ServerResponse out = Render(std::move(reply), "");
      for (auto& h : extra_headers) out.headers.push_back(std::move(h));
      return out;
    }
  }
  ServerResponse out = Render(std::move(reply), request_id);
  for (auto& h : extra_headers) out.headers.push_back(std::move(h));
  return out;
}

ServerResponse VaultEmulator::HandleUnsealKeyControl(const ServerRequest&) {
  ServerResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = "{\"key\":" + json::Quote(unseal_key()) + "}";
  return r;
}

ServerResponse VaultEmulator::HandleLeasesControl(const ServerRequest&) {
  ServerResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  std::lock_guard<std::mutex> lock(mu_);
  r.body = RenderLeaseControl(*state_);
  return r;
}

ServerResponse VaultEmulator::HandleServerStateControl(const ServerRequest& req) {
  ServerResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  std::lock_guard<std::mutex> lock(mu_);
  ServerFlags& f = state_->flags;
  if (req.method == "POST" || req.method == "PUT") {
    auto doc = json::Parse(req.body);
    if (!doc.ok() || !doc->IsObject()) {
      r.status = 400;
      r.body = "{\"error\":\"body must be a JSON object\"}";
      return r;
    }
    for (auto [key, field] :
         {std::pair{"initialized", &f.initialized}, std::pair{"standby", &f.standby},
          std::pair{"performance_standby", &f.performance_standby},
          std::pair{"dr_secondary", &f.dr_secondary}}) {
      auto v = json::OptionalBool(*doc, key);
      if (!v.ok()) {
        r.status = 400;
        r.body = "{\"error\":" + json::Quote(v.status().message()) + "}";
        return r;
      }
      if (*v) *field = **v;
    }
  }
  r.body = std::string("{\"initialized\":") + (f.initialized ? "true" : "false") +
           ",\"standby\":" + (f.standby ? "true" : "false") +
           ",\"performance_standby\":" + (f.performance_standby ? "true" : "false") +
           ",\"dr_secondary\":" + (f.dr_secondary ? "true" : "false") + "}";
  return r;
}

void RegisterControls(emu::HttpServer& server, VaultEmulator& emulator) {
  server.AddControl("unseal-key", [&emulator](const ServerRequest& req) {
    return emulator.HandleUnsealKeyControl(req);
  });
  server.AddControl("server-state", [&emulator](const ServerRequest& req) {
    return emulator.HandleServerStateControl(req);
  });
  server.AddControl("leases", [&emulator](const ServerRequest& req) {
    return emulator.HandleLeasesControl(req);
  });
}

}  // namespace vaultsync::vaultemu
