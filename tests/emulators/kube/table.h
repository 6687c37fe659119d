// Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for (Accept:
// application/json;as=Table;v=v1;g=meta.k8s.io), with the built-in types' columns, a CRD's
// additionalPrinterColumns (JSONPath evaluated per object) and ages formatted as the
// apiserver formats them ("97s", "5m3s", "2d4h").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "object_store.h"
#include "resource_types.h"
#include "util/clock.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

struct TableOptions {
  std::string resource_version;  // metadata.resourceVersion of the Table
  std::string continue_token;
  int64_t remaining = -1;                   // metadata.remainingItemCount (-1 = omitted)
  std::string include_object = "Metadata";  // None | Metadata | Object
  bool no_headers = false;                  // columnDefinitions null (watch events after the first)
};

std::string TableJson(const ResourceType& t, const std::vector<ObjectPtr>& objects,
                      const TableOptions& opts, TimePoint now);

// apimachinery's duration.HumanDuration.
std::string HumanDuration(std::chrono::seconds d);

// Evaluates a simple JSONPath (.a.b, [n], [*], [?(@.k=="v")]) against v; returns the matches.
std::vector<const json::Value*> EvalJsonPath(const json::Value& v, const std::string& path);

}  // namespace vaultsync::kubeemu
