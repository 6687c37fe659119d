// A stand-in for the API server and the informers around one reconciler under test: it
// holds one custom resource as JSON, applies the reconciler's status and finalizer patches to
// it (recorded by FakeCluster), feeds the decoded object back to the reconciler's lister, and
// keeps the managed-Secret cache in line with the Secrets FakeCluster stores — so a test can
// drive a resource through many reconciles, and through "restarts" of the reconciler.
#pragma once

#include <functional>
#include <string>

#include "controller/secret_object.h"
#include "dynamic_fakes.h"
#include "fakes.h"
#include "metrics/expiry_metrics.h"
#include "runtime/reconcile_result.h"

namespace vaultsync::controller::testing {

template <typename T>
class ObjectHarness {
 public:
  using Decode = std::function<Result<T>(const json::Value&)>;
  ObjectHarness(std::string kind, Decode decode, FakeLister<T>& list, FakeCluster& cluster,
                FakeLister<ManagedSecret>& managed, const std::string& hmac_key)
      : kind_(std::move(kind)),
        decode_(std::move(decode)),
        list_(list),
        cluster_(cluster),
        managed_(managed),
        hmac_key_(hmac_key) {}

  // Creates demo/<name> with `spec` (JSON text) writing Secret `dest`.
  void Create(const std::string& name, const std::string& spec, const std::string& dest) {
    name_ = name;
    dest_ = dest;
    obj_.Parse(("{\"apiVersion\":\"vaultsync.io/v1alpha1\",\"kind\":\"" + kind_ +
                "\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"demo\",\"uid\":\"uid-" +
                name + "\",\"generation\":1,\"resourceVersion\":\"1\"},\"spec\":" + spec + "}")
                   .c_str());
    Sync();
  }
  // A new spec (generation + 1).
  void SetSpec(const std::string& spec) {
    json::Document d;
    d.Parse(spec.c_str());
    obj_["spec"].CopyFrom(d, obj_.GetAllocator());
    obj_["metadata"]["generation"].SetInt64(obj_["metadata"]["generation"].GetInt64() + 1);
    Sync();
  }
  // Sets metadata.annotations[key] = value (not a spec change: generation stays).
  void Annotate(const std::string& key, const std::string& value) {
    SetMetadataEntry("annotations", key, value);
  }
  // Sets metadata.labels[key] = value (not a spec change: generation stays).
  void Label(const std::string& key, const std::string& value) {
    SetMetadataEntry("labels", key, value);
  }
  void MarkDeleted() {
    obj_["metadata"].AddMember("deletionTimestamp", "2027-01-15T08:00:00Z", obj_.GetAllocator());
    Sync();
  }
  // Runs one reconcile and applies what it patched.
  runtime::ReconcileResult Run(
      const std::function<runtime::ReconcileResult(const std::string&)>& fn) {
    size_t statuses = cluster_.status_patch_bodies.size();
    size_t objects = cluster_.object_patch_bodies.size();
    auto r = fn("demo/" + name_);
    for (size_t i = statuses; i < cluster_.status_patch_bodies.size(); ++i) {
      Apply(cluster_.status_patch_bodies[i]);
    }
    for (size_t i = objects; i < cluster_.object_patch_bodies.size(); ++i) {
      const std::string& b = cluster_.object_patch_bodies[i];
      if (cluster_.fail_object_patches.ok()) Apply(b.substr(b.find('{')));
    }
    Sync();
    return r;
  }
  // Re-decodes the object into the lister (removing it once deleted with no finalizer left)
  // and refreshes the managed-Secret cache entry of the destination.
  void Sync() {
    const json::Value& md = obj_["metadata"];
    const json::Value* fins = json::Find(md, "finalizers");
    bool gone = json::Find(md, "deletionTimestamp") != nullptr &&
                (fins == nullptr || !fins->IsArray() || fins->Empty());
    if (gone) {
      list_.Remove("demo/" + name_);
    } else {
      auto decoded = decode_(obj_);
      if (decoded.ok()) list_.Put("demo/" + name_, std::move(*decoded));
    }
    auto text = cluster_.SecretJson("demo", dest_);
    if (!text) {
      managed_.Remove("demo/" + dest_);
      return;
    }
    auto doc = json::Parse(*text);
    auto state = ManagedSecretDecoder(&hmac_key_)(*doc);
    if (state.ok()) managed_.Put("demo/" + dest_, std::move(*state));
  }
  std::string Status(const std::vector<std::string>& keys) const {
    const json::Value* v = json::Find(obj_, "status");
    for (const auto& k : keys) {
      if (v == nullptr) return "";
      v = json::Find(*v, k);
    }
    if (v == nullptr) return "";
    return v->IsString() ? std::string(json::View(*v)) : json::Serialize(*v);
  }
  std::string Ready() const {
    const json::Value* st = json::Find(obj_, "status");
    const json::Value* c = st ? json::Find(*st, "conditions") : nullptr;
    if (c == nullptr || !c->IsArray() || c->Empty()) return "";
    const json::Value& r = (*c)[0];
    return std::string(json::View(r["status"])) + "/" + std::string(json::View(r["reason"]));
  }
  std::string Message() const {
    const json::Value* st = json::Find(obj_, "status");
    const json::Value* c = st ? json::Find(*st, "conditions") : nullptr;
    if (c == nullptr || !c->IsArray() || c->Empty()) return "";
    return std::string(json::View((*c)[0]["message"]));
  }
  std::string Finalizers() const {
    const json::Value* f = json::Find(obj_["metadata"], "finalizers");
    return f == nullptr ? "" : json::Serialize(*f);
  }
  json::Document& obj() { return obj_; }

