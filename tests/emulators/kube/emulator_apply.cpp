// PATCH with Content-Type application/apply-patch+yaml (`kubectl apply --server-side`, client
// libraries' apply calls) for every resource and the status subresource: decodes the applied
// configuration (YAML or JSON), checks what the apiserver checks first (fieldManager,
// apiVersion/kind, no managedFields), then creates the object when absent or merges it into
// the live one, refusing conflicting changes to fields other managers own unless
// force=true. The write itself goes through the ordinary create/update path with the
// applier's Apply entry recorded instead of an Update one (see server_side_apply.h for the
// subset implemented).
#include <strings.h>

#include <algorithm>
#include <tuple>

#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "server_side_apply.h"
#include "yaml_json.h"

namespace vaultsync::kubeemu {
namespace {

bool SameEntries(std::vector<ManagedEntry> x, std::vector<ManagedEntry> y) {
  if (x.size() != y.size()) return false;
  auto key = [](const ManagedEntry& e) {
    return std::tie(e.manager, e.operation, e.api_version, e.subresource);
  };
  auto less = [&](const ManagedEntry& a, const ManagedEntry& b) { return key(a) < key(b); };
  std::sort(x.begin(), x.end(), less);
  std::sort(y.begin(), y.end(), less);
  for (size_t i = 0; i < x.size(); ++i) {
    if (key(x[i]) != key(y[i]) || !(x[i].set == y[i].set)) return false;
  }
  return true;
}

// Restores apply_ when the write returns.
class ApplyScope {
 public:
  ApplyScope(const ApplyIntent** slot, const ApplyIntent* intent) : slot_(slot) { *slot_ = intent; }
  ~ApplyScope() { *slot_ = nullptr; }
  ApplyScope(const ApplyScope&) = delete;
  ApplyScope& operator=(const ApplyScope&) = delete;

 private:
  const ApplyIntent** slot_;
};

}  // namespace

ServerResponse KubeEmulator::Apply(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  std::string manager = req.Query("fieldManager");
  if (manager.empty()) {
    return ErrorAnswer(
        InvalidError("PatchOptions", "meta.k8s.io", "",
                     {RequiredCause("fieldManager", "is required for apply patch")}));
  }
  auto docs = vaultsync::testing::YamlToJson(req.body);
  if (!docs.ok() || docs->empty()) {
    return ErrorAnswer(
        BadRequestError("error decoding YAML: " +
                        (docs.ok() ? std::string("empty document") : docs.status().message())));
  }
  auto parsed = json::Parse((*docs)[0]);
  if (!parsed.ok() || !parsed->IsObject()) {
    return ErrorAnswer(BadRequestError(
        "error decoding YAML: the applied configuration must be a YAML or JSON object"));
  }
  json::Document config = std::move(parsed).value();
  std::string api_version = StringAt(config, "apiVersion");
  if (api_version != type.GroupVersion()) {
    return ErrorAnswer(BadRequestError(
        "Incorrect version specified in apply patch. Specified patch version: " + api_version +
        ", expected: " + type.GroupVersion()));
  }
  std::string kind = StringAt(config, "kind");
  if (kind != type.kind) {
    return ErrorAnswer(
        BadRequestError("Incorrect kind specified in apply patch. Specified patch "
                        "kind: " +
                        kind + ", expected: " + type.kind));
  }
  if (At(config, "metadata.managedFields") != nullptr) {
    return ErrorAnswer(BadRequestError("metadata.managedFields must be nil"));
  }
  std::string name = StringAt(config, "metadata.name");
  if (!name.empty() && name != t.name) {
    return ErrorAnswer(BadRequestError("the name of the object (" + name +
                                       ") does not match the name on the URL (" + t.name + ")"));
  }
  ApplyIntent intent;
  intent.manager = manager;
  intent.applied = FieldSetOf(config, type, t.subresource, SetMode::kApplied);
  intent.force = QueryBool(req, "force");

  ObjectPtr old = store_.Get(type.StorageKey(), t.ns, t.name);
  if (old == nullptr) {
    if (!t.subresource.empty()) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
    json::Value& md = EnsureObject(config, "metadata", config.GetAllocator());
    SetString(md, "name", t.name, config.GetAllocator());
    ServerRequest create = req;
    create.body = Compact(config);
    std::erase_if(create.headers,
                  [](const auto& h) { return strcasecmp(h.first.c_str(), "Content-Type") == 0; });
    create.headers.emplace_back("Content-Type", "application/json");
    RequestTarget ct = t;
    ct.verb = "create";
    ApplyScope scope(&apply_, &intent);
    return Create(create, ct);
  }

  json::Document merged = Clone(*old);
  MergeApplied(merged, config, type, t.subresource);
  std::vector<ManagedEntry> entries = ReadManagedFields(*old);
  FieldSet last, others;
  for (const auto& e : entries) {
    if (e.manager == manager && e.operation == "Apply" && e.subresource == t.subresource) {
      last = e.set;
    } else {
      others = others.Union(e.set);
    }
  }
  // Fields this manager applied before and applies no more go, unless someone else owns them.
  PruneFields(merged, last.Difference(intent.applied), others.Union(intent.applied));
  SetComparison cmp = CompareForManagers(old.get(), merged, type, t.subresource, intent.applied);
  std::vector<FieldConflict> conflicts =
      ApplyConflicts(entries, manager, cmp.added.Union(cmp.modified));
  if (!conflicts.empty() && !intent.force) return ErrorAnswer(ApplyConflictError(conflicts));
  json::Document probe = Clone(merged);
  RecordApply(probe, type, t.subresource, "", old.get(), intent);
  intent.changes_ownership = !SameEntries(ReadManagedFields(probe), entries);
  ApplyScope scope(&apply_, &intent);
  return WriteUpdate(req, t, std::move(merged), old);
}

}  // namespace vaultsync::kubeemu
