// Unit tests of the VaultPushSecret reconciler against in-memory fakes: pushes and the steady
// state, the refreshAfter re-check, key selection, non-UTF-8 and missing sources, kv-v2
// check-and-set and the VaultChanged report before a replace, force-sync, kv-v1, IfNotExists,
// PathConflict, PermissionDenied, tenant identities and allowedNamespaces, the finalizer in step
// with deletionPolicy, and deletion (including a Vault that refuses it).
#include "controller/vault_push_secret_reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/push_data.h"
#include "fakes.h"
#include "util/base64.h"

namespace vaultsync::controller {
namespace {
using namespace std::chrono_literals;
using testing::FakeCluster;
using testing::FakeEvents;
using testing::FakeLister;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHmacKey = "test-hmac-key";

// Vault's KV engine in memory, per "mount/path": versions, soft delete, check-and-set.
class FakeKv : public KvWriter {
 public:
  struct Entry {
    std::map<std::string, std::string> data;
    int64_t version = 0;  // kv-v2 current_version
    bool exists = false;  // the current version is readable
    bool non_string = false;
  };

  Result<KvState> ReadCurrent(const VaultIdentity& id, const KvTarget& t) override {
    std::lock_guard<std::mutex> lock(mu);
    ++reads;
    identities.push_back(id);
    if (!read_error.ok()) return read_error;
    KvState out;
    auto it = secrets.find(t.mount + "/" + t.path);
    if (it == secrets.end()) return out;
    out.exists = it->second.exists;
    out.current_version = t.type == KvType::kV2 ? it->second.version : 0;
    if (out.exists) {
      for (const auto& [k, v] : it->second.data)
        out.entries.push_back(KvEntry{k, !it->second.non_string, v});
    }
    return out;
  }
  Result<int64_t> Write(const VaultIdentity&, const KvTarget& t, const SecretData& data,
                        std::optional<int64_t> cas) override {
    if (before_write) {  // someone else writes right after the read
      auto hook = std::move(before_write);
      before_write = nullptr;
      hook();
    }
    std::lock_guard<std::mutex> lock(mu);
    if (!write_error.ok()) return write_error;
    Entry& e = secrets[t.mount + "/" + t.path];
    cases.push_back(cas);
    if (t.type == KvType::kV2 && cas && *cas != e.version) {
      return Status(StatusCode::kConflict,
                    "check-and-set parameter did not match the current version");
    }
    ++writes;
    e.data = std::map<std::string, std::string>(data.begin(), data.end());
    e.exists = true;
    e.non_string = false;
    if (t.type == KvType::kV2) ++e.version;
    return t.type == KvType::kV2 ? e.version : 0;
  }
  Status Delete(const VaultIdentity&, const KvTarget& t) override {
    std::lock_guard<std::mutex> lock(mu);
    ++deletes;
    if (!delete_error.ok()) return delete_error;
    secrets.erase(t.mount + "/" + t.path);
    return Status::Ok();
  }

  // Someone else writes (kv-v2: a new version).
  void External(const std::string& path, std::map<std::string, std::string> data) {
    std::lock_guard<std::mutex> lock(mu);
    Entry& e = secrets[path];
    e.data = std::move(data);
    e.exists = true;
    ++e.version;
  }

  std::mutex mu;
  std::map<std::string, Entry> secrets;
  int reads = 0, writes = 0, deletes = 0;
  std::vector<std::optional<int64_t>> cases;
  std::vector<VaultIdentity> identities;
  Status read_error, write_error, delete_error;
  std::function<void()> before_write;  // runs between the next read and its write
};

class FakePushMetrics : public metrics::PushMetrics {
 public:
  void ObservePush(metrics::PushResult r) override {
    ++counts[std::string(metrics::PushResultLabel(r))];
  }
  std::map<std::string, int> counts;
};

// RFC 7386 JSON merge patch of `patch` into `target`.
void MergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    if (it->value.IsNull()) {
      target.RemoveMember(it->name);
      continue;
    }
    auto existing = target.FindMember(it->name);
    if (existing == target.MemberEnd()) {
      json::Value key(it->name, a);
      json::Value v;
      v.SetObject();
      MergePatch(v, it->value, a);
      target.AddMember(key, v, a);
    } else {
      MergePatch(existing->value, it->value, a);
    }
  }
}

class PushReconcilerTest : public ::testing::Test {
 protected:
  PushReconcilerTest() {
    options_.hmac_key = kHmacKey;
    options_.jitter = 0;
    options_.defaults.vault_address = "http://vault:8200";
    options_.defaults.auth_method = AuthMethod::kToken;
    options_.defaults.vault_token = "operator-token";
    pushes_.AddIndex(kIndexPushSourceSecret, PushSourceIndexValues);
    pushes_.AddIndex(kIndexPushVaultPath, PushVaultPathIndexValues);
    PutSecret("app", {{"password", "s3cr3t"}, {"username", "admin"}});
  }

