// The emulator's pure helpers: selectors, patches, Go base64 error offsets, human durations,
// JSONPath, and protobuf request bodies.
#include <gtest/gtest.h>

#include "builtin_semantics.h"
#include "object_json.h"
#include "patch.h"
#include "protobuf_body.h"
#include "selectors.h"
#include "table.h"

namespace vaultsync::kubeemu {
namespace {

json::Document Doc(const std::string& text) {
  auto d = json::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? std::move(d).value() : json::Document();
}

TEST(LabelSelectorTest, ParsesAndMatchesEveryOperator) {
  auto obj = Doc(R"({"metadata":{"labels":{"app":"web","tier":"front"}}})");
  auto match = [&](const std::string& s) {
    auto sel = LabelSelector::Parse(s);
    EXPECT_TRUE(sel.ok()) << s;
    return sel.ok() && sel->Matches(obj);
  };
  EXPECT_TRUE(match(""));
  EXPECT_TRUE(match("app=web"));
  EXPECT_TRUE(match("app==web,tier"));
  EXPECT_FALSE(match("app!=web"));
  EXPECT_TRUE(match("tier in (front, back)"));
  EXPECT_FALSE(match("tier notin (front)"));
  EXPECT_TRUE(match("!missing"));
  EXPECT_FALSE(match("missing"));
  EXPECT_FALSE(LabelSelector::Parse("app in front").ok());
}

TEST(FieldSelectorTest, AllowsOnlyKnownFields) {
  auto ev = Doc(R"({"metadata":{"name":"e"},"involvedObject":{"kind":"Secret","name":"s"}})");
  auto sel = FieldSelector::Parse("involvedObject.kind=Secret,involvedObject.name!=x",
                                  {"involvedObject.kind", "involvedObject.name"});
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->Matches(ev));
  EXPECT_FALSE(FieldSelector::Parse("spec.foo=bar", {}).ok());
  auto by_name = FieldSelector::Parse("metadata.name=e", {});
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->PinnedName(), "e");
}

TEST(PatchTest, MergePatchDeletesWithNullAndReplacesLists) {
  auto target = Doc(R"({"a":{"b":1,"c":2},"l":[1,2]})");
  auto patch = Doc(R"({"a":{"b":null,"d":3},"l":[3]})");
  ApplyMergePatch(target, patch, target.GetAllocator());
  EXPECT_EQ(Compact(target), R"({"a":{"c":2,"d":3},"l":[3]})");
}

TEST(PatchTest, JsonPatchOperationsAndFailures) {
  auto target = Doc(R"({"data":{"a":"1"},"list":[1,2],"metadata":{"annotations":{"x/y":"v"}}})");
  auto ops = Doc(R"([{"op":"add","path":"/data/b","value":"2"},
                     {"op":"remove","path":"/metadata/annotations/x~1y"},
                     {"op":"replace","path":"/list/0","value":9},
                     {"op":"add","path":"/list/-","value":3},
                     {"op":"move","from":"/data/a","path":"/data/c"},
                     {"op":"test","path":"/data/b","value":"2"}])");
  std::string why;
  ASSERT_EQ(ApplyJsonPatch(target, ops, &why), JsonPatchError::kNone) << why;
  EXPECT_EQ(Compact(target),
            R"({"data":{"b":"2","c":"1"},"list":[9,2,3],"metadata":{"annotations":{}}})");
  auto failing = Doc(R"([{"op":"test","path":"/data/b","value":"3"}])");
  EXPECT_EQ(ApplyJsonPatch(target, failing, &why), JsonPatchError::kApply);
  auto not_a_list = Doc(R"({"op":"add"})");
  EXPECT_EQ(ApplyJsonPatch(target, not_a_list, &why), JsonPatchError::kDecode);
}

