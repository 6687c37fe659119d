// The Kubernetes `Status` failures the emulator answers with, worded exactly as a v1.26
// kube-apiserver words them (reason, message, details.causes), because clients branch on
// reason and code and tests compare messages with the recorded ones.
#pragma once

#include <string>
#include <vector>

namespace vaultsync::kubeemu {

// One entry of details.causes.
struct StatusCause {
  std::string reason;   // e.g. "FieldValueInvalid"
  std::string message;  // e.g. "Invalid value: \"x\": ..."
  std::string field;    // e.g. "metadata.name"; empty = omitted
};

// A failure answer: HTTP code plus the Status body fields.
struct ApiError {
  int code = 500;
  std::string reason;   // "NotFound", "Invalid", ... (empty = omitted)
  std::string message;  // (empty = omitted)
  bool has_details = false;
  std::string name, group, kind;  // details.*
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;    // details.retryAfterSeconds (0 = omitted)
  std::string metadata_continue;  // metadata.continue (expired continue tokens)

  // The Status JSON.
  std::string Body() const;
};

// Identifies a resource in messages: `resource` plural and API group ("" = core).
struct ResourceRef {
  std::string resource;
  std::string group;
  // "secrets" or "leases.coordination.k8s.io"
  std::string Qualified() const { return group.empty() ? resource : resource + "." + group; }
};

ApiError NotFoundError(const ResourceRef& r, const std::string& name);
ApiError AlreadyExistsError(const ResourceRef& r, const std::string& name);
ApiError ConflictError(const ResourceRef& r, const std::string& name, const std::string& detail);
ApiError StaleConflictError(const ResourceRef& r, const std::string& name);
// 422 Invalid: `kind_qualified` is "Secret" or "VaultStaticSecret.vaultsync.io".
ApiError InvalidError(const std::string& kind, const std::string& group, const std::string& name,
                      const std::vector<StatusCause>& causes);
ApiError BadRequestError(const std::string& message);
ApiError GoneError(const std::string& message);
ApiError UnauthorizedError();
ApiError MethodNotSupportedError(const ResourceRef& r, const std::string& verb);
ApiError ForbiddenError(const std::string& message, const ResourceRef& r, const std::string& name);
ApiError UnsupportedMediaTypeError(const std::string& content_type);
ApiError NotAcceptableError();
ApiError InternalError(const std::string& message);
ApiError PageNotFoundError();

// The text of one cause as it appears in the aggregated message ("spec.path: Required value").
std::string CauseText(const StatusCause& c);

// Causes as field.ErrorList builds them.
StatusCause RequiredCause(const std::string& field, const std::string& detail = "");
StatusCause InvalidCause(const std::string& field, const std::string& value_go,
                         const std::string& detail);
StatusCause TypeInvalidCause(const std::string& field, const std::string& value_go,
                             const std::string& detail);
StatusCause NotSupportedCause(const std::string& field, const std::string& value_go,
                              const std::vector<std::string>& supported_quoted);
StatusCause ForbiddenCause(const std::string& field, const std::string& detail);
StatusCause DuplicateCause(const std::string& field, const std::string& value_go);

}  // namespace vaultsync::kubeemu
