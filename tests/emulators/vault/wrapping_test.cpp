// Response wrapping (X-Vault-Wrap-TTL, sys/wrapping/*), as reconstructed from Vault 1.8's
// vault/wrapping.go, http/logical.go and logical_system.go (not recorded): the wrapped
// envelope's shape and nulls, the stored answer given back byte for byte once, the lookup,
// the single-use rule, and the header's error texts.
#include <gtest/gtest.h>

#include "emulator_test_util.h"

namespace vaultsync::vaultemu {
namespace {

using testing::EmulatorHarness;
using testing::FirstError;

emu::ServerResponse SendWrapped(EmulatorHarness& h, const std::string& method,
                                const std::string& path, const std::string& body,
                                const std::string& ttl, const std::string& token = "root") {
  emu::ServerRequest req;
  req.method = method;
  req.path = path;
  req.headers.emplace_back("X-Vault-Token", token);
  req.headers.emplace_back("X-Vault-Wrap-TTL", ttl);
  req.body = body;
  return h.emulator->Handle(req);
}

json::Document Parse(const std::string& body) {
  auto d = json::Parse(body);
  EXPECT_TRUE(d.ok()) << body;
  return d.ok() ? std::move(d).value() : json::Document();
}

TEST(WrappingTest, WrappedReadHasOnlyWrapInfoAndUnwrapsOnce) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/secret/data/app", R"({"data":{"k":"v"}})").status, 200);
  auto plain = h.Send("GET", "/v1/secret/data/app");
  auto wrapped = SendWrapped(h, "GET", "/v1/secret/data/app", "", "5m");
  ASSERT_EQ(wrapped.status, 200) << wrapped.body;
  auto w = Parse(wrapped.body);
  // Every envelope member is there, null or zero, except wrap_info; request_id is empty.
  std::vector<std::string> keys;
  for (const auto& m : w.GetObject()) keys.emplace_back(m.name.GetString());
  EXPECT_EQ(keys, (std::vector<std::string>{"request_id", "lease_id", "renewable", "lease_duration",
                                            "data", "wrap_info", "warnings", "auth"}));
  EXPECT_STREQ(w["request_id"].GetString(), "");
  EXPECT_TRUE(w["data"].IsNull());
  EXPECT_TRUE(w["warnings"].IsNull());
  EXPECT_TRUE(w["auth"].IsNull());
  const auto& info = w["wrap_info"];
  keys.clear();
  for (const auto& m : info.GetObject()) keys.emplace_back(m.name.GetString());
  EXPECT_EQ(keys, (std::vector<std::string>{"token", "accessor", "ttl", "creation_time",
                                            "creation_path"}));
  EXPECT_EQ(info["ttl"].GetInt(), 300);
  EXPECT_STREQ(info["creation_path"].GetString(), "secret/data/app");
  std::string wrap_token = info["token"].GetString();
  EXPECT_EQ(wrap_token.rfind("s.", 0), 0u);

  // The wrapping token is a response-wrapping token with one use.
  auto looked = h.SendJson("POST", "/v1/auth/token/lookup", "{\"token\":\"" + wrap_token + "\"}");
  EXPECT_EQ(looked["data"]["num_uses"].GetInt(), 1);
  EXPECT_STREQ(looked["data"]["policies"][0].GetString(), "response-wrapping");
  EXPECT_EQ(looked["data"]["policies"].Size(), 1u);

  auto lookup =
      h.SendJson("POST", "/v1/sys/wrapping/lookup", "{\"token\":\"" + wrap_token + "\"}", "");
  EXPECT_STREQ(lookup["data"]["creation_path"].GetString(), "secret/data/app");
  EXPECT_EQ(lookup["data"]["creation_ttl"].GetInt(), 300);
  EXPECT_TRUE(lookup["data"]["creation_time"].IsString());

  // First-party unwrap: the wrapping token is the caller's token.
  auto unwrapped = h.Send("POST", "/v1/sys/wrapping/unwrap", "", wrap_token);
  ASSERT_EQ(unwrapped.status, 200) << unwrapped.body;
  EXPECT_NE(unwrapped.body.back(), '\n');  // the stored JSON, as json.Marshal wrote it
  auto u = Parse(unwrapped.body);
  EXPECT_STREQ(u["data"]["data"]["k"].GetString(), "v");
  EXPECT_TRUE(u["wrap_info"].IsNull());
  EXPECT_STRNE(u["request_id"].GetString(), "");
  // Same answer as the unwrapped read, apart from the request id.
  auto p = Parse(plain.body);
  p["request_id"].SetString(u["request_id"].GetString(), p.GetAllocator());
  EXPECT_EQ(json::Serialize(p), json::Serialize(u));

