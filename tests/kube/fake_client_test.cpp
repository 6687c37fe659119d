// Tests of the in-memory API server itself, so that tests built on it (here and in the
// controller) can trust its semantics: optimistic concurrency, status subresource and
// generation, patches, selectors and paging, finalizers, preconditions, tokens.
#include "fake_client.h"

#include <gtest/gtest.h>

#include "json_ops.h"
#include "kube/object.h"

namespace vaultsync::kube::fake {
namespace {

json::Document J(const std::string& s) { return json::Parse(s).value(); }

TEST(FakeClientTest, CreateGetUpdateConflict) {
  FakeClient c;
  auto created = c.Create(resources::Secret(),
                          J(R"({"metadata":{"name":"s","namespace":"d"},"data":{"k":"dg=="}})"));
  ASSERT_TRUE(created.ok());
  auto meta = *ReadObjectMeta(*created);
  EXPECT_FALSE(meta.uid.empty());
  EXPECT_EQ(c.Create(resources::Secret(), *created).status().code(), StatusCode::kAlreadyExists);
  json::Document upd = J(json::Serialize(*created));
  upd["data"]["k"] = "eA==";
  auto updated = c.Update(resources::Secret(), upd);
  ASSERT_TRUE(updated.ok());
  EXPECT_NE(ReadObjectMeta(*updated)->resource_version, meta.resource_version);
  auto stale = c.Update(resources::Secret(), upd);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(stale.status().http_status(), 409);
  EXPECT_EQ(c.Get(resources::Secret(), "d", "missing").status().code(), StatusCode::kNotFound);
}

TEST(FakeClientTest, StatusSubresourceAndGeneration) {
  FakeClient c;
  const auto& vss = resources::VaultStaticSecret();
  auto cr = c.Create(vss, J(R"({"metadata":{"name":"v","namespace":"d"},"spec":{"path":"a"},)"
                            R"("status":{"ignored":true}})"));
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(json::Find(*cr, "status"), nullptr);
  EXPECT_EQ(ReadObjectMeta(*cr)->generation, 1);
  PatchOptions st;
  st.subresource = "status";
  auto s1 = c.Patch(vss, "d", "v", PatchType::kMerge,
                    R"({"status":{"ok":true},"spec":{"path":"b"}})", st);
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(*json::String((*s1)["spec"], "path"), "a") << "spec ignored on /status";
  EXPECT_EQ(ReadObjectMeta(*s1)->generation, 1);
  auto s2 = c.Patch(vss, "d", "v", PatchType::kMerge, R"({"spec":{"path":"b"},"status":null})");
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(ReadObjectMeta(*s2)->generation, 2);
  EXPECT_TRUE(*json::Bool((*s2)["status"], "ok")) << "status kept on the main resource";
  auto rv = c.resource_version();
  auto noop = c.Patch(vss, "d", "v", PatchType::kMerge, R"({"spec":{"path":"b"}})");
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(c.resource_version(), rv) << "a no-op writes nothing";
}

TEST(FakeClientTest, JsonPatchAndMergePatch) {
  json::Document d = J(R"({"a":{"b":1,"c":[1,2]},"x":"y"})");
  ASSERT_TRUE(
      JsonPatch(d, J(R"([{"op":"add","path":"/a/c/1","value":9},)"
                     R"({"op":"replace","path":"/x","value":"z"},)"
                     R"({"op":"remove","path":"/a/b"},{"op":"test","path":"/x","value":"z"}])"))
          .ok());
  EXPECT_EQ(json::Serialize(d), R"({"a":{"c":[1,9,2]},"x":"z"})");
  EXPECT_FALSE(JsonPatch(d, J(R"([{"op":"test","path":"/x","value":"no"}])")).ok());
  MergePatch(d, J(R"({"a":null,"n":{"m":1}})"), d.GetAllocator());
  EXPECT_EQ(json::Serialize(d), R"({"x":"z","n":{"m":1}})");
}

TEST(FakeClientTest, LabelSelectors) {
  auto sel = ParseLabelSelector("app=demo,tier!=db,env,!legacy,zone in (a, b)");
  ASSERT_TRUE(sel.ok());
  std::map<std::string, std::string> l{{"app", "demo"}, {"env", "1"}, {"zone", "b"}};
  EXPECT_TRUE(Matches(*sel, l));
  l["legacy"] = "x";
  EXPECT_FALSE(Matches(*sel, l));
  EXPECT_FALSE(ParseLabelSelector("=x").ok());
}

TEST(FakeClientTest, ListPagingSelectorsAndExpiredContinue) {
  FakeClient c;
  for (const char* n : {"a", "b", "c"})
    ASSERT_TRUE(
        c.Create(resources::Secret(), J(std::string(R"({"metadata":{"name":")") + n +
                                        R"(","namespace":"d","labels":{"l":")" + n + R"("}}})"))
            .ok());
  ListOptions lo;
  lo.limit = 2;
  auto p1 = c.List(resources::Secret(), "d", lo);
  ASSERT_EQ((*p1)["items"].Size(), 2u);
  lo.continue_token = ReadListMeta(*p1)->continue_token;
  ASSERT_FALSE(lo.continue_token.empty());
  auto p2 = c.List(resources::Secret(), "d", lo);
  ASSERT_EQ((*p2)["items"].Size(), 1u);
  EXPECT_TRUE(ReadListMeta(*p2)->continue_token.empty());
  ListOptions sel;
  sel.label_selector = "l in (a,c)";
  sel.field_selector = "metadata.name!=c";
  EXPECT_EQ((*c.List(resources::Secret(), "", sel))["items"].Size(), 1u);
  c.Compact();
  EXPECT_EQ(c.List(resources::Secret(), "d", lo).status().code(), StatusCode::kGone);
}

TEST(FakeClientTest, FinalizersPreconditionsAndGenerateName) {
  FakeClient c;
  auto cr = c.Create(resources::VaultStaticSecret(),
                     J(R"({"metadata":{"generateName":"v-","namespace":"d","finalizers":["f"]}})"));
  ASSERT_TRUE(cr.ok());
  auto m = *ReadObjectMeta(*cr);
  EXPECT_EQ(m.name.rfind("v-", 0), 0u);
  EXPECT_EQ(m.name.size(), 7u);
  DeleteOptions pre;
  pre.precondition_uid = "other";
  EXPECT_EQ(c.Delete(resources::VaultStaticSecret(), "d", m.name, pre).code(),
            StatusCode::kConflict);
  ASSERT_TRUE(c.Delete(resources::VaultStaticSecret(), "d", m.name).ok());
  auto terminating = c.Get(resources::VaultStaticSecret(), "d", m.name);
  ASSERT_TRUE(terminating.ok()) << "held by its finalizer";
  EXPECT_NE(json::Find((*terminating)["metadata"], "deletionTimestamp"), nullptr);
  ASSERT_TRUE(c.Patch(resources::VaultStaticSecret(), "d", m.name, PatchType::kMerge,
                      R"({"metadata":{"finalizers":null}})")
                  .ok());
  EXPECT_EQ(c.Get(resources::VaultStaticSecret(), "d", m.name).status().code(),
            StatusCode::kNotFound);
}

TEST(FakeClientTest, TokensNeedTheServiceAccount) {
  FakeClient c;
  TokenRequestOptions o;
  o.audiences = {"vault"};
  o.expiration_seconds = 600;
  EXPECT_EQ(c.CreateToken("d", "sa", o).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(
      c.Create(resources::ServiceAccount(), J(R"({"metadata":{"name":"sa","namespace":"d"}})"))
          .ok());
  auto t = c.CreateToken("d", "sa", o);
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->token.find("vault"), std::string::npos);
  o.expiration_seconds = 60;
  EXPECT_EQ(c.CreateToken("d", "sa", o).status().code(), StatusCode::kInvalidArgument);
}

TEST(FakeClientTest, InjectedFaults) {
  FakeClient c;
  c.FailNext("get", "secrets", Status(StatusCode::kUnavailable, "x"), 2);
  EXPECT_EQ(c.Get(resources::Secret(), "d", "s").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(c.Get(resources::ConfigMap(), "d", "s").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.Get(resources::Secret(), "d", "s").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(c.Get(resources::Secret(), "d", "s").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.Calls("get", "secrets"), 3);
}

}  // namespace
}  // namespace vaultsync::kube::fake
