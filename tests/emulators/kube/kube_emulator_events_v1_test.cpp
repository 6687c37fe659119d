// events.k8s.io/v1 Events: the core/v1 Event storage seen through the v1 field mapping, in
// both directions, with the stricter v1 validation and v1-worded errors.
#include "emulator_fixture.h"

namespace vaultsync::kubeemu {
namespace {

class EventsV1Test : public KubeEmulatorTest {
 protected:
  void SetUp() override { CreateNamespace("demo"); }
  const std::string kV1 = "/apis/events.k8s.io/v1/namespaces/demo/events";
  const std::string kCore = "/api/v1/namespaces/demo/events";
  const std::string kEvent =
      R"({"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e1"},"eventTime":"2026-01-02T03:04:05.000000Z","reportingController":"vaultsync.io/operator","reportingInstance":"op-0","action":"Sync","reason":"Synced","regarding":{"kind":"Secret","namespace":"demo","name":"s1"},"note":"copied","type":"Normal"})";
};

TEST_F(EventsV1Test, CreatedThroughV1ReadsBackInBothVersions) {
  auto created = Call("POST", kV1, kEvent);
  ASSERT_EQ(created.status, 201) << created.body;
  auto v1 = Json(created);
  EXPECT_EQ(StringAt(v1, "apiVersion"), "events.k8s.io/v1");
  EXPECT_EQ(StringAt(v1, "note"), "copied");
  EXPECT_EQ(StringAt(v1, "regarding.name"), "s1");
  // The v1 member order, with the always-present deprecated fields.
  std::string body = created.body;
  size_t md = body.find("\"metadata\"");
  size_t tail = body.find(
      R"("eventTime":"2026-01-02T03:04:05.000000Z","reportingController":"vaultsync.io/operator","reportingInstance":"op-0","action":"Sync","reason":"Synced","regarding":{"kind":"Secret","namespace":"demo","name":"s1"},"note":"copied","type":"Normal","deprecatedSource":{},"deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null})");
  EXPECT_NE(tail, std::string::npos) << body;
  EXPECT_LT(md, tail);

  auto core = Json(Call("GET", kCore + "/e1"));
  EXPECT_EQ(StringAt(core, "apiVersion"), "v1");
  EXPECT_EQ(StringAt(core, "message"), "copied");
  EXPECT_EQ(StringAt(core, "involvedObject.name"), "s1");
  EXPECT_EQ(StringAt(core, "reportingComponent"), "vaultsync.io/operator");

  auto list = Json(Call("GET", kV1 + "?fieldSelector=regarding.name%3Ds1"));
  EXPECT_EQ(StringAt(list, "kind"), "EventList");
  EXPECT_EQ(StringAt(list, "apiVersion"), "events.k8s.io/v1");
  ASSERT_EQ(At(list, "items")->Size(), 1u);
  EXPECT_EQ(StringAt((*At(list, "items"))[0], "note"), "copied");
  EXPECT_EQ(At(Json(Call("GET", kV1 + "?fieldSelector=regarding.name%3Dother")), "items")->Size(),
            0u);

  auto missing = Call("GET", kV1 + "/nope");
  EXPECT_EQ(missing.status, 404);
  auto m = Json(missing);
  EXPECT_EQ(StringAt(m, "message"), "events.events.k8s.io \"nope\" not found");
  EXPECT_EQ(StringAt(m, "details.group"), "events.k8s.io");
}

TEST_F(EventsV1Test, CoreEventsShowTheirDeprecatedFieldsInV1) {
  ASSERT_EQ(
      Call(
          "POST", kCore,
          R"({"metadata":{"name":"old"},"involvedObject":{"kind":"Pod","namespace":"demo","name":"p"},"reason":"Started","message":"m","source":{"component":"kubelet"},"firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:00:00Z","count":3,"type":"Normal"})")
          .status,
      201);
  auto v1 = Json(Call("GET", kV1 + "/old"));
  EXPECT_EQ(StringAt(v1, "deprecatedSource.component"), "kubelet");
  EXPECT_EQ(IntAt(v1, "deprecatedCount").value_or(0), 3);
  EXPECT_EQ(StringAt(v1, "deprecatedFirstTimestamp"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(StringAt(v1, "note"), "m");
  EXPECT_TRUE(At(v1, "eventTime")->IsNull());
  EXPECT_EQ(At(v1, "reportingController"), nullptr);  // empty: omitted in v1
}

TEST_F(EventsV1Test, V1WritesAreValidatedStrictly) {
  auto bad = Call(
      "POST", kV1,
      R"({"metadata":{"name":"bad"},"regarding":{"kind":"Secret","namespace":"demo","name":"s1"},"deprecatedCount":2,"type":"Odd"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(StringAt(Json(bad), "message"),
            "Event.events.k8s.io \"bad\" is invalid: [eventTime: Required value, type: Invalid "
            "value: \"\": has invalid value: Odd, count: Invalid value: \"\": needs to be unset]");
  auto missing = Call(
      "POST", kV1,
      R"({"metadata":{"name":"bad2"},"eventTime":"2026-01-02T03:04:05.000000Z","regarding":{"kind":"Secret","namespace":"demo","name":"s1"},"type":"Normal"})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(StringAt(Json(missing), "message"),
            "Event.events.k8s.io \"bad2\" is invalid: [reportingController: Required value, "
            "reportingController: Invalid value: \"\": name part must be non-empty, "
            "reportingInstance: Required value, action: Required value, reason: Required value]");
}

TEST_F(EventsV1Test, PatchesApplyToTheV1FormAndImmutableFieldsStay) {
  ASSERT_EQ(Call("POST", kV1, kEvent).status, 201);
  auto patched = Call("PATCH", kV1 + "/e1",
                      R"({"series":{"count":2,"lastObservedTime":"2026-01-02T03:05:05.000000Z"}})",
                      "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(IntAt(Json(patched), "series.count").value_or(0), 2);
  EXPECT_EQ(IntAt(Json(Call("GET", kCore + "/e1")), "series.count").value_or(0), 2);
  auto immutable =
      Call("PATCH", kV1 + "/e1", R"({"note":"changed"})", "application/merge-patch+json");
  EXPECT_EQ(immutable.status, 422);
  EXPECT_EQ(StringAt(Json(immutable), "message"),
            "Event.events.k8s.io \"e1\" is invalid: message: Invalid value: \"changed\": field is "
            "immutable");
}

TEST_F(EventsV1Test, WatchEventsCarryV1Objects) {
  ASSERT_EQ(Call("POST", kV1, kEvent).status, 201);
  auto w = Call("GET", kV1 + "?watch=1&timeoutSeconds=0&resourceVersion=0");
  ASSERT_TRUE(w.stream);
  CollectingWriter out;
  w.stream(out);
  EXPECT_NE(out.Text().find(
                R"({"type":"ADDED","object":{"kind":"Event","apiVersion":"events.k8s.io/v1")"),
            std::string::npos)
      << out.Text();
  EXPECT_NE(out.Text().find(R"("note":"copied")"), std::string::npos);
}

}  // namespace
}  // namespace vaultsync::kubeemu