  // Single use: neither unwrap nor lookup accepts it again.
  auto again = h.Send("POST", "/v1/sys/wrapping/unwrap", "", wrap_token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(FirstError(again.body), "wrapping token is not valid or does not exist");
  auto again_lookup =
      h.Send("POST", "/v1/sys/wrapping/lookup", "{\"token\":\"" + wrap_token + "\"}", "");
  EXPECT_EQ(again_lookup.status, 400);
}

TEST(WrappingTest, ThirdPartyUnwrapAndWrappedTokenCreate) {
  EmulatorHarness h;
  auto wrapped = SendWrapped(h, "POST", "/v1/auth/token/create", R"({"ttl":"1h"})", "60");
  ASSERT_EQ(wrapped.status, 200) << wrapped.body;
  auto w = Parse(wrapped.body);
  ASSERT_TRUE(w["wrap_info"].HasMember("wrapped_accessor"));
  std::string wrapped_accessor = w["wrap_info"]["wrapped_accessor"].GetString();
  EXPECT_EQ(w["wrap_info"]["ttl"].GetInt(), 60);
  std::string wrap_token = w["wrap_info"]["token"].GetString();

  // A token with the default policy may unwrap for someone else.
  auto other = h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["default"]})");
  std::string other_token = other["auth"]["client_token"].GetString();
  auto u =
      h.Send("POST", "/v1/sys/wrapping/unwrap", "{\"token\":\"" + wrap_token + "\"}", other_token);
  ASSERT_EQ(u.status, 200) << u.body;
  auto unwrapped = Parse(u.body);
  EXPECT_EQ(std::string(unwrapped["auth"]["accessor"].GetString()), wrapped_accessor);
  std::string child = unwrapped["auth"]["client_token"].GetString();
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/lookup-self", "", child).status, 200);
  // The wrapping token is gone after a third-party unwrap too.
  EXPECT_EQ(h.Send("POST", "/v1/auth/token/lookup", "{\"token\":\"" + wrap_token + "\"}").status,
            403);
}

TEST(WrappingTest, ExpiredWrapAndBadTokensAndHeaders) {
  EmulatorHarness h;
  auto w = Parse(SendWrapped(h, "POST", "/v1/sys/wrapping/wrap", R"({"a":"b"})", "30s").body);
  std::string wrap_token = w["wrap_info"]["token"].GetString();
  h.clock.Advance(std::chrono::seconds(31));
  auto late = h.Send("POST", "/v1/sys/wrapping/unwrap", "{\"token\":\"" + wrap_token + "\"}");
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(FirstError(late.body), "wrapping token is not valid or does not exist");

  // A token that is not a wrapping token.
  auto root = h.Send("POST", "/v1/sys/wrapping/unwrap", "");
  EXPECT_EQ(root.status, 400);
  EXPECT_EQ(FirstError(root.body), "wrapping token is not valid or does not exist");
  auto empty = h.Send("POST", "/v1/sys/wrapping/unwrap", R"({"token":""})");
  EXPECT_EQ(FirstError(empty.body), "error validating wrapping token: empty token in request body");

  auto wrap_needs_ttl = h.Send("POST", "/v1/sys/wrapping/wrap", R"({"a":"b"})");
  EXPECT_EQ(wrap_needs_ttl.status, 400);
  EXPECT_EQ(FirstError(wrap_needs_ttl.body), "endpoint requires response wrapping to be used");

  auto negative = SendWrapped(h, "GET", "/v1/secret/data/app", "", "-5");
  EXPECT_EQ(negative.status, 400);
  EXPECT_EQ(FirstError(negative.body),
            "error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative");
  auto garbage = SendWrapped(h, "GET", "/v1/secret/data/app", "", "abc");
  EXPECT_EQ(FirstError(garbage.body),
            "error parsing X-Vault-Wrap-TTL header: strconv.ParseInt: parsing \"abc\": invalid "
            "syntax");

  // Errors and 204s are never wrapped.
  auto missing = SendWrapped(h, "GET", "/v1/secret/data/nothing", "", "60");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(SendWrapped(h, "DELETE", "/v1/secret/data/nothing", "", "60").status, 204);
  // sys/health lives outside the logical router: the header means nothing there.
  EXPECT_EQ(Parse(SendWrapped(h, "GET", "/v1/sys/health", "", "60").body).HasMember("wrap_info"),
            false);
}

