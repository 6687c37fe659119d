// Wiring and lifecycle of the operator.
#include "controller/manager.h"

#include <openssl/rand.h>

#include <condition_variable>

#include "controller/controller.h"
#include "controller/kube_adapters.h"
#include "controller/kube_cluster.h"
#include "controller/secret_object.h"
#include "controller/vault_auth_reconciler.h"
#include "controller/vault_secret_source.h"
#include "controller/vault_static_secret_reconciler.h"
#include "kube/informer_factory.h"
#include "kube/leaderelection.h"
#include "kube/rest_client.h"
#include "metrics/operator_metrics.h"
#include "metrics/servers.h"
#include "util/base64.h"

namespace vaultsync::controller {
namespace {

using namespace std::chrono_literals;

// The key of status.secretMAC and the cache's data MACs: a Secret created once in the
// operator's namespace, so every replica and every restart uses the same key.
Result<std::string> LoadOrCreateHmacKey(kube::Client& client, const std::string& ns,
                                        const std::string& name) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto got = client.Get(kube::resources::Secret(), ns, name);
    if (got.ok()) {
      const json::Value* data = json::Find(*got, "data");
      const json::Value* key = data ? json::Find(*data, "key") : nullptr;
      auto decoded =
          (key != nullptr && key->IsString()) ? base64::Decode(json::View(*key)) : std::nullopt;
      if (!decoded || decoded->size() < 16) {
        return InvalidArgument("Secret " + ns + "/" + name +
                               " has no usable data.key (want >= 16 random bytes)");
      }
      return *decoded;
    }
    if (got.status().code() != StatusCode::kNotFound) return got.status();
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) return Internal("no randomness for the HMAC key");
    std::string body =
        R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":)" + json::Quote(name) +
        R"(,"namespace":)" + json::Quote(ns) +
        R"(,"labels":{"app.kubernetes.io/name":"vaultsync","app.kubernetes.io/component":"hmac-key"}},)" +
        R"("type":"Opaque","data":{"key":")" +
        base64::Encode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw)) + "\"}}";
    auto doc = json::Parse(body);
    auto created = client.Create(kube::resources::Secret(), *doc);
    if (created.ok() || created.status().code() == StatusCode::kAlreadyExists)
      continue;  // read it back
    return created.status();
  }
  return Unavailable("could not read or create the HMAC key Secret " + ns + "/" + name);
}

std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

}  // namespace

