// Checked reads of object and list metadata.
#include "kube/object.h"

namespace vaultsync::kube {

namespace {
Status Assign(std::string& out, const json::Value& obj, std::string_view key,
              std::string_view where) {
  auto v = json::OptionalString(obj, key, where);
  if (!v.ok()) return v.status();
  if (v->has_value()) out = std::string(**v);
  return Status::Ok();
}
}  // namespace

Result<ObjectMeta> ReadObjectMeta(const json::Value& obj) {
  VS_ASSIGN_OR_RETURN(const json::Value* md, json::Object(obj, "metadata"));
  ObjectMeta m;
  VS_RETURN_IF_ERROR(Assign(m.namespace_, *md, "namespace", "metadata"));
  VS_RETURN_IF_ERROR(Assign(m.name, *md, "name", "metadata"));
  VS_RETURN_IF_ERROR(Assign(m.uid, *md, "uid", "metadata"));
  VS_RETURN_IF_ERROR(Assign(m.resource_version, *md, "resourceVersion", "metadata"));
  VS_ASSIGN_OR_RETURN(auto gen, json::OptionalInt64(*md, "generation", "metadata"));
  m.generation = gen.value_or(0);
  return m;
}

Result<ListMeta> ReadListMeta(const json::Value& list) {
  ListMeta m;
  VS_ASSIGN_OR_RETURN(const json::Value* md, json::OptionalObject(list, "metadata"));
  if (md == nullptr) return m;
  VS_RETURN_IF_ERROR(Assign(m.resource_version, *md, "resourceVersion", "metadata"));
  VS_RETURN_IF_ERROR(Assign(m.continue_token, *md, "continue", "metadata"));
  return m;
}

Result<ObjectReference> ReferenceTo(const json::Value& obj, std::string_view default_api_version,
                                    std::string_view default_kind) {
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  ObjectReference ref;
  ref.api_version = std::string(default_api_version);
  ref.kind = std::string(default_kind);
  VS_RETURN_IF_ERROR(Assign(ref.api_version, obj, "apiVersion", ""));
  VS_RETURN_IF_ERROR(Assign(ref.kind, obj, "kind", ""));
  ref.namespace_ = std::move(m.namespace_);
  ref.name = std::move(m.name);
  ref.uid = std::move(m.uid);
  ref.resource_version = std::move(m.resource_version);
  return ref;
}

}  // namespace vaultsync::kube