  std::unique_ptr<VaultPushSecretReconciler> Make() {
    VaultPushSecretReconcilerDeps d;
    d.pushes = &pushes_;
    d.sources = &sources_;
    d.admit_source = [this](const json::Value& secret) {
      ++admitted_;
      Admit(secret);
    };
    d.auths = &auths_;
    d.connections = &conns_;
    d.cluster = &cluster_;
    d.events = &events_;
    d.vault = &kv_;
    d.clock = &clock_;
    d.metrics = &metrics_;
    d.logger = &logger_;
    return std::make_unique<VaultPushSecretReconciler>(d, options_);
  }

  // A Secret in namespace demo with raw `data`.
  void PutSecret(const std::string& name, const std::map<std::string, std::string>& data) {
    std::string d;
    for (const auto& [k, v] : data)
      d += (d.empty() ? "" : ",") + json::Quote(k) + ":\"" + base64::Encode(v) + "\"";
    cluster_.PutSecret("demo", R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":")" + name +
                                   R"(","namespace":"demo","resourceVersion":")" +
                                   std::to_string(++secret_rv_) + R"("},"data":{)" + d + "}}");
  }

  // A VaultPushSecret demo/<name> with the given spec JSON.
  void PutVps(const std::string& spec, const std::string& name = "push",
              const std::string& created = "2026-01-01T00:00:00Z") {
    std::string key = "demo/" + name;
    std::string status, finalizers;
    if (auto old = json_.find(key); old != json_.end()) {
      auto d = json::Parse(old->second);
      if (const json::Value* st = json::Find(*d, "status"))
        status = ",\"status\":" + json::Serialize(*st);
      if (const json::Value* f = json::Find((*d)["metadata"], "finalizers"))
        finalizers = ",\"finalizers\":" + json::Serialize(*f);
    }
    int64_t gen = ++generation_[key];
    json_[key] =
        R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultPushSecret","metadata":{"name":")" +
        name + R"(","namespace":"demo","uid":"uid-)" + name +
        R"(","resourceVersion":"1","generation":)" + std::to_string(gen) +
        R"(,"creationTimestamp":")" + created + "\"" + finalizers + R"(},"spec":)" + spec + status +
        "}";
    Redecode(key);
  }

  void Redecode(const std::string& key) {
    auto doc = json::Parse(json_[key]);
    ASSERT_TRUE(doc.ok()) << json_[key];
    auto v = DecodeVaultPushSecret(*doc);
    ASSERT_TRUE(v.ok());
    pushes_.Put(key, *v);
  }

  // A field of the stored object, by path of member names ("" when missing).
  std::string Field(const std::string& key, const std::vector<std::string>& path) {
    auto d = json::Parse(json_[key]);
    const json::Value* v = &*d;
    for (const auto& p : path) {
      v = json::Find(*v, p);
      if (v == nullptr) return "";
    }
    return v->IsString() ? std::string(json::View(*v)) : json::Serialize(*v);
  }
  std::string Condition(const std::string& key, const std::string& field) {
    auto d = json::Parse(json_[key]);
    const json::Value* st = json::Find(*d, "status");
    const json::Value* conds = st ? json::Find(*st, "conditions") : nullptr;
    if (conds == nullptr) return "";
    for (const auto& c : conds->GetArray()) {
      if (json::View(c["type"]) == "Ready") return std::string(json::View(c[field.c_str()]));
    }
    return "";
  }
  std::string Ready(const std::string& key = "demo/push") {
    return Condition(key, "status") + "/" + Condition(key, "reason");
  }

  // Plays the API server and the informers: applies the status and finalizer patches sent so
  // far, and decodes every Secret of the fake cluster into the filtered cache again.
  void Settle() {
    for (const std::string& patch : cluster_.status_patch_bodies)
      ApplyPatch("demo/" + last_patched_, patch);
    cluster_.status_patch_bodies.clear();
    for (size_t i = applied_object_patches_; i < cluster_.object_patch_bodies.size(); ++i) {
      const std::string& body = cluster_.object_patch_bodies[i];
      size_t sp1 = body.find(' '), sp2 = body.find(' ', sp1 + 1);
      ApplyPatch(body.substr(sp1 + 1, sp2 - sp1 - 1), body.substr(sp2 + 1));
    }
    applied_object_patches_ = cluster_.object_patch_bodies.size();
    RefreshSources();
  }
  void ApplyPatch(const std::string& key, const std::string& patch) {
    auto d = json::Parse(json_[key]);
    auto p = json::Parse(patch);
    ASSERT_TRUE(d.ok() && p.ok()) << patch;
    if (auto* md = json::Find(*p, "metadata"); md != nullptr) {
      const_cast<json::Value*>(md)->RemoveMember("resourceVersion");
    }
    MergePatch(*d, *p, d->GetAllocator());
    json_[key] = json::Serialize(*d);
    Redecode(key);
  }
  void RefreshSources() {
    for (std::string name : {"app", "other"}) {
      auto text = cluster_.SecretJson("demo", name);
      if (!text) {
        sources_.Remove("demo/" + name);
        continue;
      }
      Admit(*json::Parse(*text));
    }
  }
  void Admit(const json::Value& secret) {
    auto decoded = PushSourceDecoder(&hmac_key_, [this](const std::string& key) {
      return pushes_.ByIndex(kIndexPushSourceSecret, key);
    })(secret);
    ASSERT_TRUE(decoded.ok());
    std::string key = "demo/" + std::string(json::View(secret["metadata"]["name"]));
    if (decoded->has_value()) {
      sources_.Put(key, **decoded);
    } else {
      sources_.Remove(key);
    }
  }

  // Sets the annotation vaultsync.io/force-sync as `kubectl annotate` does: no generation change.
  void ForceSync(const std::string& value, const std::string& key = "demo/push") {
    ApplyPatch(key, R"({"metadata":{"annotations":{"vaultsync.io/force-sync":")" + value + "\"}}}");
  }

  // Reconciles demo/<name>, then settles what it wrote.
  runtime::ReconcileResult Run(VaultPushSecretReconciler& r, const std::string& name = "push") {
    last_patched_ = name;
    auto result = r.Reconcile("demo/" + name);
    Settle();
    return result;
  }

  int Events(const std::string& reason) {
    int n = 0;
    for (const auto& e : events_.events) n += e.reason == reason;
    return n;
  }
  std::string LastEvent(const std::string& reason) {
    for (auto it = events_.events.rbegin(); it != events_.events.rend(); ++it)
      if (it->reason == reason) return it->message;
    return "";
  }

  static constexpr const char* kSpec = R"({"secretName":"app","mount":"secret","path":"app/x"})";

  FakeLister<VaultPushSecret> pushes_;
  FakeLister<PushSource> sources_;
  FakeLister<VaultAuth> auths_;
  FakeLister<VaultConnection> conns_;
  FakeCluster cluster_;
  FakeEvents events_;
  FakeKv kv_;
  FakePushMetrics metrics_;
  FakeClock clock_;
  std::ostringstream log_;
  log::Logger logger_{&log_};
  VaultPushSecretReconcilerOptions options_;
  std::map<std::string, std::string> json_;
  std::map<std::string, int64_t> generation_;
  std::string last_patched_ = "push";
  size_t applied_object_patches_ = 0;
  int secret_rv_ = 10;
  int admitted_ = 0;
  const std::string hmac_key_ = kHmacKey;
};

