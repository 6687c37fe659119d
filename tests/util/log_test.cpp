// Tests for util/log.h.
#include "util/log.h"

#include <gtest/gtest.h>

#include <sstream>

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

}  // namespace
}  // namespace vaultsync::log
