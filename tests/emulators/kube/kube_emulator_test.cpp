// In-process tests of KubeEmulator::Handle: the API semantics clients depend on.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

TEST_F(KubeEmulatorTest, RejectsMissingOrUnknownToken) {
  ServerRequest req;
  req.method = "GET";
  req.path = "/api/v1/namespaces";
  EXPECT_EQ(emu_.Handle(req).status, 401);
  req.headers.emplace_back("Authorization", "Bearer wrong");
  auto r = emu_.Handle(req);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(StringAt(Json(r), "reason"), "Unauthorized");
}

TEST_F(KubeEmulatorTest, NamespaceGetsDefaultServiceAccount) {
  CreateNamespace("demo");
  auto r = Call("GET", "/api/v1/namespaces/demo/serviceaccounts/default");
  EXPECT_EQ(r.status, 200) << r.body;
  auto ns = Json(Call("GET", "/api/v1/namespaces/demo"));
  EXPECT_EQ(StringAt(ns, "status.phase"), "Active");
  const json::Value* label = json::Find(*At(ns, "metadata.labels"), "kubernetes.io/metadata.name");
  ASSERT_NE(label, nullptr);
  EXPECT_EQ(json::View(*label), "demo");
}

TEST_F(KubeEmulatorTest, CreateGetConflictAndStaleUpdate) {
  CreateNamespace("demo");
  auto created = CreateSecret("demo", "s1");
  ASSERT_EQ(created.status, 201) << created.body;
  auto obj = Json(created);
  std::string rv = StringAt(obj, "metadata.resourceVersion");
  EXPECT_FALSE(StringAt(obj, "metadata.uid").empty());
  EXPECT_EQ(StringAt(obj, "type"), "Opaque");

  auto dup = CreateSecret("demo", "s1");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(StringAt(Json(dup), "reason"), "AlreadyExists");

  std::string put = "{\"metadata\":{\"name\":\"s1\",\"resourceVersion\":\"" + rv +
                    "\"},\"data\":{\"k\":\"djI=\"}}";
  auto updated = Call("PUT", "/api/v1/namespaces/demo/secrets/s1", put);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_NE(StringAt(Json(updated), "metadata.resourceVersion"), rv);
  auto stale = Call("PUT", "/api/v1/namespaces/demo/secrets/s1", put);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(StringAt(Json(stale), "reason"), "Conflict");

  auto missing = Call("GET", "/api/v1/namespaces/demo/secrets/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(StringAt(Json(missing), "message"), "secrets \"nope\" not found");
}

TEST_F(KubeEmulatorTest, SecretDataMustBeBase64AndNamesValid) {
  CreateNamespace("demo");
  auto bad = Call("POST", "/api/v1/namespaces/demo/secrets",
                  "{\"metadata\":{\"name\":\"b\"},\"data\":{\"k\":\"not base64!\"}}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(StringAt(Json(bad), "message").find("illegal base64 data at input byte 3"),
            std::string::npos);
  auto name = CreateSecret("demo", "Bad_Name");
  EXPECT_EQ(name.status, 422);
  EXPECT_EQ(StringAt(Json(name), "reason"), "Invalid");
}

TEST_F(KubeEmulatorTest, ListFiltersByLabelSelectorAndPages) {
  CreateNamespace("demo");
  ASSERT_EQ(CreateSecret("demo", "a", "{\"app\":\"x\"}").status, 201);
  ASSERT_EQ(CreateSecret("demo", "b", "{\"app\":\"y\"}").status, 201);
  ASSERT_EQ(CreateSecret("demo", "c", "{\"tier\":\"z\"}").status, 201);
  auto count = [this](const std::string& q) {
    auto d = Json(Call("GET", "/api/v1/namespaces/demo/secrets?" + q));
    const json::Value* items = json::Find(d, "items");
    return items != nullptr && items->IsArray() ? static_cast<int>(items->Size()) : -1;
  };
  EXPECT_EQ(count("labelSelector=app%3Dx"), 1);
  EXPECT_EQ(count("labelSelector=app%20in%20(x,y)"), 2);
  EXPECT_EQ(count("labelSelector=app%20notin%20(x)"), 2);
  EXPECT_EQ(count("labelSelector=!app"), 1);
  EXPECT_EQ(count("labelSelector=app"), 2);
  EXPECT_EQ(count("labelSelector=app!%3Dx"), 2);
  EXPECT_EQ(count("fieldSelector=metadata.name%3Db"), 1);

  auto page1 = Json(Call("GET", "/api/v1/namespaces/demo/secrets?limit=2"));
  std::string cont = StringAt(page1, "metadata.continue");
  ASSERT_FALSE(cont.empty());
  EXPECT_EQ(IntAt(page1, "metadata.remainingItemCount").value_or(0), 1);
  auto page2 = Json(Call("GET", "/api/v1/namespaces/demo/secrets?limit=2&continue=" + cont));
  ASSERT_EQ(At(page2, "items")->Size(), 1u);
  EXPECT_EQ(StringAt((*At(page2, "items"))[0], "metadata.name"), "c");
}

