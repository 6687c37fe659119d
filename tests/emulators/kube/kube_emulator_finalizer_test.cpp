// Finalizers, deletion and the garbage collector as kube-apiserver v1.26 and
// kube-controller-manager run them (store.go Delete / Update, ValidateObjectMetaUpdate, the
// garbage collector's foreground and orphan handling, the namespace controller), checked
// rule by rule through the emulator's Handle. What the answers look like byte for byte is
// checked against the reconstructed fixtures 200-212 by the contract test.
#include <set>

#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

class FinalizerTest : public KubeEmulatorTest {
 protected:
  FinalizerTest() : KubeEmulatorTest(WideWindow()) {}
  static EmulatorOptions WideWindow() {
    EmulatorOptions o = Options();
    o.watch_window = 1000;  // the watch replays below need the whole history
    return o;
  }
  void SetUp() override { CreateNamespace("demo"); }

  static constexpr char kCm[] = "/api/v1/namespaces/demo/configmaps/";
  static constexpr char kVss[] = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/";

  // A ConfigMap with the given finalizers (JSON list) and extra metadata; returns its uid.
  std::string ConfigMap(const std::string& name, const std::string& finalizers = "[]",
                        const std::string& extra = "") {
    auto r = Call("POST", "/api/v1/namespaces/demo/configmaps",
                  "{\"metadata\":{\"name\":\"" + name + "\",\"finalizers\":" + finalizers + extra +
                      "},\"data\":{\"k\":\"v\"}}");
    EXPECT_EQ(r.status, 201) << r.body;
    return StringAt(Json(r), "metadata.uid");
  }

  // ",\"ownerReferences\":[...]" naming ConfigMap `owner` (uid) as owner.
  static std::string OwnedBy(const std::string& owner, const std::string& uid, bool block) {
    return ",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"" +
           owner + "\",\"uid\":\"" + uid + "\"" + (block ? ",\"blockOwnerDeletion\":true" : "") +
           "}]";
  }

  int Get(const std::string& path) { return Call("GET", path).status; }

  ServerResponse RemoveFinalizers(const std::string& path) {
    return Call("PATCH", path, R"({"metadata":{"finalizers":null}})",
                "application/merge-patch+json");
  }

  std::string CurrentRv() {
    return StringAt(Json(Call("GET", "/api/v1/namespaces/demo/configmaps")),
                    "metadata.resourceVersion");
  }

  // The watch events of `resource` since resourceVersion `rv`: "TYPE name" lines.
  std::vector<std::pair<std::string, json::Document>> EventsSince(const std::string& collection,
                                                                  const std::string& rv) {
    auto w = Call("GET", collection + "?watch=true&timeoutSeconds=0&resourceVersion=" + rv);
    EXPECT_TRUE(static_cast<bool>(w.stream)) << w.body;
    std::vector<std::pair<std::string, json::Document>> out;
    if (!w.stream) return out;
    CollectingWriter writer;
    w.stream(writer);
    std::string text = writer.Text();
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      auto ev = json::Parse(text.substr(pos, nl - pos));
      EXPECT_TRUE(ev.ok()) << text;
      if (!ev.ok()) break;
      std::string type = StringAt(*ev, "type");
      out.emplace_back(type, Clone(*At(*ev, "object")));
      pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
  }

  static std::vector<std::string> Finalizers(const json::Value& obj) {
    std::vector<std::string> out;
    const json::Value* f = At(obj, "metadata.finalizers");
    if (f == nullptr) return out;
    for (const auto& v : f->GetArray()) out.emplace_back(json::View(v));
    return out;
  }
};

TEST_F(FinalizerTest, DeleteMarksAnObjectWithFinalizersAndAnswersIt) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  std::string rv = CurrentRv();
  auto del = Call("DELETE", std::string(kCm) + "held");
  ASSERT_EQ(del.status, 200) << del.body;
  auto obj = Json(del);
  EXPECT_EQ(StringAt(obj, "kind"), "ConfigMap");  // the object, not a Status
  EXPECT_FALSE(StringAt(obj, "metadata.deletionTimestamp").empty());
  EXPECT_EQ(IntAt(obj, "metadata.deletionGracePeriodSeconds"), 0);
  EXPECT_EQ(At(obj, "metadata.generation"), nullptr);  // ConfigMaps have none to bump
  EXPECT_EQ(Finalizers(obj), std::vector<std::string>{"example.com/cleanup"});
  EXPECT_EQ(Get(std::string(kCm) + "held"), 200);

  // Watchers see the marking as MODIFIED.
  auto events = EventsSince("/api/v1/namespaces/demo/configmaps", rv);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "MODIFIED");
  EXPECT_EQ(StringAt(events[0].second, "metadata.resourceVersion"),
            StringAt(obj, "metadata.resourceVersion"));
}