Status RunManager(const ManagerOptions& o, http::CancelFlag& stop) {
  log::Logger& logger = log::Default();
  metrics::OperatorMetrics metrics;
  metrics::Heartbeat heartbeat(SystemClock::Instance());
  metrics::Probes probes;
  std::atomic<bool> synced{false};
  (void)probes.AddHealthzCheck("ping", metrics::PingCheck());
  (void)probes.AddHealthzCheck("workloop", heartbeat.Checker(2min));
  (void)probes.AddReadyzCheck("informers-synced", [&synced]() -> Status {
    return synced ? Status::Ok() : Unavailable("informer caches have not synced yet");
  });
  VS_ASSIGN_OR_RETURN(auto metrics_server,
                      metrics::ServeMetrics(o.metrics_bind_address,
                                            [&metrics] { return metrics.ExpositionText(); }));
  VS_ASSIGN_OR_RETURN(auto probe_server, metrics::ServeProbes(o.health_probe_bind_address, probes));

  http::TransportConfig tc;
  tc.base_url = o.kube.server;
  tc.tls = o.kube.tls;
  tc.user_agent = "vaultsync-operator";
  VS_ASSIGN_OR_RETURN(auto transport, http::NewTransport(tc));
  kube::RestClientOptions rest_options;
  rest_options.hooks = &metrics.rest_client();
  std::shared_ptr<http::Transport> shared_transport(std::move(transport));
  kube::RestClient client(shared_transport, o.kube, rest_options);
  // Lease renewals get a client of their own, as in controller-runtime: reconcile traffic
  // cannot use up their QPS budget, and no single request outlasts the renew deadline.
  kube::Config lease_config = o.kube;
  lease_config.timeout = std::min<std::chrono::milliseconds>(o.kube.timeout, o.renew_deadline);
  kube::RestClient lease_client(shared_transport, lease_config, rest_options);

  VS_ASSIGN_OR_RETURN(const std::string hmac_key,
                      LoadOrCreateHmacKey(client, o.operator_namespace, o.hmac_secret_name));

  kube::InformerFactory factory(client);
  kube::InformerScope scope{o.watch_namespaces, "", ""};
  kube::InformerScope secret_scope{o.watch_namespaces, kManagedSecretSelector, ""};
  VS_ASSIGN_OR_RETURN(auto vss_inf,
                      factory.For<VaultStaticSecret>(kube::resources::VaultStaticSecret(), scope,
                                                     DecodeVaultStaticSecret));
  VS_ASSIGN_OR_RETURN(auto auth_inf,
                      factory.For<VaultAuth>(kube::resources::VaultAuth(), scope, DecodeVaultAuth));
  VS_ASSIGN_OR_RETURN(auto conn_inf,
                      factory.For<VaultConnection>(kube::resources::VaultConnection(), scope,
                                                   DecodeVaultConnection));
  VS_ASSIGN_OR_RETURN(auto secret_inf,
                      factory.For<ManagedSecret>(kube::resources::Secret(), secret_scope,
                                                 ManagedSecretDecoder(&hmac_key)));
  InformerLister<VaultStaticSecret> vss_list(vss_inf);
  InformerLister<VaultAuth> auth_list(auth_inf);
  InformerLister<VaultConnection> conn_list(conn_inf);
  InformerLister<ManagedSecret> secret_list(secret_inf);

  KubeCluster cluster(client);
  kube::EventRecorder recorder(client);
  RecorderEventSink events(recorder);
  VaultSecretSourceOptions vopts;
  vopts.hooks = &metrics.vault();
  VaultSecretSource vault(cluster, vopts);

  VaultStaticSecretReconcilerDeps deps;
  deps.secrets = &vss_list;
  deps.auths = &auth_list;
  deps.connections = &conn_list;
  deps.managed = &secret_list;
  deps.cluster = &cluster;
  deps.events = &events;
  deps.vault = &vault;
  deps.clock = &SystemClock::Instance();
  deps.metrics = &metrics;
  VaultStaticSecretReconcilerOptions ropts;
  ropts.defaults = o.defaults;
  ropts.hmac_key = hmac_key;
  ropts.default_refresh = o.default_refresh;
  VaultStaticSecretReconciler vss_reconciler(deps, ropts);
  VaultAuthReconciler auth_reconciler(auth_list, conn_list, cluster, SystemClock::Instance());
  VaultConnectionReconciler conn_reconciler(conn_list, cluster, SystemClock::Instance());

  auto controller_options = [&](const char* name, int workers) {
    ControllerOptions c;
    c.name = name;
    c.workers = workers;
    c.metrics = &metrics;
    c.queue_hooks = &metrics.workqueue();
    c.heartbeat = &heartbeat;
    return c;
  };
  Controller vss_ctl(controller_options("vaultstaticsecret", o.max_concurrent_reconciles),
                     [&](const std::string& k) {
                       ReconcileResult r = vss_reconciler.Reconcile(k);
                       metrics.SetManagedSecrets(static_cast<int64_t>(vss_inf->Size()));
                       return r;
                     });
  Controller auth_ctl(controller_options("vaultauth", 1),
                      [&](const std::string& k) { return auth_reconciler.Reconcile(k); });
  Controller conn_ctl(controller_options("vaultconnection", 1),
                      [&](const std::string& k) { return conn_reconciler.Reconcile(k); });

  // Which VaultStaticSecrets depend on a VaultAuth / VaultConnection (a scan: these change
  // rarely, and a scan of the cache costs no API call).
  auto enqueue_users_of_auth = [&](const std::string& auth_key) {
    for (const auto& v : vss_list.List()) {
      if (Key(v->spec.auth_ref_namespace, v->spec.auth_ref_name) == auth_key)
        vss_ctl.Enqueue(v->meta.Key());
    }
  };
  auto enqueue_users_of_connection = [&](const VaultConnection& c) {
    for (const auto& a : auth_list.List()) {
      if (a->meta.namespace_ == c.meta.namespace_ && a->spec.vault_connection_ref == c.meta.name) {
        auth_ctl.Enqueue(a->meta.Key());
        enqueue_users_of_auth(a->meta.Key());
      }
    }
  };
  using VssPtr = std::shared_ptr<const VaultStaticSecret>;
  vss_inf->AddEventHandler({
      [&](const VssPtr& v) { vss_ctl.Enqueue(v->meta.Key()); },
      [&](const VssPtr& a, const VssPtr& b) {
        // Our own status writes change only status: no need to look again.
        if (a->meta.generation != b->meta.generation || a->meta.deleting != b->meta.deleting) {
          vss_ctl.Enqueue(b->meta.Key());
        }
      },
      [&](const VssPtr& v) { vss_ctl.Enqueue(v->meta.Key()); },
  });
  using AuthPtr = std::shared_ptr<const VaultAuth>;
  auto on_auth = [&](const AuthPtr& a) {
    auth_ctl.Enqueue(a->meta.Key());
    enqueue_users_of_auth(a->meta.Key());
  };
  auth_inf->AddEventHandler({on_auth,
                             [&](const AuthPtr& a, const AuthPtr& b) {
                               if (a->meta.generation != b->meta.generation) on_auth(b);
                             },
                             on_auth});
  using ConnPtr = std::shared_ptr<const VaultConnection>;
  auto on_conn = [&](const ConnPtr& c) {
    conn_ctl.Enqueue(c->meta.Key());
    enqueue_users_of_connection(*c);
  };
  conn_inf->AddEventHandler({on_conn,
                             [&](const ConnPtr& a, const ConnPtr& b) {
                               if (a->meta.generation != b->meta.generation) on_conn(b);
                             },
                             on_conn});
  using SecretPtr = std::shared_ptr<const ManagedSecret>;
  auto on_secret = [&](const SecretPtr& s) {
    if (auto owner = s->Label(kOwnerLabel)) {
      vss_ctl.Enqueue(Key(s->namespace_, std::string(*owner)));
    }
  };
  secret_inf->AddEventHandler(
      {on_secret, [&](const SecretPtr&, const SecretPtr& b) { on_secret(b); }, on_secret});

  factory.Start();
  while (!factory.WaitForCacheSync(1s)) {
    if (stop.cancelled()) {
      factory.Stop();
      return Status::Ok();
    }
    heartbeat.Beat();
  }
  synced = true;
  logger.Info("caches synced", {{"vaultstaticsecrets", std::to_string(vss_inf->Size())}});

  std::mutex mu;
  std::condition_variable cv;
  bool lost = false;
  auto start_controllers = [&] {
    vss_ctl.Start();
    auth_ctl.Start();
    conn_ctl.Start();
  };
  std::unique_ptr<kube::LeaderElector> elector;
  if (o.leader_elect) {
    kube::LeaderElectionConfig lc;
    lc.lease_namespace =
        o.leader_election_namespace.empty() ? o.operator_namespace : o.leader_election_namespace;
    lc.lease_name = o.leader_election_id;
    lc.lease_duration = o.lease_duration;
    lc.renew_deadline = o.renew_deadline;
    lc.retry_period = o.retry_period;
    lc.hooks = &metrics.leader_election();
    // Runs on the elector's thread after this block has ended: capture the lease by value.
    lc.on_started_leading = [&logger, &start_controllers,
                             lease = lc.lease_namespace + "/" + lc.lease_name] {
      logger.Info("became leader", {{"lease", lease}});
      start_controllers();
    };
    lc.on_stopped_leading = [&] {
      std::lock_guard<std::mutex> lock(mu);
      lost = true;
      cv.notify_all();
    };
    elector = std::make_unique<kube::LeaderElector>(lease_client, lc);
    VS_RETURN_IF_ERROR(elector->Start());
  } else {
    start_controllers();
  }
  int stop_reg = stop.Register([&] {
    std::lock_guard<std::mutex> lock(mu);
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return stop.cancelled() || lost; });
  }
  stop.Unregister(stop_reg);
  bool was_lost = lost && !stop.cancelled();
  logger.Info(was_lost ? "leadership lost, shutting down" : "shutting down");

  // Stop taking work and let in-flight reconciles finish.
  auto deadline = o.shutdown_timeout;
  vss_ctl.Stop(deadline);
  auth_ctl.Stop(1s);
  conn_ctl.Stop(1s);
  int revoked = vault.RevokeAll();
  recorder.Flush(2s);
  recorder.Stop();
  if (elector) elector->Stop();  // releases the Lease
  factory.Stop();
  logger.Info("stopped", {{"identities_revoked", std::to_string(revoked)}});
  if (was_lost) return Status(StatusCode::kUnavailable, "leader election lost");
  return Status::Ok();
}

}  // namespace vaultsync::controller
