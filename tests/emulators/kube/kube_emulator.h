// The kube-apiserver emulator's core: a plain object whose Handle(request) -> response
// answers the Kubernetes REST API the way a v1.26 apiserver (plus the controllers a real
// cluster runs: namespace default ServiceAccounts, garbage collection, CRD establishment)
// answers it. HttpServer serves it over HTTP; unit tests call Handle directly.
//
// Thread-safe: every request runs under one internal lock; watch streams wait on a condition
// variable outside it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "api_errors.h"
#include "http_server.h"
#include "object_store.h"
#include "rbac.h"
#include "resource_types.h"
#include "util/clock.h"

namespace vaultsync::kubeemu {

using emu::ServerRequest;
using emu::ServerResponse;

class TokenAuthority;
class FlowControl;
struct ApplyIntent;

struct EmulatorOptions {
  // Bearer token that authenticates as a cluster admin (like Vault's dev root token).
  std::string admin_token = "emulator-admin-token";
  // Events kept per resource for watch resume; older resourceVersions get 410 Expired.
  size_t watch_window = 100;
  // PEM of the serving certificate, published as kube-root-ca.crt in every namespace (empty =
  // no TLS, no ConfigMap).
  std::string ca_pem;
  // Source of "now" (creation timestamps, token lifetimes). The emulator adds its own offset
  // moved by POST /__emulator/time. nullptr = the system clock.
  const Clock* clock = nullptr;
  // Authorize requests with RBAC (Roles/ClusterRoles and bindings stored in the emulator)
  // instead of allowing every authenticated caller, like kube-apiserver's
  // --authorization-mode=RBAC. The admin token is always allowed (system:masters).
  bool rbac = false;
  // In-flight request limit (kube-apiserver's --max-requests-inflight; 0 = unlimited); see
  // flow_control.h for what exceeding it answers.
  int max_requests_inflight = 0;
};

// A parsed resource request path.
struct RequestTarget {
  std::shared_ptr<const ResourceType> type;
  std::string ns;           // "" for cluster-scoped or all-namespace requests
  std::string name;         // "" for collection requests
  std::string subresource;  // "status", "token", ...
  std::string verb;         // get list watch create update patch delete deletecollection
};

// A delete request's options (metav1.DeleteOptions) as the emulator uses them.
struct DeleteOptions {
  std::string propagation;  // "Orphan", "Background", "Foreground"; "" = not set
  std::optional<bool> orphan_dependents;
  bool dry_run = false;
  std::optional<std::string> precondition_uid, precondition_rv;
};

class KubeEmulator {
 public:
  explicit KubeEmulator(EmulatorOptions options);
  ~KubeEmulator();
  KubeEmulator(const KubeEmulator&) = delete;
  KubeEmulator& operator=(const KubeEmulator&) = delete;

  // Answers one API request (never a /__emulator/ control path).
  ServerResponse Handle(const ServerRequest& req);
  // The HttpServer's admission hook (ServerOptions::admit): count key, authenticated user,
  // API Priority and Fairness headers and in-flight limit (flow_control.h).
  emu::Admission ServerAdmission(const ServerRequest& req);
  // The request-counter key: "VERB resource[/subresource]" such as "LIST secrets",
  // "UPDATE vaultstaticsecrets/status"; "GET /version" style for non-resource paths.
  std::string CountKey(const ServerRequest& req);

  // Registers the emulator's control paths on server:
  //   POST /__emulator/time          {"advance_seconds":N}  moves emulator time forward
  //   GET  /__emulator/time          {"now":"RFC3339"}
  //   POST /__emulator/watch-window  {"events":N}  resizes the watch window (evicting)
  //   POST /__emulator/compact       forgets old versions (Exact lists, continue tokens -> 410)
  //   POST /__emulator/cut-watches   ends every open watch stream now
  //   GET  /__emulator/overload      {"max_inflight":N,"retry_after_seconds":S,
  //                                   "exempt_masters":B,"in_flight":K,"rejected":R}
  //   POST /__emulator/overload      {"max_inflight":N,"retry_after_seconds":S,
  //                                   "exempt_masters":B} (each optional) sets the in-flight
  //                                   limit (0 = none); answers as GET
  void RegisterControls(emu::HttpServer& server);