TEST_F(FinalizerTest, DeleteBumpsTheGenerationOfACustomResource) {
  CreateVaultStaticSecretCrd();
  auto created = Call("POST", "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets",
                      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret",)"
                      R"("metadata":{"name":"db","finalizers":["vaultsync.io/cleanup"]},)"
                      R"("spec":{"mount":"secret","path":"app/db"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(IntAt(Json(created), "metadata.generation"), 1);
  auto del = Json(Call("DELETE", std::string(kVss) + "db"));
  EXPECT_EQ(IntAt(del, "metadata.generation"), 2);
  EXPECT_EQ(IntAt(del, "metadata.deletionGracePeriodSeconds"), 0);
  // A second delete does not bump it again.
  EXPECT_EQ(IntAt(Json(Call("DELETE", std::string(kVss) + "db")), "metadata.generation"), 2);
  // Removing the finalizer answers the object as updated, generation unchanged, and it is gone.
  auto done = RemoveFinalizers(std::string(kVss) + "db");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(IntAt(Json(done), "metadata.generation"), 2);
  EXPECT_EQ(Get(std::string(kVss) + "db"), 404);
}

TEST_F(FinalizerTest, CreatingANamesakeOfAnObjectBeingDeletedConflicts) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  ASSERT_EQ(Call("DELETE", std::string(kCm) + "held").status, 200);
  auto again =
      Call("POST", "/api/v1/namespaces/demo/configmaps", R"({"metadata":{"name":"held"}})");
  ASSERT_EQ(again.status, 409);
  EXPECT_EQ(StringAt(Json(again), "reason"), "AlreadyExists");
  EXPECT_EQ(StringAt(Json(again), "message"),
            "object is being deleted: configmaps \"held\" already exists");
}

TEST_F(FinalizerTest, ARepeatedDeleteChangesNothing) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  auto first = Call("DELETE", std::string(kCm) + "held");
  ASSERT_EQ(first.status, 200);
  std::string rv = CurrentRv();
  auto second = Call("DELETE", std::string(kCm) + "held");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);  // same object, same resourceVersion and timestamp
  EXPECT_TRUE(EventsSince("/api/v1/namespaces/demo/configmaps", rv).empty());
}

TEST_F(FinalizerTest, OrphanDependentsFalseAnswers202ForAnObjectThatStays) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  auto del = Call("DELETE", std::string(kCm) + "held", R"({"orphanDependents":false})");
  EXPECT_EQ(del.status, 202) << del.body;
  EXPECT_EQ(Finalizers(Json(del)), std::vector<std::string>{"example.com/cleanup"});
  // Without finalizers it is deleted at once: 200 and a Status.
  ConfigMap("plain");
  auto plain = Call("DELETE", std::string(kCm) + "plain", R"({"orphanDependents":false})");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(StringAt(Json(plain), "kind"), "Status");
}

