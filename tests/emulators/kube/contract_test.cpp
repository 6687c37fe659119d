// Contract test: replays the recorded session of a real kube-apiserver v1.26
// (tests/fixtures/kube-apiserver-1.26; files from 200 on are reconstructed from the
// apiserver's source and marked so) against the kube-emulator binary, in order, and checks
// each answer: status code, Content-Type, Warning/Retry-After headers, Status reason, code
// and message, JSON shape (same keys and value types, equal values except per-run ones),
// and watch framing (one JSON event per line, same event types in the same order).
//
// Values the real session produced (uids, resourceVersions, continue tokens, JWTs) are
// carried into later requests through a recorded->emulator mapping. Steps that needed real
// time or writes that were not recorded are reproduced with the emulator's control paths
// and the same writes, as listed in StepRuleFor.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <regex>
#include <thread>

#include "fixture_file.h"
#include "http/transport.h"
#include "json_shape.h"
#include "object_json.h"
#include "process.h"

namespace vaultsync::kubeemu::testing {
namespace {

constexpr char kAdminToken[] = "contract-admin-token";

class Session {
 public:
  explicit Session(std::unique_ptr<http::Transport> t) : transport_(std::move(t)) {}

  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::string& content_type = "application/json") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.headers = {{"Authorization", std::string("Bearer ") + kAdminToken},
                   {"Accept", "application/json"},
                   {"User-Agent", "reference-recorder/1.0"}};
    if (!body.empty()) req.headers.emplace_back("Content-Type", content_type);
    req.body = body;
    auto r = transport_->Send(req);
    EXPECT_TRUE(r.ok()) << method << " " << target << ": " << r.status().message();
    return r.ok() ? *r : http::Response{};
  }

  http::Transport& transport() { return *transport_; }

  // recorded value -> emulator value
  std::map<std::string, std::string> mapping;
  std::string sa_token;  // stands for "<token of ServiceAccount demo/no-secrets>"
  std::thread held;      // a request kept in flight by a step's `before`

 private:
  std::unique_ptr<http::Transport> transport_;
};

// What to do around one recorded step.
struct StepRule {
  std::string skip_reason;                             // non-empty: not replayed, and why
  std::function<void(Session&)> before;                // unrecorded writes / control calls
  std::function<void(Session&)> during;                // while a watch is open
  std::function<void(Session&)> after;                 // undoes what `before` set up
  std::function<void(ShapeOptions&, Session&)> shape;  // comparison tweaks
  int watch_timeout_seconds = 1;                       // replaces the recorded timeoutSeconds
};

void Churn(Session& s, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    std::string name = "churn-" + std::to_string(i);
    auto c = s.Call("POST", "/api/v1/namespaces/demo/secrets",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name +
                        "\"},\"data\":{\"k\":\"dg==\"}}");
    ASSERT_EQ(c.status, 201) << c.body;
    ASSERT_EQ(s.Call("DELETE", "/api/v1/namespaces/demo/secrets/" + name).status, 200);
  }
}

std::string Mapped(Session& s, const std::string& recorded) {
  auto it = s.mapping.find(recorded);
  return it == s.mapping.end() ? recorded : it->second;
}

