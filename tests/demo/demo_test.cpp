// The README's first command, run as a newcomer would (minus the build, which the test's
// own build already did): the demo must show the synced Secret and one fed by two Vault
// secrets, follow a Vault change, and leave nothing running when it ends or is interrupted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "http/transport.h"
#include "http_server.h"
#include "process.h"

namespace vaultsync {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;

testing::Env DemoEnv() {
  return {{"DEMO_SKIP_BUILD", "1"},
          {"DEMO_BUILD_DIR", std::string(VAULTSYNC_BIN_DIR) + "/.."},
          {"DEMO_METRICS_PORT", std::to_string(*emu::PickFreePort("127.0.0.1"))},
          {"DEMO_PROBE_PORT", std::to_string(*emu::PickFreePort("127.0.0.1"))}};
}

// True when something still answers HTTP at url.
bool Answers(const std::string& url) {
  http::TransportConfig c;
  c.base_url = url;
  c.timeout = 2s;
  c.tls.skip_verify = true;
  auto t = http::NewTransport(c);
  return t.ok() && (*t)->Send(http::Request{.target = "/version"}).ok();
}

std::vector<std::string> Urls(const std::string& out) {
  std::vector<std::string> urls;
  std::regex re(R"((https?://127\.0\.0\.1:[0-9]+))");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator();
       ++it) {
    urls.push_back((*it)[1]);
  }
  return urls;
}

TEST(Demo, ShowsTheSecretFollowingVaultAndCleansUp) {
  testing::Env env = DemoEnv();
  env.emplace_back("DEMO_ONCE", "1");
  // Process (not RunCommand) so that leftovers are seen before the test's own cleanup of
  // the process group would hide them.
  auto p = testing::Process::Start(std::string(VAULTSYNC_SOURCE_DIR) + "/scripts/demo.sh", {}, env);
  ASSERT_TRUE(p.ok());
  int code = (*p)->Wait(150s);
  (*p)->WaitForOutputClosed(5s);
  testing::CommandResult r{code, (*p)->Stdout(), (*p)->Stderr()};
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("password = s3cr3t"));
  EXPECT_THAT(r.out, HasSubstr("url = postgresql://admin:s3cr3t@db.demo.svc:5432/app"));
  EXPECT_THAT(r.out, HasSubstr("the Secret followed Vault"));
  EXPECT_THAT(r.out, HasSubstr("password = rotated-42"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("db-creds +True +Synced +app/db +db-creds"));
  // The VaultStaticSecret with two sources: app/db's keys and app/config's, prefixed.
  EXPECT_THAT(r.out, HasSubstr("CONFIG_log_level = info"));
  EXPECT_THAT(r.out, HasSubstr("CONFIG_region = eu-west-1"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("app-bundle +True +Synced +app/db +app-bundle"));
  EXPECT_THAT(r.out, HasSubstr("and so did the one with two sources"));
  EXPECT_THAT(r.out, HasSubstr("Vault followed the Secret"));
  EXPECT_THAT(r.out, HasSubstr("demo-key-2"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex(
                         "app-settings +True +Synced +pushed/app-settings +app-settings"));
  EXPECT_THAT(r.out, HasSubstr("/metrics"));
  auto urls = Urls(r.out);
  ASSERT_GE(urls.size(), 2u) << r.out;
  for (const auto& u : urls) EXPECT_FALSE(Answers(u)) << u << " still running after the demo ended";
}

TEST(Demo, CtrlCStopsEverything) {
  auto p = testing::Process::Start(std::string(VAULTSYNC_SOURCE_DIR) + "/scripts/demo.sh", {},
                                   DemoEnv());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->WaitForOutput("Press Ctrl-C", 150s)) << (*p)->Stdout() << (*p)->Stderr();
  auto urls = Urls((*p)->Stdout());
  ASSERT_GE(urls.size(), 2u);
  for (const auto& u : urls) EXPECT_TRUE(Answers(u)) << u;
  (*p)->Signal(SIGINT);
  EXPECT_EQ((*p)->Wait(20s), 0) << (*p)->Stderr();
  for (const auto& u : urls) EXPECT_FALSE(Answers(u)) << u << " still running after Ctrl-C";
}

}  // namespace
}  // namespace vaultsync