TEST_F(PushReconcilerTest, PushesOnCreateWithCheckAndSetZero) {
  PutVps(kSpec);
  auto r = Make();
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  ASSERT_TRUE(result.requeue_after.has_value());
  EXPECT_EQ(*result.requeue_after, 1h) << "the default refreshAfter";
  ASSERT_EQ(kv_.writes, 1);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data,
            (std::map<std::string, std::string>{{"password", "s3cr3t"}, {"username", "admin"}}));
  EXPECT_EQ(kv_.cases, (std::vector<std::optional<int64_t>>{0}));
  EXPECT_EQ(Ready(), "True/Synced");
  EXPECT_EQ(Field("demo/push", {"status", "destinationVersion"}), "1");
  EXPECT_EQ(Field("demo/push", {"status", "vaultPath"}), "secret/app/x");
  EXPECT_EQ(Field("demo/push", {"status", "observedGeneration"}), "1");
  EXPECT_FALSE(Field("demo/push", {"status", "lastPushTime"}).empty());
  EXPECT_EQ(Field("demo/push", {"status", "secretMAC"}),
            DataMac(kHmacKey, {{"password", "s3cr3t"}, {"username", "admin"}}));
  EXPECT_EQ(metrics_.counts["created"], 1);
  EXPECT_EQ(LastEvent("Pushed"), "Created secret/app/x (version 1) from Secret app");
  EXPECT_EQ(admitted_, 1) << "the live read went to the cache";
  // The operator's default identity.
  ASSERT_FALSE(kv_.identities.empty());
  EXPECT_EQ(kv_.identities[0].literal_token, "operator-token");
  // No value anywhere it reports.
  for (const auto& e : events_.events) EXPECT_THAT(e.message, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(json_["demo/push"], Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(log_.str(), Not(HasSubstr("s3cr3t")));
}

TEST_F(PushReconcilerTest, SteadyStateTalksToNobodyUntilTheReCheck) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","refreshAfter":"10m"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  int reads = kv_.reads, gets = cluster_.gets, writes = cluster_.writes();
  for (int i = 0; i < 3; ++i) {
    auto result = Run(*r);
    ASSERT_TRUE(result.error.ok());
    ASSERT_TRUE(result.requeue_after.has_value());
    EXPECT_LE(*result.requeue_after, 10min);
  }
  EXPECT_EQ(kv_.reads, reads) << "nothing can differ: no Vault read";
  EXPECT_EQ(cluster_.gets, gets) << "the cache's digest answered";
  EXPECT_EQ(cluster_.writes(), writes);
  // At refreshAfter Vault is read again; unchanged, nothing is written.
  clock_.Advance(10min);
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok());
  EXPECT_EQ(kv_.reads, reads + 1);
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(cluster_.writes(), writes) << "status unchanged: not written";
  EXPECT_EQ(metrics_.counts["unchanged"], 1);
}