TEST(SysStatusTest, InitLeaderAndCapabilitiesSelf) {
  EmulatorHarness h;
  auto init = h.Send("GET", "/v1/sys/init", "", "");
  EXPECT_EQ(init.status, 200);
  EXPECT_EQ(init.body, "{\"initialized\":true}\n");
  auto leader = h.Send("GET", "/v1/sys/leader", "", "");
  EXPECT_EQ(leader.status, 200);
  EXPECT_EQ(leader.body,
            "{\"ha_enabled\":false,\"is_self\":false,\"active_time\":\"0001-01-01T00:00:00Z\","
            "\"leader_address\":\"\",\"leader_cluster_address\":\"\",\"performance_standby\":false,"
            "\"performance_standby_last_remote_wal\":0}\n");
  ASSERT_EQ(h.Send("PUT", "/v1/sys/seal").status, 204);
  EXPECT_EQ(h.Send("GET", "/v1/sys/init", "", "").status, 200);  // answers while sealed

  EmulatorHarness g;
  auto root = g.SendJson("POST", "/v1/sys/capabilities-self", R"({"paths":["secret/data/x"]})");
  EXPECT_STREQ(root["capabilities"][0].GetString(), "root");
  EXPECT_STREQ(root["data"]["secret/data/x"][0].GetString(), "root");
  ASSERT_EQ(
      g.Send(
           "PUT", "/v1/sys/policies/acl/app",
           R"({"policy":"path \"secret/data/app/*\" { capabilities = [\"read\", \"update\", \"list\"] }\npath \"secret/data/app/locked\" { capabilities = [\"deny\"] }"})")
          .status,
      204);
  auto t = g.SendJson("POST", "/v1/auth/token/create", R"({"policies":["app"]})");
  std::string token = t["auth"]["client_token"].GetString();
  auto caps =
      g.SendJson("POST", "/v1/sys/capabilities-self",
                 R"({"paths":["secret/data/app/db","secret/data/app/locked","other"]})", token);
  EXPECT_FALSE(caps.HasMember("capabilities"));  // only with a single path
  ASSERT_TRUE(caps["secret/data/app/db"].IsArray());
  EXPECT_EQ(json::Serialize(caps["secret/data/app/db"]), R"(["list","read","update"])");
  EXPECT_EQ(json::Serialize(caps["data"]["secret/data/app/locked"]), R"(["deny"])");
  EXPECT_EQ(json::Serialize(caps["data"]["other"]), R"(["deny"])");
  auto one =
      g.SendJson("POST", "/v1/sys/capabilities-self", R"({"path":"secret/data/app/db"})", token);
  EXPECT_EQ(json::Serialize(one["capabilities"]), R"(["list","read","update"])");
  auto none = g.Send("POST", "/v1/sys/capabilities-self", "{}", token);
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(FirstError(none.body), "paths must be supplied");
}

TEST(TokenAccessorTest, LookupAccessorHidesIdAndListNeedsSudo) {
  EmulatorHarness h;
  auto created = h.SendJson("POST", "/v1/auth/token/create", R"({"policies":["default"]})");
  std::string token = created["auth"]["client_token"].GetString();
  std::string accessor = created["auth"]["accessor"].GetString();
  auto looked =
      h.SendJson("POST", "/v1/auth/token/lookup-accessor", "{\"accessor\":\"" + accessor + "\"}");
  EXPECT_STREQ(looked["data"]["id"].GetString(), "");
  EXPECT_STREQ(looked["data"]["accessor"].GetString(), accessor.c_str());
  EXPECT_EQ(looked.GetObject().MemberCount(), 8u);
  auto bad = h.Send("POST", "/v1/auth/token/lookup-accessor", R"({"accessor":"nope"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(FirstError(bad.body), "invalid accessor");

  auto list = h.SendJson("LIST", "/v1/auth/token/accessors");
  ASSERT_TRUE(list["data"]["keys"].IsArray());
  EXPECT_EQ(list["data"]["keys"].Size(), 2u);  // root and the child
  bool found = false;
  for (const auto& k : list["data"]["keys"].GetArray()) found |= k.GetString() == accessor;
  EXPECT_TRUE(found);
  // The default policy grants no sudo: 403, as on the real server.
  auto denied = h.Send("LIST", "/v1/auth/token/accessors", "", token);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(h.Send("GET", "/v1/auth/token/accessors").status, 405);
}

TEST(KvV2CasTest, MountAndSecretCasRequiredAndWeakDecoding) {
  EmulatorHarness h;
  ASSERT_EQ(h.Send("POST", "/v1/secret/config", R"({"cas_required":true})").status, 204);
  auto no_cas = h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"1"}})");
  EXPECT_EQ(no_cas.status, 400);
  EXPECT_EQ(FirstError(no_cas.body), "check-and-set parameter required for this call");
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"1"},"options":{"cas":0}})").status,
            200);
  // A numeric string is accepted (mapstructure.WeakDecode), a word is not.
  EXPECT_EQ(
      h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"2"},"options":{"cas":"1"}})").status,
      200);
  auto word = h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"3"},"options":{"cas":"x"}})");
  EXPECT_EQ(word.status, 400);
  EXPECT_EQ(FirstError(word.body), "error parsing check-and-set parameter");
  auto stale = h.Send("POST", "/v1/secret/data/a", R"({"data":{"k":"3"},"options":{"cas":1}})");
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(FirstError(stale.body), "check-and-set parameter did not match the current version");

  ASSERT_EQ(h.Send("POST", "/v1/secret/config", R"({"cas_required":false})").status, 204);
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/b", R"({"data":{"k":"1"}})").status, 200);
  ASSERT_EQ(h.Send("POST", "/v1/secret/metadata/b", R"({"cas_required":true})").status, 204);
  auto meta = h.SendJson("GET", "/v1/secret/metadata/b");
  EXPECT_TRUE(meta["data"]["cas_required"].GetBool());
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/b", R"({"data":{"k":"2"}})").status, 400);
  EXPECT_EQ(h.Send("POST", "/v1/secret/data/b", R"({"data":{"k":"2"},"options":{"cas":1}})").status,
            200);
}

}  // namespace
}  // namespace vaultsync::vaultemu
