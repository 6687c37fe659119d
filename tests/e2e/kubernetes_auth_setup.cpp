// The shared tenant-identity setup of the end-to-end tests (see kubernetes_auth_setup.h).
#include "kubernetes_auth_setup.h"

#include <gtest/gtest.h>

#include "util/json.h"

namespace vaultsync::e2e {

void SetUpKubernetesAuth(Env& env, const std::string& token_params) {
  ASSERT_EQ(env.Vault("POST", "/v1/sys/auth/kubernetes", R"({"type":"kubernetes"})").status, 204);
  std::string ca = env.KubeCaPem();
  ASSERT_FALSE(ca.empty());
  auto cfg = env.Vault(
      "POST", "/v1/auth/kubernetes/config",
      R"({"kubernetes_host":")" + env.kube_url() + R"(","kubernetes_ca_cert":)" + json::Quote(ca) +
          R"(,"issuer":"https://kubernetes.default.svc.cluster.local","token_reviewer_jwt":")" +
          kAdminToken + R"("})");
  ASSERT_EQ(cfg.status, 204) << cfg.body;
  ASSERT_EQ(env.Vault("PUT", "/v1/sys/policies/acl/app-read",
                      R"({"policy":"path \"secret/data/app/*\" { capabilities = [\"read\"] }"})")
                .status,
            204);
  auto role = env.Vault(
      "POST", "/v1/auth/kubernetes/role/app",
      R"({"bound_service_account_names":["default"],"bound_service_account_namespaces":["demo"],
          "token_policies":["app-read"],"audience":"vault",)" +
          token_params + "}");
  ASSERT_EQ(role.status, 204) << role.body;
  auto auth = env.Kubectl({"apply", "-f", "-"},
                          R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",
      "metadata":{"name":"app","namespace":"demo"},
      "spec":{"method":"kubernetes","kubernetes":{"role":"app","serviceAccount":"default","audiences":["vault"]}}})");
  ASSERT_EQ(auth.exit_code, 0) << auth.err;
}

int RevokeTokensWithPolicy(Env& env, const std::string& policy) {
  // The array at data.<member> of a Vault answer, or nullptr.
  auto data_array = [](const json::Document& d, const char* member) -> const json::Value* {
    const json::Value* data = json::Find(d, "data");
    const json::Value* a = data != nullptr ? json::Find(*data, member) : nullptr;
    return a != nullptr && a->IsArray() ? a : nullptr;
  };
  auto list = json::Parse(env.Vault("GET", "/v1/auth/token/accessors?list=true").body);
  const json::Value* keys = list.ok() ? data_array(*list, "keys") : nullptr;
  if (keys == nullptr) return 0;
  int revoked = 0;
  for (const auto& a : keys->GetArray()) {
    const std::string body = R"({"accessor":")" + std::string(json::View(a)) + R"("})";
    auto info = json::Parse(env.Vault("POST", "/v1/auth/token/lookup-accessor", body).body);
    const json::Value* policies = info.ok() ? data_array(*info, "policies") : nullptr;
    bool carries = false;
    if (policies != nullptr) {
      for (const auto& p : policies->GetArray()) carries |= json::View(p) == policy;
    }
    if (carries && env.Vault("POST", "/v1/auth/token/revoke-accessor", body).status == 204) {
      ++revoked;
    }
  }
  return revoked;
}

}  // namespace vaultsync::e2e
