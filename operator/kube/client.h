// The Kubernetes API as the rest of the operator sees it: typed by ResourceType, objects as
// RapidJSON documents, every failure a Status (see api_error.h for the mapping). Abstract
// so that reconcilers can be unit-tested with an in-memory fake (tests/kube/fake) and run
// against the real apiserver or the emulator through RestClient (rest_client.h) unchanged.
//
// Objects: inputs are `const json::Value&` (an object with apiVersion, kind and metadata;
// namespace and name are read from metadata), outputs are owning `json::Document`s of the
// server's answer. Patches are raw JSON text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"
#include "kube/resource.h"
#include "kube/watch.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kube {

struct ListOptions {
  std::string label_selector;  // "app=demo,tier!=db"
  std::string field_selector;  // "metadata.name=x"
  int64_t limit = 0;           // page size; 0 = everything at once
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
  std::string resource_version_match;  // "Exact" | "NotOlderThan" | ""
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kJson,            // application/json-patch+json (RFC 6902)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in types only)
};
std::string_view PatchContentType(PatchType t);

struct PatchOptions {
  std::string subresource;  // "status", or "" for the object itself
  std::string field_manager;
};

struct DeleteOptions {
  std::string propagation_policy;  // "Foreground" | "Background" | "Orphan" | "" (default)
  std::string precondition_uid;    // delete only if the object still has this uid...
  std::string precondition_resource_version;  // ...and/or this resourceVersion
  std::optional<int64_t> grace_period_seconds;
};

struct TokenRequestOptions {
  std::vector<std::string> audiences;  // empty = the apiserver's own audience
  int64_t expiration_seconds = 3600;   // the apiserver enforces a minimum of 600
};

struct TokenResult {
  std::string token;  // a JWT; never log it
  TimePoint expiration;
};

// Implementations are thread-safe.
class Client {
 public:
  virtual ~Client() = default;

  // GET one object (or a subresource of it). kNotFound when absent.
  virtual Result<json::Document> Get(const ResourceType& rt, std::string_view ns,
                                     std::string_view name, std::string_view subresource = "") = 0;

  // LIST: the whole List object (items, metadata.resourceVersion, metadata.continue).
  // ns empty = all namespaces. kGone when a continue token or an Exact resourceVersion
  // has expired.
  virtual Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                                      const ListOptions& opts = {}) = 0;

  // POST. Returns the created object. kAlreadyExists when the name is taken,
  // kInvalidArgument for a rejected object (400/422), kInvalidArgument without calling
  // the server when a namespaced object has no metadata.namespace.
  virtual Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) = 0;

  // PUT of the whole object; metadata.resourceVersion in obj makes it conditional:
  // kConflict when the object changed since. kNotFound when absent.
  virtual Result<json::Document> Update(const ResourceType& rt, const json::Value& obj) = 0;

  // PUT .../status: only the status is written (the apiserver ignores the rest).
  virtual Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& obj) = 0;

  // PATCH (of a subresource when opts.subresource is set). Returns the patched object.
  virtual Result<json::Document> Patch(const ResourceType& rt, std::string_view ns,
                                       std::string_view name, PatchType type,
                                       std::string_view patch, const PatchOptions& opts = {}) = 0;

  // DELETE. OK when the server accepted it (200, or 202 when finalizers delay it);
  // kNotFound when absent; kConflict when a precondition failed.
  virtual Status Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                        const DeleteOptions& opts = {}) = 0;

  // POST serviceaccounts/NAME/token (TokenRequest). kNotFound when the ServiceAccount does
  // not exist.
  virtual Result<TokenResult> CreateToken(std::string_view ns, std::string_view service_account,
                                          const TokenRequestOptions& opts) = 0;

  // One watch request (see RunWatch in watch.h for the results): blocks, calling handler
  // for each event, until the server ends the stream, the handler returns false, or
  // `cancel` fires. ns empty = all namespaces. Resuming and relisting are the caller's
  // (the informer's) business.
  virtual Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
                       const WatchHandler& handler, const http::CancelFlag* cancel) = 0;
};

}  // namespace vaultsync::kube
