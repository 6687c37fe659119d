// The fan-out of an identity change through real informers, field indexes and the
// controller builder: with 10,000 VaultStaticSecrets over 100 VaultAuths, changing one
// VaultAuth queues exactly its 100 users — found through the index, not by scanning.
#include <gtest/gtest.h>

#include <set>

#include "controller/identity_dependents.h"
#include "controller/kube_adapters.h"
#include "controller/predicates.h"
#include "fake_client.h"
#include "kube/informer_factory.h"
#include "runtime/builder.h"

namespace vaultsync::controller {
namespace {

using namespace std::chrono_literals;

constexpr int kAuths = 100;
constexpr int kSecrets = 10000;

json::Document Vss(int i, const std::string& auth) {
  return json::Parse(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret",)"
                     R"("metadata":{"name":"vss-)" +
                     std::to_string(i) + R"(","namespace":"apps"},"spec":{"vaultAuthRef":")" +
                     auth + R"(","mount":"secret","path":"p)" + std::to_string(i % 50) +
                     R"(","destination":{"name":"s)" + std::to_string(i) + R"("}}})")
      .value();
}

json::Document Auth(const std::string& name, const std::string& role) {
  return json::Parse(R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultAuth",)"
                     R"("metadata":{"name":")" +
                     name + R"(","namespace":"apps"},"spec":{"kubernetes":{"role":")" + role +
                     R"("}}})")
      .value();
}

// Takes every key the controller's queue holds now (the controller is never started).
std::set<std::string> Drain(runtime::Controller& c) {
  std::set<std::string> keys;
  while (auto k = c.queue().GetFor(0ms)) {
    keys.insert(*k);
    c.queue().Done(*k);
  }
  return keys;
}

bool WaitForLen(runtime::Controller& c, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (c.queue().Len() < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return c.queue().Len() >= n;
}

TEST(IdentityFanOut, ChangingOneVaultAuthQueuesExactlyItsUsers) {
  kube::fake::FakeClient api;
  namespace r = kube::resources;
  for (int a = 0; a < kAuths; ++a)
    ASSERT_TRUE(api.Create(r::VaultAuth(), Auth("auth-" + std::to_string(a), "r")).ok());
  ASSERT_TRUE(api.Create(r::VaultAuth(), Auth("marker", "r")).ok());
  for (int i = 0; i < kSecrets; ++i)
    ASSERT_TRUE(
        api.Create(r::VaultStaticSecret(), Vss(i, "auth-" + std::to_string(i % kAuths))).ok());
  ASSERT_TRUE(api.Create(r::VaultStaticSecret(), Vss(kSecrets, "marker")).ok());

  // A manager only to own the controller; it never runs (its server is never asked).
  runtime::ManagerOptions mo;
  mo.kube.server = "http://127.0.0.1:1";
  mo.metrics_bind_address = "0";
  mo.health_probe_bind_address = "0";
  auto mgr = runtime::Manager::New(mo);
  ASSERT_TRUE(mgr.ok()) << mgr.status().ToString();

  kube::InformerFactory cache(api);
  auto vss_inf = cache.For<VaultStaticSecret>(r::VaultStaticSecret(), {}, DecodeVaultStaticSecret);
  auto auth_inf = cache.For<VaultAuth>(r::VaultAuth(), {}, DecodeVaultAuth);
  auto conn_inf = cache.For<VaultConnection>(r::VaultConnection(), {}, DecodeVaultConnection);
  ASSERT_TRUE(vss_inf.ok() && auth_inf.ok() && conn_inf.ok());
  ASSERT_TRUE(
      (*vss_inf)
          ->AddIndex(kIndexVaultAuthRef,
                     [](const VaultStaticSecret& v) { return AuthRefIndexValues(v.spec.auth_ref); })
          .ok());
  InformerLister<VaultStaticSecret> vss_list(*vss_inf);
  InformerLister<VaultAuth> auth_list(*auth_inf);
  InformerLister<VaultConnection> conn_list(*conn_inf);
  IdentityDependents<VaultStaticSecret> users(
      vss_list, auth_list, conn_list, "vaultsync",
      [](const VaultStaticSecret& v) -> const AuthRef& { return v.spec.auth_ref; });
  runtime::Controller& c =
      runtime::ControllerBuilder(**mgr, "vaultstaticsecret")
          .For<VaultStaticSecret>(*vss_inf, KeyOf<VaultStaticSecret>,
                                  SpecOrLifecycleChanged<VaultStaticSecret>)
          .Watches<VaultAuth>(
              *auth_inf, [&](const VaultAuth& a) { return users.OfAuth(a.meta.Key()); },
              GenerationChanged<VaultAuth>)
          .Complete([](const std::string&) { return runtime::ReconcileResult::Done(); });
  cache.Start();
  ASSERT_TRUE(cache.WaitForCacheSync(60s));
  // The initial adds: every resource once (and each VaultAuth's add queues its users again,
  // collapsed into the same keys).
  ASSERT_TRUE(WaitForLen(c, kSecrets + 1));
  ASSERT_TRUE(api.WaitForOpenWatches(3, 10s));
  EXPECT_EQ(Drain(c).size(), size_t(kSecrets + 1));

  // A spec change of auth-7, then of the marker VaultAuth: both notifications run in order
  // on the VaultAuth informer's one dispatcher, so once the marker's user is queued, all
  // of auth-7's are.
  ASSERT_TRUE(api.Patch(r::VaultAuth(), "apps", "auth-7", kube::PatchType::kMerge,
                        R"({"spec":{"kubernetes":{"role":"rotated"}}})")
                  .ok());
  ASSERT_TRUE(api.Patch(r::VaultAuth(), "apps", "marker", kube::PatchType::kMerge,
                        R"({"spec":{"kubernetes":{"role":"rotated"}}})")
                  .ok());
  ASSERT_TRUE(WaitForLen(c, kSecrets / kAuths + 1));
  std::set<std::string> queued = Drain(c);
  std::set<std::string> want{"apps/vss-" + std::to_string(kSecrets)};
  for (int i = 7; i < kSecrets; i += kAuths) want.insert("apps/vss-" + std::to_string(i));
  EXPECT_EQ(queued.size(), want.size());
  EXPECT_EQ(queued, want);
  cache.Stop();
}

}  // namespace
}  // namespace vaultsync::controller
