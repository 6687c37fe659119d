// Integration tests of watches and the informer against the kube-emulator: raw watch
// events and bookmarks, paged lists, resume after cut watches with nothing missed or
// repeated, and a forced 410 (a one-event watch window) answered by a relist that
// delivers exactly the differences.
#include <gtest/gtest.h>

#include <condition_variable>
#include <set>
#include <thread>

#include "emulator_env.h"
#include "kube/informer.h"
#include "kube/object.h"

namespace vaultsync::kube::testing {
namespace {

using namespace std::chrono_literals;

struct Item {
  std::string key, value;
};

Result<Item> Decode(const json::Value& obj) {
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  Item it{ObjectKey(m.namespace_, m.name), ""};
  if (const json::Value* d = json::Find(obj, "data"); d != nullptr && d->IsObject()) {
    if (auto v = json::OptionalString(*d, "k"); v.ok() && v->has_value()) it.value = **v;
  }
  return it;
}

class Notes {
 public:
  Informer<Item>::Handlers Handlers() {
    return {[this](const Informer<Item>::Ptr& o) { Add("add " + o->key + "=" + o->value); },
            [this](const Informer<Item>::Ptr& a, const Informer<Item>::Ptr& b) {
              Add("update " + a->key + " " + a->value + "->" + b->value);
            },
            [this](const Informer<Item>::Ptr& o) { Add("delete " + o->key); }};
  }
  std::vector<std::string> WaitFor(size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, timeout, [&] { return notes_.size() >= n; });
    return notes_;
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> l(mu_);
    return std::exchange(notes_, {});
  }