TEST_F(PushReconcilerTest, ASecretChangeIsPushedWithCheckAndSetOnTheLastVersion) {
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  PutSecret("app", {{"password", "rotated"}, {"username", "admin"}});
  RefreshSources();  // the watch
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.cases.back(), 1);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "rotated");
  EXPECT_EQ(Field("demo/push", {"status", "destinationVersion"}), "2");
  EXPECT_EQ(metrics_.counts["updated"], 1);
  EXPECT_EQ(LastEvent("Pushed"), "Updated secret/app/x (version 2) from Secret app");
}

TEST_F(PushReconcilerTest, ItsOwnLastWriteIsNotTakenForSomeoneElsesWhileStatusLags) {
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(r->Reconcile("demo/push").error.ok());  // version 1; status not seen yet
  cluster_.status_patch_bodies.clear();
  PutSecret("app", {{"password", "next"}});
  RefreshSources();
  auto result = r->Reconcile("demo/push");
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  EXPECT_EQ(Events("VaultChanged"), 0);
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.cases, (std::vector<std::optional<int64_t>>{0, 1}));
}

TEST_F(PushReconcilerTest, KeysSelectWhatIsPushedAndAMissingKeyWritesNothing) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","keys":["password"]})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.secrets["secret/app/x"].data,
            (std::map<std::string, std::string>{{"password", "s3cr3t"}}));
  // An unselected key changes: the digest of the selection does not, nothing happens.
  PutSecret("app", {{"password", "s3cr3t"}, {"username", "root"}});
  RefreshSources();
  int reads = kv_.reads;
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads);
  // A selected key disappears.
  PutSecret("app", {{"username", "root"}});
  RefreshSources();
  auto result = Run(*r);
  EXPECT_FALSE(result.error.ok());
  EXPECT_FALSE(result.terminal);
  EXPECT_EQ(Ready(), "False/SourceNotFound");
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr(R"(Secret app has no key "password")"));
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(metrics_.counts["error"], 1);
}

TEST_F(PushReconcilerTest, NonUtf8ValuesAreInvalidSpecAndNothingIsWritten) {
  PutSecret("app", {{"blob", std::string("\xff\xfe\x00\x01", 4)}, {"username", "admin"}});
  PutVps(kSpec);
  auto r = Make();
  auto result = Run(*r);
  EXPECT_TRUE(result.terminal) << "waits for the Secret to change (its watch brings it back)";
  EXPECT_EQ(Ready(), "False/InvalidSpec");
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr(R"(key "blob" is not valid UTF-8)"));
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_EQ(kv_.reads, 1);
  EXPECT_EQ(Events("InvalidSpec"), 1);
}

TEST_F(PushReconcilerTest, AMissingSecretWritesNothing) {
  PutVps(R"({"secretName":"nope","mount":"secret","path":"app/x","refreshAfter":"5m"})");
  auto r = Make();
  auto result = Run(*r);
  EXPECT_FALSE(result.error.ok());
  ASSERT_TRUE(result.requeue_after.has_value());
  EXPECT_EQ(*result.requeue_after, 5min);
  EXPECT_EQ(Ready(), "False/SourceNotFound");
  EXPECT_THAT(Condition("demo/push", "message"),
              HasSubstr("Secret nope not found in namespace demo"));
  EXPECT_EQ(kv_.writes, 0);
}

TEST_F(PushReconcilerTest, VaultChangedIsReportedBeforeAReplaceOverwritesIt) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","refreshAfter":"1m"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  kv_.External("secret/app/x", {{"password", "by-hand"}});  // version 2
  clock_.Advance(1min);
  // The re-check finds version 2: reported, not overwritten.
  last_patched_ = "push";
  auto result = r->Reconcile("demo/push");
  ASSERT_TRUE(result.error.ok());
  EXPECT_EQ(result.requeue_after, std::optional<std::chrono::milliseconds>(1s));
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(Events("VaultChanged"), 1);
  EXPECT_TRUE(events_.events.back().warning);
  EXPECT_EQ(LastEvent("VaultChanged"),
            "secret/app/x was changed in Vault outside this VaultPushSecret: it is at version 2 "
            "(this resource last synced version 1); the next push replaces it (updatePolicy "
            "Replace)");
  EXPECT_EQ(metrics_.counts["conflict"], 1);
  Settle();
  EXPECT_EQ(Ready(), "False/VaultChanged");
  // The next push replaces exactly the reported version.
  result = Run(*r);
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.cases.back(), 2);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "s3cr3t");
  EXPECT_EQ(Ready(), "True/Synced");
  EXPECT_EQ(Field("demo/push", {"status", "destinationVersion"}), "3");
  EXPECT_EQ(LastEvent("Pushed"),
            "Replaced secret/app/x version 2, changed outside this VaultPushSecret, with Secret "
            "app (version 3)");
}

