// An in-memory Kubernetes API server behind the Client interface, for unit tests of the
// informer here and of reconcilers elsewhere: one monotonically increasing
// resourceVersion, optimistic concurrency (409 on a stale resourceVersion), AlreadyExists,
// generateName, label and name/namespace field selectors, merge / strategic (as merge) /
// JSON patches, the status subresource with metadata.generation bumped on spec changes
// only, finalizers with deletionTimestamp, delete preconditions, TokenRequest, and watches
// with history replay from a resourceVersion, bookmarks, 410 after Compact(), cuts and
// injected failures. Not modelled: ownerReference garbage collection, namespace
// existence, admission/validation, server-side apply.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kube/client.h"

namespace vaultsync::kube::fake {

// Thread-safe.
class FakeClient final : public Client {
 public:
  explicit FakeClient(const Clock& clock = SystemClock::Instance());

  Result<json::Document> Get(const ResourceType& rt, std::string_view ns, std::string_view name,
                             std::string_view subresource = "") override;
  Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                              const ListOptions& opts = {}) override;
  Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> Update(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& obj) override;
  Result<json::Document> Patch(const ResourceType& rt, std::string_view ns, std::string_view name,
                               PatchType type, std::string_view patch,
                               const PatchOptions& opts = {}) override;
  Status Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                const DeleteOptions& opts = {}) override;
  Result<TokenResult> CreateToken(std::string_view ns, std::string_view service_account,
                                  const TokenRequestOptions& opts) override;
  // Blocks like a real watch until the handler stops it, `cancel` fires, CutWatches() or
  // opts.timeout_seconds of real time pass (then OK). A resourceVersion older than the
  // last Compact() gives kGone (what RunWatch makes of the server's 410 ERROR event).
  Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
               const WatchHandler& handler, const http::CancelFlag* cancel) override;

  // ---- test controls ----
  // The next `times` calls of `verb` ("get", "list", "create", "update", "updatestatus",
  // "patch", "delete", "token", "watch"; "" = any) on `resource` (plural; "" = any) fail
  // with `status`.
  void FailNext(std::string verb, std::string resource, Status status, int times = 1);
  void ClearFaults();
  // Ends every open watch as a dropped connection would (the watcher sees OK).
  void CutWatches();
  // Forgets the event history: every resourceVersion issued so far expires, so a watch
  // resumed from one (or a continue token issued before) gets kGone and must relist.
  void Compact();
  // Every open watch gets a BOOKMARK carrying the current resourceVersion.
  void SendBookmarks();
  // Waits (bounded) until watch handlers have returned from `n` BOOKMARK events in all (the
  // watcher has applied them: a positive event to wait for instead of a sleep).
  bool WaitForBookmarksDelivered(int n, std::chrono::milliseconds timeout) const;
  // Resources whose PUT ignores status and whose spec changes bump metadata.generation
  // (default: the vaultsync.io kinds and apps/v1 workloads).
  void AddStatusSubresource(const ResourceType& rt);

  int64_t resource_version() const;
  // Calls made per "verb resource" ("list secrets", "watch secrets", ...).
  int Calls(const std::string& verb, const std::string& resource) const;
  size_t OpenWatches() const;
  // The resourceVersion each watch call started from, in call order.
  std::vector<std::string> WatchResourceVersions() const;
  // Waits (bounded) until at least `n` watches are open.
  bool WaitForOpenWatches(size_t n, std::chrono::milliseconds timeout) const;
  // Number of stored objects of a type (all namespaces).
  size_t Count(const ResourceType& rt) const;

 private:
  struct Stored {
    std::string ns, name;
    std::string json;  // the object as the server would answer it
    std::map<std::string, std::string> labels;
  };
  struct HistoryEvent {
    int64_t rv;
    std::string type_key;
    EventType type;
    Stored obj;
  };
  struct Fault {
    std::string verb, resource;
    Status status;
    int times;
  };

  static std::string TypeKey(const ResourceType& rt);
  Status Check(const std::string& verb, const ResourceType& rt);  // counts + faults; mu_ held
  bool HasStatus(const ResourceType& rt) const;
  // Stores `doc` (already stamped) and records the event; mu_ held.
  Result<json::Document> Commit(const ResourceType& rt, json::Document& doc, EventType type);
  Result<json::Document> Replace(const ResourceType& rt, const json::Value& obj, bool status_only,
                                 std::string_view ns, std::string_view name);
  Result<json::Document> DeleteLocked(const ResourceType& rt, const Stored& s);
  Status NotFoundStatus(const ResourceType& rt, std::string_view name) const;

  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  int64_t rv_ = 100;
  int64_t compacted_ = 0;
  int bookmarks_delivered_ = 0;
  int64_t uid_counter_ = 0;
  int cut_generation_ = 0;
  int bookmark_generation_ = 0;
  size_t open_watches_ = 0;
  std::map<std::string, std::map<std::string, Stored>> objects_;  // type → key → object
  std::deque<HistoryEvent> history_;
  std::vector<Fault> faults_;
  std::map<std::string, int> calls_;
  std::vector<std::string> watch_rvs_;
  std::set<std::string> status_types_;
};

}  // namespace vaultsync::kube::fake
