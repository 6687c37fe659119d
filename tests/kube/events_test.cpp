// Tests of the EventRecorder against the in-memory API server: the Event's shape (as
// client-go writes it), aggregation of repeats into count bumps, the window, recreation of
// an expired Event, and the bounded queue that never blocks the caller.
#include "kube/events.h"

#include <gtest/gtest.h>

#include <condition_variable>

#include "fake_client.h"
#include "util/time_format.h"

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;
using fake::FakeClient;

ObjectReference Vss() {
  return ObjectReference{"vaultsync.io/v1alpha1",
                         "VaultStaticSecret",
                         "demo",
                         "db-creds",
                         "f18491c4-6b38-42c2-991e-9b044e0deff4",
                         "396"};
}

class EventsTest : public ::testing::Test {
 protected:
  EventRecorderOptions Options() {
    EventRecorderOptions o;
    o.clock = &clock_;
    o.instance = "vaultsync-operator-0";
    o.logger = &logger_;
    return o;
  }
  std::vector<json::Document> Events() {
    auto list = client_.List(resources::Event(), "demo");
    std::vector<json::Document> out;
    for (const auto& item : (*list)["items"].GetArray()) {
      json::Document d;
      d.CopyFrom(item, d.GetAllocator());
      out.push_back(std::move(d));
    }
    return out;
  }

  FakeClock clock_;
  FakeClient client_{clock_};
  std::ostringstream log_sink_;
  log::Logger logger_{&log_sink_, log::Level::kDebug};
};

TEST_F(EventsTest, CreatesAnEventShapedLikeClientGos) {
  EventRecorder rec(client_, Options());
  ASSERT_TRUE(rec.Event(Vss(), kEventNormal, "Synced", "copied secret/app/db"));
  ASSERT_TRUE(rec.Flush(5s));
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  const json::Value& e = events[0];
  std::string name(*json::String(e["metadata"], "name"));
  char expected[64];
  std::snprintf(
      expected, sizeof(expected), "db-creds.%llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch())
              .count()));
  EXPECT_EQ(name, expected);
  EXPECT_EQ(*json::String(e["involvedObject"], "kind"), "VaultStaticSecret");
  EXPECT_EQ(*json::String(e["involvedObject"], "uid"), "f18491c4-6b38-42c2-991e-9b044e0deff4");
  EXPECT_EQ(*json::String(e["involvedObject"], "apiVersion"), "vaultsync.io/v1alpha1");
  EXPECT_EQ(*json::String(e, "type"), "Normal");
  EXPECT_EQ(*json::String(e, "reason"), "Synced");
  EXPECT_EQ(*json::String(e, "message"), "copied secret/app/db");
  EXPECT_EQ(*json::String(e["source"], "component"), "vaultsync-operator");
  EXPECT_EQ(*json::String(e, "reportingComponent"), "vaultsync-operator");
  EXPECT_EQ(*json::String(e, "reportingInstance"), "vaultsync-operator-0");
  EXPECT_EQ(*json::Int64(e, "count"), 1);
  EXPECT_EQ(*json::String(e, "firstTimestamp"), FormatRfc3339(clock_.Now(), 0));
}

TEST_F(EventsTest, RepeatsBumpTheCountInsteadOfFlooding) {
  EventRecorder rec(client_, Options());
  TimePoint first = clock_.Now();
  for (int i = 0; i < 5; ++i) {
    rec.Event(Vss(), kEventWarning, "VaultUnavailable", "connection refused");
    ASSERT_TRUE(rec.Flush(5s));
    clock_.Advance(30s);
  }
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*json::Int64(events[0], "count"), 5);
  EXPECT_EQ(*json::String(events[0], "firstTimestamp"), FormatRfc3339(first, 0));
  EXPECT_EQ(*json::String(events[0], "lastTimestamp"), FormatRfc3339(first + 120s, 0));
  EXPECT_EQ(client_.Calls("create", "events"), 1);
  EXPECT_EQ(client_.Calls("patch", "events"), 4);
}

TEST_F(EventsTest, DifferentMessagesAndOldRepeatsMakeNewEvents) {
  EventRecorderOptions o = Options();
  o.aggregation_window = 60s;
  EventRecorder rec(client_, o);
  rec.Event(Vss(), kEventNormal, "Synced", "one");
  rec.Flush(5s);
  clock_.Advance(1ms);
  rec.Event(Vss(), kEventNormal, "Synced", "two");
  rec.Flush(5s);
  clock_.Advance(61s);
  rec.Event(Vss(), kEventNormal, "Synced", "one");
  rec.Flush(5s);
  EXPECT_EQ(Events().size(), 3u);
}