TEST_F(PushReconcilerTest, AReportThatDidNotReachStatusIsMadeAgainBeforeAnyReplace) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","refreshAfter":"1m"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  kv_.External("secret/app/x", {{"password", "by-hand"}});
  clock_.Advance(1min);
  cluster_.fail_writes = Status(StatusCode::kUnavailable, "API server down");
  auto result = Run(*r);
  EXPECT_FALSE(result.error.ok());
  cluster_.fail_writes = Status::Ok();
  EXPECT_EQ(kv_.writes, 1) << "not reported: not replaced";
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(Ready(), "False/VaultChanged");
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 2);
}

TEST_F(PushReconcilerTest, AVersionWrittenAfterTheReportIsReportedAgain) {
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  kv_.External("secret/app/x", {{"password", "by-hand"}});
  PutSecret("app", {{"password", "next"}, {"username", "admin"}});
  RefreshSources();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(Ready(), "False/VaultChanged");
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr("version 2"));
  kv_.External("secret/app/x", {{"password", "again"}});  // version 3, never reported
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr("version 3"));
  EXPECT_EQ(Events("VaultChanged"), 2);
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.cases.back(), 3);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "next");
}

TEST_F(PushReconcilerTest, AWriteBetweenReadAndWriteLosesTheCheckAndSetAndIsCheckedAgain) {
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  PutSecret("app", {{"password", "next"}, {"username", "admin"}});
  RefreshSources();
  kv_.before_write = [this] { kv_.External("secret/app/x", {{"password", "racer"}}); };
  auto result = Run(*r);
  EXPECT_EQ(result.error.code(), StatusCode::kConflict);
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "racer") << "not lost";
  EXPECT_EQ(metrics_.counts["conflict"], 1);
  // The retry sees the racer's version and reports it.
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(Ready(), "False/VaultChanged");
}

TEST_F(PushReconcilerTest, ReplaceOverwritesAnExistingSecretOnTheFirstPush) {
  kv_.External("secret/app/x", {{"password", "old"}});
  kv_.External("secret/app/x", {{"password", "older"}});  // version 2
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.cases, (std::vector<std::optional<int64_t>>{2}));
  EXPECT_EQ(Ready(), "True/Synced");
  EXPECT_EQ(LastEvent("Pushed"),
            "Replaced the existing secret/app/x (version 2) with Secret app (version 3)");
  EXPECT_EQ(metrics_.counts["updated"], 1);
}

TEST_F(PushReconcilerTest, VaultAlreadyHoldingTheDataIsAdoptedWithoutAWrite) {
  kv_.External("secret/app/x", {{"password", "s3cr3t"}, {"username", "admin"}});
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_EQ(Ready(), "True/Synced");
  EXPECT_EQ(Field("demo/push", {"status", "destinationVersion"}), "1");
  EXPECT_EQ(Field("demo/push", {"status", "lastPushTime"}), "") << "nothing was pushed";
  EXPECT_EQ(metrics_.counts["unchanged"], 1);
  // From then on it is ours: a change by someone else is reported.
  kv_.External("secret/app/x", {{"password", "by-hand"}});
  clock_.Advance(1h);
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(Ready(), "False/VaultChanged");
}

TEST_F(PushReconcilerTest, IfNotExistsNeverOverwrites) {
  kv_.External("secret/app/x", {{"password", "theirs"}});
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","updatePolicy":"IfNotExists"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_EQ(Ready(), "True/AlreadyExists");
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr("updatePolicy IfNotExists leaves it"));
  PutSecret("app", {{"password", "next"}});
  RefreshSources();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "theirs");
  EXPECT_EQ(metrics_.counts["unchanged"], 2);
}

TEST_F(PushReconcilerTest, IfNotExistsCreatesOnceAndThenLeavesIt) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","updatePolicy":"IfNotExists"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(kv_.cases, (std::vector<std::optional<int64_t>>{0})) << "only if none exists";
  PutSecret("app", {{"password", "next"}});
  RefreshSources();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(Ready(), "True/AlreadyExists");
}