// Lists across namespaces come in etcd's key order ("<ns>/<name>" as a string: "a-b/..."
// before "a/...", since '-' sorts before '/'), and paging by that key returns every object
// exactly once, with or without a selector.
TEST_F(KubeEmulatorTest, ListsAcrossNamespacesPageInEtcdKeyOrderWithoutLosingObjects) {
  for (const char* ns : {"a", "a-b", "ab"}) CreateNamespace(ns);
  std::vector<std::string> want;  // etcd order
  for (const char* ns : {"a-b", "a", "ab"}) {
    for (const char* name : {"s1", "s2"}) {
      ASSERT_EQ(CreateSecret(ns, name, "{\"app\":\"x\"}").status, 201);
      want.push_back(std::string(ns) + "/" + name);
    }
  }
  for (const std::string& selector : {std::string(""), std::string("&labelSelector=app%3Dx")}) {
    std::vector<std::string> got;
    std::string cont;
    for (int page = 0; page < 10; ++page) {
      auto d = Json(Call(
          "GET", "/api/v1/secrets?limit=2" + selector + (cont.empty() ? "" : "&continue=" + cont)));
      const json::Value* items = json::Find(d, "items");
      ASSERT_TRUE(items != nullptr && items->IsArray());
      for (const auto& item : items->GetArray()) {
        std::string ns = StringAt(item, "metadata.namespace");
        if (ns == "a" || ns == "a-b" || ns == "ab")
          got.push_back(ns + "/" + StringAt(item, "metadata.name"));
      }
      cont = StringAt(d, "metadata.continue");
      if (cont.empty()) break;
    }
    EXPECT_EQ(got, want) << "selector: " << selector;
  }
  // Within one namespace, a page starts after the token's name.
  auto page1 = Json(Call("GET", "/api/v1/namespaces/a/secrets?limit=1"));
  EXPECT_EQ(IntAt(page1, "metadata.remainingItemCount").value_or(0), 1);
  auto page2 = Json(Call("GET", "/api/v1/namespaces/a/secrets?limit=1&continue=" +
                                    StringAt(page1, "metadata.continue")));
  ASSERT_EQ(At(page2, "items")->Size(), 1u);
  EXPECT_EQ(StringAt((*At(page2, "items"))[0], "metadata.name"), "s2");
  EXPECT_EQ(StringAt(page2, "metadata.continue"), "");
}

TEST_F(KubeEmulatorTest, WatchReplaysFromResourceVersionAndExpiresOldOnes) {
  CreateNamespace("demo");
  auto first = Json(CreateSecret("demo", "w0"));
  std::string rv = StringAt(first, "metadata.resourceVersion");
  ASSERT_EQ(Call("DELETE", "/api/v1/namespaces/demo/secrets/w0").status, 200);

  auto w = Call(
      "GET", "/api/v1/namespaces/demo/secrets?watch=true&timeoutSeconds=0&resourceVersion=" + rv);
  ASSERT_TRUE(w.stream);
  CollectingWriter out;
  w.stream(out);
  EXPECT_NE(out.Text().find("\"type\":\"DELETED\""), std::string::npos) << out.Text();

  // Push the window (5 events) past rv.
  for (int i = 0; i < 6; ++i) ASSERT_EQ(CreateSecret("demo", "x" + std::to_string(i)).status, 201);
  auto old = Call(
      "GET", "/api/v1/namespaces/demo/secrets?watch=true&timeoutSeconds=0&resourceVersion=" + rv);
  EXPECT_EQ(old.status, 200);
  CollectingWriter err;
  old.stream(err);
  EXPECT_NE(err.Text().find("\"type\":\"ERROR\""), std::string::npos) << err.Text();
  EXPECT_NE(err.Text().find("\"code\":410"), std::string::npos);
}

