// Tests of watch decoding (the recorded stream split at every position, strings holding
// braces, malformed input) and of RunWatch's outcomes.
#include "kube/watch.h"

#include <gtest/gtest.h>

#include "kube/object.h"
#include "recorded.h"

namespace vaultsync::kube {
namespace {

using testing::FakeTransport;
using testing::LoadRecorded;
using testing::ScriptedAnswer;

std::vector<std::string> Summaries(const std::vector<WatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& ev : events) {
    auto meta = ReadObjectMeta(ev.object());
    out.push_back(std::string(EventTypeName(ev.type)) + " " +
                  (meta.ok() ? meta->resource_version : "?"));
  }
  return out;
}

const std::vector<std::string> kRecordedEvents = {"ADDED 214", "MODIFIED 215", "DELETED 216",
                                                  "BOOKMARK 216"};

TEST(WatchDecoderTest, RecordedStreamInOnePiece) {
  std::string body = LoadRecorded("032-secret-watch.http").response.body;
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed(body, events).ok());
  EXPECT_EQ(Summaries(events), kRecordedEvents);
  EXPECT_FALSE(d.HasPartial());
  EXPECT_EQ(*json::String(events[0].object()["data"], "k"), "djE=");
}

TEST(WatchDecoderTest, RecordedStreamSplitAtEveryPosition) {
  std::string body = LoadRecorded("032-secret-watch.http").response.body;
  for (size_t cut = 1; cut < body.size(); ++cut) {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    ASSERT_TRUE(d.Feed(std::string_view(body).substr(0, cut), events).ok()) << cut;
    ASSERT_TRUE(d.Feed(std::string_view(body).substr(cut), events).ok()) << cut;
    ASSERT_EQ(Summaries(events), kRecordedEvents) << "split at " << cut;
  }
}

TEST(WatchDecoderTest, OneByteAtATime) {
  std::string body = LoadRecorded("032-secret-watch.http").response.body;
  WatchDecoder d;
  std::vector<WatchEvent> events;
  for (char c : body) ASSERT_TRUE(d.Feed(std::string_view(&c, 1), events).ok());
  EXPECT_EQ(Summaries(events), kRecordedEvents);
}

TEST(WatchDecoderTest, BracesAndQuotesInsideStrings) {
  std::string ev =
      R"({"type":"ADDED","object":{"metadata":{"name":"a}{\"]","resourceVersion":"5"},"x":"\\"}})";
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed(ev.substr(0, 30), events).ok());
  EXPECT_TRUE(d.HasPartial());
  ASSERT_TRUE(d.Feed(ev.substr(30) + "\r\n" + ev, events).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(*json::String(events[1].object()["metadata"], "name"), "a}{\"]");
}

TEST(WatchDecoderTest, EventsWithoutNewlinesBetweenThem) {
  std::string a = R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}}})";
  std::string b = R"({"type":"DELETED","object":{"metadata":{"resourceVersion":"2"}}})";
  WatchDecoder d;
  std::vector<WatchEvent> events;
  ASSERT_TRUE(d.Feed(a + b, events).ok());
  EXPECT_EQ(Summaries(events), (std::vector<std::string>{"ADDED 1", "DELETED 2"}));
}

TEST(WatchDecoderTest, MalformedInputFails) {
  std::vector<WatchEvent> events;
  EXPECT_EQ(WatchDecoder().Feed("garbage", events).code(), StatusCode::kInternal);
  EXPECT_EQ(WatchDecoder().Feed(R"({"type":"WHAT","object":{}})", events).code(),
            StatusCode::kInternal);
  EXPECT_EQ(WatchDecoder().Feed(R"({"type":"ADDED"})", events).code(), StatusCode::kInternal);
  EXPECT_EQ(WatchDecoder().Feed(R"({"type":"ADDED","object":{"a":tru}})", events).code(),
            StatusCode::kInternal);
  EXPECT_TRUE(events.empty());
}

