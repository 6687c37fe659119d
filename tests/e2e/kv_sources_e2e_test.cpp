// End-to-end tests of a VaultStaticSecret fed by several sources (spec.sources, spec.find,
// onKeyConflict) and of the force-sync annotation: the real vaultsync-operator against the kube
// and Vault emulators. Every wait is bounded and waits for something that must happen.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e_env.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::e2e {
namespace {
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Data = std::map<std::string, std::string>;

constexpr const char* kVssPath = "/apis/vaultsync.io/v1alpha1/namespaces/demo/vaultstaticsecrets/";

std::string Dump(const std::map<std::string, int64_t>& counters) {
  std::string s;
  for (const auto& [k, v] : counters) s += k + "=" + std::to_string(v) + " ";
  return s;
}

std::string DumpData(const Data& d) {
  std::string s;
  for (const auto& [k, v] : d) s += k + "=" + v + " ";
  return s;
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The cells of a `kubectl get` table, header row first, cut at the header's column starts
// (kubectl aligns columns; an empty cell is blanks).
std::vector<std::vector<std::string>> Cells(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::vector<std::vector<std::string>> out;
  if (lines.empty()) return out;
  std::vector<size_t> starts;
  for (size_t i = 0; i < lines[0].size(); ++i)
    if (lines[0][i] != ' ' && (i == 0 || lines[0][i - 1] == ' ')) starts.push_back(i);
  for (const std::string& line : lines) {
    std::vector<std::string> row;
    for (size_t c = 0; c < starts.size(); ++c) {
      size_t end = c + 1 < starts.size() ? starts[c + 1] : std::string::npos;
      std::string cell = starts[c] < line.size() ? line.substr(starts[c], end - starts[c]) : "";
      auto words = Words(cell);
      row.push_back(words.empty() ? "" : words[0]);
      if (words.size() > 1) row.back() = cell;  // not a column boundary: show it
    }
    out.push_back(std::move(row));
  }
  return out;
}

bool HasData(Env& env, const std::string& name, const Data& want) {
  auto d = env.SecretData("demo", name);
  return d.has_value() && *d == want;
}

std::string ReadyMessage(Env& env, const std::string& name) {
  auto doc = json::Parse(env.Kube("GET", std::string(kVssPath) + name).body);
  if (!doc.ok()) return "";
  const json::Value* st = json::Find(*doc, "status");
  const json::Value* conds = st ? json::Find(*st, "conditions") : nullptr;
  if (conds == nullptr || !conds->IsArray()) return "";
  for (const auto& c : conds->GetArray()) {
    if (json::View(c["type"]) == "Ready") return std::string(json::View(c["message"]));
  }
  return "";
}

TEST(KvSourcesE2E, SeveralSourcesAndFindMergeIntoOneSecretAndFollowVault) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"username":"admin","password":"s3cr3t"})");
  env->VaultPut("shared/common", R"({"region":"eu-west-1"})");
  env->VaultPut("team-a/cache", R"({"url":"redis://cache:6379","db":0})");
  env->VaultPut("team-a/queue/amqp", R"({"url":"amqp://q"})");
  env->VaultPut("team-b/other", R"({"x":"y"})");
  auto op = env->StartOperator();
  ASSERT_NE(op.process, nullptr);
  env->CreateVss("merged", R"({"mount":"secret","path":"app/db","refreshAfter":"1s",
      "destination":{"name":"merged"},
      "sources":[{"path":"shared/common"},{"path":"app/db","keyPrefix":"DB_"},
                 {"path":"not/written/yet","optional":true}],
      "find":[{"path":"team-a/"}]})");
  env->CreateVss("flat", R"({"mount":"secret","refreshAfter":"1s","destination":{"name":"flat"},
      "find":[{"path":"","nameRegex":"^team-a/","keyFormat":"flatten"}]})");

  Data merged = {{"username", "admin"},
                 {"password", "s3cr3t"},
                 {"region", "eu-west-1"},
                 {"DB_username", "admin"},
                 {"DB_password", "s3cr3t"},
                 {"cache", R"({"db":0,"url":"redis://cache:6379"})"},
                 {"queue_amqp", R"({"url":"amqp://q"})"}};
  ASSERT_TRUE(WaitFor([&] { return HasData(*env, "merged", merged); }, 20s))
      << op.process->Stderr();
  Data flat = {{"team-a_cache_url", "redis://cache:6379"},
               {"team-a_cache_db", "0"},
               {"team-a_queue_amqp_url", "amqp://q"}};
  ASSERT_TRUE(WaitFor([&] { return HasData(*env, "flat", flat); }, 10s)) << op.process->Stderr();
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "merged") == "True/Synced"; }, 10s));
  EXPECT_EQ(ReadyMessage(*env, "merged"),
            "Secret merged is in sync with secret/app/db (version 1) and 4 more sources");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "flat") == "True/Synced"; }, 10s));
  // kubectl shows the resource with the CRD's printer columns (as the API server has them from
  // crds/vaultstaticsecret.yaml); PATH is the spec's path (none for a find-only resource).
  auto columns = env->Kubectl({"get", "crd", "vaultstaticsecrets.vaultsync.io", "-o",
                               "jsonpath={.spec.versions[0].additionalPrinterColumns[*].name}"});
  ASSERT_EQ(columns.exit_code, 0) << columns.err;
  std::vector<std::string> header = {"NAME"};
  for (std::string c : Words(columns.out)) {
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    header.push_back(c);
  }
  ASSERT_EQ(header, (std::vector<std::string>{"NAME", "READY", "REASON", "PATH", "SECRET",
                                              "LAST-SYNC", "AGE"}))
      << columns.out;
  auto table = env->Kubectl({"get", "vss", "-n", "demo"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  const std::vector<std::vector<std::string>> rows = Cells(table.out);
  ASSERT_EQ(rows.size(), 3u) << table.out;
  EXPECT_EQ(rows[0], header) << table.out;
  const std::regex age("[0-9]+[smhd]([0-9]+[smh])?");
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), header.size()) << table.out;
    const bool is_merged = row[0] == "merged";
    EXPECT_TRUE(is_merged || row[0] == "flat") << table.out;
    EXPECT_EQ(row[1], "True");
    EXPECT_EQ(row[2], "Synced");
    EXPECT_EQ(row[3], is_merged ? "app/db" : "");
    EXPECT_EQ(row[4], row[0]) << "the destination Secret";
    EXPECT_TRUE(std::regex_match(row[5], age)) << row[5];
    EXPECT_TRUE(std::regex_match(row[6], age)) << row[6];
  }

  // A secret added under the folder, one removed, one soft-deleted (still listed by the
  // metadata LIST, but unreadable), and the optional source written: the next refresh
  // follows all of them.
  env->VaultPut("team-a/new", R"({"k":"v"})");
  ASSERT_EQ(env->Vault("DELETE", "/v1/secret/metadata/team-a/cache").status, 204);
  ASSERT_EQ(env->Vault("DELETE", "/v1/secret/data/team-a/queue/amqp").status, 204);
  env->VaultPut("not/written/yet", R"({"late":"1"})");
  merged.erase("cache");
  merged.erase("queue_amqp");
  merged["new"] = R"({"k":"v"})";
  merged["late"] = "1";
  EXPECT_TRUE(WaitFor([&] { return HasData(*env, "merged", merged); }, 10s))
      << DumpData(env->SecretData("demo", "merged").value_or(Data{}));
  EXPECT_TRUE(WaitFor([&] { return HasData(*env, "flat", {{"team-a_new_k", "v"}}); }, 10s));
  // The folders were listed with LIST (kv-v2: the metadata endpoint).
  auto vault = env->VaultCounters();
  EXPECT_GE(vault["LIST /v1/secret/metadata/team-a"], 1) << Dump(vault);
  EXPECT_GE(vault["LIST /v1/secret/metadata/"], 1) << Dump(vault);

  // Two sources giving one key: KeyConflict, and the Secret stays exactly as it was.
  env->VaultPut("shared/common", R"({"region":"eu-west-1","password":"other"})");
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "merged") == "False/KeyConflict"; },
      10s));
  EXPECT_THAT(ReadyMessage(*env, "merged"), HasSubstr("key \"password\" is given by both"));
  EXPECT_EQ(ReadyMessage(*env, "merged").find("other"), std::string::npos);
  EXPECT_TRUE(HasData(*env, "merged", merged));
  // LastWins: the later source (sources[0]) wins over path.
  auto patch =
      env->Kube("PATCH", std::string(kVssPath) + "merged",
                R"({"spec":{"onKeyConflict":"LastWins"}})", "application/merge-patch+json");
  ASSERT_EQ(patch.status, 200) << patch.body;
  merged["password"] = "other";
  EXPECT_TRUE(WaitFor([&] { return HasData(*env, "merged", merged); }, 10s));
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "merged") == "True/Synced"; }, 5s));

  // One source failing (Vault unavailable for it only): the whole sync fails, nothing changes.
  ASSERT_EQ(env->Vault("POST", "/__emulator/faults",
                       R"({"method":"GET","path_prefix":"/v1/secret/data/shared/","status":503})")
                .status,
            200);
  env->VaultPut("app/db", R"({"username":"admin","password":"rotated"})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultstaticsecrets", "demo", "merged") == "False/VaultUnavailable";
      },
      10s));
  EXPECT_THAT(ReadyMessage(*env, "merged"), HasSubstr("sources[0] secret/shared/common"));
  EXPECT_TRUE(HasData(*env, "merged", merged));  // not half-written with the new password
  ASSERT_EQ(env->Vault("DELETE", "/__emulator/faults").status, 200);
  merged["DB_password"] = "rotated";
  EXPECT_TRUE(WaitFor([&] { return HasData(*env, "merged", merged); }, 15s));

  // More matches than maxSecrets: TooManySecrets, and no Secret is created.
  env->CreateVss("toomany", R"({"mount":"secret","destination":{"name":"toomany"},
      "find":[{"path":"team-a","maxSecrets":1}]})");
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "toomany") == "False/TooManySecrets"; },
      10s));
  EXPECT_THAT(ReadyMessage(*env, "toomany"), HasSubstr("more than 1 secrets under secret/team-a/"));
  EXPECT_FALSE(env->SecretData("demo", "toomany").has_value());
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
}