  // Emulator time (base clock + advanced offset).
  TimePoint Now() const;
  void AdvanceTime(std::chrono::seconds s);
  void SetWatchWindow(size_t events);
  void CompactStore();
  void CutWatches();

 private:
  friend class WatchStream;
  struct Caller;

  // Routing and reads (kube_emulator.cpp, emulator_read.cpp).
  std::optional<RequestTarget> ParseTarget(const ServerRequest& req) const;
  // The caller, or nullopt when the request carries no valid token.
  std::optional<UserInfo> Authenticate(const ServerRequest& req);
  ServerResponse HandleLocked(const ServerRequest& req, std::unique_lock<std::mutex>& lock);
  // Serves an authenticated and authorized resource request.
  ServerResponse Dispatch(const ServerRequest& req, const RequestTarget& t, const UserInfo& user,
                          std::unique_lock<std::mutex>& lock);
  ServerResponse Get(const ServerRequest& req, const RequestTarget& t);
  ServerResponse List(const ServerRequest& req, const RequestTarget& t);
  ServerResponse Watch(const ServerRequest& req, const RequestTarget& t);
  ServerResponse OpenApi(const ServerRequest& req);
  ServerResponse OpenApiV2(const ServerRequest& req);

  // Writes (emulator_write.cpp).
  ServerResponse Create(const ServerRequest& req, const RequestTarget& t);
  ServerResponse Update(const ServerRequest& req, const RequestTarget& t);
  ServerResponse Patch(const ServerRequest& req, const RequestTarget& t);
  // Server-side apply (emulator_apply.cpp): creates or merges, records field ownership.
  ServerResponse Apply(const ServerRequest& req, const RequestTarget& t);
  ServerResponse Delete(const ServerRequest& req, const RequestTarget& t);
  ServerResponse DeleteCollection(const ServerRequest& req, const RequestTarget& t);
  // The shared write path for PUT and PATCH: `incoming` is the full desired object.
  ServerResponse WriteUpdate(const ServerRequest& req, const RequestTarget& t,
                             json::Document incoming, ObjectPtr old);
  // Stores a new object version (rv, managedFields, event).
  ObjectPtr Commit(const ResourceType& type, json::Document obj, ObjectPtr old,
                   const std::string& manager, const std::string& subresource);

  // Deletion as the registry does it (emulator_delete.cpp).
  // DeleteOptions from the body, or from the query when there is no body, validated.
  static std::optional<ApiError> ParseDeleteOptions(const ServerRequest& req, DeleteOptions* out);
  // store.Delete: the garbage collector's finalizers as the options and the type's default
  // policy ask, then either marking the object as being deleted (deletionTimestamp; it stays
  // while it has finalizers) or removing it now. Returns the object when it remains (as
  // stored, or as it would be for a dry run), nullptr when it is gone.
  ObjectPtr DeleteObject(const ResourceType& type, ObjectPtr obj, const DeleteOptions& options);
  // Removes an object now: a DELETED event carrying `last` (with a new resourceVersion), then
  // the controllers react (dependents, waiting owners, a terminating namespace).
  void RemoveNow(const ResourceType& type, ObjectPtr last);
  // The write a controller makes (kube-controller-manager's field manager): stores `next`, or
  // removes the object when `next` empties the finalizers of an object being deleted.
  // Returns the stored object, or nullptr when it was removed.
  ObjectPtr ControllerUpdate(const ResourceType& type, ObjectPtr old, json::Document next);
  std::shared_ptr<const ResourceType> TypeForKey(const std::string& key) const;

