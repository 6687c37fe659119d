// Wiring of the vaultsync kinds onto the runtime.
#include "controller/operator.h"

#include <openssl/rand.h>

#include "controller/identity_dependents.h"
#include "controller/operator_context.h"
#include "controller/secret_object.h"
#include "controller/vault_auth_controller.h"
#include "controller/vault_connection_controller.h"
#include "controller/vault_dynamic_secret_controller.h"
#include "controller/vault_pki_secret_controller.h"
#include "controller/vault_push_secret_controller.h"
#include "controller/vault_static_secret_controller.h"
#include "controller/watch_label_selector.h"
#include "util/base64.h"
#include "util/log.h"

namespace vaultsync::controller {
namespace {

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

// Throttled or briefly unavailable API servers are normal at start-up (a rollout of many
// replicas, Priority and Fairness shedding load): wait as told (Retry-After) or back off,
// 1 s doubling to 30 s, until the key is there or the operator is stopped. Anything else
// (forbidden, a malformed key) ends the start as before.
Result<std::string> LoadOrCreateHmacKeyPatiently(kube::Client& client, const std::string& ns,
                                                 const std::string& name,
                                                 const http::CancelFlag& stop) {
  std::chrono::seconds backoff(1);
  while (true) {
    auto key = LoadOrCreateHmacKey(client, ns, name);
    if (key.ok()) return key;
    const Status& st = key.status();
    // A TLS failure (wrong CA, wrong name) will not pass by waiting: fail at once.
    bool transient =
        !http::IsTlsFailure(st) &&
        (st.code() == StatusCode::kRateLimited || st.code() == StatusCode::kUnavailable ||
         st.code() == StatusCode::kDeadlineExceeded ||
         (st.http_status() >= 500 && st.http_status() <= 504));
    if (!transient) return key;
    std::chrono::seconds wait =
        st.retry_after_seconds() ? std::chrono::seconds(*st.retry_after_seconds()) : backoff;
    log::Default().Warn("cannot read the HMAC key Secret yet; trying again",
                        {{"namespace", ns},
                         {"name", name},
                         {"error", st.ToString()},
                         {"retryIn", std::to_string(wait.count()) + "s"}});
    if (!stop.WaitFor(wait)) return Status(StatusCode::kCancelled, "stopped while starting");
    backoff = std::min(backoff * 2, std::chrono::seconds(30));
  }
}

// VaultAuth and VaultConnection are watched in the watched namespaces plus the operator's
// own (where the "default" ones live).
kube::InformerScope IdentityScope(const OperatorOptions& o) {
  kube::InformerScope s{o.watch_namespaces, "", ""};
  if (!s.namespaces.empty() && std::find(s.namespaces.begin(), s.namespaces.end(),
                                         o.operator_namespace) == s.namespaces.end()) {
    s.namespaces.push_back(o.operator_namespace);
  }
  return s;
}

}  // namespace

Status RunOperator(const OperatorOptions& o, http::CancelFlag& stop) {
  namespace r = kube::resources;
  metrics::OperatorMetrics metrics;
  runtime::ManagerOptions mo = o.manager;
  mo.metrics = &metrics;
  if (mo.leader_election_namespace.empty()) mo.leader_election_namespace = o.operator_namespace;
  VS_ASSIGN_OR_RETURN(auto mgr, runtime::Manager::New(mo));
  VS_ASSIGN_OR_RETURN(
      const std::string hmac_key,
      LoadOrCreateHmacKeyPatiently(mgr->reader(), o.operator_namespace, o.hmac_secret_name, stop));

  // The caches every kind shares, and the field indexes that route a change of an identity
  // object to exactly the resources it affects.
  kube::InformerFactory& cache = mgr->informers();
  VS_ASSIGN_OR_RETURN(auto auth_inf,
                      cache.For<VaultAuth>(r::VaultAuth(), IdentityScope(o), DecodeVaultAuth));
  VS_ASSIGN_OR_RETURN(
      auto conn_inf,
      cache.For<VaultConnection>(r::VaultConnection(), IdentityScope(o), DecodeVaultConnection));
  // A shard caches only its own resources' Secrets: every Secret carries its owner's sharding
  // label (secret_object.h), so a selector over that label alone picks the same Secrets as
  // it picks resources. A Secret outside the cache (another shard's, or one a moved resource
  // has not relabelled yet) takes the destination writer's create -> AlreadyExists -> read
  // path, which applies the ownership rules to the live Secret. With a selector over other
  // labels, the whole managed set is cached. The cache holds a MAC of each Secret, never
  // its data.
  std::string secret_selector = kManagedSecretSelector;
  if (SelectsOnlyByShardLabel(o.watch_label_selector)) {
    secret_selector += "," + o.watch_label_selector;
  } else if (!o.watch_label_selector.empty()) {
    log::Default().Info(
        "the label selector names labels other than the sharding label: caching every managed "
        "Secret, not only this replica's",
        {{"selector", o.watch_label_selector}, {"shardingLabel", std::string(kShardLabel)}});
  }
  VS_ASSIGN_OR_RETURN(auto secret_inf, cache.For<ManagedSecret>(
                                           r::Secret(), {o.watch_namespaces, secret_selector, ""},
                                           ManagedSecretDecoder(&hmac_key)));
  VS_RETURN_IF_ERROR(auth_inf->AddIndex(kIndexVaultConnectionRef, ConnectionRefIndexValues));
  VS_RETURN_IF_ERROR(auth_inf->AddIndex(kIndexCredentialSecret, CredentialSecretIndexValues));
  VS_RETURN_IF_ERROR(conn_inf->AddIndex(kIndexCaCertSecret, CaCertSecretIndexValues));
  InformerLister<VaultAuth> auth_list(auth_inf);
  InformerLister<VaultConnection> conn_list(conn_inf);
  InformerLister<ManagedSecret> secret_list(secret_inf);

  // Services every kind shares.
  KubeCluster cluster(mgr->client());
  RecorderEventSink events(mgr->recorder());
  // One breaker per Vault address: while one is sealed or down, its resources wait on a
  // single sys/health probe and are all queued again (spread over up to 2 s) when it serves.
  vault::HealthGatesOptions gopts;
  gopts.gate.hooks = &metrics.vault();
  gopts.on_recovered = [&mgr](uint32_t signal, const std::string&) {
    runtime::WakeBoard& board = mgr->wake_board();
    board.Fire(signal,
               runtime::WakeBoard::SpreadFor(board.Parked(signal), std::chrono::seconds(2)));
  };
  vault::HealthGates gates(gopts);
  VaultSecretSourceOptions vopts;
  vopts.hooks = &metrics.vault();
  vopts.cancel = &mgr->abort();
  vopts.gates = &gates;
  VaultSecretSource vault(cluster, vopts);
  runtime::KeyEvents credential_changes;
  // A change found on the read path (a TLS failure after the CA Secret was replaced) is said
  // and published like one the periodic check below finds.
  vault.OnCredentialChanged([&](const std::string& key) {
    log::Default().Info("a Secret holding Vault credentials changed; using it from now on",
                        {{"secret", key}});
    credential_changes.Publish(key);
  });
  OwnerRegistry owners;
  // Whose is a Secret another resource's labels claim: this replica's caches know its own
  // resources; a shard asks the API server about the others (a conflict path, so rare).
  const bool sharded = !o.watch_label_selector.empty();
  DestinationWriter writer(
      secret_list, cluster, hmac_key,
      [&owners, &cluster, sharded](std::string_view kind,
                                   const std::string& key) -> Result<std::optional<std::string>> {
        if (auto uid = owners.UidOf(kind, key); uid || !sharded) return uid;
        const size_t slash = key.find('/');
        return cluster.ObjectUid(std::string(kind), key.substr(0, slash), key.substr(slash + 1));
      });
  using Ptr = std::shared_ptr<const ManagedSecret>;
  RolloutRestarterOptions rr_opts;
  rr_opts.coalesce = o.rollout_restart_coalesce;
  RolloutRestarter restarter(cluster, events, SystemClock::Instance(), rr_opts, &metrics);
  auto count_managed = [&](const Ptr&) {
    metrics.SetManagedSecrets(static_cast<int64_t>(secret_inf->Size()));
  };
  secret_inf->AddEventHandler({count_managed, nullptr, count_managed});

  OperatorContext ctx{*mgr,
                      o,
                      metrics,
                      hmac_key,
                      SystemClock::Instance(),
                      auth_inf,
                      conn_inf,
                      secret_inf,
                      auth_list,
                      conn_list,
                      secret_list,
                      cluster,
                      events,
                      vault,
                      writer,
                      owners,
                      credential_changes,
                      restarter,
                      {}};
  VS_RETURN_IF_ERROR(SetupVaultConnectionController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultAuthController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultStaticSecretController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultPushSecretController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultDynamicSecretController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultPkiSecretController(ctx));

  // Credentials named by reference follow their Secrets without a restart.
  mgr->AddRunnable("credential-rotation", [&](const http::CancelFlag& done) {
    while (done.WaitFor(o.credential_check_interval)) {
      for (const std::string& key : vault.CheckCredentials()) {
        log::Default().Info("a Secret holding Vault credentials changed; using it from now on",
                            {{"secret", key}});
        credential_changes.Publish(key);
      }
    }
  });
  // Owed rollout restarts, once their coalescing window ends (a leader's work: a restart
  // owed when this replica stops is in the owners' status for the next leader).
  // It looks at its stop flag at least every 250 ms, so shutdown never waits on it.
  mgr->AddRunnable("rollout-restarts", [&](const http::CancelFlag& done) {
    while (!done.cancelled()) {
      restarter.RunDue();
      restarter.WaitForWork(std::chrono::milliseconds(250));
    }
  });
  mgr->AddShutdownHook("revoke-vault-tokens", [&](std::chrono::milliseconds) {
    int revoked = vault.RevokeAll();
    log::Default().Info("vault tokens revoked", {{"identities", std::to_string(revoked)}});
  });
  return mgr->Run(stop);
}

}  // namespace vaultsync::controller
