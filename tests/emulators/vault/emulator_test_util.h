// Test helper: an in-process VaultEmulator on a FakeClock with root token "root", and a
// one-line way to send it a request and read the JSON answer.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "util/clock.h"
#include "util/json.h"
#include "vault_emulator.h"

namespace vaultsync::vaultemu::testing {

class EmulatorHarness {
 public:
  explicit EmulatorHarness(TokenReviewer* reviewer = nullptr) {
    EmulatorOptions o;
    o.clock = &clock;
    o.root_token = "root";
    o.reviewer = reviewer;
    emulator = std::make_unique<VaultEmulator>(o);
  }

  // `path` may carry a query ("/v1/secret/data/a?version=1"). token "" sends none.
  emu::ServerResponse Send(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& token = "root") {
    emu::ServerRequest req;
    req.method = method;
    size_t q = path.find('?');
    req.path = path.substr(0, q);
    if (q != std::string::npos) req.query = path.substr(q + 1);
    if (!token.empty()) req.headers.emplace_back("X-Vault-Token", token);
    req.body = body;
    return emulator->Handle(req);
  }

  // Sends and parses the body (which must be JSON).
  json::Document SendJson(const std::string& method, const std::string& path,
                          const std::string& body = "", const std::string& token = "root",
                          int* status = nullptr) {
    emu::ServerResponse r = Send(method, path, body, token);
    if (status != nullptr) *status = r.status;
    auto doc = json::Parse(r.body);
    EXPECT_TRUE(doc.ok()) << method << " " << path << " -> " << r.status << " " << r.body;
    return doc.ok() ? std::move(doc).value() : json::Document();
  }

  FakeClock clock;
  std::unique_ptr<VaultEmulator> emulator;
};

// The first entry of {"errors":[...]} or "" when there is none.
inline std::string FirstError(const std::string& body) {
  auto doc = json::Parse(body);
  if (!doc.ok()) return "<not json>";
  const json::Value* errors = json::Find(*doc, "errors");
  if (errors == nullptr || !errors->IsArray() || errors->Empty()) return "";
  return (*errors)[0].IsString() ? std::string((*errors)[0].GetString()) : "<not a string>";
}

}  // namespace vaultsync::vaultemu::testing