TEST_F(PushReconcilerTest, KvV1PushesWithoutVersionsAndReportsChangesByTheirData) {
  PutVps(R"({"secretName":"app","mount":"kv","path":"app/x","type":"kv-v1","refreshAfter":"1m"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.cases, (std::vector<std::optional<int64_t>>{std::nullopt})) << "no cas in kv-v1";
  EXPECT_EQ(Field("demo/push", {"status", "destinationVersion"}), "") << "kv-v1 has none";
  EXPECT_EQ(Ready(), "True/Synced");
  kv_.secrets["kv/app/x"].data["password"] = "by-hand";
  clock_.Advance(1min);
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(Ready(), "False/VaultChanged");
  EXPECT_EQ(Condition("demo/push", "message"),
            "kv/app/x was changed in Vault outside this VaultPushSecret; the next push replaces "
            "it (updatePolicy Replace)");
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.secrets["kv/app/x"].data["password"], "s3cr3t");
}

TEST_F(PushReconcilerTest, TheYoungerOfTwoOnOnePathWritesNothing) {
  PutVps(kSpec, "older", "2026-01-01T00:00:00Z");
  PutVps(kSpec, "younger", "2026-01-02T00:00:00Z");
  auto r = Make();
  auto young = Run(*r, "younger");
  EXPECT_FALSE(young.error.ok());
  EXPECT_EQ(Ready("demo/younger"), "False/PathConflict");
  EXPECT_EQ(Condition("demo/younger", "message"),
            "VaultPushSecret demo/older (older) already pushes to secret/app/x; this one writes "
            "nothing while it does");
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_EQ(kv_.reads, 0);
  EXPECT_EQ(metrics_.counts["conflict"], 1);
  ASSERT_TRUE(Run(*r, "older").error.ok());
  EXPECT_EQ(kv_.writes, 1);
  // Same creation time: the name decides.
  PutVps(kSpec, "a-twin", "2026-01-02T00:00:00Z");
  ASSERT_FALSE(Run(*r, "younger").error.ok());
  EXPECT_THAT(Condition("demo/younger", "message"), HasSubstr("demo/older"));
  // Once the older is gone, the younger writes.
  pushes_.Remove("demo/older");
  pushes_.Remove("demo/a-twin");
  ASSERT_TRUE(Run(*r, "younger").error.ok());
  EXPECT_EQ(Ready("demo/younger"), "True/Synced");
}

TEST_F(PushReconcilerTest, TheSamePathOnAnotherVaultIsNoConflict) {
  auto conn = DecodeVaultConnection(*json::Parse(
      R"({"metadata":{"name":"other","namespace":"demo"},"spec":{"address":"http://other-vault:8200"}})"));
  conns_.Put("demo/other", *conn);
  auto auth = DecodeVaultAuth(*json::Parse(
      R"({"metadata":{"name":"other","namespace":"demo"},"spec":{"vaultConnectionRef":"other","method":"token","token":{"secretRef":"t"}}})"));
  auths_.Put("demo/other", *auth);
  PutVps(kSpec, "older", "2026-01-01T00:00:00Z");
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","vaultAuthRef":"other"})",
         "younger", "2026-01-02T00:00:00Z");
  auto r = Make();
  ASSERT_TRUE(Run(*r, "younger").error.ok());
  EXPECT_EQ(Ready("demo/younger"), "True/Synced");
  EXPECT_EQ(kv_.identities.back().address, "http://other-vault:8200");
}

TEST_F(PushReconcilerTest, APolicyThatDeniesWriteGivesPermissionDeniedAndNothingElseChanges) {
  PutVps(kSpec);
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  std::string before = Field("demo/push", {"status", "lastPushTime"}) +
                       Field("demo/push", {"status", "secretMAC"}) +
                       Field("demo/push", {"status", "destinationVersion"});
  PutSecret("app", {{"password", "next"}});
  RefreshSources();
  kv_.write_error =
      Status(StatusCode::kPermissionDenied,
             "write secret/data/app/x: 1 error occurred: permission denied (HTTP 403)", 403);
  auto result = Run(*r);
  EXPECT_FALSE(result.error.ok());
  EXPECT_FALSE(result.terminal);
  EXPECT_EQ(Ready(), "False/PermissionDenied");
  EXPECT_THAT(Condition("demo/push", "message"), HasSubstr("writing secret/app/x to Vault: "));
  EXPECT_EQ(Field("demo/push", {"status", "lastPushTime"}) +
                Field("demo/push", {"status", "secretMAC"}) +
                Field("demo/push", {"status", "destinationVersion"}),
            before);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "s3cr3t");
  EXPECT_EQ(metrics_.counts["error"], 1);
  // Vault down while reading: VaultUnavailable, retried.
  kv_.read_error = Status(StatusCode::kUnavailable, "connection refused");
  EXPECT_FALSE(Run(*r).error.ok());
  EXPECT_EQ(Ready(), "False/VaultUnavailable");
}