TEST(PatchTest, StrategicMergePatchMergesKeyedLists) {
  auto target = Doc(
      R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}],"args":["x"]},"metadata":{"finalizers":["f1"]}})");
  auto patch = Doc(R"({"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
                       "spec":{"containers":[{"name":"b","image":"2"},{"name":"a","$patch":"delete"},{"name":"c","image":"3"}],"args":["y"]},
                       "metadata":{"finalizers":["f2"]}})");
  ASSERT_TRUE(ApplyStrategicMergePatch(target, patch, target.GetAllocator()).ok());
  EXPECT_EQ(
      Compact(target),
      R"({"spec":{"containers":[{"name":"b","image":"2"},{"name":"c","image":"3"}],"args":["y"]},"metadata":{"finalizers":["f1","f2"]}})");
}

TEST(Base64Test, ReportsTheOffsetGoReports) {
  EXPECT_EQ(Base64ErrorOffset("YWRtaW4="), -1);
  EXPECT_EQ(Base64ErrorOffset(""), -1);
  EXPECT_EQ(Base64ErrorOffset("not base64!"), 3);
  EXPECT_EQ(Base64ErrorOffset("abc"), 0);
  EXPECT_EQ(Base64ErrorOffset("YQ==YQ=="), 4);
  EXPECT_EQ(Base64ErrorOffset("Y==="), 1);
}

TEST(TableTest, HumanDurationMatchesApimachinery) {
  using std::chrono::seconds;
  EXPECT_EQ(HumanDuration(seconds(-5)), "<invalid>");
  EXPECT_EQ(HumanDuration(seconds(-1)), "0s");
  EXPECT_EQ(HumanDuration(seconds(97)), "97s");
  EXPECT_EQ(HumanDuration(seconds(125)), "2m5s");
  EXPECT_EQ(HumanDuration(seconds(600)), "10m");
  EXPECT_EQ(HumanDuration(seconds(3 * 3600 + 60)), "3h1m");
  EXPECT_EQ(HumanDuration(seconds(10 * 3600)), "10h");
  EXPECT_EQ(HumanDuration(seconds(50 * 3600)), "2d2h");
  EXPECT_EQ(HumanDuration(seconds(10 * 86400)), "10d");
  EXPECT_EQ(HumanDuration(seconds(3 * 365 * 86400)), "3y");
}

TEST(TableTest, JsonPathFiltersAndIndexes) {
  auto obj = Doc(
      R"({"status":{"conditions":[{"type":"Synced","status":"True"},{"type":"Ready","status":"False"}]},"spec":{"items":[{"n":1},{"n":2}]}})");
  auto ready = EvalJsonPath(obj, ".status.conditions[?(@.type==\"Ready\")].status");
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(json::View(*ready[0]), "False");
  auto second = EvalJsonPath(obj, ".spec.items[1].n");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]->GetInt(), 2);
  EXPECT_EQ(EvalJsonPath(obj, ".spec.items[*].n").size(), 2u);
  EXPECT_TRUE(EvalJsonPath(obj, ".spec.missing").empty());
}

TEST(ProtobufBodyTest, DecodesANamespaceEnvelope) {
  // k8s\0 + Unknown{typeMeta{apiVersion:"v1",kind:"Namespace"}, raw: Namespace{metadata{name:"x"}}}
  std::string meta = std::string("\x0a\x01x", 3);                      // ObjectMeta.name
  std::string ns = std::string("\x0a", 1) + char(meta.size()) + meta;  // Namespace.metadata
  std::string tm = std::string("\x0a\x02v1\x12\x09Namespace", 15);
  std::string unknown =
      std::string("\x0a", 1) + char(tm.size()) + tm + std::string("\x12", 1) + char(ns.size()) + ns;
  auto doc = DecodeProtobufObject(std::string("k8s\0", 4) + unknown);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(Compact(*doc), R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}})");
  EXPECT_FALSE(DecodeProtobufObject("{}").ok());
}

}  // namespace
}  // namespace vaultsync::kubeemu