TEST_F(FinalizerTest, RemovingTheLastFinalizerDeletesWithoutAModifiedEvent) {
  ConfigMap("held", R"(["a.example.com/x","b.example.com/y"])");
  auto marked = Json(Call("DELETE", std::string(kCm) + "held"));
  std::string rv = StringAt(marked, "metadata.resourceVersion");

  // Removing one of two keeps it (an ordinary update).
  json::Document one = Clone(marked);
  one["metadata"]["finalizers"].PopBack();
  auto kept = Call("PUT", std::string(kCm) + "held", Compact(one));
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(Finalizers(Json(kept)), std::vector<std::string>{"a.example.com/x"});
  std::string kept_rv = StringAt(Json(kept), "metadata.resourceVersion");
  EXPECT_NE(kept_rv, rv);

  // Removing the last one: the answer is the object as sent, with the stored resourceVersion.
  json::Document none = Json(kept);
  RemoveMember(none["metadata"], "finalizers");
  auto gone = Call("PUT", std::string(kCm) + "held", Compact(none));
  ASSERT_EQ(gone.status, 200) << gone.body;
  auto answer = Json(gone);
  EXPECT_EQ(At(answer, "metadata.finalizers"), nullptr);
  EXPECT_EQ(StringAt(answer, "metadata.resourceVersion"), kept_rv);
  EXPECT_FALSE(StringAt(answer, "metadata.deletionTimestamp").empty());
  EXPECT_EQ(Get(std::string(kCm) + "held"), 404);

  auto events = EventsSince("/api/v1/namespaces/demo/configmaps", rv);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].first, "MODIFIED");
  EXPECT_EQ(events[1].first, "DELETED");
  // The DELETED event carries the last stored state (its finalizer still listed).
  EXPECT_EQ(Finalizers(events[1].second), std::vector<std::string>{"a.example.com/x"});
  EXPECT_GT(std::stoll(StringAt(events[1].second, "metadata.resourceVersion")),
            std::stoll(kept_rv));
}

TEST_F(FinalizerTest, AddingAFinalizerWhileDeletingIsInvalid) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  ASSERT_EQ(Call("DELETE", std::string(kCm) + "held").status, 200);
  auto r = Call("PATCH", std::string(kCm) + "held",
                R"({"metadata":{"finalizers":["example.com/cleanup","z.example.com/b",)"
                R"("a.example.com/a"]}})",
                "application/merge-patch+json");
  ASSERT_EQ(r.status, 422) << r.body;
  auto st = Json(r);
  EXPECT_EQ(StringAt(st, "reason"), "Invalid");
  const std::string cause =
      "Forbidden: no new finalizers can be added if the object is being deleted, found new "
      "finalizers []string{\"a.example.com/a\", \"z.example.com/b\"}";
  EXPECT_EQ(StringAt(st, "message"),
            "ConfigMap \"held\" is invalid: metadata.finalizers: " + cause);
  // Validated twice (BeforeUpdate and the strategy), reported twice, deduplicated in the
  // message only.
  const json::Value* causes = At(st, "details.causes");
  ASSERT_NE(causes, nullptr);
  ASSERT_EQ(causes->Size(), 2u);
  for (const auto& c : causes->GetArray()) {
    EXPECT_EQ(StringAt(c, "reason"), "FieldValueForbidden");
    EXPECT_EQ(StringAt(c, "message"), cause);
    EXPECT_EQ(StringAt(c, "field"), "metadata.finalizers");
  }
  // Re-sending the same finalizers (no new one) is fine.
  EXPECT_EQ(
      Call("PATCH", std::string(kCm) + "held",
           R"({"metadata":{"finalizers":["example.com/cleanup"]}})", "application/merge-patch+json")
          .status,
      200);
}

TEST_F(FinalizerTest, ClientsCannotSetOrClearTheDeletionFields) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  auto marked = Json(Call("DELETE", std::string(kCm) + "held"));
  std::string ts = StringAt(marked, "metadata.deletionTimestamp");

  // Clearing them: the stored values are kept.
  auto cleared = Call("PATCH", std::string(kCm) + "held",
                      R"({"metadata":{"deletionTimestamp":null,)"
                      R"("deletionGracePeriodSeconds":null},"data":{"k":"w"}})",
                      "application/merge-patch+json");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(StringAt(Json(cleared), "metadata.deletionTimestamp"), ts);
  EXPECT_EQ(IntAt(Json(cleared), "metadata.deletionGracePeriodSeconds"), 0);
  // Moving the timestamp: kept as well.
  auto moved = Call("PATCH", std::string(kCm) + "held",
                    R"({"metadata":{"deletionTimestamp":"2030-01-01T00:00:00Z"},"data":{"k":"x"}})",
                    "application/merge-patch+json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(StringAt(Json(moved), "metadata.deletionTimestamp"), ts);

  // Setting them on a live object: immutable.
  ConfigMap("live");
  auto set = Call("PATCH", std::string(kCm) + "live",
                  R"({"metadata":{"deletionTimestamp":"2030-01-01T00:00:00Z",)"
                  R"("deletionGracePeriodSeconds":30}})",
                  "application/merge-patch+json");
  ASSERT_EQ(set.status, 422) << set.body;
  EXPECT_EQ(StringAt(Json(set), "message"),
            "ConfigMap \"live\" is invalid: [metadata.deletionTimestamp: Invalid value: "
            "2030-01-01 00:00:00 +0000 UTC: field is immutable, "
            "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable]");
  EXPECT_EQ(At(Json(set), "details.causes")->Size(), 4u);
  EXPECT_EQ(At(Json(Call("GET", std::string(kCm) + "live")), "metadata.deletionTimestamp"),
            nullptr);
}