 private:
  void Add(std::string s) {
    std::lock_guard<std::mutex> l(mu_);
    notes_.push_back(std::move(s));
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> notes_;
};

class EmulatorWatchTest : public EmulatorTest {
 protected:
  InformerOptions Options() {
    InformerOptions o;
    o.page_size = 3;
    o.backoff_initial = 1000ms;
    o.backoff_max = 2000ms;
    o.logger = &logger_;
    return o;
  }
  void Put(const std::string& name, const std::string& value) {
    auto existing = client_->Get(resources::Secret(), "demo", name);
    if (existing.ok()) {
      ASSERT_TRUE(client_
                      ->Patch(resources::Secret(), "demo", name, PatchType::kMerge,
                              R"({"data":{"k":")" + value + R"("}})")
                      .ok());
    } else {
      ASSERT_TRUE(client_->Create(resources::Secret(), Secret(name, value)).ok());
    }
  }
  bool WaitForCounter(const std::string& key, int64_t at_least) {
    for (int i = 0; i < 500; ++i) {
      if (Counter(key) >= at_least) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::ostringstream log_sink_;
  log::Logger logger_{&log_sink_, log::Level::kDebug};
  Notes notes_;
};

TEST_F(EmulatorWatchTest, RawWatchDeliversChangesAndEndsAtTheServerTimeout) {
  auto list = client_->List(resources::Secret(), "demo");
  ASSERT_TRUE(list.ok());
  std::string rv = ReadListMeta(*list)->resource_version;
  std::vector<std::string> seen;
  // Written before the watch starts: a watch from `rv` replays them all, so the test does not
  // depend on the writes landing within the watch's two seconds.
  Put("w", "MQ==");
  Put("w", "Mg==");
  ASSERT_TRUE(client_->Delete(resources::Secret(), "demo", "w").ok());
  WatchOptions wo;
  wo.resource_version = rv;
  wo.timeout_seconds = 2;
  Status st = client_->Watch(
      resources::Secret(), "demo", wo,
      [&](WatchEvent& ev) {
        if (ev.type != EventType::kBookmark) seen.push_back(std::string(EventTypeName(ev.type)));
        return true;
      },
      nullptr);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
}

TEST_F(EmulatorWatchTest, InformerListsInPagesAndFollowsChanges) {
  for (int i = 0; i < 7; ++i) Put("s" + std::to_string(i), "MA==");
  Informer<Item> inf(*client_, resources::Secret(), {{"demo"}, "app=demo", ""}, Decode, Options());
  inf.AddEventHandler(notes_.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(10s));
  EXPECT_EQ(inf.Size(), 7u);
  EXPECT_EQ(Counter("LIST secrets"), 3) << "pages of 3";
  notes_.WaitFor(7);
  notes_.Take();
  ASSERT_TRUE(WaitForCounter("WATCH secrets", 1));
  Put("s0", "MQ==");
  ASSERT_TRUE(client_->Delete(resources::Secret(), "demo", "s1").ok());
  // A Secret that stops matching the selector leaves the cache.
  ASSERT_TRUE(client_
                  ->Patch(resources::Secret(), "demo", "s2", PatchType::kMerge,
                          R"({"metadata":{"labels":{"app":"other"}}})")
                  .ok());
  EXPECT_EQ(
      notes_.WaitFor(3),
      (std::vector<std::string>{"update demo/s0 MA==->MQ==", "delete demo/s1", "delete demo/s2"}));
  EXPECT_EQ(inf.Size(), 5u);
  inf.Stop();
}

TEST_F(EmulatorWatchTest, CutWatchesResumeWithoutMissesOrDuplicates) {
  Put("a", "MA==");
  Informer<Item> inf(*client_, resources::Secret(), {{"demo"}, "", ""}, Decode, Options());
  inf.AddEventHandler(notes_.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(10s));
  notes_.WaitFor(1);
  notes_.Take();
  std::vector<std::string> expected;
  std::string last = "MA==";
  for (int round = 0; round < 4; ++round) {
    ASSERT_TRUE(WaitForCounter("WATCH secrets", round + 1));
    std::string v = "cj" + std::to_string(round) + "=";
    Put("a", v);
    expected.push_back("update demo/a " + last + "->" + v);
    last = v;
    Control("POST", "cut-watches");
    Put("b" + std::to_string(round), "eA==");
    expected.push_back("add demo/b" + std::to_string(round) + "=eA==");
  }
  // A marker written last: the emulator sends events in resourceVersion order and the
  // informer hands them over on one thread, so a duplicate would arrive before it.
  Put("marker", "bQ==");
  expected.push_back("add demo/marker=bQ==");
  auto got = notes_.WaitFor(expected.size());
  ASSERT_FALSE(got.empty());
  ASSERT_EQ(got.back(), expected.back());
  EXPECT_EQ(notes_.Take(), expected);
  EXPECT_EQ(Counter("LIST secrets"), 1) << "resumed, never relisted";
  EXPECT_GE(Counter("WATCH secrets"), 5);
  inf.Stop();
}

TEST_F(EmulatorWatchTest, ExpiredResourceVersionRelistsWithExactDifferences) {
  Put("same", "MA==");
  Put("changed", "MA==");
  Put("removed", "MA==");
  InformerOptions o = Options();
  o.page_size = 2;
  Informer<Item> inf(*client_, resources::Secret(), {{"demo"}, "", ""}, Decode, o);
  inf.AddEventHandler(notes_.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(10s));
  notes_.WaitFor(3);
  notes_.Take();
  ASSERT_TRUE(WaitForCounter("WATCH secrets", 1));
  // Keep the next watch attempt out (503: the informer backs off 1-2s and resumes from its
  // old version), meanwhile push that version out of a one-event watch window.
  Control("POST", "watch-window", R"({"events":1})");
  Control("POST", "faults",
          R"({"method":"GET","path_prefix":"/api/v1/namespaces/demo/secrets","status":503,)"
          R"("remaining":1})");
  Control("POST", "cut-watches");
  // Writes only (no GET, which the fault would catch instead of the watch).
  ASSERT_TRUE(client_
                  ->Patch(resources::Secret(), "demo", "changed", PatchType::kMerge,
                          R"({"data":{"k":"MQ=="}})")
                  .ok());
  ASSERT_TRUE(client_->Delete(resources::Secret(), "demo", "removed").ok());
  ASSERT_TRUE(client_->Create(resources::Secret(), Secret("added", "MA==")).ok());
  notes_.WaitFor(3);
  // Watching again afterwards; a change made now is the marker: the relist hands over all its
  // differences before any watch event, so anything extra from it would come first.
  Control("POST", "watch-window", R"({"events":100})");
  ASSERT_TRUE(WaitForCounter("WATCH secrets", 3));
  Put("same", "MQ==");
  auto got = notes_.WaitFor(4);
  ASSERT_FALSE(got.empty());
  ASSERT_EQ(got.back(), "update demo/same MA==->MQ==");
  got = notes_.Take();
  got.pop_back();
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()),
            (std::set<std::string>{"update demo/changed MA==->MQ==", "delete demo/removed",
                                   "add demo/added=MA=="}));
  EXPECT_EQ(got.size(), 3u) << "nothing twice, nothing for the unchanged object";
  EXPECT_EQ(Counter("LIST secrets"), 4) << "initial list and relist, two pages each";
  EXPECT_NE(log_sink_.str().find("relisting"), std::string::npos) << log_sink_.str();
  EXPECT_EQ(inf.Get("demo/changed")->value, "MQ==");
  EXPECT_EQ(inf.Get("demo/removed"), nullptr);
  inf.Stop();
}

}  // namespace
}  // namespace vaultsync::kube::testing
