// TokenReview stand-in.
#include "token_review_standin.h"

#include <algorithm>

#include "util/clock.h"
#include "util/json.h"

namespace vaultsync::vaultemu::testing {
namespace {

constexpr std::string_view kApiServerAudience = "https://kubernetes.default.svc.cluster.local";

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += json::Quote(items[i]);
  }
  return out + "]";
}

}  // namespace

Result<std::unique_ptr<TokenReviewStandIn>> TokenReviewStandIn::Start(
    const emu::jwt::RsaKey& key, const emu::ServerOptions& options) {
  std::unique_ptr<TokenReviewStandIn> s(new TokenReviewStandIn(key));
  TokenReviewStandIn* self = s.get();
  VS_ASSIGN_OR_RETURN(s->server_,
                      emu::HttpServer::Start(options, [self](const emu::ServerRequest& req) {
                        return self->Review(req);
                      }));
  return s;
}

std::vector<TokenReviewStandIn::Seen> TokenReviewStandIn::seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

emu::ServerResponse TokenReviewStandIn::Review(const emu::ServerRequest& req) {
  emu::ServerResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  if (req.method != "POST" || req.path != "/apis/authentication.k8s.io/v1/tokenreviews") {
    r.status = 404;
    r.body =
        R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})";
    return r;
  }
  auto doc = json::Parse(req.body);
  std::string token;
  std::vector<std::string> audiences;
  if (doc.ok()) {
    if (const json::Value* spec = json::Find(*doc, "spec"); spec != nullptr) {
      if (auto t = json::OptionalString(*spec, "token"); t.ok() && *t) token = std::string(**t);
      if (const json::Value* a = json::Find(*spec, "audiences"); a != nullptr && a->IsArray()) {
        for (const auto& item : a->GetArray()) {
          if (item.IsString()) audiences.emplace_back(json::View(item));
        }
      }
    }
  }
  std::string_view auth = req.Header("Authorization");
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back({std::string(auth.substr(auth.rfind(' ') + 1)), audiences});
  }

  std::string error;
  std::string user;
  std::vector<std::string> token_aud;
  auto parsed = emu::jwt::ParseUnverified(token);
  if (!parsed.ok() || !emu::jwt::VerifyRs256(token, key_)) {
    error = "[invalid bearer token, square/go-jose: error in cryptographic primitive]";
  } else {
    auto claims = json::Parse(parsed->claims_json);
    if (!claims.ok()) {
      error = "[invalid bearer token]";
    } else {
      const json::Value& c = *claims;
      int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                        SystemClock::Instance().Now().time_since_epoch())
                        .count();
      const json::Value* exp = json::Find(c, "exp");
      if (const json::Value* aud = json::Find(c, "aud"); aud != nullptr && aud->IsArray()) {
        for (const auto& a : aud->GetArray()) {
          if (a.IsString()) token_aud.emplace_back(json::View(a));
        }
      }
      std::vector<std::string> wanted = audiences;
      if (wanted.empty()) wanted.emplace_back(kApiServerAudience);
      bool aud_ok = std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
        return std::find(token_aud.begin(), token_aud.end(), w) != token_aud.end();
      });
      if (exp != nullptr && exp->IsNumber() && exp->GetDouble() < static_cast<double>(now)) {
        error = "[invalid bearer token, service account token has expired]";
      } else if (!aud_ok) {
        error = "[invalid bearer token, token audiences " + QuotedList(token_aud) +
                " is invalid for the target audiences " + QuotedList(wanted) + "]";
      } else if (auto sub = json::OptionalString(c, "sub"); sub.ok() && *sub) {
        user = std::string(**sub);
      }
    }
  }
  std::string status;
  if (!error.empty() || user.empty()) {
    status = "{\"user\":{},\"error\":" + json::Quote(error) + "}";
  } else {
    std::string uid;
    if (auto claims = json::Parse(parsed->claims_json); claims.ok()) {
      const json::Value* k = json::Find(*claims, "kubernetes.io");
      const json::Value* sa = k ? json::Find(*k, "serviceaccount") : nullptr;
      if (sa != nullptr) {
        if (auto u = json::OptionalString(*sa, "uid"); u.ok() && *u) uid = std::string(**u);
      }
    }
    std::string ns = user.substr(std::string("system:serviceaccount:").size());
    ns = ns.substr(0, ns.find(':'));
    status =
        "{\"authenticated\":true,\"user\":{\"username\":" + json::Quote(user) +
        ",\"uid\":" + json::Quote(uid) +
        ",\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:" + ns +
        "\",\"system:authenticated\"]},\"audiences\":" +
        QuotedList(audiences.empty() ? std::vector<std::string>{std::string(kApiServerAudience)}
                                     : audiences) +
        "}";
  }
  r.status = 201;
  r.body =
      "{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"metadata\":{"
      "\"creationTimestamp\":null},\"spec\":{\"token\":" +
      json::Quote(token) + "},\"status\":" + status + "}";
  return r;
}

}  // namespace vaultsync::vaultemu::testing