  // kube-controller-manager's garbage collector and namespace controller, and the
  // create-time publishers (emulator_controllers.cpp), run synchronously after the write
  // that wakes them.
  // After a stored create or update of obj.
  void AfterWrite(const ResourceType& type, const ObjectPtr& obj);
  // After obj was removed (`last`: its final state).
  void AfterRemoval(const ResourceType& type, const ObjectPtr& last);
  // attemptToDeleteItem: a dependent whose owners are all gone (or waiting for their
  // dependents) is deleted; references to such owners are dropped when another owner lives.
  void AttemptToDelete(const ResourceType& type, ObjectPtr dependent);
  // An owner being deleted in the foreground: its dependents are deleted; once no dependent
  // with blockOwnerDeletion remains, the foregroundDeletion finalizer goes.
  void ProcessDeletingDependents(const ResourceType& type, ObjectPtr owner);
  // An owner being deleted with the orphan finalizer: its dependents lose their reference to
  // it, then the finalizer goes.
  void OrphanDependents(const ResourceType& type, ObjectPtr owner);
  void RemoveFinalizer(const ResourceType& type, ObjectPtr obj, const std::string& finalizer);
  // Every object with an ownerReference to `uid` (a scan: only deletions need it).
  std::vector<std::pair<std::shared_ptr<const ResourceType>, ObjectPtr>> DependentsOf(
      const std::string& uid) const;
  // The owner an ownerReference names: nullptr when absent (or present with another uid);
  // *unresolvable is set when the kind is not served (the collector then leaves it alone).
  ObjectPtr OwnerOf(const json::Value& ref, const std::string& dependent_ns,
                    bool* unresolvable) const;
  // The current version of obj, or nullptr when it is gone (or was replaced by a namesake).
  ObjectPtr Fresh(const ResourceType& type, const ObjectPtr& obj) const;
  void DeleteNamespaceContents(const std::string& ns);
  void RemoveNamespaceIfEmpty(const std::string& ns);
  void AfterCreate(const ResourceType& type, const ObjectPtr& obj);
  // Creates an object the way the cluster's own components do (defaults, uid, timestamps).
  ObjectPtr CreateInternal(const ResourceType& type, json::Document obj,
                           const std::string& manager);

  // Custom resources (emulator_crd.cpp).
  void RegisterCrd(const ObjectPtr& crd);
  void EstablishCrd(const ObjectPtr& crd);

  // Subresources and special endpoints (emulator_tokens.cpp).
  ServerResponse CreateToken(const ServerRequest& req, const RequestTarget& t);
  ServerResponse CreateTokenReview(const ServerRequest& req, const RequestTarget& t);
  // authorization.k8s.io reviews answered from the emulator's authorizer (emulator_authz.cpp).
  ServerResponse AccessReview(const ServerRequest& req, const RequestTarget& t,
                              const UserInfo& user);
  // Whether `user` may do `attrs`, and the authorizer's reason (RBAC mode names the binding).
  bool Authorize(const UserInfo& user, const Attributes& attrs, std::string* reason) const;
  // events.k8s.io/v1: the core/v1 Event storage seen through the v1 field mapping
  // (emulator_events_v1.cpp).
  ServerResponse EventsV1(const ServerRequest& req, const RequestTarget& t, const UserInfo& user,
                          std::unique_lock<std::mutex>& lock);
  // GET/PUT/PATCH .../scale (emulator_scale.cpp).
  ServerResponse ScaleSubresource(const ServerRequest& req, const RequestTarget& t);

  std::string NewUid();
  std::string RandomSuffix();

  EmulatorOptions options_;
  mutable std::mutex mu_;
  // Watchers wait on their resource's condition variable (with mu_), so a commit wakes only
  // the watches of the resource it changed; CutWatches wakes them all.
  std::condition_variable& WatchersOf(const std::string& storage_key);  // with mu_ held
  void NotifyWatchers(const std::string& storage_key);                  // with mu_ held
  std::map<std::string, std::unique_ptr<std::condition_variable>> watchers_;
  uint64_t cut_generation_ = 0;
  mutable std::mutex time_mu_;  // guards offset_ (read without mu_ by watch threads)
  std::chrono::seconds offset_{0};
  TypeRegistry registry_;
  ObjectStore store_;
  std::mt19937_64 rng_;
  std::unique_ptr<TokenAuthority> tokens_;
  std::unique_ptr<FlowControl> flow_;
  // Owners whose foreground deletion is being processed (a dependent's removal re-enters
  // ProcessDeletingDependents; the outer call finishes the job instead of recursing).
  std::set<std::string> foreground_busy_;
  // Set while a server-side apply writes through Create/WriteUpdate: the managedFields entry
  // to record instead of an Update one.
  const ApplyIntent* apply_ = nullptr;
};

}  // namespace vaultsync::kubeemu
