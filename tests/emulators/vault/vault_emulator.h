// The Vault API emulator's core: a plain request -> response function with no sockets, so
// unit tests call it in-process and the `vault-emulator` binary serves it through
// emu::HttpServer. It answers like a Vault 1.8 dev server (see tests/fixtures/vault-1.8):
// same paths and verbs (including LIST and GET ?list=true), status codes, envelopes and
// error bodies; every request is checked for the seal, quotas, a token and its ACL before
// the engine mounted at the path answers.
//
// Thread-safety: Handle and the control methods may be called concurrently; one mutex
// serializes them (it is released while a kubernetes login waits for its TokenReview).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "http_server.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

struct State;
class TokenReviewer;

struct EmulatorOptions {
  const Clock* clock = nullptr;  // required, not owned; all TTLs and timestamps use it
  // The dev root token's id; empty = a random "s.…" id (see root_token()).
  std::string root_token;
  // How kubernetes logins validate JWTs with a TokenReview; nullptr = over HTTP(S) to the
  // configured kubernetes_host. Not owned; must outlive the emulator.
  TokenReviewer* reviewer = nullptr;
};

class VaultEmulator {
 public:
  explicit VaultEmulator(const EmulatorOptions& options);
  ~VaultEmulator();
  VaultEmulator(const VaultEmulator&) = delete;
  VaultEmulator& operator=(const VaultEmulator&) = delete;

  // Answers one request to /v1/... exactly as Vault would.
  emu::ServerResponse Handle(const emu::ServerRequest& req);

  const std::string& root_token() const { return root_token_; }
  // The dev server's single unseal key, base64 (what `vault server -dev` prints).
  std::string unseal_key() const;

  // Control paths (not under /v1/):
  //   GET  /__emulator/unseal-key    {"key":"<base64>"}
  //   POST /__emulator/server-state  {"initialized":b,"standby":b,"performance_standby":b,
  //                                   "dr_secondary":b}; missing fields keep their value.
  //   GET  /__emulator/leases        the lease table: issued credentials per path (so a test
  //                                  can assert how many were minted), revoked and expired
  //                                  counts, and the live leases (see leases.h)
  emu::ServerResponse HandleUnsealKeyControl(const emu::ServerRequest& req);
  emu::ServerResponse HandleServerStateControl(const emu::ServerRequest& req);
  emu::ServerResponse HandleLeasesControl(const emu::ServerRequest& req);

 private:
  emu::ServerResponse Route(const emu::ServerRequest& req, std::unique_lock<std::mutex>& lock,
                            const std::string& request_id);

  mutable std::mutex mu_;
  std::unique_ptr<State> state_;
  std::unique_ptr<TokenReviewer> owned_reviewer_;
  std::string root_token_;
};

// Registers the emulator's control paths (unseal-key, server-state, leases) on `server`.
void RegisterControls(emu::HttpServer& server, VaultEmulator& emulator);

}  // namespace vaultsync::vaultemu