TEST(WatchEventTest, MakeWatchEventCopiesTheObject) {
  auto obj = json::Parse(R"({"metadata":{"name":"x"}})");
  WatchEvent ev = MakeWatchEvent(EventType::kModified, *obj);
  EXPECT_EQ(*json::String(ev.doc, "type"), "MODIFIED");
  EXPECT_EQ(*json::String(ev.object()["metadata"], "name"), "x");
}

class RunWatchTest : public ::testing::Test {
 protected:
  Status Run(std::function<bool(WatchEvent&)> h = nullptr) {
    if (!h)
      h = [this](WatchEvent& ev) {
        auto m = ReadObjectMeta(ev.object());
        seen_.push_back(std::string(EventTypeName(ev.type)) + " " + m->resource_version);
        return true;
      };
    return RunWatch(transport_, http::Request{}, h, cancel_.get(), &http_status_);
  }
  FakeTransport transport_;
  std::vector<std::string> seen_;
  std::unique_ptr<http::CancelFlag> cancel_;
  int http_status_ = -1;
};

TEST_F(RunWatchTest, ErrorEventWith410IsGone) {
  testing::PushRecorded(transport_, LoadRecorded("040-secret-watch-old-rv-too-old.http"));
  Status st = Run();
  EXPECT_EQ(st.code(), StatusCode::kGone);
  EXPECT_NE(st.message().find("too old resource version"), std::string::npos);
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(http_status_, 200);
}

TEST_F(RunWatchTest, EventsBeforeAnErrorAreDelivered) {
  ScriptedAnswer a;
  a.pieces = {
      R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"7"}}})"
      "\n",
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"reason":"InternalError","message":"boom"}})"};
  transport_.Push(a);
  EXPECT_EQ(Run().code(), StatusCode::kInternal);
  EXPECT_EQ(seen_, (std::vector<std::string>{"ADDED 7"}));
}

TEST_F(RunWatchTest, Http410AndOtherStatuses) {
  transport_.PushJson(410, R"({"kind":"Status","code":410,"reason":"Gone"})");
  EXPECT_EQ(Run().code(), StatusCode::kGone);
  testing::PushRecorded(transport_, LoadRecorded("093-forbidden-watch-secrets.http"));
  EXPECT_EQ(Run().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(http_status_, 403);
}

TEST_F(RunWatchTest, CutAfterDataIsANormalEndCutBeforeIsAnError) {
  ScriptedAnswer cut;
  cut.pieces = {R"({"type":"ADDED","object":{"metadata":{"resourceVersion":"9"}}})"
                "\n",
                R"({"type":"MODIFIED","obj)"};
  cut.error_after_pieces = Status(StatusCode::kUnavailable, "connection reset");
  transport_.Push(cut);
  EXPECT_TRUE(Run().ok());
  EXPECT_EQ(seen_, (std::vector<std::string>{"ADDED 9"})) << "the partial event is dropped";
  ScriptedAnswer refused;
  refused.error = Status(StatusCode::kUnavailable, "connection refused");
  transport_.Push(refused);
  EXPECT_EQ(Run().code(), StatusCode::kUnavailable);
  EXPECT_EQ(http_status_, 0);
}

TEST_F(RunWatchTest, HandlerCanStopTheWatch) {
  testing::PushRecorded(transport_, LoadRecorded("032-secret-watch.http"));
  int n = 0;
  EXPECT_TRUE(Run([&](WatchEvent&) { return ++n < 2; }).ok());
  EXPECT_EQ(n, 2);
}

TEST_F(RunWatchTest, CancelledWatchSaysSo) {
  cancel_ = std::make_unique<http::CancelFlag>();
  cancel_->Cancel();
  testing::PushRecorded(transport_, LoadRecorded("032-secret-watch.http"));
  EXPECT_EQ(Run().code(), StatusCode::kCancelled);
}

TEST_F(RunWatchTest, UndecodableStreamIsInternal) {
  ScriptedAnswer a;
  a.pieces = {"<html>"};
  transport_.Push(a);
  EXPECT_EQ(Run().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace vaultsync::kube
