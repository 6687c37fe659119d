// The in-process fixture the emulator's unit tests share: a KubeEmulator and helpers that
// send it requests as an admin and parse its answers.
#pragma once

#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "kube_emulator.h"
#include "object_json.h"
#include "util/json.h"

namespace vaultsync::kubeemu {

inline constexpr char kToken[] = "test-admin";

// Collects a streamed body; safe to read while the stream thread writes.
class CollectingWriter : public emu::StreamWriter {
 public:
  bool Write(std::string_view chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_ += chunk;
    return true;
  }
  bool stopping() const override { return false; }
  std::string Text() const {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }

 private:
  mutable std::mutex mu_;
  std::string out_;
};

class KubeEmulatorTest : public ::testing::Test {
 protected:
  explicit KubeEmulatorTest(EmulatorOptions options = Options()) : emu_(std::move(options)) {}
  static EmulatorOptions Options() {
    EmulatorOptions o;
    o.admin_token = kToken;
    o.watch_window = 5;
    return o;
  }

  ServerResponse Call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& content_type = "",
                      const std::string& accept = "application/json") {
    ServerRequest req;
    req.method = method;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.headers.emplace_back("Authorization", "Bearer " + token_);
    req.headers.emplace_back("User-Agent", "unit-test/1.0");
    req.headers.emplace_back("Accept", accept);
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    req.body = body;
    return emu_.Handle(req);
  }

  static json::Document Json(const ServerResponse& r) {
    auto d = json::Parse(r.body);
    EXPECT_TRUE(d.ok()) << r.body;
    return d.ok() ? std::move(d).value() : json::Document();
  }

  void CreateNamespace(const std::string& ns) {
    auto r = Call(
        "POST", "/api/v1/namespaces",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
    ASSERT_EQ(r.status, 201) << r.body;
  }

  ServerResponse CreateSecret(const std::string& ns, const std::string& name,
                              const std::string& labels = "{}") {
    return Call("POST", "/api/v1/namespaces/" + ns + "/secrets",
                "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels +
                    "},\"data\":{\"k\":\"dg==\"}}");
  }

  // The CRD of the recorded session (VaultStaticSecret, v1alpha1, status subresource).
  void CreateVaultStaticSecretCrd(const std::string& scope = "Namespaced");

  std::string token_ = kToken;
  KubeEmulator emu_;
};

inline void KubeEmulatorTest::CreateVaultStaticSecretCrd(const std::string& scope) {
  std::string crd =
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"vaultstaticsecrets.vaultsync.io"},"spec":{"group":"vaultsync.io","names":{"kind":"VaultStaticSecret","listKind":"VaultStaticSecretList","plural":"vaultstaticsecrets","singular":"vaultstaticsecret","shortNames":["vss"],"categories":["vaultsync"]},"scope":"SCOPE","versions":[{"name":"v1alpha1","served":true,"storage":true,"subresources":{"status":{}},"additionalPrinterColumns":[{"name":"Mount","type":"string","jsonPath":".spec.mount"},{"name":"Path","type":"string","jsonPath":".spec.path"},{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},{"name":"Refresh","type":"string","jsonPath":".spec.refreshAfter","priority":1},{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}],"schema":{"openAPIV3Schema":{"type":"object","properties":{"apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},"spec":{"type":"object","required":["mount","path"],"properties":{"mount":{"type":"string"},"path":{"type":"string"},"refreshAfter":{"type":"string","pattern":"^\\d+(\\.\\d+)?(s|m|h)$"},"replicas":{"type":"integer","minimum":1,"maximum":5},"mode":{"type":"string","default":"copy","enum":["copy","merge"]},"extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},"status":{"type":"object","properties":{"conditions":{"type":"array","items":{"type":"object","required":["type","status"],"properties":{"type":{"type":"string"},"status":{"type":"string","enum":["True","False","Unknown"]},"reason":{"type":"string"},"message":{"type":"string"}}}}}}}}}}]}})";
  crd.replace(crd.find("SCOPE"), 5, scope);
  auto r = Call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  ASSERT_EQ(r.status, 201) << r.body;
}

}  // namespace vaultsync::kubeemu