// Three resources whose sources overlap on two paths read each path once per refresh
// between them (the shared cache serves one LIST per folder the same way).
TEST(KvSourcesE2E, OverlappingFindsShareTheirListsAndReads) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("team/a", R"({"k":"1"})");
  env->VaultPut("team/b", R"({"k":"2"})");
  auto op = env->StartOperator();
  for (const char* name : {"f1", "f2", "f3"}) {
    env->CreateVss(name,
                   std::string(R"({"mount":"secret","refreshAfter":"2s","destination":{"name":")") +
                       name + R"("},"find":[{"path":"team"}]})");
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const char* name : {"f1", "f2", "f3"}) {
          if (env->Ready("vaultstaticsecrets", "demo", name) != "True/Synced") return false;
        }
        return true;
      },
      20s))
      << op.process->Stderr();
  env->ResetCounters();
  // Several refreshes (a positive event), then the count: one LIST and one read of each
  // secret per refresh for the three resources together.
  ASSERT_TRUE(
      WaitFor([&] { return env->VaultCounters()["LIST /v1/secret/metadata/team"] >= 3; }, 20s));
  auto vault = env->VaultCounters();
  int64_t lists = vault["LIST /v1/secret/metadata/team"];
  EXPECT_LE(std::abs(vault["GET /v1/secret/data/team/a"] - lists), 1) << Dump(vault);
  EXPECT_LE(std::abs(vault["GET /v1/secret/data/team/b"] - lists), 1) << Dump(vault);
  // Each LIST at least a sharing window (refreshAfter/2) after the one before it.
  std::vector<TimePoint> times;
  for (const auto& r : env->VaultRequests()) {
    if (r.method == "LIST" && r.path == "/v1/secret/metadata/team") {
      auto t = ParseRfc3339(r.time);
      ASSERT_TRUE(t.ok());
      times.push_back(*t);
    }
  }
  for (size_t i = 1; i < times.size(); ++i) EXPECT_GT(times[i] - times[i - 1], 1s) << i;
  EXPECT_EQ(op.process->Stop(), 0);
}