TEST_F(FinalizerTest, ForegroundDeletionWaitsForBlockingDependents) {
  std::string uid = ConfigMap("owner");
  ConfigMap("blocking-held", R"(["example.com/keep"])", OwnedBy("owner", uid, true));
  ConfigMap("blocking", "[]", OwnedBy("owner", uid, true));
  ConfigMap("loose", "[]", OwnedBy("owner", uid, false));

  auto del = Call("DELETE", std::string(kCm) + "owner", R"({"propagationPolicy":"Foreground"})");
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Finalizers(Json(del)), std::vector<std::string>{"foregroundDeletion"});
  EXPECT_FALSE(StringAt(Json(del), "metadata.deletionTimestamp").empty());

  // Every dependent is deleted; the one with its own finalizer is only marked, and the owner
  // waits for it.
  EXPECT_EQ(Get(std::string(kCm) + "blocking"), 404);
  EXPECT_EQ(Get(std::string(kCm) + "loose"), 404);
  auto held = Json(Call("GET", std::string(kCm) + "blocking-held"));
  EXPECT_FALSE(StringAt(held, "metadata.deletionTimestamp").empty());
  auto owner = Call("GET", std::string(kCm) + "owner");
  ASSERT_EQ(owner.status, 200);
  EXPECT_EQ(Finalizers(Json(owner)), std::vector<std::string>{"foregroundDeletion"});

  // The dependent's finalizer goes: then the dependent, then the owner.
  ASSERT_EQ(RemoveFinalizers(std::string(kCm) + "blocking-held").status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "blocking-held"), 404);
  EXPECT_EQ(Get(std::string(kCm) + "owner"), 404);
}

TEST_F(FinalizerTest, ForegroundOwnerWithoutDependentsGoesAtOnceButAnswersTheMarkedObject) {
  ConfigMap("alone");
  auto del = Call("DELETE", std::string(kCm) + "alone", R"({"propagationPolicy":"Foreground"})");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "kind"), "ConfigMap");
  EXPECT_EQ(Finalizers(Json(del)), std::vector<std::string>{"foregroundDeletion"});
  EXPECT_EQ(Get(std::string(kCm) + "alone"), 404);
}

TEST_F(FinalizerTest, ForegroundDeletionSparesADependentWithAnotherOwner) {
  std::string a = ConfigMap("a");
  std::string b = ConfigMap("b");
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/configmaps",
                 R"({"metadata":{"name":"shared","ownerReferences":[)"
                 R"({"apiVersion":"v1","kind":"ConfigMap","name":"a","uid":")" +
                     a +
                     R"(","blockOwnerDeletion":true},)"
                     R"({"apiVersion":"v1","kind":"ConfigMap","name":"b","uid":")" +
                     b + R"("}]}})")
                .status,
            201);
  ASSERT_EQ(Call("DELETE", std::string(kCm) + "a", R"({"propagationPolicy":"Foreground"})").status,
            200);
  EXPECT_EQ(Get(std::string(kCm) + "a"), 404);
  auto shared = Json(Call("GET", std::string(kCm) + "shared"));
  const json::Value* refs = At(shared, "metadata.ownerReferences");
  ASSERT_NE(refs, nullptr);
  ASSERT_EQ(refs->Size(), 1u);
  EXPECT_EQ(StringAt((*refs)[0], "uid"), b);
}

