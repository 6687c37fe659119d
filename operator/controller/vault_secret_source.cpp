// Vault reads for the reconcilers: client/token sharing, read coalescing, and credentials
// that follow their Secrets.
#include "controller/vault_secret_source.h"

#include "util/base64.h"
#include "util/log.h"
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

std::string SecretKey(const std::string& ns, const std::string& name) {
  return name.empty() ? std::string() : ns + "/" + name;
}

std::string ResourceVersionOf(const json::Value& obj) {
  const json::Value* md = json::Find(obj, "metadata");
  if (md == nullptr) return {};
  auto rv = json::OptionalString(*md, "resourceVersion");
  return (rv.ok() && rv->has_value()) ? std::string(**rv) : std::string();
}

}  // namespace

VaultSecretSource::VaultSecretSource(Cluster& cluster, VaultSecretSourceOptions options)
    : cluster_(cluster),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &SystemClock::Instance()) {
  if (!options_.make_client) {
    options_.make_client = [](const vault::ConnectionConfig& c, vault::ClientOptions o) {
      return vault::Client::Create(c, std::move(o));
    };
  }
}

VaultSecretSource::~VaultSecretSource() = default;

Result<std::string> VaultSecretSource::SecretValue(const std::string& ns, const std::string& name,
                                                   const std::string& key) {
  auto secret = cluster_.GetSecret(ns, name);
  if (!secret.ok()) return secret.status();
  if (!secret->has_value()) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_versions_[ns + "/" + name] = "";
    return NotFound("Secret " + ns + "/" + name + " not found");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_versions_[ns + "/" + name] = ResourceVersionOf(**secret);
  }
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

Result<std::string> VaultSecretSource::CurrentVersion(const std::string& secret_key) {
  auto slash = secret_key.find('/');
  auto secret = cluster_.GetSecret(secret_key.substr(0, slash), secret_key.substr(slash + 1));
  if (!secret.ok()) return secret.status();
  if (!secret->has_value()) return std::string();
  return ResourceVersionOf(**secret);
}

Result<std::shared_ptr<vault::Client>> VaultSecretSource::ClientFor(const VaultIdentity& id) {
  std::string fp = ConnectionFingerprint(id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(fp);
    if (it != clients_.end()) return it->second.client;
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
  opts.cancel = options_.cancel;
  // One attempt per read: a failure goes back to the reconcile, which requeues with
  // backoff instead of holding a worker through retries.
  opts.retry = vault::Client::NoRetries();
  if (options_.gates != nullptr) opts.gate = options_.gates->For(cfg.address);
  VS_ASSIGN_OR_RETURN(auto client, options_.make_client(cfg, std::move(opts)));
  std::shared_ptr<vault::Client> kept;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = clients_.emplace(
        fp, ClientEntry{client, SecretKey(id.ca_secret_namespace, id.ca_secret_name)});
    kept = it->second.client;  // another thread may have won the race: use its client
  }
  // The breaker probes with a client that lives on (not a loser of that race).
  if (options_.gates != nullptr) options_.gates->Attach(kept);
  if (kept == client && id.skip_tls_verify) {
    // Once per connection (a client is built once per distinct connection and CA).
    (options_.logger ? options_.logger : &log::Default())
        ->Warn(
            "TLS verification is off for this Vault connection (skipTLSVerify): anyone between "
            "the operator and Vault can read every secret and token; set caCertSecretRef instead",
            {{"address", id.address}});
  }
  return kept;
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
  auth.metrics_namespace = id.metrics_namespace;
  // Reads the credential Secret at every login (and when a token is found dead), so a
  // rotated secret ID or a replaced token is used from the next login on.
  auto from_secret = [this, ns = id.auth_secret_namespace, name = id.auth_secret_name,
                      key = id.auth_secret_key](const char* what) {
    return [this, ns, name, key, what]() -> Result<std::string> {
      auto v = SecretValue(ns, name, key);
      if (!v.ok()) return Status(StatusCode::kUnauthenticated, what + v.status().message());
      return v;
    };
  };
  std::string credential_secret;
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
    case AuthMethod::kAppRole:
      auth.method = vault::AuthConfig::kAppRole;
      auth.role_id = id.role_id;
      auth.secret_id_source = from_secret("AppRole secret ID: ");
      credential_secret = SecretKey(id.auth_secret_namespace, id.auth_secret_name);
      break;
    case AuthMethod::kToken:
      auth.method = vault::AuthConfig::kToken;
      if (!id.literal_token.empty()) {
        auth.token = id.literal_token;
      } else {
        auth.token_source = from_secret("Vault token: ");
        credential_secret = SecretKey(id.auth_secret_namespace, id.auth_secret_name);
      }
      break;
  }
  auto tokens = std::make_shared<vault::TokenManager>(client, std::move(auth));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = identities_.emplace(
      id.key, IdentityEntry{tokens, ConnectionFingerprint(id), credential_secret, clock_->Now()});
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

