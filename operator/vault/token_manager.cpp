// Token lifecycle: single-flight login/renewal under one mutex, the refresh schedule, and
// the 403 check.
#include "vault/token_manager.h"

#include <algorithm>

namespace vaultsync::vault {
namespace {

using std::chrono::seconds;

constexpr auto kAliveCacheFor = seconds(10);
constexpr auto kRetryRefreshAfter = seconds(5);
constexpr std::chrono::milliseconds kMinLoginInterval{1000};
constexpr std::chrono::milliseconds kMaxLoginInterval{30000};

}  // namespace

TokenManager::TokenManager(std::shared_ptr<const Client> client, AuthConfig config)
    : client_(std::move(client)), config_(std::move(config)) {}

TokenManager::~TokenManager() {
  if (client_->hooks() != nullptr && !config_.metrics_label.empty() && state_.has_value() &&
      state_->owned) {
    client_->hooks()->RemoveTokenTtl(config_.metrics_label, config_.metrics_namespace);
  }
}

bool TokenManager::Usable(const State& s, TimePoint now) const {
  return s.ttl.count() == 0 || now < s.expires_at;
}

bool TokenManager::Due(const State& s, TimePoint now) const {
  return s.ttl.count() > 0 && now >= s.refresh_at;
}

void TokenManager::ReportTtl(const State& s, TimePoint now) {
  metrics::VaultHooks* hooks = client_->hooks();
  if (hooks == nullptr || config_.metrics_label.empty() || !s.owned) return;
  double remaining = 0;
  if (s.ttl.count() > 0) {
    remaining = std::max(0.0, std::chrono::duration<double>(s.expires_at - now).count());
  }
  hooks->SetTokenTtl(config_.metrics_label, config_.metrics_namespace, remaining);
}

Result<TokenManager::State> TokenManager::FromAuth(const AuthResult& auth, bool owned,
                                                   seconds login_ttl) {
  const TimePoint now = client_->clock().Now();
  State s;
  s.token = auth.token;
  s.owned = owned;
  s.ttl = auth.ttl;
  s.login_ttl = login_ttl;
  s.renewable = auth.renewable;
  s.expires_at = now + auth.ttl;
  s.refresh_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(auth.ttl) * 2 / 3;
  return s;
}

Result<TokenManager::State> TokenManager::DoLogin() {
  const std::string method(MethodName(config_.method));
  const std::string mount = EffectiveMount(config_);
  auto auth = Login(*client_, config_);
  if (metrics::VaultHooks* hooks = client_->hooks(); hooks != nullptr) {
    hooks->ObserveLogin(method, auth.ok() ? "success" : "failure");
  }
  if (!auth.ok()) {
    client_->logger().Warn("vault login failed", {{"method", method},
                                                  {"mount", mount},
                                                  {"vaultauth", config_.metrics_label},
                                                  {"error", auth.status().message()}});
    return auth.status();
  }
  const std::string ttl = std::to_string(auth->ttl.count());
  client_->logger().Info("vault login succeeded",
                         {{"method", method},
                          {"mount", mount},
                          {"vaultauth", config_.metrics_label},
                          {"ttlSeconds", ttl},
                          {"renewable", auth->renewable ? "true" : "false"}});
  return FromAuth(*auth, /*owned=*/true, auth->ttl);
}

Result<TokenManager::State> TokenManager::Refresh(const std::optional<State>& current) {
  if (config_.method == AuthConfig::kToken) {
    VS_ASSIGN_OR_RETURN(std::string token, ResolveStaticToken(config_));
    State s;
    s.token = std::move(token);
    return s;  // never expires as far as we know; never renewed
  }
  const TimePoint now = client_->clock().Now();
  if (current.has_value() && current->owned && current->renewable && !current->capped &&
      Usable(*current, now)) {
    auto renewed = RenewSelf(*client_, current->token, current->login_ttl);
    if (renewed.ok() && renewed->ttl.count() > 0) {
      State s = *current;
      const TimePoint after = client_->clock().Now();
      s.ttl = renewed->ttl;
      s.renewable = renewed->renewable;
      s.expires_at = after + renewed->ttl;
      s.refresh_at =
          after + std::chrono::duration_cast<std::chrono::milliseconds>(renewed->ttl) * 2 / 3;
      // Vault grants less than asked only when the token's max TTL caps it: from now on
      // renewing cannot extend it, so the next refresh logs in again.
      s.capped = renewed->ttl < current->login_ttl;
      s.verified_alive_at.reset();
      client_->logger().Debug("vault token renewed",
                              {{"vaultauth", config_.metrics_label},
                               {"ttlSeconds", std::to_string(renewed->ttl.count())},
                               {"capped", s.capped ? "true" : "false"}});
      return s;
    }
    client_->logger().Info(
        "vault token renewal failed, logging in again",
        {{"vaultauth", config_.metrics_label},
         {"error", renewed.ok() ? "renewal granted no TTL" : renewed.status().message()}});
  }
  return DoLogin();
}

namespace {
constexpr const char* kRetiredMessage =
    "the credentials of this Vault identity were replaced; retry with the new ones";
}  // namespace

bool IsRetiredIdentity(const Status& s) {
  return s.code() == StatusCode::kUnavailable && s.message() == kRetiredMessage;
}

Result<std::string> TokenManager::Token() {
  const Clock& clock = client_->clock();
  std::unique_lock<std::mutex> lk(mu_);
  while (true) {
    if (retired_) return Status(StatusCode::kUnavailable, kRetiredMessage);
    TimePoint now = clock.Now();
    if (state_.has_value() && !Due(*state_, now)) {
      ReportTtl(*state_, now);
      return state_->token;
    }
    if (busy_) {
      if (state_.has_value() && Usable(*state_, now)) return state_->token;
      const uint64_t seen = completed_;
      cv_.wait(lk, [&] { return !busy_; });
      // The refresh we waited for failed: share its outcome instead of trying again.
      if (completed_ != seen && !last_refresh_error_.ok() &&
          !(state_.has_value() && Usable(*state_, clock.Now()))) {
        return last_refresh_error_;
      }
      continue;
    }
    if (!state_.has_value() && !last_refresh_error_.ok() && now < login_retry_at_) {
      return last_refresh_error_;  // the last login failed moments ago: not again yet
    }
    busy_ = true;
    std::optional<State> snapshot = state_;
    lk.unlock();
    auto fresh = Refresh(snapshot);
    lk.lock();
    busy_ = false;
    ++completed_;
    cv_.notify_all();
    now = clock.Now();
    if (fresh.ok()) {
      state_ = std::move(fresh).value();
      last_refresh_error_ = Status::Ok();
      login_backoff_ = std::chrono::milliseconds(0);
      ReportTtl(*state_, now);
      return state_->token;
    }
    last_refresh_error_ = fresh.status();
    if (state_.has_value() && Usable(*state_, now)) {
      // Keep serving the still-valid token; try the refresh again a little later rather
      // than on every call while Vault is struggling.
      TimePoint retry_at = now + kRetryRefreshAfter;
      if (state_->ttl.count() > 0) retry_at = std::min(retry_at, state_->expires_at);
      state_->refresh_at = retry_at;
      return state_->token;
    }
    state_.reset();
    NoteFailedLogin(fresh.status(), now);
    return fresh.status();
  }
}

void TokenManager::NoteFailedLogin(const Status& failure, TimePoint now) {
  if (failure.code() == StatusCode::kCancelled) return;
  login_backoff_ = login_backoff_.count() == 0 ? kMinLoginInterval
                                               : std::min(kMaxLoginInterval, login_backoff_ * 2);
  login_retry_at_ = now + login_backoff_;
}

Status TokenManager::Maintain() { return Token().status(); }

Result<bool> TokenManager::OnForbidden(const std::string& token) {
  const Clock& clock = client_->clock();
  std::unique_lock<std::mutex> lk(mu_);
  while (true) {
    // Already replaced (or retired: the retry's Token() then says so).
    if (retired_ || !state_.has_value() || state_->token != token) return true;
    if (!busy_) break;
    cv_.wait(lk, [&] { return !busy_; });
  }
  if (state_->verified_alive_at.has_value() &&
      clock.Now() - *state_->verified_alive_at < kAliveCacheFor) {
    return false;
  }
  busy_ = true;
  lk.unlock();

  std::optional<Result<State>> fresh;
  Result<bool> out = false;
  auto look = LookupSelf(*client_, token);
  if (look.ok()) {
    out = false;
  } else if (look.status().http_status() == 403) {
    if (config_.method == AuthConfig::kToken) {
      auto again = ResolveStaticToken(config_);
      if (!again.ok()) {
        out = again.status();
      } else if (*again == token) {
        out = Status(StatusCode::kUnauthenticated,
                     "the Vault token is invalid or expired (lookup-self was refused)");
      } else {
        State s;
        s.token = std::move(again).value();
        fresh = Result<State>(std::move(s));
        out = true;
      }
    } else {
      client_->logger().Info("vault token is no longer valid, logging in again",
                             {{"vaultauth", config_.metrics_label}});
      fresh = DoLogin();
      if (fresh->ok()) {
        out = true;
      } else {
        out = fresh->status();
      }
    }
  } else {
    out = look.status();
  }

  lk.lock();
  busy_ = false;
  if (look.ok() && state_.has_value() && state_->token == token) {
    state_->verified_alive_at = clock.Now();
  }
  if (fresh.has_value()) {
    ++completed_;
    if (fresh->ok()) {
      state_ = std::move(*fresh).value();
      last_refresh_error_ = Status::Ok();
      login_backoff_ = std::chrono::milliseconds(0);
    } else {
      last_refresh_error_ = fresh->status();
      if (state_.has_value() && state_->token == token) state_.reset();
      NoteFailedLogin(fresh->status(), clock.Now());
    }
  } else if (!look.ok() && look.status().http_status() == 403 && state_.has_value() &&
             state_->token == token) {
    state_.reset();  // dead static token: make the next Token() read the source again
  }
  cv_.notify_all();
  return out;
}

Status TokenManager::RevokeIfOwned() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return !busy_; });
  if (!state_.has_value() || !state_->owned) return Status::Ok();
  std::string token = std::move(state_->token);
  state_.reset();
  busy_ = true;
  lk.unlock();
  Status st = RevokeSelf(*client_, token);
  if (client_->hooks() != nullptr && !config_.metrics_label.empty()) {
    client_->hooks()->RemoveTokenTtl(config_.metrics_label, config_.metrics_namespace);
  }
  lk.lock();
  busy_ = false;
  cv_.notify_all();
  if (st.http_status() == 403) return Status::Ok();  // already dead: nothing left to revoke
  return st;
}

Status TokenManager::Retire() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    retired_ = true;  // from now on no caller logs in; a refresh in flight may still finish
  }
  return RevokeIfOwned();
}

Result<LoginInfo> TokenManager::Info(std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string token, Token());
  auto info = LookupSelf(*client_, token, raw_body);
  if (!info.ok() && info.status().http_status() == 403) {
    VS_ASSIGN_OR_RETURN(bool retry, OnForbidden(token));
    if (retry) {
      VS_ASSIGN_OR_RETURN(token, Token());
      return LookupSelf(*client_, token, raw_body);
    }
  }
  return info;
}

}  // namespace vaultsync::vault
