// Tests of the informer against the in-memory API server: paged initial list, live
// events, resume after cut watches without duplicates, relist on 410 delivering only the
// differences, bookmarks, namespaces and selectors, late handlers, sharing via the factory.
#include "kube/informer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>

#include "fake_client.h"
#include "kube/informer_factory.h"
#include "kube/object.h"

namespace vaultsync::kube {
namespace {

using namespace std::chrono_literals;
using fake::FakeClient;

// What the cache keeps of a Secret: a couple of fields, not the data.
struct SmallSecret {
  std::string key;
  std::string rv;
  std::string value;  // data.k, for checking updates
};

Result<SmallSecret> DecodeSmall(const json::Value& obj) {
  VS_ASSIGN_OR_RETURN(ObjectMeta m, ReadObjectMeta(obj));
  SmallSecret s{ObjectKey(m.namespace_, m.name), m.resource_version, ""};
  if (const json::Value* data = json::Find(obj, "data")) {
    auto v = json::OptionalString(*data, "k");
    if (v.ok() && v->has_value()) s.value = std::string(**v);
  }
  if (s.value == "undecodable") return InvalidArgument("decoder refuses this one");
  return s;
}

// Records handler calls as "add ns/name=v", "update ns/name v1->v2", "delete ns/name".
class Recorder {
 public:
  Informer<SmallSecret>::Handlers Handlers() {
    return {[this](const Informer<SmallSecret>::Ptr& o) { Note("add " + o->key + "=" + o->value); },
            [this](const Informer<SmallSecret>::Ptr& a, const Informer<SmallSecret>::Ptr& b) {
              Note("update " + a->key + " " + a->value + "->" + b->value);
            },
            [this](const Informer<SmallSecret>::Ptr& o) { Note("delete " + o->key); }};
  }
  // Waits (bounded) until `n` notes exist; returns them all.
  std::vector<std::string> WaitFor(size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return notes_.size() >= n; });
    return notes_;
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    auto out = std::move(notes_);
    notes_.clear();
    return out;
  }
  std::set<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

 private:
  void Note(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    notes_.push_back(std::move(s));
    threads_.insert(std::this_thread::get_id());
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> notes_;
  std::set<std::thread::id> threads_;
};

class InformerTest : public ::testing::Test {
 protected:
  void Put(const std::string& ns, const std::string& name, const std::string& value,
           const std::string& labels = R"({"app":"demo"})") {
    auto doc = json::Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
                           R"(","namespace":")" + ns + R"(","labels":)" + labels +
                           R"(},"data":{"k":")" + value + R"("}})");
    auto existing = client_.Get(resources::Secret(), ns, name);
    if (existing.ok()) {
      ASSERT_TRUE(client_
                      .Patch(resources::Secret(), ns, name, PatchType::kMerge,
                             R"({"data":{"k":")" + value + R"("}})")
                      .ok());
    } else {
      ASSERT_TRUE(client_.Create(resources::Secret(), *doc).ok());
    }
  }
  void Remove(const std::string& ns, const std::string& name) {
    ASSERT_TRUE(client_.Delete(resources::Secret(), ns, name).ok());
  }
  InformerOptions Options() {
    InformerOptions o;
    o.page_size = 2;
    o.backoff_initial = 20ms;
    o.backoff_max = 100ms;
    o.watch_timeout_seconds = 60;
    o.logger = &logger_;
    return o;
  }
  std::unique_ptr<Informer<SmallSecret>> Make(InformerScope scope = {}) {
    return std::make_unique<Informer<SmallSecret>>(client_, resources::Secret(), std::move(scope),
                                                   DecodeSmall, Options());
  }

  std::ostringstream log_sink_;
  log::Logger logger_{&log_sink_, log::Level::kDebug};
  FakeClient client_;
  Recorder rec_;
};

