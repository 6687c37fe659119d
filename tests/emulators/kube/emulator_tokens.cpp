// serviceaccounts/token (TokenRequest) and tokenreviews: ServiceAccount tokens issued and
// reviewed the way a v1.26 apiserver does, answers shaped like the recorded ones.
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "tokens.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

std::vector<std::string> StringList(const json::Value* arr) {
  std::vector<std::string> out;
  if (arr != nullptr && arr->IsArray()) {
    for (const auto& v : arr->GetArray()) {
      if (v.IsString()) out.emplace_back(json::View(v));
    }
  }
  return out;
}

std::string QuotedList(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json::Quote(v[i]);
  return s + "]";
}

// The managedFields entry the apiserver records for a create of a virtual object.
std::string ManagedEntry(const std::string& manager, const std::string& api_version,
                         const std::string& time, const std::string& fields,
                         const std::string& subresource) {
  return "[{\"manager\":" + json::Quote(manager) +
         ",\"operation\":\"Update\",\"apiVersion\":" + json::Quote(api_version) +
         ",\"time\":" + json::Quote(time) + ",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":" + fields +
         (subresource.empty() ? "" : ",\"subresource\":" + json::Quote(subresource)) + "}]";
}

}  // namespace

ServerResponse KubeEmulator::CreateToken(const ServerRequest& req, const RequestTarget& t) {
  ObjectPtr sa = store_.Get("serviceaccounts", t.ns, t.name);
  if (sa == nullptr) return ErrorAnswer(NotFoundError({"serviceaccounts", ""}, t.name));
  ApiError err;
  auto body = req.body.empty() ? json::Parse("{}") : ParseObjectBody(req, *t.type, &err);
  if (!body.ok()) return ErrorAnswer(err);
  std::vector<std::string> audiences = StringList(At(*body, "spec.audiences"));
  bool default_audience = audiences.empty();
  if (default_audience) audiences = {TokenAuthority::kIssuer};
  int64_t seconds = IntAt(*body, "spec.expirationSeconds").value_or(3600);
  if (seconds < 600) {
    return ErrorAnswer(
        InvalidError("TokenRequest", "authentication.k8s.io", t.name,
                     {InvalidCause("spec.expirationSeconds", std::to_string(seconds),
                                   "may not specify a duration less than 10 minutes")}));
  }
  if (seconds > (int64_t{1} << 32)) {
    return ErrorAnswer(
        InvalidError("TokenRequest", "authentication.k8s.io", t.name,
                     {InvalidCause("spec.expirationSeconds", std::to_string(seconds),
                                   "may not specify a duration larger than 2^32 seconds")}));
  }
  if (tokens_ == nullptr) return ErrorAnswer(InternalError("no signing key"));
  TimePoint now = Now();
  auto token = tokens_->Issue(t.ns, t.name, StringAt(*sa, "metadata.uid"), audiences, now, seconds);
  if (!token.ok()) return ErrorAnswer(InternalError("failed to sign the token"));
  std::string ts = FormatRfc3339(now, 0);
  std::string fields = default_audience
                           ? "{\"f:spec\":{\"f:expirationSeconds\":{}}}"
                           : "{\"f:spec\":{\"f:audiences\":{},\"f:expirationSeconds\":{}}}";
  std::string bound = "null";
  if (const json::Value* ref = At(*body, "spec.boundObjectRef");
      ref != nullptr && ref->IsObject()) {
    bound = Compact(*ref);
  }
  std::string out =
      "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\",\"metadata\":{"
      "\"name\":" +
      json::Quote(t.name) + ",\"namespace\":" + json::Quote(t.ns) +
      ",\"creationTimestamp\":" + json::Quote(ts) + ",\"managedFields\":" +
      ManagedEntry(ManagerOf(req), "authentication.k8s.io/v1", ts, fields, "token") +
      "},\"spec\":{\"audiences\":" + QuotedList(audiences) +
      ",\"expirationSeconds\":" + std::to_string(seconds) + ",\"boundObjectRef\":" + bound +
      "},\"status\":{\"token\":" + json::Quote(*token) + ",\"expirationTimestamp\":" +
      json::Quote(FormatRfc3339(now + std::chrono::seconds(seconds), 0)) + "}}";
  return JsonAnswer(201, out);
}

ServerResponse KubeEmulator::CreateTokenReview(const ServerRequest& req, const RequestTarget&) {
  auto body = json::Parse(req.body);
  if (!body.ok() || !body->IsObject()) {
    return ErrorAnswer(
        BadRequestError("the object provided is unrecognized (must be of type TokenReview)"));
  }
  std::string token = StringAt(*body, "spec.token");
  const json::Value* auds_v = At(*body, "spec.audiences");
  std::vector<std::string> wanted = StringList(auds_v);
  bool has_audiences = auds_v != nullptr && auds_v->IsArray() && !wanted.empty();
  std::string ts = FormatRfc3339(Now(), 0);
  std::string fields = has_audiences ? "{\"f:spec\":{\"f:audiences\":{},\"f:token\":{}}}"
                                     : "{\"f:spec\":{\"f:token\":{}}}";
  std::string spec = "{\"token\":" + json::Quote(token) +
                     (has_audiences ? ",\"audiences\":" + QuotedList(wanted) : "") + "}";
  std::string status;
  if (!has_audiences) wanted = {TokenAuthority::kIssuer};
  auto id =
      tokens_ != nullptr
          ? tokens_->Verify(token, Now())
          : Result<TokenIdentity>(Status(StatusCode::kUnauthenticated, "invalid bearer token"));
  std::string error;
  if (!id.ok()) {
    error = id.status().message();
  } else {
    ObjectPtr sa = store_.Get("serviceaccounts", id->ns, id->sa_name);
    if (sa == nullptr) {
      error = "[invalid bearer token, serviceaccounts " + json::Quote(id->sa_name) + " not found]";
    } else if (StringAt(*sa, "metadata.uid") != id->sa_uid) {
      error = "[invalid bearer token, service account UID (" + StringAt(*sa, "metadata.uid") +
              ") does not match claim (" + id->sa_uid + ")]";
    } else {
      error = TokenAuthority::AudienceError(id->audiences, wanted);
    }
  }
  if (error.empty()) {
    std::vector<std::string> matched;
    for (const auto& a : id->audiences) {
      if (std::find(wanted.begin(), wanted.end(), a) != wanted.end()) matched.push_back(a);
    }
    status = "{\"authenticated\":true,\"user\":{\"username\":" +
             json::Quote("system:serviceaccount:" + id->ns + ":" + id->sa_name) +
             ",\"uid\":" + json::Quote(id->sa_uid) + ",\"groups\":[\"system:serviceaccounts\"," +
             json::Quote("system:serviceaccounts:" + id->ns) +
             ",\"system:authenticated\"]},\"audiences\":" + QuotedList(matched) + "}";
  } else {
    status = "{\"user\":{},\"error\":" + json::Quote(error) + "}";
  }
  std::string out =
      "{\"kind\":\"TokenReview\",\"apiVersion\":\"authentication.k8s.io/v1\",\"metadata\":{"
      "\"creationTimestamp\":null,\"managedFields\":" +
      ManagedEntry(ManagerOf(req), "authentication.k8s.io/v1", ts, fields, "") +
      "},\"spec\":" + spec + ",\"status\":" + status + "}";
  return JsonAnswer(201, out);
}

}  // namespace vaultsync::kubeemu
