// What apiextensions-apiserver's controllers do when a CRD is created: serve its types at
// once (discovery included) and mark it NamesAccepted and Established.
#include "crd_support.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {

void KubeEmulator::RegisterCrd(const ObjectPtr& crd) {
  registry_.SetCustomTypes(StringAt(*crd, "metadata.name"), TypesFromCrd(crd));
}

void KubeEmulator::EstablishCrd(const ObjectPtr& crd) {
  auto type = registry_.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  json::Document next = Clone(*crd);
  auto& a = next.GetAllocator();
  json::Value& status = EnsureObject(next, "status", a);
  std::string now = FormatRfc3339(Now(), 0);
  json::Value conds(rapidjson::kArrayType);
  auto cond = [&](const char* type_name, const char* reason, const char* message) {
    json::Value c(rapidjson::kObjectType);
    c.AddMember("type", json::StringValue(type_name, a), a);
    c.AddMember("status", "True", a);
    c.AddMember("lastTransitionTime", json::StringValue(now, a), a);
    c.AddMember("reason", json::StringValue(reason, a), a);
    c.AddMember("message", json::StringValue(message, a), a);
    conds.PushBack(c, a);
  };
  cond("NamesAccepted", "NoConflicts", "no conflicts found");
  cond("Established", "InitialNamesAccepted", "the initial names have been accepted");
  SetMember(status, "conditions", std::move(conds), a);
  const json::Value* names = At(*crd, "spec.names");
  json::Value accepted(rapidjson::kObjectType);
  if (names != nullptr) accepted.CopyFrom(*names, a);
  SetMember(status, "acceptedNames", std::move(accepted), a);
  ObjectPtr stored = Commit(*type, std::move(next), crd, "kube-apiserver", "status");
  RegisterCrd(stored);
}

}  // namespace vaultsync::kubeemu