TEST_F(PushReconcilerTest, ForceSyncReadsVaultAtOnceAndAppliesThePushRules) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","refreshAfter":"1h"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  ASSERT_EQ(kv_.writes, 1);
  kv_.External("secret/app/x", {{"password", "by-hand"}});  // version 2
  int reads = kv_.reads;
  // In sync as far as the cache knows and the re-check is an hour away: Vault is not asked.
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads);
  EXPECT_EQ(Ready(), "True/Synced");
  // A new force-sync value: Vault is read at once, and the foreign version is reported
  // before anything replaces it.
  ForceSync("1");
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  EXPECT_EQ(kv_.reads, reads + 1);
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(Ready(), "False/VaultChanged");
  EXPECT_EQ(Events("VaultChanged"), 1);
  EXPECT_EQ(Field("demo/push", {"metadata", "generation"}), "1") << "not a spec change";
  // The next reconcile replaces exactly the reported version (check-and-set on it).
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 2);
  EXPECT_EQ(kv_.cases.back(), 2);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "s3cr3t");
  EXPECT_EQ(Ready(), "True/Synced");
  // The same value again forces nothing; another new value reads Vault once more.
  reads = kv_.reads;
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads);
  ForceSync("2");
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads + 1);
  EXPECT_EQ(kv_.writes, 2) << "in sync: nothing written";
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads + 1) << "the forced check is taken once";
}

TEST_F(PushReconcilerTest, ForceSyncWithIfNotExistsLeavesAChangedSecretAlone) {
  PutVps(
      R"({"secretName":"app","mount":"secret","path":"app/x","refreshAfter":"1h","updatePolicy":"IfNotExists"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  ASSERT_EQ(kv_.writes, 1);
  kv_.External("secret/app/x", {{"password", "by-hand"}});
  int reads = kv_.reads;
  ForceSync("now");
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.reads, reads + 1) << "forced: Vault was asked";
  EXPECT_EQ(kv_.writes, 1);
  EXPECT_EQ(kv_.secrets["secret/app/x"].data["password"], "by-hand");
  EXPECT_EQ(Ready(), "True/AlreadyExists");
  EXPECT_EQ(Events("VaultChanged"), 0);
}

TEST_F(PushReconcilerTest, AVaultAuthThatDoesNotAllowTheNamespaceGivesNamespaceNotAllowed) {
  auto auth = DecodeVaultAuth(*json::Parse(
      R"({"metadata":{"name":"shared","namespace":"platform","uid":"a1","generation":1},
          "spec":{"method":"kubernetes","kubernetes":{"role":"r","serviceAccount":"pusher"},"allowedNamespaces":["team-b"]}})"));
  auths_.Put("platform/shared", *auth);
  PutVps(
      R"({"secretName":"app","mount":"secret","path":"app/x","vaultAuthRef":"platform/shared"})");
  auto r = Make();
  auto result = Run(*r);
  EXPECT_TRUE(result.terminal) << "waits for the VaultAuth or the resource to change";
  EXPECT_EQ(Ready(), "False/NamespaceNotAllowed");
  EXPECT_THAT(Condition("demo/push", "message"),
              HasSubstr("VaultAuth platform/shared does not allow namespace demo"));
  EXPECT_EQ(Events("NamespaceNotAllowed"), 1);
  EXPECT_EQ(kv_.reads, 0);
  EXPECT_EQ(kv_.writes, 0);
  EXPECT_TRUE(kv_.secrets.empty());
}

TEST_F(PushReconcilerTest, ATenantIdentityPushesAsTheResourcesNamespace) {
  auto auth = DecodeVaultAuth(*json::Parse(
      R"({"metadata":{"name":"shared","namespace":"platform","uid":"a1","generation":1},
          "spec":{"method":"kubernetes","kubernetes":{"role":"r","serviceAccount":"pusher"},"allowedNamespaces":["demo"]}})"));
  auths_.Put("platform/shared", *auth);
  PutVps(
      R"({"secretName":"app","mount":"secret","path":"app/x","vaultAuthRef":"platform/shared"})");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  ASSERT_FALSE(kv_.identities.empty());
  for (const VaultIdentity& id : kv_.identities) {
    EXPECT_EQ(id.token_sa_namespace, "demo");  // never "platform"
    EXPECT_EQ(id.token_sa_name, "pusher");
    EXPECT_EQ(id.metrics_label, "platform/shared");
  }
}

TEST_F(PushReconcilerTest, TheFinalizerFollowsTheDeletionPolicy) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","deletionPolicy":"Delete"})");
  auto r = Make();
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok());
  EXPECT_EQ(kv_.writes, 0) << "the finalizer first; the update brings the object back";
  ASSERT_EQ(cluster_.object_patch_bodies.size(), 1u);
  EXPECT_THAT(cluster_.object_patch_bodies[0],
              HasSubstr(R"("finalizers":["vaultsync.io/push-cleanup"])"));
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.writes, 1);
  // Back to Retain: the finalizer goes.
  PutVps(R"({"secretName":"app","mount":"secret","path":"app/x","deletionPolicy":"Retain"})");
  ASSERT_TRUE(Run(*r).error.ok());
  ASSERT_EQ(cluster_.object_patch_bodies.size(), 2u);
  EXPECT_THAT(cluster_.object_patch_bodies[1], HasSubstr(R"("finalizers":[])"));
}