Result<vault::Session> VaultSecretSource::SessionFor(const VaultIdentity& identity) {
  VS_ASSIGN_OR_RETURN(auto tokens, TokensFor(identity));
  return vault::Session(std::move(tokens));
}

bool VaultSecretSource::RebuiltAfterFailure(const VaultIdentity& identity, const Status& failure) {
  // The call was made on an identity retired since (its credentials were replaced): the
  // next SessionFor builds the identity anew.
  if (vault::IsRetiredIdentity(failure)) return true;
  // A TLS failure may mean the server's certificate was rotated together with the CA
  // Secret: take the new CA at once instead of at the next periodic check.
  return http::IsTlsFailure(failure) && !identity.ca_secret_name.empty() && CaChanged(identity);
}

Result<std::shared_ptr<const KvResult>> VaultSecretSource::Read(const VaultIdentity& identity,
                                                                const KvRequest& request) {
  auto result = ReadOnce(identity, request);
  if (!result.ok() && RebuiltAfterFailure(identity, result.status())) {
    result = ReadOnce(identity, request);
  }
  return result;
}

bool VaultSecretSource::JoinOrStart(std::unique_lock<std::mutex>& lock, const std::string& key,
                                    const std::function<bool(ReadEntry&, TimePoint)>& fresh) {
  TimePoint now = clock_->Now();
  if (now - last_sweep_ > std::chrono::minutes(1)) SweepLocked(now);
  // Wait for a request of the same key in flight (bounded: each has its own timeout). The
  // flight's end clears `waiters`, so a caller woken while another flight of the key began
  // counts itself again.
  auto it = reads_.find(key);
  while (it != reads_.end() && it->second.in_flight) {
    ++it->second.waiters;
    FlightDone(key).wait(lock);
    it = reads_.find(key);
  }
  if (it != reads_.end() && fresh(it->second, now)) {
    it->second.last_used = now;
    return true;
  }
  reads_[key].in_flight = true;
  return false;
}

bool VaultSecretSource::EndFlight(ReadEntry& e) {
  e.in_flight = false;
  const bool waited = e.waiters > 0;
  e.waiters = 0;
  return waited;
}

std::condition_variable& VaultSecretSource::FlightDone(const std::string& key) {
  return read_done_[std::hash<std::string>{}(key) % read_done_.size()];
}