TEST_F(FinalizerTest, OrphanDeletionStripsReferencesThenRemovesTheOwner) {
  std::string uid = ConfigMap("owner", R"(["example.com/keep"])");
  ConfigMap("dep", "[]", OwnedBy("owner", uid, true));
  auto del = Call("DELETE", std::string(kCm) + "owner", R"({"propagationPolicy":"Orphan"})");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(Finalizers(Json(del)), (std::vector<std::string>{"example.com/keep", "orphan"}));
  // The collector orphaned the dependent and removed its own finalizer; the owner's other
  // finalizer keeps it.
  auto dep = Json(Call("GET", std::string(kCm) + "dep"));
  EXPECT_EQ(At(dep, "metadata.ownerReferences"), nullptr);
  auto owner = Json(Call("GET", std::string(kCm) + "owner"));
  EXPECT_EQ(Finalizers(owner), std::vector<std::string>{"example.com/keep"});
  ASSERT_EQ(RemoveFinalizers(std::string(kCm) + "owner").status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "owner"), 404);
  EXPECT_EQ(Get(std::string(kCm) + "dep"), 200);
}

TEST_F(FinalizerTest, BackgroundDeletionLeavesDependentsWithFinalizersMarked) {
  std::string uid = ConfigMap("owner");
  ConfigMap("dep-held", R"(["example.com/keep"])", OwnedBy("owner", uid, true));
  ConfigMap("dep", "[]", OwnedBy("owner", uid, false));
  auto del = Call("DELETE", std::string(kCm) + "owner");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "kind"), "Status");
  EXPECT_EQ(Get(std::string(kCm) + "dep"), 404);
  auto held = Json(Call("GET", std::string(kCm) + "dep-held"));
  EXPECT_FALSE(StringAt(held, "metadata.deletionTimestamp").empty());
  ASSERT_EQ(RemoveFinalizers(std::string(kCm) + "dep-held").status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "dep-held"), 404);
}

TEST_F(FinalizerTest, AnOwnerBeingDeletedKeepsItsDependentsUntilItIsGone) {
  std::string uid = ConfigMap("owner", R"(["example.com/keep"])");
  ConfigMap("dep", "[]", OwnedBy("owner", uid, true));
  ASSERT_EQ(Call("DELETE", std::string(kCm) + "owner").status, 200);
  auto dep = Json(Call("GET", std::string(kCm) + "dep"));
  EXPECT_EQ(At(dep, "metadata.deletionTimestamp"), nullptr);
  ASSERT_EQ(RemoveFinalizers(std::string(kCm) + "owner").status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "owner"), 404);
  EXPECT_EQ(Get(std::string(kCm) + "dep"), 404);
}

TEST_F(FinalizerTest, CoreReplicationControllersOrphanByDefault) {
  auto rc = Call("POST", "/api/v1/namespaces/demo/replicationcontrollers",
                 R"({"metadata":{"name":"rc"},"spec":{"replicas":0,"selector":{"app":"a"},)"
                 R"("template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[)"
                 R"({"name":"c","image":"nginx"}]}}}})");
  ASSERT_EQ(rc.status, 201) << rc.body;
  std::string uid = StringAt(Json(rc), "metadata.uid");
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/configmaps",
                 R"({"metadata":{"name":"dep","ownerReferences":[{"apiVersion":"v1",)"
                 R"("kind":"ReplicationController","name":"rc","uid":")" +
                     uid + R"("}]}})")
                .status,
            201);
  // The v1 registry's DefaultGarbageCollectionPolicy is OrphanDependents.
  auto del = Call("DELETE", "/api/v1/namespaces/demo/replicationcontrollers/rc");
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Finalizers(Json(del)), std::vector<std::string>{"orphan"});
  EXPECT_EQ(Get("/api/v1/namespaces/demo/replicationcontrollers/rc"), 404);
  auto dep = Call("GET", std::string(kCm) + "dep");
  ASSERT_EQ(dep.status, 200);
  EXPECT_EQ(At(Json(dep), "metadata.ownerReferences"), nullptr);
}

TEST_F(FinalizerTest, EventsTakeNoGarbageCollectorFinalizers) {
  ASSERT_EQ(Call("POST", "/api/v1/namespaces/demo/events",
                 R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"ConfigMap",)"
                 R"("name":"x","namespace":"demo"},"reason":"R","message":"m","type":"Normal"})")
                .status,
            201);
  auto del =
      Call("DELETE", "/api/v1/namespaces/demo/events/e1", R"({"propagationPolicy":"Foreground"})");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "kind"), "Status");
  EXPECT_EQ(Get("/api/v1/namespaces/demo/events/e1"), 404);
}