TEST_F(EventsTest, ExpiredEventIsCreatedAgain) {
  EventRecorder rec(client_, Options());
  rec.Event(Vss(), kEventNormal, "Synced", "m");
  rec.Flush(5s);
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  std::string name(*json::String(events[0]["metadata"], "name"));
  ASSERT_TRUE(client_.Delete(resources::Event(), "demo", name).ok());
  clock_.Advance(1s);
  rec.Event(Vss(), kEventNormal, "Synced", "m");
  rec.Flush(5s);
  events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(*json::Int64(events[0], "count"), 1);
  EXPECT_NE(*json::String(events[0]["metadata"], "name"), name);
}

TEST_F(EventsTest, ClusterScopedObjectsGetEventsInDefault) {
  EventRecorder rec(client_, Options());
  rec.Event(ObjectReference{"v1", "Namespace", "", "demo", "u", ""}, kEventNormal, "Seen", "x");
  rec.Flush(5s);
  auto list = client_.List(resources::Event(), "default");
  EXPECT_EQ((*list)["items"].Size(), 1u);
}

TEST_F(EventsTest, LongMessagesAreCut) {
  EventRecorder rec(client_, Options());
  rec.Event(Vss(), kEventNormal, "Synced", std::string(5000, 'x'));
  rec.Flush(5s);
  EXPECT_EQ(json::String(Events().at(0), "message")->size(), 1024u);
}

// A Client whose Event creation blocks until released, to fill the recorder's queue.
class BlockingClient final : public Client {
 public:
  explicit BlockingClient(Client& inner) : inner_(inner) {}
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }
  Result<json::Document> Create(const ResourceType& rt, const json::Value& obj) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return released_; });
    return inner_.Create(rt, obj);
  }
  Result<json::Document> Get(const ResourceType& rt, std::string_view ns, std::string_view n,
                             std::string_view s) override {
    return inner_.Get(rt, ns, n, s);
  }
  Result<json::Document> List(const ResourceType& rt, std::string_view ns,
                              const ListOptions& o) override {
    return inner_.List(rt, ns, o);
  }
  Result<json::Document> Update(const ResourceType& rt, const json::Value& o) override {
    return inner_.Update(rt, o);
  }
  Result<json::Document> UpdateStatus(const ResourceType& rt, const json::Value& o) override {
    return inner_.UpdateStatus(rt, o);
  }
  Result<json::Document> Patch(const ResourceType& rt, std::string_view ns, std::string_view n,
                               PatchType t, std::string_view p, const PatchOptions& o) override {
    return inner_.Patch(rt, ns, n, t, p, o);
  }
  Status Delete(const ResourceType& rt, std::string_view ns, std::string_view n,
                const DeleteOptions& o) override {
    return inner_.Delete(rt, ns, n, o);
  }
  Result<TokenResult> CreateToken(std::string_view ns, std::string_view sa,
                                  const TokenRequestOptions& o) override {
    return inner_.CreateToken(ns, sa, o);
  }
  Status Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& o,
               const WatchHandler& h, const http::CancelFlag* c) override {
    return inner_.Watch(rt, ns, o, h, c);
  }

 private:
  Client& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST_F(EventsTest, FullQueueDropsWithoutBlocking) {
  BlockingClient blocking(client_);
  EventRecorderOptions o = Options();
  o.queue_size = 2;
  EventRecorder rec(blocking, o);
  int accepted = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(1ms);
    accepted += rec.Event(Vss(), kEventNormal, "Synced", "m" + std::to_string(i)) ? 1 : 0;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "never blocks the caller";
  EXPECT_LE(accepted, 3) << "one in flight + queue of 2";
  EXPECT_GE(accepted, 2);
  EXPECT_NE(log_sink_.str().find("event queue full"), std::string::npos);
  blocking.Release();
  ASSERT_TRUE(rec.Flush(5s));
  EXPECT_EQ(Events().size(), static_cast<size_t>(accepted));
}

TEST_F(EventsTest, StopWritesWhatIsQueuedThenRefuses) {
  EventRecorder rec(client_, Options());
  rec.Event(Vss(), kEventNormal, "Synced", "m");
  rec.Stop();
  EXPECT_EQ(Events().size(), 1u);
  EXPECT_FALSE(rec.Event(Vss(), kEventNormal, "Synced", "after"));
}

}  // namespace
}  // namespace vaultsync::kube