Result<std::shared_ptr<const KvResult>> VaultSecretSource::ReadOnce(const VaultIdentity& identity,
                                                                    const KvRequest& request) {
  const std::string key = ReadKey(identity, request);
  {
    std::unique_lock<std::mutex> lock(mu_);
    std::shared_ptr<const KvResult> shared;
    std::optional<Status> missing;
    auto fresh = [&](ReadEntry& e, TimePoint now) {
      if (request.force || e.answer == nullptr) return false;  // a forced sync asks Vault
      if (e.missing) {
        auto m = std::static_pointer_cast<const MissingAnswer>(e.answer);
        if (!request.accept_missing || now - m->at > request.max_age) return false;
        missing = m->status;
        return true;
      }
      auto cached = std::static_pointer_cast<const KvResult>(e.answer);
      std::chrono::milliseconds limit = request.max_age;
      if (request.follow_ttl && cached->ttl && cached->ttl->count() > 0) {
        // The secret's own ttl is its refresh interval: share a read for half of it at most.
        limit = std::min(limit,
                         std::chrono::duration_cast<std::chrono::milliseconds>(*cached->ttl) / 2);
      }
      if (now - cached->read_at > limit) return false;
      shared = std::move(cached);
      return true;
    };
    if (JoinOrStart(lock, key, fresh)) {
      if (shared != nullptr) return shared;
      return *missing;
    }
  }
  Result<std::shared_ptr<const KvResult>> result = Status(StatusCode::kInternal, "unset");
  auto tokens = TokensFor(identity);
  if (!tokens.ok()) {
    result = tokens.status();
  } else {
    result = ReadFromVault(vault::Session(*tokens), request);
  }
  bool waited;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ReadEntry& e = reads_[key];
    waited = EndFlight(e);
    e.last_used = clock_->Now();
    const StatusCode code = result.ok() ? StatusCode::kOk : result.status().code();
    if (result.ok()) {
      e.answer = *result;
      e.missing = false;
    } else if (code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition) {
      // Shared with optional sources only (accept_missing); a required one asks again.
      e.answer = std::make_shared<const MissingAnswer>(MissingAnswer{result.status(), e.last_used});
      e.missing = true;
    } else {
      reads_.erase(key);  // failures are never shared: the next caller asks Vault itself
    }
  }
  if (waited) FlightDone(key).notify_all();
  return result;
}

Result<std::shared_ptr<const KvListResult>> VaultSecretSource::List(const VaultIdentity& identity,
                                                                    const KvListRequest& request) {
  auto result = ListOnce(identity, request);
  if (!result.ok() && RebuiltAfterFailure(identity, result.status())) {
    result = ListOnce(identity, request);
  }
  return result;
}

Result<std::shared_ptr<const KvListResult>> VaultSecretSource::ListOnce(
    const VaultIdentity& identity, const KvListRequest& request) {
  const std::string key = identity.key + "#list:" + (request.type == KvType::kV1 ? "v1:" : "v2:") +
                          request.mount + ":" + request.path;
  {
    std::unique_lock<std::mutex> lock(mu_);
    std::shared_ptr<const KvListResult> shared;
    auto fresh = [&](ReadEntry& e, TimePoint now) {
      if (request.force || e.answer == nullptr) return false;
      auto cached = std::static_pointer_cast<const KvListResult>(e.answer);
      if (now - cached->read_at > request.max_age) return false;
      shared = std::move(cached);
      return true;
    };
    if (JoinOrStart(lock, key, fresh)) return shared;
  }
  Result<std::shared_ptr<const KvListResult>> result = Status(StatusCode::kInternal, "unset");
  auto tokens = TokensFor(identity);
  if (!tokens.ok()) {
    result = tokens.status();
  } else {
    auto keys =
        vault::KvList(vault::Session(*tokens),
                      request.type == KvType::kV1 ? vault::KvVersion::kV1 : vault::KvVersion::kV2,
                      request.mount, request.path);
    if (keys.ok() || keys.status().code() == StatusCode::kNotFound) {
      // Vault answers 404 for a folder with nothing under it: that is an empty folder.
      auto out = std::make_shared<KvListResult>();
      if (keys.ok()) out->keys = std::move(keys).value();
      out->read_at = clock_->Now();
      result = std::shared_ptr<const KvListResult>(std::move(out));
    } else {
      result = keys.status();
    }
  }
  bool waited;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ReadEntry& e = reads_[key];
    waited = EndFlight(e);
    e.last_used = clock_->Now();
    if (result.ok()) {
      e.answer = *result;
    } else {
      reads_.erase(key);
    }
  }
  if (waited) FlightDone(key).notify_all();
  return result;
}

