// Tests of the apiserver-error → Status mapping, fed the bodies a real kube-apiserver sent.
#include "kube/api_error.h"

#include <gtest/gtest.h>

#include <limits>

#include "recorded.h"

namespace vaultsync::kube {
namespace {

using testing::LoadRecorded;

struct Case {
  const char* file;
  StatusCode code;
  const char* message_part;
};

// Printed in test listings (ctest shows it): the fixture file, not the struct's raw bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class RecordedErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordedErrorTest, MapsToTheRightCode) {
  const Case& c = GetParam();
  auto rec = LoadRecorded(c.file);
  Status st = StatusFromResponse(rec.response);
  EXPECT_EQ(st.code(), c.code) << st.ToString();
  EXPECT_EQ(st.http_status(), rec.response.status);
  EXPECT_NE(st.message().find(c.message_part), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    Apiserver, RecordedErrorTest,
    ::testing::Values(
        Case{"014-secret-create-conflict.http", StatusCode::kAlreadyExists,
             "AlreadyExists: secrets \"app-creds\" already exists"},
        Case{"016-secret-get-missing.http", StatusCode::kNotFound,
             "NotFound: secrets \"does-not-exist\" not found"},
        Case{"022-secret-put-stale.http", StatusCode::kConflict,
             "Conflict: Operation cannot be fulfilled"},
        Case{"025-secret-json-patch-test-fails.http", StatusCode::kInvalidArgument, "Invalid: "},
        Case{"026-secret-create-bad-base64.http", StatusCode::kInvalidArgument,
             "BadRequest: Secret in version"},
        Case{"027-secret-create-bad-name.http", StatusCode::kInvalidArgument, "metadata.name"},
        Case{"036-secret-list-rv-exact-compacted.http", StatusCode::kGone, "Expired"},
        Case{"038-secret-list-continue-expired.http", StatusCode::kGone, "continue parameter"},
        Case{"042-secret-list-rv-too-large.http", StatusCode::kDeadlineExceeded, "Timeout"},
        Case{"051-cr-create-several-errors.http", StatusCode::kInvalidArgument, "spec.path"},
        Case{"076-lease-takeover-stale.http", StatusCode::kConflict, "leases.coordination.k8s.io"},
        Case{"077-lease-create-time-without-micros.http", StatusCode::kInvalidArgument,
             "BadRequest"},
        Case{"088-unauthorized-wrong-token.http", StatusCode::kUnauthenticated, "Unauthorized"},
        Case{"091-forbidden-list-secrets.http", StatusCode::kPermissionDenied,
             "cannot list resource \"secrets\""}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string n = std::string(info.param.file).substr(0, 3);
      return "File" + n;
    });

TEST(ApiErrorTest, RetryAfterFromHeaderAndDetails) {
  auto rec = LoadRecorded("042-secret-list-rv-too-large.http");
  Status st = StatusFromResponse(rec.response);
  ASSERT_TRUE(st.retry_after_seconds().has_value());
  EXPECT_EQ(*st.retry_after_seconds(), 1);

  http::Response r{429, {{"Retry-After", "7"}}, ""};
  Status limited = StatusFromResponse(r);
  EXPECT_EQ(limited.code(), StatusCode::kRateLimited);
  EXPECT_EQ(*limited.retry_after_seconds(), 7);
}

// Found by tests/fuzz/kube_rest_fuzzer.cpp: details.retryAfterSeconds beyond an int wrapped
// around to a negative wait.
TEST(ApiErrorTest, HugeRetryAfterSecondsIsClampedNotNegative) {
  http::Response r{429,
                   {},
                   R"({"kind":"Status","code":429,"reason":"TooManyRequests",)"
                   R"("details":{"retryAfterSeconds":99999999999}})"};
  Status st = StatusFromResponse(r);
  ASSERT_TRUE(st.retry_after_seconds().has_value());
  EXPECT_EQ(*st.retry_after_seconds(), std::numeric_limits<int>::max());
}

// A webhook's message of any length is kept to 1 KiB (cut on a UTF-8 boundary) before it
// reaches conditions, Events and logs.
TEST(ApiErrorTest, ALongMessageIsBoundedOnACharacterBoundary) {
  std::string words;
  while (words.size() < 5000) words += "\u00e9t\u00e9 ";  // two-byte characters in between
  http::Response r{
      403, {}, R"({"kind":"Status","code":403,"reason":"Forbidden","message":")" + words + R"("})"};
  Status st = StatusFromResponse(r);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_LE(st.message().size(), 1024u + 32u);
  EXPECT_NE(st.message().find(" more bytes)"), std::string::npos);
  const std::string kept = st.message().substr(0, st.message().find("... ("));
  EXPECT_LE(kept.size(), 1024u);
  // Still valid UTF-8: the cut did not split a character.
  for (size_t i = 0; i < kept.size();) {
    unsigned char c = static_cast<unsigned char>(kept[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    ASSERT_LE(i + n, kept.size()) << "a character cut in half at " << i;
    i += n;
  }
}

TEST(ApiErrorTest, CausesNotInTheMessageAreAppended) {
  auto doc = json::Parse(
      R"({"kind":"Status","code":422,"reason":"Invalid","message":"X is invalid",)"
      R"("details":{"causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.path"}]}})");
  ASSERT_TRUE(doc.ok());
  Status st = StatusFromStatusObject(*doc, 500);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.http_status(), 422);
  EXPECT_EQ(st.message(), "Invalid: X is invalid [spec.path: Required value]");
}

TEST(ApiErrorTest, NonStatusBodiesAreSummarisedNotEchoed) {
  http::Response r{502, {{"Content-Type", "text/html"}}, "<html>secret-looking proxy page</html>"};
  Status st = StatusFromResponse(r);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message().find("proxy page"), std::string::npos) << st.message();
  EXPECT_EQ(StatusFromResponse(http::Response{500, {}, "oops"}).code(), StatusCode::kInternal);
  EXPECT_EQ(StatusFromResponse(http::Response{503, {}, ""}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromResponse(http::Response{504, {}, ""}).code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StatusFromResponse(http::Response{405, {}, ""}).code(), StatusCode::kInvalidArgument);
}

TEST(ApiErrorTest, WatchErrorEventStatusIsGone) {
  auto doc = json::Parse(
      R"j({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 213 (264)","reason":"Expired","code":410})j");
  Status st = StatusFromStatusObject(*doc, 500);
  EXPECT_EQ(st.code(), StatusCode::kGone);
  EXPECT_EQ(st.message(), "Expired: too old resource version: 213 (264)");
}

}  // namespace
}  // namespace vaultsync::kube