// kv-v1 in sources and find: no versions, the folder LIST on the mount itself (no metadata/
// prefix), and the same merge as kv-v2. A change, an addition and a removal show at the next
// refresh.
TEST(KvSourcesE2E, KvV1SourcesAndFindMergeAndFollowVault) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  ASSERT_EQ(
      env->Vault("POST", "/v1/sys/mounts/kv", R"({"type":"kv","options":{"version":"1"}})").status,
      204);
  auto put_v1 = [&](const std::string& path, const std::string& body) {
    ASSERT_EQ(env->Vault("POST", "/v1/kv/" + path, body).status, 204) << path;
  };
  env->VaultPut("app/db", R"({"password":"s3cr3t"})");
  put_v1("legacy/app", R"({"token":"t1"})");
  put_v1("team/cache", R"({"url":"redis://c"})");
  put_v1("team/queue", R"({"url":"amqp://q"})");
  auto op = env->StartOperator();
  env->CreateVss("mixed", R"({"mount":"secret","path":"app/db","refreshAfter":"1s",
      "destination":{"name":"mixed"},
      "sources":[{"mount":"kv","type":"kv-v1","path":"legacy/app","keyPrefix":"LEGACY_"}],
      "find":[{"mount":"kv","type":"kv-v1","path":"team/","keyFormat":"flatten"}]})");
  Data want = {{"password", "s3cr3t"},
               {"LEGACY_token", "t1"},
               {"cache_url", "redis://c"},
               {"queue_url", "amqp://q"}};
  ASSERT_TRUE(WaitFor([&] { return HasData(*env, "mixed", want); }, 20s))
      << env->SecretData("demo", "mixed").value_or(Data{}).size() << " keys; "
      << ReadyMessage(*env, "mixed") << op.process->Stderr();
  EXPECT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "mixed") == "True/Synced"; }, 10s));
  EXPECT_GE(env->VaultCounters()["LIST /v1/kv/team"], 1) << "listed on the kv-v1 mount itself";

  put_v1("legacy/app", R"({"token":"t2"})");
  put_v1("team/new", R"({"url":"nats://n"})");
  ASSERT_EQ(env->Vault("DELETE", "/v1/kv/team/queue").status, 204);
  want = {{"password", "s3cr3t"},
          {"LEGACY_token", "t2"},
          {"cache_url", "redis://c"},
          {"new_url", "nats://n"}};
  EXPECT_TRUE(WaitFor([&] { return HasData(*env, "mixed", want); }, 20s))
      << ReadyMessage(*env, "mixed") << op.process->Stderr();
  EXPECT_EQ(op.process->Stop(), 0) << op.process->Stderr();
  EXPECT_THAT(op.process->Stderr(), ::testing::Not(HasSubstr("redis://c")));
}

