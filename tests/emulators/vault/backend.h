// The shape of one routed Vault request and of the engines that answer it. The router
// (vault_emulator.cpp) authenticates, authorizes and finds the mount; a Backend (KV v1,
// KV v2, an auth method) then sees only its own path relative to the mount.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "envelope.h"
#include "token_store.h"
#include "util/json.h"

namespace vaultsync::vaultemu {

// Vault's logical operations (an HTTP verb plus, for GET, ?list=true).
enum class Op { kRead, kList, kCreate, kUpdate, kDelete };

struct Call {
  const ServerRequest* http = nullptr;
  Op op = Op::kRead;
  std::string path;  // logical path without "/v1/" (list requests end in '/')
  std::string rel;   // path below the mount ("app/db" for "secret/app/db")
  // The parsed JSON body of a write (an object), or nullptr when there was none.
  const json::Value* body = nullptr;
  Token* token = nullptr;  // the caller's token; nullptr on unauthenticated paths
  // The emulator lock, held while the handler runs. A handler that must wait on the network
  // (the kubernetes TokenReview) may unlock it and must lock it again before returning, and
  // must not keep pointers into emulator state across that window.
  std::unique_lock<std::mutex>* lock = nullptr;
};

// A mounted secrets engine or auth method. Backends are called with the emulator lock held.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Reply Handle(Call& call) = 0;
  // Whether a write to `rel` updates something that exists (needs the `update`
  // capability) or creates it (needs `create`). Vault asks the engine the same question.
  virtual bool Exists(std::string_view rel) const {
    (void)rel;
    return true;
  }
  // Whether `rel` needs no token (the engine's PathsSpecial.Unauthenticated in Vault).
  virtual bool Unauthenticated(std::string_view rel) const {
    (void)rel;
    return false;
  }
};

// Vault's answer for an operation a path does not support.
inline Reply Unsupported() { return Error(405, {"unsupported operation"}); }

// Body helpers: string, bool, integer-or-duration and string-list parameters as Vault's
// framework accepts them (a list may also be given as "a,b"; a duration as seconds or
// "30s"). Absent parameters leave `out` unchanged; wrong types fail with a 400-style
// message naming the field.
Status BodyString(const Call& c, std::string_view key, std::string& out);
Status BodyBool(const Call& c, std::string_view key, bool& out);
Status BodyInt(const Call& c, std::string_view key, int64_t& out);
Status BodyDuration(const Call& c, std::string_view key, Duration& out);
Status BodyStringList(const Call& c, std::string_view key, std::vector<std::string>& out);
bool BodyHas(const Call& c, std::string_view key);

// A duration value as Vault's framework parses it: a number of seconds or a Go duration
// string ("30m", "1h"); a plain number in a string counts as seconds.
Result<Duration> ParseVaultDuration(const json::Value& v);

}  // namespace vaultsync::vaultemu
