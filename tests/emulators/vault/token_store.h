// Vault's token store, in memory: service tokens with a TTL, an optional explicit max TTL,
// a renewable flag and a parent (revoking a parent revokes its children). Expiry is read
// from the injected Clock, so tests move time forward instead of sleeping. Handlers of
// auth/token/* and of the login endpoints create tokens here; the router looks them up.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ids.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/status.h"

namespace vaultsync::vaultemu {

// The system-wide default and maximum lease TTL of a dev server (768h).
inline constexpr Duration kSystemMaxTtl = std::chrono::hours(768);

struct Token {
  std::string id;
  std::string accessor;
  std::string display_name;           // "root", "token-child", "kubernetes-demo-default"
  std::string path;                   // "auth/token/create", "auth/kubernetes/login", ...
  std::vector<std::string> policies;  // sorted
  std::optional<std::map<std::string, std::string>> meta;  // nullopt renders as null
  std::string entity_id;
  std::string parent;  // id of the parent token; empty for orphans
  bool orphan = false;
  bool renewable = false;
  int64_t num_uses = 0;  // 0 = unlimited
  TimePoint issue_time;
  std::optional<TimePoint> last_renewal;
  Duration creation_ttl{0};      // 0 = never expires (root tokens)
  Duration ttl{0};               // the TTL granted last (creation or renewal)
  Duration explicit_max_ttl{0};  // as requested, for lookup answers
  Duration renew_ttl{0};         // what renew without increment grants (role or creation TTL)
  std::optional<TimePoint> expire_time;      // nullopt = never
  std::optional<TimePoint> max_expire_time;  // hard ceiling for renewals
};

// What to create. TTLs of 0 mean "the default" (768h) unless the policies include root.
struct TokenSpec {
  std::string id;  // empty = generate
  std::vector<std::string> policies;
  bool no_default_policy = false;
  Duration ttl{0};
  Duration explicit_max_ttl{0};
  Duration max_ttl{0};  // role/mount ceiling (token_max_ttl); 0 = system maximum
  Duration period{0};
  bool renewable = true;
  std::string display_name;
  std::string path;
  std::optional<std::map<std::string, std::string>> meta;
  std::string parent;
  bool orphan = false;
  std::string entity_id;
  int64_t num_uses = 0;
};

struct RenewResult {
  Duration granted{0};
  std::vector<std::string> warnings;
};

// Not thread-safe: the emulator serializes access.
class TokenStore {
 public:
  TokenStore(const Clock& clock, IdGenerator& ids) : clock_(clock), ids_(ids) {}

  // Creates and stores a token; returns a copy of it.
  Token Create(const TokenSpec& spec);

  // The live token with this id, or nullptr when unknown, revoked or expired (an expired
  // token is dropped on the way).
  Token* Lookup(std::string_view id);
  Token* LookupAccessor(std::string_view accessor);
  // The accessors of all live tokens, sorted.
  std::vector<std::string> Accessors();

  // Extends the token's TTL by `increment` (0 = its original TTL), capped by its max TTL,
  // with Vault's warning when capped. Fails with kInvalidArgument "lease is not renewable".
  Result<RenewResult> Renew(std::string_view id, Duration increment);

  // Revokes the token and, recursively, the tokens it created that are not orphans.
  void Revoke(std::string_view id);

  // Counts one use of a token with num_uses; revokes it after its last use.
  void Use(std::string_view id);

  // Seconds until expiry (0 for tokens that never expire).
  int64_t RemainingSeconds(const Token& t) const;

 private:
  const Clock& clock_;
  IdGenerator& ids_;
  std::map<std::string, Token, std::less<>> tokens_;
};

// Go's Duration.String() with Vault's trimming of "m0s"/"h0m" ("5m", "1m58s", "1h").
std::string HumanDuration(Duration d);

// The `auth` block of a login or token-create answer, rendered as Vault's struct.
std::string RenderAuth(const Token& t, int64_t lease_duration_seconds);

// The `data` of auth/token/lookup(-self), rendered (keys sorted as Go writes the map).
// `hide_id` renders "id" as "" (lookup-accessor).
std::string RenderLookup(const Token& t, TimePoint now, bool hide_id = false);

}  // namespace vaultsync::vaultemu
