// A Client whose writes can be switched off at once (a fence): a leader that loses its
// Lease must stop writing before a standby can take over, even while its reconciles are
// still running. Reads and watches pass through; after Close() every create, update,
// patch, delete and TokenRequest fails with kCancelled without reaching the server. The
// manager closes the fence when leadership is lost and at shutdown, before anything else.
#pragma once

#include <atomic>

#include "kube/client.h"

namespace vaultsync::kube {

// Thread-safe. Once closed, stays closed.
class WriteFence {
 public:
  void Close() { open_ = false; }
  bool open() const { return open_; }

 private:
  std::atomic<bool> open_{true};
};

// Thread-safe. `inner` and `fence` must outlive it.
class FencedClient final : public Client {
 public:
  FencedClient(Client& inner, const WriteFence& fence) : inner_(inner), fence_(fence) {}

  Result<json::Document> Get(const ResourceType& rt, std::string_view ns, std::string_view name,
                             std::string_view subresource = "") override {
    return inner_.Get(rt, ns, name, subresource);
  }
  Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                              const ListOptions& opts = {}) override {
    return inner_.List(rt, ns, opts);
  }
  Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.Create(rt, obj);
  }
  Result<json::Document> Update(const ResourceType& rt, const json::Value& obj) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.Update(rt, obj);
  }
  Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& obj) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.UpdateStatus(rt, obj);
  }
  Result<json::Document> Patch(const ResourceType& rt, std::string_view ns, std::string_view name,
                               PatchType type, std::string_view patch,
                               const PatchOptions& opts = {}) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.Patch(rt, ns, name, type, patch, opts);
  }
  Status Delete(const ResourceType& rt, std::string_view ns, std::string_view name,
                const DeleteOptions& opts = {}) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.Delete(rt, ns, name, opts);
  }
  Result<TokenResult> CreateToken(std::string_view ns, std::string_view service_account,
                                  const TokenRequestOptions& opts) override {
    VS_RETURN_IF_ERROR(Check());
    return inner_.CreateToken(ns, service_account, opts);
  }
  Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
               const WatchHandler& handler, const http::CancelFlag* cancel) override {
    return inner_.Watch(rt, ns, opts, handler, cancel);
  }

 private:
  Status Check() const {
    if (fence_.open()) return Status::Ok();
    return Status(StatusCode::kCancelled,
                  "write refused: this replica is stopping or no longer the leader");
  }

  Client& inner_;
  const WriteFence& fence_;
};

}  // namespace vaultsync::kube