TEST_F(FinalizerTest, DryRunDeleteStoresNothing) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  auto dry = Call("DELETE", std::string(kCm) + "held?dryRun=All");
  ASSERT_EQ(dry.status, 200);
  EXPECT_FALSE(StringAt(Json(dry), "metadata.deletionTimestamp").empty());
  EXPECT_EQ(At(Json(Call("GET", std::string(kCm) + "held")), "metadata.deletionTimestamp"),
            nullptr);
  ASSERT_EQ(Call("DELETE", std::string(kCm) + "held").status, 200);
  auto dry_remove = Call("PATCH", std::string(kCm) + "held?dryRun=All",
                         R"({"metadata":{"finalizers":null}})", "application/merge-patch+json");
  ASSERT_EQ(dry_remove.status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "held"), 200);
}

TEST_F(FinalizerTest, DeleteOptionsAreValidatedAndTheBodyWinsOverTheQuery) {
  ConfigMap("x");
  auto both = Call("DELETE", std::string(kCm) + "x",
                   R"({"orphanDependents":true,"propagationPolicy":"Background"})");
  ASSERT_EQ(both.status, 422) << both.body;
  EXPECT_EQ(StringAt(Json(both), "message"),
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: "
            "\"Background\": orphanDependents and deletionPropagation cannot be both set");
  EXPECT_EQ(StringAt(Json(both), "details.group"), "meta.k8s.io");
  // With a body, the query's policy is not read: a Foreground in the query is ignored.
  auto del = Call("DELETE", std::string(kCm) + "x?propagationPolicy=Foreground", R"({})");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "kind"), "Status");
  ConfigMap("y");
  auto q = Call("DELETE", std::string(kCm) + "y?propagationPolicy=Foreground");
  EXPECT_EQ(Finalizers(Json(q)), std::vector<std::string>{"foregroundDeletion"});
}

TEST_F(FinalizerTest, ANamespaceWaitsForItsFinalizedContent) {
  ConfigMap("held", R"(["example.com/cleanup"])");
  ConfigMap("plain");
  auto del = Call("DELETE", "/api/v1/namespaces/demo");
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(StringAt(Json(del), "status.phase"), "Terminating");
  EXPECT_EQ(Get(std::string(kCm) + "plain"), 404);
  auto held = Json(Call("GET", std::string(kCm) + "held"));
  EXPECT_FALSE(StringAt(held, "metadata.deletionTimestamp").empty());
  auto ns = Call("GET", "/api/v1/namespaces/demo");
  ASSERT_EQ(ns.status, 200);
  EXPECT_EQ(StringAt(Json(ns), "status.phase"), "Terminating");
  EXPECT_EQ(
      Call("POST", "/api/v1/namespaces/demo/configmaps", R"({"metadata":{"name":"n"}})").status,
      403);
  ASSERT_EQ(RemoveFinalizers(std::string(kCm) + "held").status, 200);
  EXPECT_EQ(Get(std::string(kCm) + "held"), 404);
  EXPECT_EQ(Get("/api/v1/namespaces/demo"), 404);
}

TEST_F(FinalizerTest, DeleteCollectionAnswersTheObjectsAsListed) {
  ConfigMap("a", R"(["example.com/keep"])");
  ConfigMap("b");
  auto r = Call("DELETE", "/api/v1/namespaces/demo/configmaps");
  ASSERT_EQ(r.status, 200) << r.body;
  auto listed = Json(r);
  const json::Value* items = At(listed, "items");
  ASSERT_NE(items, nullptr);
  std::set<std::string> names;
  for (const auto& i : items->GetArray()) {
    names.insert(StringAt(i, "metadata.name"));
    EXPECT_EQ(At(i, "metadata.deletionTimestamp"), nullptr);  // as listed, before the delete
  }
  EXPECT_TRUE(names.count("a") == 1 && names.count("b") == 1);
  EXPECT_EQ(Get(std::string(kCm) + "b"), 404);
  EXPECT_FALSE(
      StringAt(Json(Call("GET", std::string(kCm) + "a")), "metadata.deletionTimestamp").empty());
}

}  // namespace
}  // namespace vaultsync::kubeemu
