// The Ready condition of VaultConnection: valid, invalid spec, and a host name that does not
// resolve (a typo looked "Valid" before).
#include "controller/vault_connection_reconciler.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "util/clock.h"

namespace vaultsync::controller {
namespace {

using testing::FakeCluster;
using testing::FakeLister;

VaultConnection Conn(const std::string& address) {
  VaultConnection c;
  c.meta.namespace_ = "demo";
  c.meta.name = "vault";
  c.meta.generation = 1;
  c.spec.address = address;
  return c;
}

TEST(HostOfAddress, TakesTheHostOfAnHttpUrl) {
  EXPECT_EQ(HostOfAddress("https://vault.vault.svc:8200"), "vault.vault.svc");
  EXPECT_EQ(HostOfAddress("http://127.0.0.1:8200/"), "127.0.0.1");
  EXPECT_EQ(HostOfAddress("https://vault.example"), "vault.example");
  EXPECT_EQ(HostOfAddress("https://[::1]:8200"), "::1");
  EXPECT_EQ(HostOfAddress("https://u@vault:8200/x?y"), "vault");
  EXPECT_EQ(HostOfAddress("vault:8200"), "");
}

TEST(VaultConnectionReconciler, AHostThatDoesNotResolveIsNotReadyAndCheckedAgain) {
  FakeLister<VaultConnection> conns;
  FakeCluster cluster;
  FakeClock clock;
  std::vector<std::string> asked;
  Status dns = Unavailable("Name or service not known");
  VaultConnectionReconciler r(conns, cluster, clock, [&](const std::string& host) {
    asked.push_back(host);
    return dns;
  });
  conns.Put("demo/vault", Conn("https://vault.typo.invalid:8200"));
  auto res = r.Reconcile("demo/vault");
  EXPECT_TRUE(res.error.ok()) << "not an error to back off on: a recheck";
  ASSERT_TRUE(res.requeue_after.has_value());
  EXPECT_EQ(*res.requeue_after, VaultConnectionReconciler::kResolveRecheck);
  ASSERT_EQ(asked, std::vector<std::string>{"vault.typo.invalid"});
  ASSERT_EQ(cluster.status_patch_bodies.size(), 1u);
  const std::string& patch = cluster.status_patch_bodies[0];
  EXPECT_NE(patch.find("\"status\":\"False\""), std::string::npos) << patch;
  EXPECT_NE(patch.find("AddressUnresolvable"), std::string::npos) << patch;
  EXPECT_NE(patch.find("cannot resolve host vault.typo.invalid of address "
                       "https://vault.typo.invalid:8200: Name or service not known"),
            std::string::npos)
      << patch;

  // The name resolves now (DNS caught up, or the spec was fixed): Ready again.
  dns = Status::Ok();
  VaultConnection fixed = Conn("https://vault.typo.invalid:8200");
  fixed.ready.state = ReadyCondition::State::kFalse;
  fixed.ready.reason = kReasonAddressUnresolvable;
  fixed.ready.observed_generation = 1;
  conns.Put("demo/vault", fixed);
  res = r.Reconcile("demo/vault");
  EXPECT_TRUE(res.error.ok());
  EXPECT_FALSE(res.requeue_after.has_value());
  ASSERT_EQ(cluster.status_patch_bodies.size(), 2u);
  EXPECT_NE(cluster.status_patch_bodies[1].find("\"reason\":\"Valid\""), std::string::npos)
      << cluster.status_patch_bodies[1];
}

TEST(VaultConnectionReconciler, AnInvalidSpecIsNotResolved) {
  FakeLister<VaultConnection> conns;
  FakeCluster cluster;
  FakeClock clock;
  int asked = 0;
  VaultConnectionReconciler r(conns, cluster, clock, [&](const std::string&) {
    ++asked;
    return Status::Ok();
  });
  VaultConnection bad = Conn("vault:8200");
  bad.spec_error = InvalidArgument("field \"spec.address\": must start with http:// or https://");
  conns.Put("demo/vault", bad);
  auto res = r.Reconcile("demo/vault");
  EXPECT_TRUE(res.terminal);
  EXPECT_EQ(asked, 0);
}

TEST(SystemHostResolver, ResolvesALiteralAndRefusesAnInvalidName) {
  EXPECT_TRUE(SystemHostResolver("127.0.0.1").ok());
  // RFC 6761: names under .invalid never resolve.
  Status s = SystemHostResolver("vaultsync-test.invalid");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.message().empty());
}

}  // namespace
}  // namespace vaultsync::controller
