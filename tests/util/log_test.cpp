// Tests for util/log.h.
#include "util/log.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

#include "util/json.h"

namespace vaultsync::log {
namespace {

TEST(Log, JsonLinesCarryFields) {
  std::ostringstream out;
  Logger l(&out, Level::kInfo, Format::kJson);
  l.Info("synced", {{"namespace", "demo"}, {"name", "db\"creds"}});
  l.Debug("hidden");
  std::string line = out.str();
  ASSERT_EQ(line.back(), '\n');
  auto doc = json::Parse(line);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*json::String(*doc, "level"), "info");
  EXPECT_EQ(*json::String(*doc, "msg"), "synced");
  EXPECT_EQ(*json::String(*doc, "name"), "db\"creds");
  EXPECT_EQ(line.find("hidden"), std::string::npos);
}

TEST(Log, TextFormat) {
  std::ostringstream out;
  Logger l(&out, Level::kDebug, Format::kText);
  l.Warn("vault down", {{"error", "connection refused"}, {"name", "a"}});
  EXPECT_NE(out.str().find(" warn vault down error=\"connection refused\" name=a\n"),
            std::string::npos);
}

TEST(Log, ScopedFieldsFollowTheLineOnItsThreadOnly) {
  std::ostringstream out;
  Logger l(&out, Level::kInfo, Format::kJson);
  {
    ScopedFields outer({{"controller", "vss"}, {"reconcileID", "7"}});
    {
      ScopedFields inner({{"reconcileID", "8"}, {"name", "scoped"}});
      l.Info("inner", {{"name", "explicit"}});
    }
    l.Info("outer");
    std::thread([&] { l.Info("other thread"); }).join();
  }
  l.Info("after");
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) got.push_back(line);
  ASSERT_EQ(got.size(), 4u);
  auto inner = json::Parse(got[0]);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(*json::String(*inner, "controller"), "vss");
  EXPECT_EQ(*json::String(*inner, "reconcileID"), "8");  // the innermost scope wins
  EXPECT_EQ(*json::String(*inner, "name"), "explicit");  // the line's own field wins
  EXPECT_EQ(got[0].find("scoped"), std::string::npos);
  EXPECT_EQ(got[0].find("\"7\""), std::string::npos) << "a key appears once";
  auto outer = json::Parse(got[1]);
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(*json::String(*outer, "reconcileID"), "7");
  EXPECT_EQ(got[1].find("\"name\""), std::string::npos);
  EXPECT_EQ(got[2].find("reconcileID"), std::string::npos);
  EXPECT_EQ(got[3].find("reconcileID"), std::string::npos);
}

TEST(Log, ScopedFieldsInTextFormat) {
  std::ostringstream out;
  Logger l(&out, Level::kInfo, Format::kText);
  ScopedFields scope({{"reconcileID", "42"}});
  l.Info("synced", {{"name", "a"}});
  EXPECT_NE(out.str().find(" info synced name=a reconcileID=42\n"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace vaultsync::log