std::vector<std::shared_ptr<vault::TokenManager>> VaultSecretSource::DropBuiltOnLocked(
    const std::string& secret_key) {
  std::set<std::string> dropped_clients;
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (it->second.ca_secret == secret_key) {
      dropped_clients.insert(it->first);
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::shared_ptr<vault::TokenManager>> dropped;
  std::set<std::string> dropped_ids;
  for (auto it = identities_.begin(); it != identities_.end();) {
    if (it->second.credential_secret == secret_key ||
        dropped_clients.count(it->second.client_fp) != 0) {
      if (keep_tokens_.count(it->first) == 0) dropped.push_back(it->second.tokens);
      dropped_ids.insert(it->first);
      it = identities_.erase(it);
    } else {
      ++it;
    }
  }
  // Reads made with a dropped identity are not shared any more either.
  for (auto it = reads_.begin(); it != reads_.end();) {
    const std::string id = it->first.substr(0, it->first.find('#'));
    it = (!it->second.in_flight && dropped_ids.count(id) != 0) ? reads_.erase(it) : ++it;
  }
  return dropped;
}

bool VaultSecretSource::CaChanged(const VaultIdentity& id) {
  const std::string secret_key = SecretKey(id.ca_secret_namespace, id.ca_secret_name);
  {
    std::lock_guard<std::mutex> lock(mu_);
    TimePoint now = clock_->Now();
    auto it = rechecked_at_.find(secret_key);
    if (it != rechecked_at_.end() && now - it->second < options_.recheck_interval) return false;
    rechecked_at_[secret_key] = now;
  }
  auto current = CurrentVersion(secret_key);
  if (!current.ok()) return false;
  std::vector<std::function<void(const std::string&)>> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto seen = seen_versions_.find(secret_key);
    if (seen == seen_versions_.end() || seen->second == *current) return false;
    seen_versions_.erase(seen);
    DropBuiltOnLocked(secret_key);  // a client that cannot connect: nothing to revoke with it
    notify = on_changed_;
  }
  for (const auto& fn : notify) fn(secret_key);
  return true;
}

std::vector<std::string> VaultSecretSource::CheckCredentials() {
  std::set<std::string> in_use;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [fp, c] : clients_) {
      if (!c.ca_secret.empty()) in_use.insert(c.ca_secret);
    }
    for (const auto& [k, e] : identities_) {
      if (!e.credential_secret.empty()) in_use.insert(e.credential_secret);
    }
    // Versions of Secrets nothing uses any more are forgotten.
    for (auto it = seen_versions_.begin(); it != seen_versions_.end();)
      it = in_use.count(it->first) != 0 ? ++it : seen_versions_.erase(it);
  }
  std::vector<std::string> changed;
  std::vector<std::shared_ptr<vault::TokenManager>> dropped;
  for (const std::string& secret_key : in_use) {
    auto current = CurrentVersion(secret_key);
    if (!current.ok()) continue;  // cannot tell now; the next check will
    std::lock_guard<std::mutex> lock(mu_);
    auto seen = seen_versions_.find(secret_key);
    if (seen == seen_versions_.end()) {
      seen_versions_[secret_key] = *current;  // not read yet (no login so far): a baseline
      continue;
    }
    if (seen->second == *current) continue;
    seen_versions_.erase(seen);
    auto d = DropBuiltOnLocked(secret_key);
    dropped.insert(dropped.end(), d.begin(), d.end());
    changed.push_back(secret_key);
  }
  // A token obtained with material that has since been replaced is not ours to keep, and a
  // caller still holding the old manager must not log in with that material again.
  for (auto& t : dropped) (void)t->Retire();
  return changed;
}

void VaultSecretSource::OnCredentialChanged(std::function<void(const std::string&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_changed_.push_back(std::move(fn));
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

void VaultSecretSource::KeepTokenOf(const VaultIdentity& identity) {
  std::lock_guard<std::mutex> lock(mu_);
  keep_tokens_.insert(identity.key);
}

int VaultSecretSource::RevokeAll() {
  std::vector<std::shared_ptr<vault::TokenManager>> all;
  int kept = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [k, e] : identities_) {
      if (keep_tokens_.count(k) != 0) {
        ++kept;
      } else {
        all.push_back(e.tokens);
      }
    }
  }
  int n = kept;
  for (auto& t : all) n += t->RevokeIfOwned().ok() ? 1 : 0;
  return n;
}

size_t VaultSecretSource::identities() const {
  std::lock_guard<std::mutex> lock(mu_);
  return identities_.size();
}

size_t VaultSecretSource::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

}  // namespace vaultsync::controller
