// The end-to-end bench.
#include "e2e_env.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "http_server.h"
#include "util/base64.h"
#include "util/json.h"
#include "yaml_json.h"

namespace vaultsync::e2e {
namespace {

std::unique_ptr<http::Transport> Connect(const std::string& url) {
  http::TransportConfig c;
  c.base_url = url;
  c.timeout = std::chrono::seconds(10);
  c.tls.skip_verify = true;  // the kube emulator's self-signed certificate (kubectl checks it)
  auto t = http::NewTransport(c);
  return t.ok() ? std::move(*t) : nullptr;
}

http::Response Call(http::Transport& t, const std::string& method, const std::string& path,
                    const std::string& body, http::Headers headers) {
  http::Request r;
  r.method = method;
  r.target = path;
  r.body = body;
  r.headers = std::move(headers);
  auto resp = t.Send(r);
  if (!resp.ok()) return http::Response{0, {}, resp.status().ToString()};
  return *resp;
}

std::map<std::string, int64_t> Counters(http::Transport& t) {
  std::map<std::string, int64_t> out;
  auto resp = Call(t, "GET", "/__emulator/counters", "", {});
  auto doc = json::Parse(resp.body);
  if (!doc.ok()) return out;
  const json::Value* counts = json::Find(*doc, "counts");
  if (counts == nullptr || !counts->IsObject()) return out;
  for (auto it = counts->MemberBegin(); it != counts->MemberEnd(); ++it) {
    if (it->value.IsInt64()) out[std::string(json::View(it->name))] = it->value.GetInt64();
  }
  return out;
}

}  // namespace

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

std::vector<Env::LoggedRequest> ParseRequestLog(const std::string& body) {
  std::vector<Env::LoggedRequest> out;
  auto doc = json::Parse(body);
  const json::Value* reqs = doc.ok() ? json::Find(*doc, "requests") : nullptr;
  if (reqs == nullptr || !reqs->IsArray()) return out;
  auto str = [](const json::Value& v, const char* k) {
    auto s = json::OptionalString(v, k);
    return (s.ok() && s->has_value()) ? std::string(**s) : std::string();
  };
  for (const auto& r : reqs->GetArray()) {
    Env::LoggedRequest e;
    if (const json::Value* seq = json::Find(r, "seq"); seq && seq->IsInt64())
      e.seq = seq->GetInt64();
    if (const json::Value* st = json::Find(r, "status"); st && st->IsInt()) e.status = st->GetInt();
    e.start_time = str(r, "start_time");
    e.time = str(r, "time");
    e.method = str(r, "method");
    e.path = str(r, "path");
    e.query = str(r, "query");
    e.user = str(r, "user");
    e.user_agent = str(r, "user_agent");
    e.count_key = str(r, "count_key");
    if (const json::Value* h = json::Find(r, "header_names"); h && h->IsArray()) {
      for (const auto& n : h->GetArray())
        if (n.IsString()) e.header_names.emplace_back(json::View(n));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::unique_ptr<Env> Env::Start(const Options& options) {
  std::unique_ptr<Env> env(new Env());
  char tmpl[] = "/tmp/vaultsync-e2e-XXXXXX";
  env->dir_ = mkdtemp(tmpl);
  env->kubeconfig_ = env->dir_ + "/kubeconfig";
  // TLS, as a real API server: kubectl sends bearer tokens only over https.
  std::vector<std::string> kube_args = {"--admin-token", kAdminToken, "--tls-self-signed",
                                        "--write-kubeconfig", env->kubeconfig_};
  kube_args.insert(kube_args.end(), options.kube_args.begin(), options.kube_args.end());
  auto kube = testing::StartEmulator("kube-emulator", kube_args);
  EXPECT_TRUE(kube.ok()) << kube.status().ToString();
  if (!kube.ok()) return nullptr;
  env->kube_ = std::move(*kube);
  std::vector<std::string> vault_args = {"--dev-root-token", kRootToken};
  if (options.vault_tls) {
    vault_args.push_back("--tls-self-signed");
    vault_args.push_back(env->dir_ + "/vault-tls");
  }
  auto vault = testing::StartEmulator("vault-emulator", vault_args);
  EXPECT_TRUE(vault.ok()) << vault.status().ToString();
  if (!vault.ok()) return nullptr;
  env->vault_ = std::move(*vault);
  env->kube_http_ = Connect(env->kube_.url);
  env->vault_http_ = Connect(env->vault_.url);
  // The CRDs and the namespace go in with the real kubectl, as a user would apply them.
  std::string crds = std::string(VAULTSYNC_SOURCE_DIR) + "/crds/";
  // Every kind's file (the directory, not recursive: samples/ stays out).
  auto applied = env->Kubectl({"apply", "-f", crds});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto ns = env->Kubectl({"create", "namespace", "demo"});
  EXPECT_EQ(ns.exit_code, 0) << ns.out << ns.err;
  EXPECT_TRUE(WaitFor(
      [&] {
        return env->Kube("GET", "/apis/vaultsync.io/v1alpha1/vaultstaticsecrets").status == 200 &&
               env->Kube("GET", "/apis/vaultsync.io/v1alpha1/vaultpushsecrets").status == 200;
      },
      std::chrono::seconds(10)));
  return env;
}

std::string Env::KubeCaPem() const {
  auto docs = testing::YamlFileToJson(kubeconfig_);
  if (!docs.ok() || docs->empty()) return "";
  auto doc = json::Parse(docs->at(0));
  const json::Value* clusters = doc.ok() ? json::Find(*doc, "clusters") : nullptr;
  if (clusters == nullptr || !clusters->IsArray() || clusters->Empty()) return "";
  const json::Value* cluster = json::Find((*clusters)[0], "cluster");
  auto data = cluster ? json::OptionalString(*cluster, "certificate-authority-data")
                      : Result<std::optional<std::string_view>>(std::optional<std::string_view>());
  if (!data.ok() || !data->has_value()) return "";
  return base64::Decode(**data).value_or("");
}

Env::~Env() {
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

http::Response Env::Kube(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& content_type) {
  http::Headers h = {{"Authorization", std::string("Bearer ") + kAdminToken},
                     {"Accept", "application/json"}};
  if (!body.empty()) h.emplace_back("Content-Type", content_type);
  return Call(*kube_http_, method, path, body, h);
}

http::Response Env::Vault(const std::string& method, const std::string& path,
                          const std::string& body) {
  return Call(*vault_http_, method, path, body, {{"X-Vault-Token", kRootToken}});
}

void Env::VaultPut(const std::string& path, const std::string& data_json) {
  auto r = Vault("POST", "/v1/secret/data/" + path, "{\"data\":" + data_json + "}");
  EXPECT_EQ(r.status, 200) << r.body;
}

void Env::CreateVss(const std::string& name, const std::string& spec_json, const std::string& ns) {
  auto r = Kubectl(
      {"apply", "-f", "-"},
      R"({"apiVersion":"vaultsync.io/v1alpha1","kind":"VaultStaticSecret","metadata":{"name":")" +
          name + R"(","namespace":")" + ns + R"("},"spec":)" + spec_json + "}");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

testing::CommandResult Env::Kubectl(const std::vector<std::string>& args,
                                    const std::string& stdin_data) {
  std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir",
                                   dir_ + "/kube-cache"};
  full.insert(full.end(), args.begin(), args.end());
  return testing::RunCommand("kubectl", full, {{"HOME", dir_}}, stdin_data,
                             std::chrono::seconds(60));
}

std::optional<std::map<std::string, std::string>> Env::SecretData(const std::string& ns,
                                                                  const std::string& name) {
  auto r = Kube("GET", "/api/v1/namespaces/" + ns + "/secrets/" + name);
  if (r.status != 200) return std::nullopt;
  std::map<std::string, std::string> out;
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return std::nullopt;
  const json::Value* data = json::Find(*doc, "data");
  if (data != nullptr && data->IsObject()) {
    for (auto it = data->MemberBegin(); it != data->MemberEnd(); ++it) {
      out[std::string(json::View(it->name))] =
          base64::Decode(json::View(it->value)).value_or("<not base64>");
    }
  }
  return out;
}

std::string Env::Ready(const std::string& plural, const std::string& ns, const std::string& name) {
  auto r = Kube("GET", "/apis/vaultsync.io/v1alpha1/namespaces/" + ns + "/" + plural + "/" + name);
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return "";
  const json::Value* status = json::Find(*doc, "status");
  const json::Value* conds = status ? json::Find(*status, "conditions") : nullptr;
  if (conds == nullptr || !conds->IsArray()) return "";
  for (const auto& c : conds->GetArray()) {
    if (*json::String(c, "type") == "Ready") {
      return std::string(*json::String(c, "status")) + "/" +
             std::string(*json::String(c, "reason"));
    }
  }
  return "";
}

std::vector<Env::EventRecord> Env::Events(const std::string& ns, const std::string& involved_kind,
                                          const std::string& involved_name) {
  std::vector<EventRecord> out;
  auto r = Kube("GET", "/api/v1/namespaces/" + ns + "/events");
  auto doc = json::Parse(r.body);
  if (r.status != 200 || !doc.ok()) return out;
  const json::Value* items = json::Find(*doc, "items");
  if (items == nullptr || !items->IsArray()) return out;
  auto str = [](const json::Value& obj, const char* key) {
    const json::Value* v = json::Find(obj, key);
    return v != nullptr && v->IsString() ? std::string(json::View(*v)) : std::string();
  };
  for (const auto& item : items->GetArray()) {
    EventRecord e;
    e.type = str(item, "type");
    e.reason = str(item, "reason");
    e.message = str(item, "message");
    const json::Value* io = json::Find(item, "involvedObject");
    if (io != nullptr && io->IsObject()) {
      e.involved_kind = str(*io, "kind");
      e.involved_name = str(*io, "name");
    }
    const json::Value* count = json::Find(item, "count");
    e.count = count != nullptr && count->IsInt64() ? count->GetInt64() : 0;
    if (!involved_kind.empty() && e.involved_kind != involved_kind) continue;
    if (!involved_name.empty() && e.involved_name != involved_name) continue;
    out.push_back(std::move(e));
  }
  return out;
}

namespace {
// The member reached from the parsed object through `keys`, or nullptr.
const json::Value* Walk(const json::Value& root, const std::vector<std::string>& keys) {
  const json::Value* v = &root;
  for (const std::string& k : keys) {
    if (!v->IsObject()) return nullptr;
    v = json::Find(*v, k);
    if (v == nullptr) return nullptr;
  }
  return v;
}
}  // namespace

template <typename T, typename Read>
std::optional<T> Env::ObjectField(const std::string& path, const std::vector<std::string>& keys,
                                  Read read) {
  auto r = Kube("GET", path);
  if (r.status != 200) return std::nullopt;
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return std::nullopt;
  const json::Value* v = Walk(*doc, keys);
  return v == nullptr ? std::nullopt : read(*v);
}

std::optional<std::string> Env::ObjectString(const std::string& path,
                                             const std::vector<std::string>& keys) {
  return ObjectField<std::string>(path, keys, [](const json::Value& v) {
    return v.IsString() ? std::optional<std::string>(json::View(v)) : std::nullopt;
  });
}

std::optional<int64_t> Env::ObjectInt(const std::string& path,
                                      const std::vector<std::string>& keys) {
  return ObjectField<int64_t>(path, keys, [](const json::Value& v) {
    return v.IsInt64() ? std::optional<int64_t>(v.GetInt64()) : std::nullopt;
  });
}

std::map<std::string, int64_t> Env::KubeCounters() { return Counters(*kube_http_); }
std::map<std::string, int64_t> Env::VaultCounters() { return Counters(*vault_http_); }
void Env::ResetCounters() {
  Call(*kube_http_, "DELETE", "/__emulator/counters", "", {});
  Call(*vault_http_, "DELETE", "/__emulator/counters", "", {});
}

Env::Operator Env::StartOperator(const std::vector<std::string>& extra, const testing::Env& env) {
  Operator op;
  op.metrics_port = *emu::PickFreePort("127.0.0.1");
  op.probe_port = *emu::PickFreePort("127.0.0.1");
  std::vector<std::string> args = {"--kubeconfig",
                                   kubeconfig_,
                                   "--default-vault-address",
                                   vault_.url,
                                   "--default-auth-method",
                                   "token",
                                   "--metrics-bind-address",
                                   "127.0.0.1:" + std::to_string(op.metrics_port),
                                   "--health-probe-bind-address",
                                   "127.0.0.1:" + std::to_string(op.probe_port),
                                   "--operator-namespace",
                                   "default",
                                   "--log-format",
                                   "text"};
  args.insert(args.end(), extra.begin(), extra.end());
  testing::Env full_env = {{"VAULT_TOKEN", kRootToken},
                           {"VAULTSYNC_SERVICEACCOUNT_DIR", dir_ + "/no-sa"}};
  full_env.insert(full_env.end(), env.begin(), env.end());
  auto p = testing::Process::Start(testing::BinaryPath("vaultsync-operator"), args, full_env);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (p.ok()) op.process = std::move(*p);
  return op;
}

void Env::StopVault() {
  if (vault_.process) vault_.process->Stop();
}

bool Env::RestartVault() {
  // The same address: "http://127.0.0.1:PORT" -> "127.0.0.1:PORT" (a later --listen wins).
  std::string hostport = vault_.url.substr(vault_.url.find("://") + 3);
  auto vault = testing::StartEmulator("vault-emulator",
                                      {"--dev-root-token", kRootToken, "--listen", hostport});
  EXPECT_TRUE(vault.ok()) << vault.status().ToString();
  if (!vault.ok()) return false;
  EXPECT_EQ(vault->url, vault_.url);
  vault_ = std::move(*vault);
  vault_http_ = Connect(vault_.url);
  return true;
}

const testing::RunningEmulator& Env::StartSecondVault() {
  auto vault = testing::StartEmulator("vault-emulator", {"--dev-root-token", kRootToken});
  EXPECT_TRUE(vault.ok()) << vault.status().ToString();
  if (vault.ok()) {
    vault2_ = std::move(*vault);
    vault2_http_ = Connect(vault2_.url);
  }
  return vault2_;
}

http::Response Env::SecondVault(const std::string& method, const std::string& path,
                                const std::string& body) {
  if (!vault2_http_) return http::Response{0, {}, "no second vault"};
  return Call(*vault2_http_, method, path, body, {{"X-Vault-Token", kRootToken}});
}

std::vector<Env::LoggedRequest> Env::KubeRequests() {
  return ParseRequestLog(Call(*kube_http_, "GET", "/__emulator/requests", "", {}).body);
}

std::vector<Env::LoggedRequest> Env::VaultRequests() {
  return ParseRequestLog(Call(*vault_http_, "GET", "/__emulator/requests", "", {}).body);
}

std::vector<Env::LoggedRequest> Env::SecondVaultRequests() {
  if (!vault2_http_) return {};
  return ParseRequestLog(Call(*vault2_http_, "GET", "/__emulator/requests", "", {}).body);
}

void Env::Apply(const std::string& json) {
  auto r = Kubectl({"apply", "-f", "-"}, json);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::string Env::HttpGet(int port, const std::string& path, int* status) {
  auto t = Connect("http://127.0.0.1:" + std::to_string(port));
  if (!t) return "";
  auto r = Call(*t, "GET", path, "", {});
  if (status != nullptr) *status = r.status;
  return r.status == 0 ? "" : r.body;
}

}  // namespace vaultsync::e2e
