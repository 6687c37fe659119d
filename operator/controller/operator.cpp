// Wiring of the vaultsync kinds onto the runtime.
#include "controller/operator.h"

#include <openssl/rand.h>

#include "controller/identity_dependents.h"
#include "controller/operator_context.h"
#include "controller/secret_object.h"
#include "controller/vault_auth_controller.h"
#include "controller/vault_connection_controller.h"
#include "controller/vault_static_secret_controller.h"
#include "util/base64.h"

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
  VS_ASSIGN_OR_RETURN(const std::string hmac_key,
                      LoadOrCreateHmacKey(mgr->reader(), o.operator_namespace, o.hmac_secret_name));

  // The caches every kind shares, and the field indexes that route a change of an identity
  // object to exactly the resources it affects.
  kube::InformerFactory& cache = mgr->informers();
  VS_ASSIGN_OR_RETURN(auto auth_inf,
                      cache.For<VaultAuth>(r::VaultAuth(), IdentityScope(o), DecodeVaultAuth));
  VS_ASSIGN_OR_RETURN(
      auto conn_inf,
      cache.For<VaultConnection>(r::VaultConnection(), IdentityScope(o), DecodeVaultConnection));
  VS_ASSIGN_OR_RETURN(
      auto secret_inf,
      cache.For<ManagedSecret>(r::Secret(), {o.watch_namespaces, kManagedSecretSelector, ""},
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
  VaultSecretSourceOptions vopts;
  vopts.hooks = &metrics.vault();
  vopts.cancel = &mgr->abort();
  VaultSecretSource vault(cluster, vopts);
  runtime::KeyEvents credential_changes;
  vault.OnCredentialChanged([&](const std::string& key) { credential_changes.Publish(key); });
  OwnerRegistry owners;
  DestinationWriter writer(
      secret_list, cluster, hmac_key,
      [&owners](std::string_view kind, const std::string& key) { return owners.UidOf(kind, key); });
  using Ptr = std::shared_ptr<const ManagedSecret>;
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
                      {}};
  VS_RETURN_IF_ERROR(SetupVaultConnectionController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultAuthController(ctx));
  VS_RETURN_IF_ERROR(SetupVaultStaticSecretController(ctx));

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
  mgr->AddShutdownHook("revoke-vault-tokens", [&](std::chrono::milliseconds) {
    int revoked = vault.RevokeAll();
    log::Default().Info("vault tokens revoked", {{"identities", std::to_string(revoked)}});
  });
  return mgr->Run(stop);
}

}  // namespace vaultsync::controller
