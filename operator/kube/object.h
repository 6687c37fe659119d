// Reading the metadata every Kubernetes object and list carries. Objects cross the client
// interface as RapidJSON documents; these helpers pull out the few fields the machinery
// (cache keys, optimistic concurrency, paging, events) needs, with checked access.
#pragma once

#include <cstdint>
#include <string>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kube {

// metadata.* of one object. Absent fields are empty / 0 (a watch BOOKMARK carries only
// resourceVersion).
struct ObjectMeta {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
};

// Fails (kInvalidArgument, from util/json.h) naming the field when metadata is missing or a
// field has the wrong type.
Result<ObjectMeta> ReadObjectMeta(const json::Value& obj);

// metadata.* of a list response.
struct ListMeta {
  std::string resource_version;
  std::string continue_token;  // empty on the last page
};
Result<ListMeta> ReadListMeta(const json::Value& list);

// What an Event's involvedObject (and other references) names.
struct ObjectReference {
  std::string api_version;  // "vaultsync.io/v1alpha1"
  std::string kind;         // "VaultStaticSecret"
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
};

// A reference to obj, taking apiVersion and kind from the object itself. Items of built-in
// lists carry no apiVersion/kind: pass them as defaults for that case.
Result<ObjectReference> ReferenceTo(const json::Value& obj,
                                    std::string_view default_api_version = "",
                                    std::string_view default_kind = "");

}  // namespace vaultsync::kube
