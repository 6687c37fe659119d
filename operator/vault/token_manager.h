// One Vault identity's token, shared by every caller that acts as that identity. Logs in on
// first use, renews at about 2/3 of the TTL while Vault allows it, logs in again when renewal
// fails or the max TTL caps the token, and tells a caller whether a 403 means "the token
// died" (log in again, retry once) or "really not allowed". Lazy: work happens inside
// Token() (and Maintain()), so there is no thread per identity.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "util/status.h"
#include "vault/auth.h"
#include "vault/client.h"
#include "vault/token_api.h"

namespace vaultsync::vault {

// What Token() answers once the manager is retired (TokenManager::Retire): the credentials
// it logged in with were replaced, so the caller must get the identity's new manager and
// try again (VaultSecretSource::RebuiltAfterFailure does, once).
bool IsRetiredIdentity(const Status& s);

// Thread-safe. Concurrent callers never cause more than one login or renewal at a time: a
// caller that needs a token while another is logging in waits for that login's outcome.
class TokenManager {
 public:
  TokenManager(std::shared_ptr<const Client> client, AuthConfig config);
  ~TokenManager();  // forgets the TTL metric; does not revoke (see RevokeIfOwned)
  TokenManager(const TokenManager&) = delete;
  TokenManager& operator=(const TokenManager&) = delete;

  // A token believed valid. Logs in (or renews) first when there is none or the current one
  // is due for refresh; while a refresh is in flight, callers get the current token if it
  // has not expired yet, else they wait for the refresh. Errors: those of Login()
  // (kUnauthenticated when Vault refused the login, kUnavailable / kDeadlineExceeded /
  // kRateLimited when it could not answer), or ResolveStaticToken's for the token method.
  // Callers that waited on a failed login get that login's error (no second login), and so
  // does every caller until a minimum interval has passed since it failed (1 s, doubling
  // per failed login up to 30 s; reset by a success): however many resources share the
  // identity, a refused login is repeated at most once per interval (the login storms
  // that took Vault down for ESO users).
  Result<std::string> Token();

  // Call after a request made with `token` was refused with HTTP 403. Returns true when the
  // caller should retry once with a fresh Token(): the token was already replaced, or
  // lookup-self showed it dead and a new one was obtained. Returns false when the token is
  // alive (the 403 stands: kPermissionDenied). Fails with the lookup's error when Vault could
  // not answer, with the login's error when re-login failed, and with kUnauthenticated when a
  // static token is dead and no other is available. A token confirmed alive is not looked up
  // again for 10 s, so a burst of genuine 403s costs one lookup.
  Result<bool> OnForbidden(const std::string& token);

  // Renews or logs in if due, without returning the token; for a caller that wants tokens
  // kept fresh between uses. Same errors as Token().
  Status Maintain();

  // Revokes the current token (revoke-self) if we obtained it by login, and forgets it; a
  // later Token() logs in again. A static (user-given) token is never revoked. OK when there
  // is nothing to revoke.
  Status RevokeIfOwned();

  // RevokeIfOwned, and never log in again: every later Token() (and an OnForbidden that
  // would log in) fails with IsRetiredIdentity. For a manager whose credentials (AppRole
  // secret ID, token Secret, CA) were replaced while callers may still hold it: a read in
  // flight that meets the revoked token's 403 must not log in with the old credentials and
  // leave a token no one revokes.
  Status Retire();

  // lookup-self for the current token (obtaining one first), with one re-login retry if the
  // token turned out dead. `raw_body` as for LookupSelf (token removed).
  Result<LoginInfo> Info(std::string* raw_body = nullptr);

  const AuthConfig& config() const { return config_; }
  const Client& client() const { return *client_; }

 private:
  struct State {
    std::string token;
    bool owned = false;                 // obtained by login: renew and revoke it
    std::chrono::seconds ttl{0};        // of the last login or renewal; 0 = never expires
    std::chrono::seconds login_ttl{0};  // increment asked for at renewal
    bool renewable = false;
    bool capped = false;                         // renewal hit the max TTL: log in again next time
    TimePoint expires_at{};                      // meaningful when ttl > 0
    TimePoint refresh_at{};                      // meaningful when ttl > 0
    std::optional<TimePoint> verified_alive_at;  // lookup-self said alive (OnForbidden)
  };

  bool Usable(const State& s, TimePoint now) const;
  bool Due(const State& s, TimePoint now) const;
  // Renews `current` when that is possible and sensible, else logs in. Runs unlocked.
  Result<State> Refresh(const std::optional<State>& current);
  Result<State> DoLogin();
  Result<State> FromAuth(const AuthResult& auth, bool owned, std::chrono::seconds login_ttl);
  void ReportTtl(const State& s, TimePoint now);
  // A login (or re-login) failed with no usable token left: the next waits its interval.
  // mu_ held.
  void NoteFailedLogin(const Status& failure, TimePoint now);

  std::shared_ptr<const Client> client_;
  const AuthConfig config_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<State> state_;
  bool busy_ = false;          // a login, renewal or lookup is in flight
  uint64_t completed_ = 0;     // refreshes finished (to tell waiters theirs is done)
  Status last_refresh_error_;  // outcome of the last refresh that failed
  // After a failed login with no usable token: no new login before login_retry_at_.
  TimePoint login_retry_at_{};
  bool retired_ = false;  // Retire() was called
  std::chrono::milliseconds login_backoff_{0};
};

}  // namespace vaultsync::vault
