// In-memory fakes of the reconcilers' ports (controller/ports.h): a Lister over a map, a
// Cluster that stores Secrets and records every write, an EventSink and SyncMetrics that
// record, and a SecretSource that serves scripted Vault answers and counts reads.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controller/ports.h"
#include "controller/vault_static_secret_reconciler.h"

namespace vaultsync::controller::testing {

template <typename T>
class FakeLister : public Lister<T> {
 public:
  std::shared_ptr<const T> Get(const std::string& key) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const T>> List() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<const T>> out;
    for (const auto& [k, v] : items_) out.push_back(v);
    return out;
  }
  // Index lookups scan with the same value functions the informers index by.
  std::vector<std::shared_ptr<const T>> ByIndex(std::string_view index,
                                                std::string_view value) const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<const T>> out;
    auto fn = indexes_.find(std::string(index));
    if (fn == indexes_.end()) return out;
    for (const auto& [k, v] : items_) {
      for (const auto& x : fn->second(*v)) {
        if (x == value) {
          out.push_back(v);
          break;
        }
      }
    }
    ++index_lookups;
    return out;
  }
  void AddIndex(const std::string& name, std::function<std::vector<std::string>(const T&)> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    indexes_[name] = std::move(fn);
  }
  void Put(const std::string& key, T value) {
    std::lock_guard<std::mutex> lock(mu_);
    items_[key] = std::make_shared<const T>(std::move(value));
  }
  void Remove(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.erase(key);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const T>> items_;
  std::map<std::string, std::function<std::vector<std::string>(const T&)>> indexes_;

 public:
  mutable int index_lookups = 0;
};

class FakeCluster : public Cluster {
 public:
  Result<std::optional<json::Document>> GetSecret(const std::string& ns,
                                                  const std::string& name) override;
  Status CreateSecret(const std::string& ns, const json::Value& secret) override;
  Status UpdateSecret(const std::string& ns, const std::string& name,
                      const json::Value& secret) override;
  Status PatchStatus(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& merge_patch) override;
  Status PatchObject(const std::string& kind, const std::string& ns, const std::string& name,
                     const std::string& merge_patch) override;
  Status PatchWorkload(const std::string& kind, const std::string& ns, const std::string& name,
                       const std::string& patch) override;
  Result<std::string> CreateServiceAccountToken(const std::string& ns, const std::string& sa,
                                                const std::vector<std::string>& audiences,
                                                int64_t expiration_seconds) override;

  // Test setup and inspection.
  void PutSecret(const std::string& ns, const std::string& json_text);
  std::optional<std::string> SecretJson(const std::string& ns, const std::string& name) const;
  // Decoded data (raw bytes) of a stored Secret.
  std::map<std::string, std::string> SecretDataOf(const std::string& ns,
                                                  const std::string& name) const;
  void DeleteSecret(const std::string& ns, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    secrets_.erase(ns + "/" + name);
  }
  int writes() const {
    return creates + updates + status_patches + workload_patches + object_patches;
  }

  int gets = 0, creates = 0, updates = 0, status_patches = 0, workload_patches = 0, tokens = 0,
      object_patches = 0;
  std::vector<std::string> status_patch_bodies;
  std::vector<std::string> object_patch_bodies;  // "Kind ns/name <patch>"
  Status fail_object_patches;                    // when non-OK, PatchObject returns it
  std::vector<std::string> workload_patch_targets;
  std::vector<std::string> workload_patch_bodies;
  // Every successful write in order ("status <patch>", "create ns/name", "update ns/name",
  // "workload Kind ns/name"), for tests of what is written before what.
  std::vector<std::string> write_log;
  std::vector<std::string> token_requests;      // "ns/sa"
  Status fail_writes;                           // when non-OK, every write returns it
  Status fail_secret_writes;                    // when non-OK, Secret creates/updates return it
  std::map<std::string, Status> fail_workload;  // "Kind name" -> error its patches return

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> secrets_;  // "ns/name" -> JSON text
  int next_rv_ = 100;
};

class FakeEvents : public EventSink {
 public:
  void Emit(const std::string& kind, const ObjectMeta& object, bool warning,
            const std::string& reason, const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(Event{kind, object.Key(), warning, reason, message});
  }
  struct Event {
    std::string kind, key;
    bool warning;
    std::string reason, message;
  };
  std::mutex mu;
  std::vector<Event> events;
};

class FakeMetrics : public metrics::ReconcilerMetrics {
 public:
  void RegisterController(std::string_view) override {}
  void ObserveReconcile(std::string_view, metrics::ReconcileResult, double) override {}
  void ObserveSecretSync(metrics::SyncResult result) override {
    static const char* kNames[] = {"created", "updated", "unchanged", "error"};
    ++syncs[kNames[static_cast<int>(result)]];
  }
  void SetLastSync(std::string_view ns, std::string_view name, TimePoint,
                   std::chrono::milliseconds) override {
    last_sync.insert(std::string(ns) + "/" + std::string(name));
  }
  void RemoveSecret(std::string_view ns, std::string_view name) override {
    last_sync.erase(std::string(ns) + "/" + std::string(name));
  }
  void SetManagedSecrets(int64_t) override {}
  std::map<std::string, int> syncs;
  std::set<std::string> last_sync;
};

class FakeSource : public SecretSource {
 public:
  Result<std::shared_ptr<const KvResult>> Read(const VaultIdentity& identity,
                                               const KvRequest& request) override;
  // Lists the secrets Set() under "mount/path/" (sub-folders end in '/'); an empty folder
  // lists as empty, as the real source's does.
  Result<std::shared_ptr<const KvListResult>> List(const VaultIdentity& identity,
                                                   const KvListRequest& request) override;
  void Forget(const std::string&) override {}

  // Serves `entries` for mount/path (any identity) until changed.
  void Set(const std::string& mount_path, std::vector<KvEntry> entries,
           std::optional<int64_t> version = 1,
           std::optional<std::chrono::seconds> ttl = std::nullopt);
  void SetError(const std::string& mount_path, Status error);
  void Delete(const std::string& mount_path);
  // A LIST of "mount/folder" (without trailing '/') fails with `error`.
  void SetListError(const std::string& mount_folder, Status error);

  const Clock* clock = nullptr;  // stamps read_at
  int reads = 0;
  int lists = 0;
  std::vector<VaultIdentity> identities;  // identity of each read
  std::vector<KvRequest> requests;        // each read
  std::vector<KvListRequest> list_requests;

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const KvResult>> data_;
  std::map<std::string, Status> errors_;
  std::map<std::string, Status> list_errors_;
};

}  // namespace vaultsync::controller::testing