 private:
  // Sets metadata.<field>[key] = value, creating the map if needed, and syncs.
  void SetMetadataEntry(const char* field, const std::string& key, const std::string& value) {
    auto& a = obj_.GetAllocator();
    json::Value& md = obj_["metadata"];
    if (json::Find(md, field) == nullptr) {
      md.AddMember(json::Value(field, a), json::Value(rapidjson::kObjectType), a);
    }
    json::Value& m = md[field];
    m.RemoveMember(key.c_str());
    m.AddMember(json::Value(key.c_str(), a), json::Value(value.c_str(), a), a);
    Sync();
  }
  void Apply(const std::string& patch) {
    json::Document p;
    p.Parse(patch.c_str());
    MergePatch(obj_, p, obj_.GetAllocator());
  }

  std::string kind_;
  Decode decode_;
  FakeLister<T>& list_;
  FakeCluster& cluster_;
  FakeLister<ManagedSecret>& managed_;
  const std::string& hmac_key_;
  json::Document obj_;
  std::string name_, dest_;
};

// Records the expiry gauges.
class FakeExpiry : public metrics::ExpiryMetrics {
 public:
  void SetLease(std::string_view ns, std::string_view name, TimePoint expire,
                std::chrono::seconds duration) override {
    leases[std::string(ns) + "/" + std::string(name)] = {expire, duration};
  }
  void RemoveLease(std::string_view ns, std::string_view name) override {
    leases.erase(std::string(ns) + "/" + std::string(name));
  }
  void SetCertificate(std::string_view ns, std::string_view name, TimePoint not_after,
                      TimePoint renewal) override {
    certificates[std::string(ns) + "/" + std::string(name)] = {not_after, renewal};
  }
  void RemoveCertificate(std::string_view ns, std::string_view name) override {
    certificates.erase(std::string(ns) + "/" + std::string(name));
  }
  std::map<std::string, std::pair<TimePoint, std::chrono::seconds>> leases;
  std::map<std::string, std::pair<TimePoint, TimePoint>> certificates;
};

}  // namespace vaultsync::controller::testing