class PushDeletionTest : public PushReconcilerTest {
 protected:
  // A resource with deletionPolicy Delete that pushed, then deletion started.
  void PushedThenDeleting(const std::string& spec) {
    PutVps(spec);
    auto r = Make();
    ASSERT_TRUE(Run(*r).error.ok());  // finalizer
    ASSERT_TRUE(Run(*r).error.ok());  // push
    ASSERT_EQ(kv_.writes, 1);
    auto d = json::Parse(json_["demo/push"]);
    auto& a = d->GetAllocator();
    (*d)["metadata"].AddMember("deletionTimestamp", json::StringValue("2026-01-03T00:00:00Z", a),
                               a);
    json_["demo/push"] = json::Serialize(*d);
    Redecode("demo/push");
  }
  static constexpr const char* kDeleteSpec =
      R"({"secretName":"app","mount":"secret","path":"app/x","deletionPolicy":"Delete"})";
};

TEST_F(PushDeletionTest, DeleteRemovesWhatItPushedThenTheFinalizer) {
  PushedThenDeleting(kDeleteSpec);
  auto r = Make();
  auto result = Run(*r);
  ASSERT_TRUE(result.error.ok()) << result.error.ToString();
  EXPECT_EQ(kv_.deletes, 1);
  EXPECT_EQ(kv_.secrets.count("secret/app/x"), 0u);
  EXPECT_THAT(cluster_.object_patch_bodies.back(), HasSubstr(R"("finalizers":[])"));
}

TEST_F(PushDeletionTest, ARefusedDeleteKeepsTheFinalizerWithAClearCondition) {
  PushedThenDeleting(kDeleteSpec);
  auto r = Make();
  size_t patches = cluster_.object_patch_bodies.size();
  kv_.delete_error = Status(StatusCode::kPermissionDenied,
                            "delete secret/metadata/app/x: permission denied (HTTP 403)", 403);
  auto result = Run(*r);
  EXPECT_FALSE(result.error.ok());
  EXPECT_FALSE(result.terminal) << "retried with backoff";
  EXPECT_EQ(cluster_.object_patch_bodies.size(), patches) << "the finalizer stays";
  EXPECT_EQ(Ready(), "False/DeleteFailed");
  std::string message = Condition("demo/push", "message");
  EXPECT_THAT(message, HasSubstr("deleting secret/app/x from Vault failed: delete "
                                 "secret/metadata/app/x: permission denied"));
  EXPECT_THAT(message, HasSubstr("kubectl patch vaultpushsecret push -n demo --type=merge -p "
                                 "'{\"metadata\":{\"finalizers\":null}}'"));
  EXPECT_EQ(Events("DeleteFailed"), 1);
  EXPECT_EQ(metrics_.counts["error"], 0) << "a deletion is not a push";
  // Allowed again: the next attempt completes.
  kv_.delete_error = Status::Ok();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.secrets.count("secret/app/x"), 0u);
  EXPECT_THAT(cluster_.object_patch_bodies.back(), HasSubstr(R"("finalizers":[])"));
}

TEST_F(PushDeletionTest, NothingIsDeletedWhereItNeverSynced) {
  // A resource that moved to another path and could not push there (a PathConflict loser
  // would be the same): the path it names is not its own, so it is left alone.
  PushedThenDeleting(kDeleteSpec);
  kv_.External("secret/app/y", {{"k", "v"}});
  auto d = json::Parse(json_["demo/push"]);
  (*d)["spec"]["path"] = json::StringValue("app/y", d->GetAllocator());
  json_["demo/push"] = json::Serialize(*d);
  Redecode("demo/push");
  auto r = Make();
  ASSERT_TRUE(Run(*r).error.ok());
  EXPECT_EQ(kv_.deletes, 0);
  EXPECT_EQ(kv_.secrets.count("secret/app/y"), 1u);
  EXPECT_THAT(cluster_.object_patch_bodies.back(), HasSubstr(R"("finalizers":[])"));
}

TEST_F(PushReconcilerTest, InvalidSpecIsTerminal) {
  PutVps(R"({"secretName":"app","mount":"secret","path":"/abs"})");
  auto r = Make();
  auto result = Run(*r);
  EXPECT_TRUE(result.terminal);
  EXPECT_EQ(Ready(), "False/InvalidSpec");
  EXPECT_EQ(kv_.reads, 0);
}

TEST_F(PushReconcilerTest, ADeletedResourceIsForgotten) {
  auto r = Make();
  auto result = r->Reconcile("demo/gone");
  EXPECT_TRUE(result.error.ok());
  EXPECT_FALSE(result.requeue_after.has_value());
}

}  // namespace
}  // namespace vaultsync::controller