TEST(KvSourcesE2E, ForceSyncReadsVaultAtOnceWithoutAGenerationChange) {
  auto env = Env::Start();
  ASSERT_NE(env, nullptr);
  env->VaultPut("app/db", R"({"password":"v1"})");
  env->VaultPut("app/other", R"({"password":"v1"})");
  auto op = env->StartOperator();
  // Two resources refreshed hourly. `b` reads its own path: a late event (its own Secret's
  // creation, say) may reconcile it at any time, and it must then find its cached read, not the
  // read that `a`'s forced sync refreshed (a shared read would legitimately hand it v2).
  env->CreateVss(
      "a", R"({"mount":"secret","path":"app/db","refreshAfter":"1h","destination":{"name":"a"}})");
  env->CreateVss("b", R"({"mount":"secret","path":"app/other","refreshAfter":"1h",)"
                      R"("destination":{"name":"b"}})");
  ASSERT_TRUE(WaitFor(
      [&] {
        return env->Ready("vaultstaticsecrets", "demo", "a") == "True/Synced" &&
               env->Ready("vaultstaticsecrets", "demo", "b") == "True/Synced";
      },
      20s))
      << op.process->Stderr();
  const auto generation = env->ObjectInt(std::string(kVssPath) + "a", {"metadata", "generation"});
  env->VaultPut("app/db", R"({"password":"v2"})");
  env->VaultPut("app/other", R"({"password":"v2"})");
  env->ResetCounters();
  // What a user types; the cached read (30 min old at most) is bypassed for `a` only.
  auto annotated = env->Kubectl({"annotate", "vss", "a", "-n", "demo",
                                 "vaultsync.io/force-sync=2024-05-01T10:00:00Z", "--overwrite"});
  ASSERT_EQ(annotated.exit_code, 0) << annotated.err;
  EXPECT_TRUE(WaitFor(
      [&] {
        return HasData(*env, "a", {{"password", "v2"}});
      },
      5s))
      << op.process->Stderr();
  EXPECT_EQ(env->VaultCounters()["GET /v1/secret/data/app/db"], 1);
  EXPECT_EQ(env->VaultCounters()["GET /v1/secret/data/app/other"], 0);
  EXPECT_EQ(env->ObjectInt(std::string(kVssPath) + "a", {"metadata", "generation"}), generation);
  EXPECT_TRUE(HasData(*env, "b", {{"password", "v1"}}));  // b keeps its hourly schedule
  EXPECT_THAT(op.process->Stderr(), HasSubstr("sync forced by annotation"));

  // A resource waiting out a Retry-After of an hour (Vault throttling it) is synced at once
  // too: the annotation skips the backoff.
  ASSERT_EQ(env->Vault("POST", "/__emulator/faults",
                       R"({"method":"GET","path_prefix":"/v1/secret/data/app/","status":429,
                           "retry_after_seconds":3600})")
                .status,
            200);
  env->VaultPut("app/other", R"({"password":"v3"})");
  ASSERT_EQ(env->Kubectl({"annotate", "vss", "b", "-n", "demo", "vaultsync.io/force-sync=1",
                          "--overwrite"})
                .exit_code,
            0);
  ASSERT_TRUE(WaitFor(
      [&] { return env->Ready("vaultstaticsecrets", "demo", "b") == "False/VaultUnavailable"; },
      10s));
  ASSERT_EQ(env->Vault("DELETE", "/__emulator/faults").status, 200);
  ASSERT_EQ(env->Kubectl({"annotate", "vss", "b", "-n", "demo", "vaultsync.io/force-sync=2",
                          "--overwrite"})
                .exit_code,
            0);
  EXPECT_TRUE(WaitFor(
      [&] {
        return HasData(*env, "b", {{"password", "v3"}});
      },
      5s))
      << op.process->Stderr();
  EXPECT_TRUE(
      WaitFor([&] { return env->Ready("vaultstaticsecrets", "demo", "b") == "True/Synced"; }, 5s));
  EXPECT_EQ(op.process->Stop(), 0);
}

}  // namespace
}  // namespace vaultsync::e2e