// An object relabelled out of a label-selected watch leaves it as DELETED with the content
// that matched (its old labels) at the relabel's resourceVersion; relabelled back in, it comes
// back as ADDED. Reconstructed from the apiserver's source (cacheWatcher.convertToWatchEvent),
// not recorded: sharded operators depend on it.
TEST_F(KubeEmulatorTest, WatchSendsDeletedWithOldContentWhenObjectStopsMatchingSelector) {
  CreateNamespace("demo");
  auto first = Json(CreateSecret("demo", "s", "{\"shard\":\"a\"}"));
  std::string rv0 = StringAt(first, "metadata.resourceVersion");
  auto relabel = [this](const std::string& shard) {
    auto cur = Json(Call("GET", "/api/v1/namespaces/demo/secrets/s"));
    std::string put = "{\"metadata\":{\"name\":\"s\",\"labels\":{\"shard\":\"" + shard +
                      "\"},\"resourceVersion\":\"" + StringAt(cur, "metadata.resourceVersion") +
                      "\"}}";
    auto r = Call("PUT", "/api/v1/namespaces/demo/secrets/s", put);
    EXPECT_EQ(r.status, 200) << r.body;
    return StringAt(Json(r), "metadata.resourceVersion");
  };
  std::string rv_out = relabel("b");
  std::string rv_in = relabel("a");

  auto w = Call("GET",
                "/api/v1/namespaces/demo/secrets?watch=true&timeoutSeconds=0&labelSelector=shard%"
                "3Da&resourceVersion=" +
                    rv0);
  ASSERT_TRUE(w.stream);
  CollectingWriter out;
  w.stream(out);
  std::vector<std::pair<std::string, json::Document>> events;
  std::string text = out.Text();
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    auto doc = json::Parse(text.substr(pos, end - pos));
    ASSERT_TRUE(doc.ok()) << text;
    std::string type = StringAt(*doc, "type");
    json::Document obj;
    obj.CopyFrom(*At(*doc, "object"), obj.GetAllocator());
    events.emplace_back(type, std::move(obj));
    pos = end + 1;
  }
  ASSERT_EQ(events.size(), 2u) << text;
  EXPECT_EQ(events[0].first, "DELETED");
  EXPECT_EQ(StringAt(events[0].second, "metadata.labels.shard"), "a");
  EXPECT_EQ(StringAt(events[0].second, "metadata.resourceVersion"), rv_out);
  EXPECT_EQ(events[1].first, "ADDED");
  EXPECT_EQ(StringAt(events[1].second, "metadata.labels.shard"), "a");
  EXPECT_EQ(StringAt(events[1].second, "metadata.resourceVersion"), rv_in);
}

TEST_F(KubeEmulatorTest, CountKeysNameVerbAndResource) {
  ServerRequest req;
  req.method = "GET";
  req.path = "/api/v1/namespaces/demo/secrets";
  EXPECT_EQ(emu_.CountKey(req), "LIST secrets");
  req.query = "watch=true";
  EXPECT_EQ(emu_.CountKey(req), "WATCH secrets");
  // The apiserver's query booleans: any value but "0" or "false" (any case) is true, even an
  // empty one; python-kubernetes sends watch=True.
  for (const char* yes : {"watch=True", "watch=TRUE", "watch=1", "watch=", "watch", "watch=yes"}) {
    req.query = yes;
    EXPECT_EQ(emu_.CountKey(req), "WATCH secrets") << yes;
  }
  for (const char* no : {"watch=false", "watch=False", "watch=FALSE", "watch=0", "watchx=1"}) {
    req.query = no;
    EXPECT_EQ(emu_.CountKey(req), "LIST secrets") << no;
  }
  req.method = "PUT";
  req.query.clear();
  req.path = "/api/v1/namespaces/demo/secrets/x";
  EXPECT_EQ(emu_.CountKey(req), "UPDATE secrets");
}

}  // namespace
}  // namespace vaultsync::kubeemu