// The values of `objs`, sorted, for comparing ByIndex answers.
std::vector<std::string> Keys(const std::vector<Informer<SmallSecret>::Ptr>& objs) {
  std::vector<std::string> out;
  for (const auto& o : objs) out.push_back(o->key);
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(InformerTest, FieldIndexFollowsAddsUpdatesAndDeletes) {
  Put("demo", "a", "red");
  Put("demo", "b", "red");
  Put("demo", "c", "blue");
  Put("demo", "d", "");
  auto inf = Make();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  // Added after the cache filled: what is cached is indexed at once. An empty value files
  // nothing (like an object naming no VaultAuth).
  ASSERT_TRUE(inf->AddIndex("colour",
                            [](const SmallSecret& s) {
                              return s.value.empty() ? std::vector<std::string>{}
                                                     : std::vector<std::string>{s.value};
                            })
                  .ok());
  EXPECT_EQ(
      inf->AddIndex("colour", [](const SmallSecret&) { return std::vector<std::string>{}; }).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Keys(inf->ByIndex("colour", "red")), (std::vector<std::string>{"demo/a", "demo/b"}));
  EXPECT_EQ(Keys(inf->ByIndex("colour", "blue")), (std::vector<std::string>{"demo/c"}));
  EXPECT_TRUE(inf->ByIndex("colour", "").empty());
  EXPECT_TRUE(inf->ByIndex("no-such-index", "red").empty());
  rec_.WaitFor(4);
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  Put("demo", "b", "blue");  // moves between values
  Remove("demo", "a");       // leaves the index
  Put("demo", "e", "red");   // enters it
  ASSERT_EQ(rec_.WaitFor(3).size(), 3u);
  EXPECT_EQ(Keys(inf->ByIndex("colour", "red")), (std::vector<std::string>{"demo/e"}));
  EXPECT_EQ(Keys(inf->ByIndex("colour", "blue")), (std::vector<std::string>{"demo/b", "demo/c"}));
  inf->Stop();
}

TEST_F(InformerTest, PagedInitialListThenLiveEvents) {
  for (int i = 0; i < 5; ++i) Put("demo", "s" + std::to_string(i), "v" + std::to_string(i));
  auto inf = Make();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_TRUE(inf->HasSynced());
  EXPECT_EQ(client_.Calls("list", "secrets"), 3) << "5 objects in pages of 2";
  EXPECT_EQ(inf->Size(), 5u);
  auto notes = rec_.WaitFor(5);
  EXPECT_EQ(std::set<std::string>(notes.begin(), notes.end()),
            (std::set<std::string>{"add demo/s0=v0", "add demo/s1=v1", "add demo/s2=v2",
                                   "add demo/s3=v3", "add demo/s4=v4"}));
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  Put("demo", "s1", "changed");
  Remove("demo", "s2");
  Put("demo", "s9", "new");
  EXPECT_EQ(rec_.WaitFor(3), (std::vector<std::string>{"update demo/s1 v1->changed",
                                                       "delete demo/s2", "add demo/s9=new"}));
  EXPECT_EQ(inf->Get("demo/s1")->value, "changed");
  EXPECT_EQ(inf->Get("demo/s2"), nullptr);
  EXPECT_EQ(rec_.threads().size(), 1u) << "handlers run on one thread";
  inf->Stop();
}

TEST_F(InformerTest, DecoderRejectionsAreSkipped) {
  Put("demo", "good", "v");
  Put("demo", "bad", "undecodable");
  auto inf = Make();
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_NE(inf->Get("demo/good"), nullptr);
  EXPECT_EQ(inf->Get("demo/bad"), nullptr);
  EXPECT_NE(log_sink_.str().find("decoder rejected"), std::string::npos);
}

TEST_F(InformerTest, CutWatchResumesFromLastVersionWithoutDuplicates) {
  Put("demo", "a", "1");
  auto inf = Make();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  rec_.WaitFor(1);
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  for (int round = 0; round < 5; ++round) {
    Put("demo", "a", "r" + std::to_string(round));
    client_.CutWatches();
    Put("demo", "b" + std::to_string(round), "x");
  }
  // A marker written after everything else: events arrive in resourceVersion order on one
  // thread, so a duplicate (a resume from too old a version) would come before it.
  Put("demo", "marker", "m");
  auto notes = rec_.WaitFor(11);
  ASSERT_FALSE(notes.empty());
  ASSERT_EQ(notes.back(), "add demo/marker=m");
  notes = rec_.Take();
  EXPECT_EQ(notes,
            (std::vector<std::string>{
                "update demo/a 1->r0", "add demo/b0=x", "update demo/a r0->r1", "add demo/b1=x",
                "update demo/a r1->r2", "add demo/b2=x", "update demo/a r2->r3", "add demo/b3=x",
                "update demo/a r3->r4", "add demo/b4=x", "add demo/marker=m"}));
  EXPECT_EQ(client_.Calls("list", "secrets"), 1) << "a cut resumes, it does not relist";
  auto rvs = client_.WatchResourceVersions();
  ASSERT_GE(rvs.size(), 2u);
  for (const auto& rv : rvs) EXPECT_FALSE(rv.empty()) << "every watch resumes from a version";
}

TEST_F(InformerTest, ExpiredVersionRelistsAndDeliversOnlyDifferences) {
  Put("demo", "same", "1");
  Put("demo", "changed", "1");
  Put("demo", "removed", "1");
  auto inf = Make();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  rec_.WaitFor(3);
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  // Keep the watch down while the world changes and the history is compacted away.
  client_.FailNext("watch", "secrets", Status(StatusCode::kUnavailable, "down"), 1000);
  int watches = client_.Calls("watch", "secrets");
  client_.CutWatches();
  for (int i = 0; i < 200 && client_.Calls("watch", "secrets") <= watches; ++i)
    std::this_thread::sleep_for(5ms);
  Put("demo", "changed", "2");
  Remove("demo", "removed");
  Put("demo", "added", "1");
  client_.Compact();
  client_.ClearFaults();
  // The three differences come from the relist (the history is gone); then the informer
  // watches again, and a change made after them is the marker: the relist's whole batch is
  // delivered before any watch event, so anything extra from it would come before the marker.
  rec_.WaitFor(3);
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  Put("demo", "same", "2");
  auto notes = rec_.WaitFor(4);
  ASSERT_FALSE(notes.empty());
  ASSERT_EQ(notes.back(), "update demo/same 1->2");
  notes = rec_.Take();
  notes.pop_back();
  EXPECT_EQ(std::set<std::string>(notes.begin(), notes.end()),
            (std::set<std::string>{"update demo/changed 1->2", "delete demo/removed",
                                   "add demo/added=1"}));
  EXPECT_EQ(notes.size(), 3u) << "nothing for the unchanged object, nothing twice";
  EXPECT_EQ(client_.Calls("list", "secrets"), 2 * 2) << "two paged lists of two pages";
  EXPECT_NE(log_sink_.str().find("relisting"), std::string::npos);
}

TEST_F(InformerTest, BookmarksMoveTheResumeVersion) {
  auto inf = Make();
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  // Changes to another type move the global version without events for Secrets.
  for (int i = 0; i < 3; ++i) {
    auto cm =
        json::Parse(R"({"metadata":{"name":"c)" + std::to_string(i) + R"(","namespace":"demo"}})");
    ASSERT_TRUE(client_.Create(resources::ConfigMap(), *cm).ok());
  }
  std::string now = std::to_string(client_.resource_version());
  client_.SendBookmarks();
  // The informer has handled the bookmark once the fake's watch handler has returned it.
  ASSERT_TRUE(client_.WaitForBookmarksDelivered(1, 5s));
  client_.CutWatches();
  for (int i = 0; i < 200 && client_.WatchResourceVersions().size() < 2; ++i)
    std::this_thread::sleep_for(5ms);
  auto rvs = client_.WatchResourceVersions();
  ASSERT_GE(rvs.size(), 2u);
  EXPECT_EQ(rvs[1], now);
}

TEST_F(InformerTest, NamespacesAndLabelSelector) {
  Put("a", "x", "1");
  Put("b", "x", "1");
  Put("c", "x", "1");
  Put("a", "other", "1", R"({"app":"other"})");
  auto inf = Make(InformerScope{{"a", "b"}, "app=demo", ""});
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_EQ(inf->Size(), 2u);
  EXPECT_NE(inf->Get("a/x"), nullptr);
  EXPECT_NE(inf->Get("b/x"), nullptr);
  EXPECT_EQ(inf->Get("c/x"), nullptr);
  EXPECT_EQ(inf->Get("a/other"), nullptr);
  ASSERT_TRUE(client_.WaitForOpenWatches(2, 5s)) << "one watch per namespace";
  rec_.WaitFor(2);
  rec_.Take();
  Put("c", "y", "1");
  Put("b", "y", "1");
  EXPECT_EQ(rec_.WaitFor(1), (std::vector<std::string>{"add b/y=1"}));
}

TEST_F(InformerTest, LateHandlerGetsTheCacheReplayedOnce) {
  Put("demo", "a", "1");
  Put("demo", "b", "1");
  auto inf = Make();
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  inf->AddEventHandler(rec_.Handlers());
  auto notes = rec_.WaitFor(2);
  EXPECT_EQ(std::set<std::string>(notes.begin(), notes.end()),
            (std::set<std::string>{"add demo/a=1", "add demo/b=1"}));
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  Put("demo", "a", "2");
  EXPECT_EQ(rec_.WaitFor(1), (std::vector<std::string>{"update demo/a 1->2"}));
}

TEST_F(InformerTest, ListFailuresAreRetriedWithBackoff) {
  Put("demo", "a", "1");
  client_.FailNext("list", "secrets", Status(StatusCode::kUnavailable, "down"), 2);
  auto inf = Make();
  inf->Start();
  EXPECT_FALSE(inf->HasSynced());
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_EQ(client_.Calls("list", "secrets"), 3);
  EXPECT_NE(inf->Get("demo/a"), nullptr);
}

TEST_F(InformerTest, StopEndsPromptlyAndSilencesHandlers) {
  auto inf = Make();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  auto start = std::chrono::steady_clock::now();
  inf->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(client_.OpenWatches(), 0u);
  // Stop() has joined the informer's threads and no watch is open, so nothing can deliver
  // this change, now or later: no need to wait for it not to arrive.
  Put("demo", "late", "1");
  EXPECT_EQ(client_.OpenWatches(), 0u);
  EXPECT_EQ(inf->Get("demo/late"), nullptr);
  EXPECT_TRUE(rec_.Take().empty());
}

TEST_F(InformerTest, FactorySharesOneInformerPerScope) {
  Put("demo", "a", "1");
  InformerFactory factory(client_, Options());
  auto first =
      factory.For<SmallSecret>(resources::Secret(), {{"y", "x"}, "app=demo", ""}, DecodeSmall);
  auto second =
      factory.For<SmallSecret>(resources::Secret(), {{"x", "y"}, "app=demo", ""}, DecodeSmall);
  auto other_sel = factory.For<SmallSecret>(resources::Secret(), {{}, "app=demo", ""}, DecodeSmall);
  ASSERT_TRUE(first.ok() && second.ok() && other_sel.ok());
  auto wrong_type = factory.For<std::string>(
      resources::Secret(), {{}, "app=demo", ""},
      [](const json::Value&) -> Result<std::string> { return std::string("x"); });
  EXPECT_EQ(wrong_type.status().code(), StatusCode::kInvalidArgument);
  factory.Start();
  ASSERT_TRUE(factory.WaitForCacheSync(5s));
  EXPECT_EQ((*first)->Get("demo/a"), nullptr) << "namespaces x and y only";
  ASSERT_NE((*other_sel)->Get("demo/a"), nullptr);
  // The same cache: the same decoded object.
  EXPECT_EQ(client_.Calls("list", "secrets"), 3) << "x, y, and all namespaces; not 5";
  auto late = factory.For<SmallSecret>(resources::Secret(), {{}, "app=demo", ""}, DecodeSmall);
  EXPECT_EQ((*late)->Get("demo/a"), (*other_sel)->Get("demo/a"));
  auto started_late = factory.For<SmallSecret>(resources::Secret(), {{}, "", ""}, DecodeSmall);
  ASSERT_TRUE(started_late.ok());
  EXPECT_TRUE((*started_late)->WaitForSync(5s)) << "made after Start: started at once";
  factory.Stop();
  EXPECT_FALSE(factory.For<SmallSecret>(resources::Secret(), {}, DecodeSmall).ok());
}

// A filtering informer: the decoder keeps only the objects a set names (as the VaultPushSecret
// controller keeps only the Secrets some VaultPushSecret names), and declines the others.
class FilteringInformerTest : public InformerTest {
 protected:
  void Want(const std::string& key, bool want) {
    std::lock_guard<std::mutex> lock(mu_);
    if (want) {
      wanted_.insert(key);
    } else {
      wanted_.erase(key);
    }
  }
  int declined() {
    std::lock_guard<std::mutex> lock(mu_);
    return declined_;
  }
  Informer<SmallSecret>::FilteringDecoder Decoder() {
    return [this](const json::Value& obj) -> Result<std::optional<SmallSecret>> {
      VS_ASSIGN_OR_RETURN(SmallSecret s, DecodeSmall(obj));
      std::lock_guard<std::mutex> lock(mu_);
      if (wanted_.count(s.key) == 0) {
        ++declined_;
        return std::optional<SmallSecret>();
      }
      return std::optional<SmallSecret>(std::move(s));
    };
  }
  std::unique_ptr<Informer<SmallSecret>> MakeFiltering() {
    return std::make_unique<Informer<SmallSecret>>(client_, resources::Secret(), InformerScope{},
                                                   Decoder(), Options());
  }
  // A live read, as a reconciler would make it.
  json::Document Live(const std::string& name) {
    auto got = client_.Get(resources::Secret(), "demo", name);
    EXPECT_TRUE(got.ok());
    return std::move(*got);
  }

  std::mutex mu_;
  std::set<std::string> wanted_;
  int declined_ = 0;
};

TEST_F(FilteringInformerTest, DeclinedObjectsAreNeitherCachedNorAnnouncedNorLogged) {
  Want("demo/a", true);
  Put("demo", "a", "1");
  Put("demo", "b", "1");
  Put("demo", "c", "1");
  auto inf = MakeFiltering();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_EQ(inf->Size(), 1u);
  EXPECT_EQ(inf->Get("demo/b"), nullptr);
  EXPECT_EQ(rec_.WaitFor(1), (std::vector<std::string>{"add demo/a=1"}));
  rec_.Take();
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  EXPECT_EQ(declined(), 2) << "b and c in the list";
  Put("demo", "b", "2");  // still declined: nothing
  for (int i = 0; i < 1000 && declined() < 3; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(declined(), 3);
  Want("demo/b", true);
  Put("demo", "b", "3");  // now wanted: enters the cache as an add
  Want("demo/a", false);
  Put("demo", "a", "2");  // no longer wanted: leaves the cache as a delete
  EXPECT_EQ(rec_.WaitFor(2), (std::vector<std::string>{"add demo/b=3", "delete demo/a"}));
  EXPECT_EQ(inf->Get("demo/a"), nullptr);
  EXPECT_EQ(inf->Get("demo/b")->value, "3");
  EXPECT_EQ(log_sink_.str().find("decoder rejected"), std::string::npos) << log_sink_.str();
  rec_.Take();

  // A relist decodes what changed or is new, and drops what a changed object no longer is.
  client_.FailNext("watch", "secrets", Status(StatusCode::kUnavailable, "down"), 1000);
  int watches = client_.Calls("watch", "secrets");
  client_.CutWatches();
  for (int i = 0; i < 200 && client_.Calls("watch", "secrets") <= watches; ++i)
    std::this_thread::sleep_for(5ms);
  Want("demo/c", true);
  Put("demo", "c", "2");
  Want("demo/b", false);
  Put("demo", "b", "4");
  client_.Compact();
  client_.ClearFaults();
  auto notes = rec_.WaitFor(2);
  EXPECT_EQ(std::set<std::string>(notes.begin(), notes.end()),
            (std::set<std::string>{"add demo/c=2", "delete demo/b"}));
  inf->Stop();
}

TEST_F(FilteringInformerTest, AdmitCachesALiveReadAndEvictDropsIt) {
  Put("demo", "a", "1");
  auto inf = MakeFiltering();
  inf->AddEventHandler(rec_.Handlers());
  inf->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_EQ(inf->Size(), 0u);
  // Declined: not cached.
  EXPECT_FALSE(inf->Admit(Live("a")));
  EXPECT_EQ(inf->Get("demo/a"), nullptr);
  // Wanted now, unchanged since: only a live read brings it in.
  Want("demo/a", true);
  json::Document v1 = Live("a");
  EXPECT_TRUE(inf->Admit(v1));
  ASSERT_NE(inf->Get("demo/a"), nullptr);
  // The same version again: decoded again (a filtering decoder may answer differently).
  EXPECT_TRUE(inf->Admit(v1));
  EXPECT_EQ(rec_.WaitFor(2), (std::vector<std::string>{"add demo/a=1", "update demo/a 1->1"}));
  rec_.Take();
  // A newer version from the watch is never replaced by an older live read.
  ASSERT_TRUE(client_.WaitForOpenWatches(1, 5s));
  Put("demo", "a", "2");
  EXPECT_EQ(rec_.WaitFor(1), (std::vector<std::string>{"update demo/a 1->2"}));
  rec_.Take();
  EXPECT_TRUE(inf->Admit(v1));
  EXPECT_EQ(inf->Get("demo/a")->value, "2");
  // Evict: gone, announced; a second time there is nothing to drop.
  EXPECT_TRUE(inf->Evict("demo/a"));
  EXPECT_FALSE(inf->Evict("demo/a"));
  EXPECT_EQ(inf->Get("demo/a"), nullptr);
  EXPECT_EQ(rec_.WaitFor(1), (std::vector<std::string>{"delete demo/a"}));
  // The next change brings it back.
  Put("demo", "a", "3");
  EXPECT_EQ(rec_.WaitFor(2), (std::vector<std::string>{"delete demo/a", "add demo/a=3"}));
  inf->Stop();
}

TEST_F(FilteringInformerTest, ListAfterDecodesTheFirstListOnlyOnceTheOtherCacheSynced) {
  // The other cache: ConfigMaps, whose first two lists fail (it syncs late).
  auto cm = json::Parse(R"({"metadata":{"name":"c","namespace":"demo"}})");
  ASSERT_TRUE(client_.Create(resources::ConfigMap(), *cm).ok());
  client_.FailNext("list", "configmaps", Status(StatusCode::kUnavailable, "down"), 2);
  auto other = std::make_shared<Informer<SmallSecret>>(client_, resources::ConfigMap(),
                                                       InformerScope{}, DecodeSmall, Options());
  Put("demo", "a", "1");
  Want("demo/a", true);
  std::atomic<int> decoded_early{0}, decoded{0};
  Informer<SmallSecret>::FilteringDecoder decode = Decoder();
  auto inf = std::make_unique<Informer<SmallSecret>>(
      client_, resources::Secret(), InformerScope{},
      [&, decode](const json::Value& obj) -> Result<std::optional<SmallSecret>> {
        ++decoded;
        if (!other->HasSynced()) ++decoded_early;
        return decode(obj);
      },
      Options());
  inf->ListAfter(other);
  inf->Start();
  other->Start();
  ASSERT_TRUE(inf->WaitForSync(5s));
  EXPECT_TRUE(other->HasSynced());
  EXPECT_EQ(client_.Calls("list", "configmaps"), 3);
  EXPECT_GE(decoded.load(), 1);
  EXPECT_EQ(decoded_early.load(), 0);
  EXPECT_NE(inf->Get("demo/a"), nullptr);
  inf->Stop();
  other->Stop();
}

TEST_F(FilteringInformerTest, StopEndsAnInformerStillWaitingToList) {
  client_.FailNext("list", "configmaps", Status(StatusCode::kUnavailable, "down"), 1000);
  auto other = std::make_shared<Informer<SmallSecret>>(client_, resources::ConfigMap(),
                                                       InformerScope{}, DecodeSmall, Options());
  auto inf = MakeFiltering();
  inf->ListAfter(other);
  inf->Start();
  other->Start();
  // Positive event first: the other informer is retrying its list, so inf is held at the gate.
  for (int i = 0; i < 400 && client_.Calls("list", "configmaps") < 2; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_GE(client_.Calls("list", "configmaps"), 2);
  EXPECT_FALSE(inf->HasSynced());
  auto start = std::chrono::steady_clock::now();
  inf->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(client_.Calls("list", "secrets"), 0);
  other->Stop();
}

TEST_F(FilteringInformerTest, FactoryMakesFilteringInformers) {
  Want("demo/a", true);
  Put("demo", "a", "1");
  Put("demo", "b", "1");
  InformerFactory factory(client_, Options());
  auto inf = factory.ForFiltered<SmallSecret>(resources::Secret(), {}, Decoder());
  ASSERT_TRUE(inf.ok());
  factory.Start();
  ASSERT_TRUE(factory.WaitForCacheSync(5s));
  EXPECT_EQ((*inf)->Keys(), (std::vector<std::string>{"demo/a"}));
  factory.Stop();
}

}  // namespace
}  // namespace vaultsync::kube

namespace vaultsync::kube {
namespace {

TEST(InformerVersionKey, ExactForEtcdVersionsAndDistinctOtherwise) {
  EXPECT_EQ(InformerCore::VersionKey("0"), 0u);
  EXPECT_EQ(InformerCore::VersionKey("123456"), 123456u);
  EXPECT_EQ(InformerCore::VersionKey("999999999999999999"), 999999999999999999u);
  EXPECT_NE(InformerCore::VersionKey("123456"), InformerCore::VersionKey("123457"));
  constexpr uint64_t kTop = uint64_t{1} << 63;
  // Not canonical decimals: hashed, flagged by the top bit, so never equal to a number.
  for (const char* rv : {"", "0123", "12a", "1234567890123456789", "-1"}) {
    EXPECT_NE(InformerCore::VersionKey(rv) & kTop, 0u) << rv;
  }
  EXPECT_NE(InformerCore::VersionKey("0123"), InformerCore::VersionKey("123"));
  EXPECT_EQ(InformerCore::VersionKey("abc"), InformerCore::VersionKey("abc"));
}

}  // namespace
}  // namespace vaultsync::kube