StepRule StepRuleFor(const std::string& file) {
  StepRule r;
  std::string n = file.substr(0, 3);
  auto subset_groups = [](ShapeOptions& o, Session&) {
    o.subset_arrays.push_back({"groups", "name"});
  };
  if (n == "004" || n == "008" || n == "009") {
    // Only the groups whose resources the emulator stores are served (each one exactly as
    // recorded); listing unserved groups would break discovery clients.
    r.shape = subset_groups;
  } else if (n == "032") {
    r.before = [](Session& s) {
      // The recorder watched from the list resourceVersion after 030.
      auto list = s.Call("GET", "/api/v1/namespaces/demo/secrets");
      auto doc = json::Parse(list.body);
      ASSERT_TRUE(doc.ok());
      s.mapping["213"] = StringAt(*doc, "metadata.resourceVersion");
    };
    r.during = [](Session& s) {
      // Not recorded: create, merge-patch and delete Secret "watched".
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      EXPECT_EQ(s.Call("POST", "/api/v1/namespaces/demo/secrets",
                       "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"
                       "\"watched\",\"labels\":{\"app\":\"demo\"}},\"data\":{\"k\":\"djE=\"}}")
                    .status,
                201);
      EXPECT_EQ(s.Call("PATCH", "/api/v1/namespaces/demo/secrets/watched",
                       "{\"data\":{\"k\":\"djI=\"}}", "application/merge-patch+json")
                    .status,
                200);
      EXPECT_EQ(s.Call("DELETE", "/api/v1/namespaces/demo/secrets/watched").status, 200);
    };
    r.watch_timeout_seconds = 2;
  } else if (n == "033") {
    r.before = [](Session& s) { Churn(s, 0, 20); };  // "after 20 more create+delete pairs"
  } else if (n == "035") {
    // "after compacting etcd at revision 257"
    r.before = [](Session& s) {
      EXPECT_EQ(s.Call("POST", "/__emulator/compact", "{}").status, 200);
    };
  } else if (n == "039") {
    // "after 80s and 60 more create+delete pairs": the real watch cache (100 events) evicted
    // the old ones; the emulator's window is set to the same 100 events.
    r.before = [](Session& s) {
      Churn(s, 20, 60);
      EXPECT_EQ(s.Call("POST", "/__emulator/watch-window", "{\"events\":100}").status, 200);
    };
    r.shape = [](ShapeOptions& o, Session&) { o.message_prefix = "too old resource version: 1 ("; };
  } else if (n == "040") {
    r.shape = [](ShapeOptions& o, Session& s) {
      o.message_prefix = "too old resource version: " + Mapped(s, "213") + " (";
    };
  } else if (n == "042") {
    r.shape = [](ShapeOptions& o, Session&) {
      o.message_prefix = "Timeout: Too large resource version: 99999999, current: ";
    };
  } else if (n == "068") {
    // The recorded token was re-signed by the real cluster's key with exp 30 min in the past;
    // the emulator's equivalent is its own 064 token after moving its clock past exp.
    r.before = [](Session& s) {
      EXPECT_EQ(s.Call("POST", "/__emulator/time", "{\"advance_seconds\":2400}").status, 200);
    };
  } else if (n == "080" || n == "081" || n == "082" || n == "083") {
    // kube-controller-manager's deployment controller (ReplicaSets, rollout status, the
    // revision annotation and its managedFields entry) is not emulated.
    r.shape = [](ShapeOptions& o, Session&) {
      o.ignored_paths = {"status", "metadata.annotations", "metadata.managedFields"};
    };
  } else if (n == "215") {
    // Reconstructed: Secret watched-held (finalizer example.com/keep) created at 463, then
    // deleted and its finalizer removed, none of it recorded. The writes happen before the
    // watch starts; the watch replays them from 463.
    r.before = [](Session& s) {
      ASSERT_EQ(s.Call("POST", "/api/v1/namespaces/demo/secrets",
                       "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"
                       "\"watched-held\",\"finalizers\":[\"example.com/keep\"]},\"type\":"
                       "\"Opaque\",\"data\":{\"k\":\"dg==\"}}")
                    .status,
                201);
      auto list = s.Call("GET", "/api/v1/namespaces/demo/secrets");
      auto doc = json::Parse(list.body);
      ASSERT_TRUE(doc.ok());
      s.mapping["463"] = StringAt(*doc, "metadata.resourceVersion");
      EXPECT_EQ(s.Call("DELETE", "/api/v1/namespaces/demo/secrets/watched-held").status, 200);
      EXPECT_EQ(s.Call("PATCH", "/api/v1/namespaces/demo/secrets/watched-held",
                       "{\"metadata\":{\"finalizers\":null}}", "application/merge-patch+json")
                    .status,
                200);
    };
  } else if (n == "216") {
    // Reconstructed: the only seat is taken (the emulator's limit set to 1, a request held in
    // flight by a latency fault; the admin is not exempt in the emulator unless asked), so
    // the ServiceAccount's request is turned away.
    r.before = [](Session& s) {
      ASSERT_EQ(s.Call("POST", "/__emulator/overload", "{\"max_inflight\":1}").status, 200);
      ASSERT_EQ(
          s.Call("POST", "/__emulator/faults",
                 "{\"latency_ms\":4000,\"path_prefix\":\"/api/v1/namespaces/demo/configmaps\"}")
              .status,
          200);
      s.held = std::thread([&s] { s.Call("GET", "/api/v1/namespaces/demo/configmaps"); });
      std::string state;
      for (int i = 0; i < 500 && state.find("\"in_flight\":1") == std::string::npos; ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        state = s.Call("GET", "/__emulator/overload").body;
      }
      ASSERT_NE(state.find("\"in_flight\":1"), std::string::npos) << state;
    };
    r.after = [](Session& s) {
      if (s.held.joinable()) s.held.join();
      EXPECT_EQ(s.Call("DELETE", "/__emulator/faults").status, 200);
      EXPECT_EQ(s.Call("POST", "/__emulator/overload", "{\"max_inflight\":0}").status, 200);
    };
  } else if (n == "091") {
    // The recorder used a token of ServiceAccount demo/no-secrets (created in 090): issue one.
    r.before = [](Session& s) {
      auto t = s.Call("POST", "/api/v1/namespaces/demo/serviceaccounts/no-secrets/token", "{}");
      ASSERT_EQ(t.status, 201) << t.body;
      auto doc = json::Parse(t.body);
      ASSERT_TRUE(doc.ok());
      s.sa_token = StringAt(*doc, "status.token");
    };
  }
  return r;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Applies the mapping to a request: quoted values in the body, query parameter values in
// the target. One pass, so a replacement is never itself replaced (an emulator value may
// equal some other recorded value).
void Substitute(const Session& s, std::string* target, std::string* body) {
  auto mapped = [&s](const std::string& v) {
    auto it = s.mapping.find(v);
    return it == s.mapping.end() ? v : it->second;
  };
  std::string out;
  for (size_t i = 0; i < body->size();) {
    if ((*body)[i] != '"') {
      out += (*body)[i++];
      continue;
    }
    size_t j = i + 1;
    while (j < body->size() && (*body)[j] != '"') j += (*body)[j] == '\\' ? 2 : 1;
    if (j >= body->size()) {
      out += body->substr(i);
      break;
    }
    out += '"' + mapped(body->substr(i + 1, j - i - 1)) + '"';
    i = j + 1;
  }
  *body = out;
  size_t q = target->find('?');
  if (q == std::string::npos) return;
  std::string query = target->substr(q + 1), rebuilt;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string::npos) pair = pair.substr(0, eq + 1) + mapped(pair.substr(eq + 1));
    rebuilt += (rebuilt.empty() ? "" : "&") + pair;
    pos = amp + 1;
  }
  *target = target->substr(0, q + 1) + rebuilt;
}

