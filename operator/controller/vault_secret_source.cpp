// Vault reads for the reconcilers: client/token sharing and read coalescing.
#include "controller/vault_secret_source.h"

#include "util/base64.h"
#include "vault/kv.h"

namespace vaultsync::controller {
namespace {

std::string ConnectionFingerprint(const VaultIdentity& id) {
  std::string f = id.address + "|" + id.ca_secret_namespace + "/" + id.ca_secret_name + "|" +
                  std::to_string(std::hash<std::string>{}(id.ca_pem)) + "|" + id.tls_server_name +
                  "|" + (id.skip_tls_verify ? "1" : "0") + "|" + id.vault_namespace + "|" +
                  std::to_string(id.timeout.count());
  for (const auto& [k, v] : id.headers) f += "|" + k + "=" + v;
  return f;
}

std::string ReadKey(const VaultIdentity& id, const KvRequest& r) {
  return id.key + "#" + (r.type == KvType::kV1 ? "v1:" : "v2:") + r.mount + ":" + r.path + ":" +
         (r.version ? std::to_string(*r.version) : "latest");
}

}  // namespace

VaultSecretSource::VaultSecretSource(Cluster& cluster, VaultSecretSourceOptions options)
    : cluster_(cluster),
      options_(options),
      clock_(options.clock ? options.clock : &SystemClock::Instance()) {}

VaultSecretSource::~VaultSecretSource() = default;

Result<std::string> VaultSecretSource::SecretValue(const std::string& ns, const std::string& name,
                                                   const std::string& key) {
  auto secret = cluster_.GetSecret(ns, name);
  if (!secret.ok()) return secret.status();
  if (!secret->has_value()) return NotFound("Secret " + ns + "/" + name + " not found");
  const json::Value* data = json::Find(**secret, "data");
  const json::Value* v = data ? json::Find(*data, key) : nullptr;
  if (v == nullptr || !v->IsString()) {
    return Status(StatusCode::kInvalidArgument, "Secret " + ns + "/" + name + " has no key " + key);
  }
  auto decoded = base64::Decode(json::View(*v));
  if (!decoded)
    return InvalidArgument("Secret " + ns + "/" + name + " key " + key + " is not base64");
  return *decoded;
}

Result<std::shared_ptr<vault::Client>> VaultSecretSource::ClientFor(const VaultIdentity& id) {
  std::string fp = ConnectionFingerprint(id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(fp);
    if (it != clients_.end()) return it->second;
  }
  vault::ConnectionConfig cfg;
  cfg.address = id.address;
  cfg.ca_pem = id.ca_pem;
  if (!id.ca_secret_name.empty()) {
    auto ca = SecretValue(id.ca_secret_namespace, id.ca_secret_name, "ca.crt");
    if (!ca.ok())
      return Status(StatusCode::kInvalidArgument, "VaultConnection CA: " + ca.status().message());
    cfg.ca_pem = *ca;
  }
  cfg.tls_server_name = id.tls_server_name;
  cfg.skip_verify = id.skip_tls_verify;
  cfg.namespace_ = id.vault_namespace;
  cfg.headers = id.headers;
  cfg.timeout = id.timeout;
  vault::ClientOptions opts;
  opts.hooks = options_.hooks;
  opts.clock = clock_;
  VS_ASSIGN_OR_RETURN(auto client, vault::Client::Create(cfg, opts));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = clients_.emplace(fp, client);
  return it->second;  // another thread may have won the race: use its client
}

Result<std::shared_ptr<vault::TokenManager>> VaultSecretSource::TokensFor(const VaultIdentity& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = identities_.find(id.key);
    if (it != identities_.end()) {
      it->second.last_used = clock_->Now();
      return it->second.tokens;
    }
  }
  VS_ASSIGN_OR_RETURN(auto client, ClientFor(id));
  vault::AuthConfig auth;
  auth.mount = id.mount;
  auth.role = id.role;
  auth.metrics_label = id.metrics_label;
  switch (id.method) {
    case AuthMethod::kKubernetes:
      auth.method = vault::AuthConfig::kKubernetes;
      if (!id.token_sa_name.empty()) {
        Cluster* cluster = &cluster_;
        VaultIdentity copy = id;
        auth.jwt_source = [cluster, copy]() -> Result<std::string> {
          auto jwt =
              cluster->CreateServiceAccountToken(copy.token_sa_namespace, copy.token_sa_name,
                                                 copy.audiences, copy.token_expiration_seconds);
          if (!jwt.ok()) {
            return Status(StatusCode::kUnauthenticated,
                          "cannot mint a token for ServiceAccount " + copy.token_sa_namespace +
                              "/" + copy.token_sa_name + ": " + jwt.status().message());
          }
          return jwt;
        };
      } else {
        auth.jwt_file = id.jwt_file;
      }
      break;
    case AuthMethod::kAppRole: {
      auth.method = vault::AuthConfig::kAppRole;
      auth.role_id = id.role_id;
      auto secret_id =
          SecretValue(id.auth_secret_namespace, id.auth_secret_name, id.auth_secret_key);
      if (!secret_id.ok())
        return Status(StatusCode::kUnauthenticated,
                      "AppRole secret ID: " + secret_id.status().message());
      auth.secret_id = *secret_id;
      break;
    }
    case AuthMethod::kToken:
      auth.method = vault::AuthConfig::kToken;
      if (!id.literal_token.empty()) {
        auth.token = id.literal_token;
      } else {
        auto token = SecretValue(id.auth_secret_namespace, id.auth_secret_name, id.auth_secret_key);
        if (!token.ok())
          return Status(StatusCode::kUnauthenticated, "Vault token: " + token.status().message());
        auth.token = *token;
      }
      break;
  }
  auto tokens = std::make_shared<vault::TokenManager>(client, std::move(auth));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = identities_.emplace(id.key, IdentityEntry{tokens, clock_->Now()});
  return it->second.tokens;
}

