// Status bodies for the kube emulator's failures.
#include "api_errors.h"

#include <algorithm>

#include "util/json.h"

namespace vaultsync::kubeemu {

std::string ApiError::Body() const {
  std::string b = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{";
  if (!metadata_continue.empty()) b += "\"continue\":" + json::Quote(metadata_continue);
  b += "},\"status\":\"Failure\"";
  if (!message.empty()) b += ",\"message\":" + json::Quote(message);
  if (!reason.empty()) b += ",\"reason\":" + json::Quote(reason);
  if (has_details) {
    b += ",\"details\":{";
    std::string inner;
    auto add = [&inner](const std::string& k, const std::string& v) {
      if (v.empty()) return;
      if (!inner.empty()) inner += ',';
      inner += json::Quote(k) + ":" + v;
    };
    add("name", name.empty() ? "" : json::Quote(name));
    add("group", group.empty() ? "" : json::Quote(group));
    add("kind", kind.empty() ? "" : json::Quote(kind));
    if (!causes.empty()) {
      std::string arr = "[";
      for (size_t i = 0; i < causes.size(); ++i) {
        if (i > 0) arr += ',';
        arr += "{\"reason\":" + json::Quote(causes[i].reason);
        if (!causes[i].message.empty()) arr += ",\"message\":" + json::Quote(causes[i].message);
        if (!causes[i].field.empty()) arr += ",\"field\":" + json::Quote(causes[i].field);
        arr += '}';
      }
      add("causes", arr + "]");
    }
    if (retry_after_seconds > 0) add("retryAfterSeconds", std::to_string(retry_after_seconds));
    b += inner + "}";
  }
  b += ",\"code\":" + std::to_string(code) + "}";
  return b;
}

namespace {
ApiError WithDetails(int code, std::string reason, std::string message, const ResourceRef& r,
                     const std::string& name) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  e.has_details = true;
  e.name = name;
  e.group = r.group;
  e.kind = r.resource;
  return e;
}
}  // namespace

ApiError NotFoundError(const ResourceRef& r, const std::string& name) {
  return WithDetails(404, "NotFound", r.Qualified() + " " + json::Quote(name) + " not found", r,
                     name);
}

ApiError AlreadyExistsError(const ResourceRef& r, const std::string& name) {
  return WithDetails(409, "AlreadyExists",
                     r.Qualified() + " " + json::Quote(name) + " already exists", r, name);
}

ApiError ConflictError(const ResourceRef& r, const std::string& name, const std::string& detail) {
  return WithDetails(
      409, "Conflict",
      "Operation cannot be fulfilled on " + r.Qualified() + " " + json::Quote(name) + ": " + detail,
      r, name);
}

ApiError StaleConflictError(const ResourceRef& r, const std::string& name) {
  return ConflictError(r, name,
                       "the object has been modified; please apply your changes to the latest "
                       "version and try again");
}

std::string CauseText(const StatusCause& c) {
  std::string s = c.field.empty() ? "" : c.field + ": ";
  return s + c.message;
}

ApiError InvalidError(const std::string& kind, const std::string& group, const std::string& name,
                      const std::vector<StatusCause>& causes) {
  ApiError e;
  e.code = 422;
  e.reason = "Invalid";
  std::string qualified = group.empty() ? kind : kind + "." + group;
  // field.ErrorList.ToAggregate drops repeated messages (validation that runs twice on
  // update reports the same error twice in causes, once in the message).
  std::vector<std::string> texts;
  for (const StatusCause& c : causes) {
    std::string t = CauseText(c);
    if (std::find(texts.begin(), texts.end(), t) == texts.end()) texts.push_back(t);
  }
  std::string list;
  if (texts.size() == 1) {
    list = texts[0];
  } else {
    list = "[";
    for (size_t i = 0; i < texts.size(); ++i) {
      if (i > 0) list += ", ";
      list += texts[i];
    }
    list += "]";
  }
  e.message = qualified + " " + json::Quote(name) + " is invalid: " + list;
  e.has_details = true;
  e.name = name;
  e.group = group;
  e.kind = kind;
  e.causes = causes;
  return e;
}

ApiError BadRequestError(const std::string& message) {
  ApiError e;
  e.code = 400;
  e.reason = "BadRequest";
  e.message = message;
  return e;
}

ApiError GoneError(const std::string& message) {
  ApiError e;
  e.code = 410;
  e.reason = "Expired";
  e.message = message;
  return e;
}

ApiError UnauthorizedError() {
  ApiError e;
  e.code = 401;
  e.reason = "Unauthorized";
  e.message = "Unauthorized";
  return e;
}

ApiError MethodNotSupportedError(const ResourceRef& r, const std::string& verb) {
  ApiError e = WithDetails(
      405, "MethodNotAllowed",
      verb + " is not supported on resources of kind " + json::Quote(r.Qualified()), r, "");
  return e;
}

ApiError ForbiddenError(const std::string& message, const ResourceRef& r, const std::string& name) {
  return WithDetails(403, "Forbidden", message, r, name);
}

ApiError UnsupportedMediaTypeError(const std::string& content_type) {
  ApiError e;
  e.code = 415;
  e.reason = "UnsupportedMediaType";
  e.message =
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json-patch+json, application/merge-patch+json, "
      "application/strategic-merge-patch+json";
  (void)content_type;
  return e;
}

ApiError NotAcceptableError() {
  ApiError e;
  e.code = 406;
  e.reason = "NotAcceptable";
  e.message = "only the following media types are accepted: application/json, application/yaml";
  return e;
}

ApiError InternalError(const std::string& message) {
  ApiError e;
  e.code = 500;
  e.reason = "InternalError";
  e.message = "Internal error occurred: " + message;
  return e;
}

ApiError PageNotFoundError() {
  ApiError e;
  e.code = 404;
  e.reason = "NotFound";
  e.message = "the server could not find the requested resource";
  e.has_details = true;
  return e;
}

StatusCause RequiredCause(const std::string& field, const std::string& detail) {
  return {"FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail,
          field};
}

StatusCause InvalidCause(const std::string& field, const std::string& value_go,
                         const std::string& detail) {
  return {"FieldValueInvalid", "Invalid value: " + value_go + (detail.empty() ? "" : ": " + detail),
          field};
}

StatusCause TypeInvalidCause(const std::string& field, const std::string& value_go,
                             const std::string& detail) {
  return {"FieldValueTypeInvalid", "Invalid value: " + value_go + ": " + detail, field};
}

StatusCause NotSupportedCause(const std::string& field, const std::string& value_go,
                              const std::vector<std::string>& supported_quoted) {
  std::string msg = "Unsupported value: " + value_go;
  if (!supported_quoted.empty()) {
    msg += ": supported values: ";
    for (size_t i = 0; i < supported_quoted.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += supported_quoted[i];
    }
  }
  return {"FieldValueNotSupported", msg, field};
}

StatusCause ForbiddenCause(const std::string& field, const std::string& detail) {
  return {"FieldValueForbidden", "Forbidden: " + detail, field};
}

StatusCause DuplicateCause(const std::string& field, const std::string& value_go) {
  return {"FieldValueDuplicate", "Duplicate value: " + value_go, field};
}

}  // namespace vaultsync::kubeemu