// Learns recorded->emulator values at matching positions of the two documents.
void Learn(const json::Value& rec, const json::Value& act, const std::string& key, Session& s) {
  if (rec.IsObject() && act.IsObject()) {
    for (const auto& m : rec.GetObject()) {
      const json::Value* a = json::Find(act, json::View(m.name));
      if (a != nullptr) Learn(m.value, *a, std::string(json::View(m.name)), s);
    }
  } else if (rec.IsArray() && act.IsArray() && rec.Size() == act.Size()) {
    for (rapidjson::SizeType i = 0; i < rec.Size(); ++i) Learn(rec[i], act[i], key, s);
  } else if (rec.IsString() && act.IsString() &&
             (key == "uid" || key == "resourceVersion" || key == "continue" || key == "token")) {
    std::string r(json::View(rec));
    if (!r.empty() && s.mapping.count(r) == 0) s.mapping[r] = std::string(json::View(act));
  }
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string::npos) eol = body.size();
    if (eol > pos) out.push_back(body.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return out;
}

void CompareBodies(const std::string& expected, const std::string& actual, bool stream,
                   const ShapeOptions& opts, Session& s) {
  std::vector<std::string> exp_docs = stream ? Lines(expected) : std::vector<std::string>{expected};
  std::vector<std::string> act_docs = stream ? Lines(actual) : std::vector<std::string>{actual};
  if (!stream && expected.empty()) {
    EXPECT_TRUE(actual.empty()) << actual;
    return;
  }
  if (!stream && !json::Parse(expected).ok()) {  // a plain-text answer: byte for byte
    EXPECT_EQ(actual, expected);
    return;
  }
  ASSERT_EQ(exp_docs.size(), act_docs.size()) << "events: " << actual.substr(0, 2000);
  for (size_t i = 0; i < exp_docs.size(); ++i) {
    auto e = json::Parse(exp_docs[i]);
    auto a = json::Parse(act_docs[i]);
    ASSERT_TRUE(e.ok()) << exp_docs[i];
    ASSERT_TRUE(a.ok()) << act_docs[i];
    for (const std::string& d : CompareShape(*e, *a, opts)) {
      ADD_FAILURE() << (stream ? "event " + std::to_string(i) + ": " : "") << d;
    }
    Learn(*e, *a, "", s);
  }
  bool pretty_expected = expected.find("{\n  \"") != std::string::npos;
  bool pretty_actual = actual.find("{\n  \"") != std::string::npos;
  EXPECT_EQ(pretty_expected, pretty_actual) << "indentation differs";
}