Result<std::shared_ptr<const KvResult>> VaultSecretSource::ReadFromVault(
    const vault::Session& session, const KvRequest& r) {
  Result<vault::KvSecret> secret = r.type == KvType::kV1
                                       ? vault::KvV1Read(session, r.mount, r.path)
                                       : vault::KvV2Read(session, r.mount, r.path, r.version);
  if (!secret.ok()) return secret.status();
  auto out = std::make_shared<KvResult>();
  out->entries.reserve(secret->data.size());
  for (auto& [k, v] : secret->data)
    out->entries.push_back(KvEntry{k, v.is_string, std::move(v.text)});
  out->version = secret->version;
  out->ttl = secret->lease_duration;
  out->read_at = clock_->Now();
  return std::shared_ptr<const KvResult>(std::move(out));
}

Result<std::shared_ptr<const KvResult>> VaultSecretSource::Read(const VaultIdentity& identity,
                                                                const KvRequest& request) {
  const std::string key = ReadKey(identity, request);
  {
    std::unique_lock<std::mutex> lock(mu_);
    TimePoint now = clock_->Now();
    if (now - last_sweep_ > std::chrono::minutes(1)) SweepLocked(now);
    // Wait for a read of the same key in flight (bounded: each read has its own timeout).
    read_done_.wait(lock, [&] {
      auto it = reads_.find(key);
      return it == reads_.end() || !it->second.in_flight;
    });
    auto it = reads_.find(key);
    if (it != reads_.end() && it->second.result != nullptr &&
        now - it->second.result->read_at <= request.max_age) {
      it->second.last_used = now;
      return it->second.result;
    }
    reads_[key].in_flight = true;
  }
  Result<std::shared_ptr<const KvResult>> result = Status(StatusCode::kInternal, "unset");
  auto tokens = TokensFor(identity);
  if (!tokens.ok()) {
    result = tokens.status();
  } else {
    result = ReadFromVault(vault::Session(*tokens), request);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ReadEntry& e = reads_[key];
    e.in_flight = false;
    e.last_used = clock_->Now();
    if (result.ok()) {
      e.result = *result;
    } else {
      reads_.erase(key);  // failures are never shared: the next caller asks Vault itself
    }
  }
  read_done_.notify_all();
  return result;
}

void VaultSecretSource::SweepLocked(TimePoint now) {
  last_sweep_ = now;
  for (auto it = reads_.begin(); it != reads_.end();) {
    it = (!it->second.in_flight && now - it->second.last_used > options_.idle_expiry)
             ? reads_.erase(it)
             : ++it;
  }
  for (auto it = identities_.begin(); it != identities_.end();) {
    it = (now - it->second.last_used > options_.idle_expiry) ? identities_.erase(it) : ++it;
  }
}

void VaultSecretSource::Forget(const std::string& key_prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = identities_.begin(); it != identities_.end();) {
    it = it->first.rfind(key_prefix, 0) == 0 ? identities_.erase(it) : ++it;
  }
  for (auto it = reads_.begin(); it != reads_.end();) {
    it = (!it->second.in_flight && it->first.rfind(key_prefix, 0) == 0) ? reads_.erase(it) : ++it;
  }
}

int VaultSecretSource::RevokeAll() {
  std::vector<std::shared_ptr<vault::TokenManager>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [k, e] : identities_) all.push_back(e.tokens);
  }
  int n = 0;
  for (auto& t : all) n += t->RevokeIfOwned().ok() ? 1 : 0;
  return n;
}

size_t VaultSecretSource::identities() const {
  std::lock_guard<std::mutex> lock(mu_);
  return identities_.size();
}

}  // namespace vaultsync::controller
