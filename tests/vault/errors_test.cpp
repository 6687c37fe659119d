// Mapping of Vault's answers to Status codes, retry classification, backoff, redaction.
#include "vault/errors.h"

#include "util/redact.h"

#include <gtest/gtest.h>

#include "reference_bodies.h"
#include "vault/retry.h"

namespace vaultsync::vault {
namespace {

using testing::kKv2CasMismatch;
using testing::kMissingClientToken;
using testing::kNoHandler;
using testing::kNotFoundEmpty;
using testing::kPermissionDenied;
using testing::kRateLimited;
using testing::kSealedWithToken;

http::Response Resp(int status, std::string_view body) {
  http::Response r;
  r.status = status;
  r.body = std::string(body);
  return r;
}

struct Case {
  int status;
  std::string_view body;
  StatusCode code;
  std::string_view words;
};

TEST(ErrorFromResponse, MapsEachVaultErrorClass) {
  const Case cases[] = {
      {400, kMissingClientToken, StatusCode::kUnauthenticated, "missing client token"},
      {400, kKv2CasMismatch, StatusCode::kConflict, "check-and-set parameter did not match"},
      {400, R"({"errors":["no data provided"]})", StatusCode::kInvalidArgument, "no data provided"},
      {403, kPermissionDenied, StatusCode::kPermissionDenied, "permission denied"},
      {404, kNotFoundEmpty, StatusCode::kNotFound, "not found"},
      {404, kNoHandler, StatusCode::kNotFound, "no handler for route 'nomount/foo'"},
      {405, "{\"errors\":[]}\n", StatusCode::kInvalidArgument, "method not allowed"},
      {429, kRateLimited, StatusCode::kRateLimited, "rate limit quota exceeded"},
      {500, R"({"errors":["internal error"]})", StatusCode::kInternal, "internal error"},
      {502, "<html>bad gateway</html>", StatusCode::kUnavailable, "bad gateway"},
      {503, kSealedWithToken, StatusCode::kUnavailable, "Vault is sealed"},
      {504, "", StatusCode::kUnavailable, "gateway timeout"},
  };
  for (const auto& c : cases) {
    Status st = ErrorFromResponse(Operation::kKvRead, "secret/data/app/db", Resp(c.status, c.body));
    EXPECT_EQ(st.code(), c.code) << c.status << " " << c.body;
    EXPECT_EQ(st.http_status(), c.status);
    EXPECT_NE(st.message().find(c.words), std::string::npos) << st.message();
    EXPECT_EQ(st.message().rfind("kv_read secret/data/app/db: ", 0), 0u) << st.message();
    EXPECT_NE(st.message().find("(HTTP " + std::to_string(c.status) + ")"), std::string::npos);
  }
}

TEST(ErrorFromResponse, JoinsSeveralErrorsAndKeepsRetryAfter) {
  auto r = Resp(429, R"({"errors":["one","two"]})");
  r.headers.emplace_back("Retry-After", "3");
  Status st = ErrorFromResponse(Operation::kLogin, "auth/approle/login", r);
  EXPECT_NE(st.message().find("one; two"), std::string::npos);
  EXPECT_EQ(st.retry_after_seconds(), 3);
  auto junk = Resp(429, "{}");
  junk.headers.emplace_back("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(ErrorFromResponse(Operation::kLogin, "x", junk).retry_after_seconds(), std::nullopt);
}

// Found by tests/fuzz/vault_responses_fuzzer.cpp (regressions/vault_responses/): a Retry-After
// of many digits was accumulated into an int before its length was checked (signed overflow).
TEST(ErrorFromResponse, LongRetryAfterIsIgnoredWithoutOverflow) {
  for (const char* ra : {"99999999999", "1234567", "99999999999999999999999999"}) {
    http::Response r = Resp(429, R"({"errors":["rate limited"]})");
    r.headers.emplace_back("Retry-After", ra);
    Status st = ErrorFromResponse(Operation::kKvRead, "secret/data/a", r);
    EXPECT_EQ(st.code(), StatusCode::kRateLimited);
    EXPECT_FALSE(st.retry_after_seconds().has_value()) << ra;
  }
  http::Response r = Resp(503, "");
  r.headers.emplace_back("Retry-After", "999999");
  EXPECT_EQ(ErrorFromResponse(Operation::kKvRead, "p", r).retry_after_seconds(), 999999);
}

TEST(IsRetryable, OnlyTransientFailures) {
  for (int s : {429, 500, 502, 503, 504}) {
    EXPECT_TRUE(IsRetryable(ErrorFromResponse(Operation::kKvRead, "p", Resp(s, "")))) << s;
  }
  for (int s : {400, 401, 403, 404, 405, 409, 412, 501}) {
    EXPECT_FALSE(IsRetryable(ErrorFromResponse(Operation::kKvRead, "p", Resp(s, "")))) << s;
  }
  EXPECT_TRUE(IsRetryable(Status(StatusCode::kUnavailable, "connection refused")));
  EXPECT_TRUE(IsRetryable(Status(StatusCode::kDeadlineExceeded, "timed out")));
  EXPECT_FALSE(IsRetryable(Status(StatusCode::kInvalidArgument, "bad URL")));
}

TEST(Redact, ReplacesSensitiveStringsButNotShortOnes) {
  EXPECT_EQ(Redact("token s.abcdef rejected, s.abcdef again", {"s.abcdef"}),
            "token <redacted> rejected, <redacted> again");
  EXPECT_EQ(Redact("HTTP 400", {"4", ""}), "HTTP 400");
}

TEST(Backoff, GrowsExponentiallyWithJitterAndCap) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  EXPECT_EQ(Backoff(p, 1, 0.0).count(), 50);
  EXPECT_EQ(Backoff(p, 1, 1.0).count(), 100);
  EXPECT_EQ(Backoff(p, 2, 1.0).count(), 200);
  EXPECT_EQ(Backoff(p, 3, 0.5).count(), 300);
  EXPECT_EQ(Backoff(p, 10, 1.0).count(), 1000);
  EXPECT_EQ(Backoff(p, 60, 0.0).count(), 500);
}

}  // namespace
}  // namespace vaultsync::vault