TEST(KubeApiserverContract, ReplaysRecordedSessionInOrder) {
  auto exchanges = LoadExchanges(std::string(VAULTSYNC_FIXTURES_DIR) + "/kube-apiserver-1.26");
  ASSERT_TRUE(exchanges.ok()) << exchanges.status().message();
  ASSERT_GE(exchanges->size(), 90u);

  auto emu = vaultsync::testing::StartEmulator(
      "kube-emulator",
      {"--admin-token", kAdminToken, "--watch-window", "1000", "--authorization-mode", "RBAC"});
  ASSERT_TRUE(emu.ok()) << emu.status().message();
  http::TransportConfig config;
  config.base_url = emu->url;
  config.timeout = std::chrono::seconds(20);
  auto transport = http::NewTransport(config);
  ASSERT_TRUE(transport.ok());
  Session s(std::move(transport).value());

  std::vector<std::string> skipped;
  std::string token_064;
  for (const HttpExchange& ex : *exchanges) {
    SCOPED_TRACE(ex.file);
    // A file that is not a recording says so in its leading comment.
    if (!ex.comment.empty()) {
      EXPECT_EQ(ex.comment.rfind("Reconstructed from kube-apiserver v1.26 source, not recorded", 0),
                0u)
          << ex.comment;
    }
    StepRule rule = StepRuleFor(ex.file);
    if (!rule.skip_reason.empty()) {
      skipped.push_back(ex.file.substr(0, 3));
      continue;
    }
    if (rule.before) rule.before(s);

    http::Request req;
    req.method = ex.method;
    req.target = ex.target;
    req.body = ex.request_body;
    for (auto [k, v] : ex.request_headers) {
      if (k == "Authorization") {
        v = ReplaceAll(v, "<token of ServiceAccount demo/no-secrets>", s.sa_token);
        v = ReplaceAll(v, "<token>", kAdminToken);
      }
      req.headers.emplace_back(k, v);
    }
    if (ex.file.rfind("068", 0) == 0) {
      // Use the emulator's own (now expired) token in place of the re-signed one.
      auto doc = json::Parse(req.body);
      ASSERT_TRUE(doc.ok());
      req.body = ReplaceAll(req.body, StringAt(*doc, "spec.token"), token_064);
    }
    Substitute(s, &req.target, &req.body);
    bool watch = req.target.find("watch=true") != std::string::npos;
    if (watch) {
      req.target =
          std::regex_replace(req.target, std::regex("timeoutSeconds=[0-9]+"),
                             "timeoutSeconds=" + std::to_string(rule.watch_timeout_seconds));
    }

    http::Response resp;
    if (watch) {
      std::string streamed;
      std::thread during;
      if (rule.during) during = std::thread([&] { rule.during(s); });
      auto r = s.transport().Stream(
          req,
          [&](std::string_view chunk) {
            streamed += chunk;
            return true;
          },
          nullptr);
      if (during.joinable()) during.join();
      ASSERT_TRUE(r.ok()) << r.status().message();
      resp = *r;
      if (resp.status / 100 == 2) resp.body = streamed;
    } else {
      auto r = s.transport().Send(req);
      ASSERT_TRUE(r.ok()) << r.status().message();
      resp = *r;
    }

    EXPECT_EQ(resp.status, ex.status) << resp.body.substr(0, 2000);
    auto expected_ct = http::FindHeader(ex.response_headers, "Content-Type");
    EXPECT_EQ(resp.Header("Content-Type"), expected_ct);
    for (const char* h : {"Warning", "Retry-After", "X-Content-Type-Options"}) {
      EXPECT_EQ(resp.Header(h), http::FindHeader(ex.response_headers, h)) << h;
    }
    ShapeOptions opts;
    if (rule.shape) rule.shape(opts, s);
    CompareBodies(ex.response_body, resp.body, watch && resp.status == 200, opts, s);
    if (ex.file.rfind("064", 0) == 0) {
      auto doc = json::Parse(resp.body);
      if (doc.ok()) token_064 = StringAt(*doc, "status.token");
    }
    if (rule.after) rule.after(s);
  }
  // Every step is replayed; a step the emulator cannot honour would be listed here with its
  // reason in StepRuleFor.
  EXPECT_EQ(skipped, std::vector<std::string>{});
  // A clean exit (under the sanitizers also: no leak or error reports).
  EXPECT_EQ(emu->process->Stop(), 0) << emu->process->Stderr();
}

}  // namespace
}  // namespace vaultsync::kubeemu::testing
