// Adding and removing one finalizer with an optimistic-lock merge patch.
#include "controller/finalizers.h"

namespace vaultsync::controller {

Status Finalizer::Patch(const ObjectMeta& meta, const std::vector<std::string>& finalizers) {
  std::string list = "[";
  for (size_t i = 0; i < finalizers.size(); ++i) {
    if (i > 0) list += ",";
    list += json::Quote(finalizers[i]);
  }
  list += "]";
  // A merge patch replaces the whole list: the resourceVersion makes it fail (Conflict)
  // rather than drop a finalizer someone else added meanwhile.
  std::string patch = "{\"metadata\":{\"resourceVersion\":" + json::Quote(meta.resource_version) +
                      ",\"finalizers\":" + list + "}}";
  return cluster_.PatchObject(kind_, meta.namespace_, meta.name, patch);
}

Result<bool> Finalizer::Ensure(const ObjectMeta& meta) {
  if (meta.deleting || meta.HasFinalizer(name_)) return false;
  std::vector<std::string> next = meta.finalizers;
  next.push_back(name_);
  VS_RETURN_IF_ERROR(Patch(meta, next));
  return true;
}

Result<bool> Finalizer::Remove(const ObjectMeta& meta) {
  if (meta.deleting || !meta.HasFinalizer(name_)) return false;
  std::vector<std::string> next;
  for (const auto& f : meta.finalizers) {
    if (f != name_) next.push_back(f);
  }
  VS_RETURN_IF_ERROR(Patch(meta, next));
  return true;
}

Status Finalizer::Finalize(const ObjectMeta& meta, const std::function<Status()>& cleanup) {
  if (!meta.deleting || !meta.HasFinalizer(name_)) return Status::Ok();
  VS_RETURN_IF_ERROR(cleanup());
  std::vector<std::string> next;
  for (const auto& f : meta.finalizers) {
    if (f != name_) next.push_back(f);
  }
  Status st = Patch(meta, next);
  // Gone meanwhile: whatever removed it, there is nothing left to hold.
  if (st.code() == StatusCode::kNotFound) return Status::Ok();
  return st;
}

}  // namespace vaultsync::controller
