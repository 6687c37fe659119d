// The end-to-end test bench: the real kube-emulator and vault-emulator binaries on loopback,
// the CRDs applied, and helpers to start real vaultsync-operator processes against them and
// to read what they did (objects, conditions, request counters, metrics). Every wait is
// bounded; the destructor stops every process it started.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/transport.h"
#include "process.h"

namespace vaultsync::e2e {

inline constexpr const char* kAdminToken = "emulator-admin-token";
inline constexpr const char* kRootToken = "root";

class Env {
 public:
  struct Options {
    // Serve Vault over https with a certificate of the emulator's own CA (vault_ca_file()),
    // which POST /__emulator/tls {"regenerate":true} rotates.
    bool vault_tls = false;
    std::vector<std::string> kube_args;  // extra kube-emulator flags
  };
  // Starts both emulators, applies crds/*.yaml, creates namespace `demo`. Fails the
  // calling test (ASSERT) when anything does not come up.
  static std::unique_ptr<Env> Start(const Options& options);
  static std::unique_ptr<Env> Start() { return Start(Options{}); }
  // The Vault emulator's CA certificate file (vault_tls only).
  std::string vault_ca_file() const { return dir_ + "/vault-tls/ca.crt"; }

  // Stops the Vault emulator (its port then refuses connections), and starts a fresh one (plain
  // http) on
  // the same address: same root token, its data gone (write what the test needs again).
  void StopVault();
  bool RestartVault();
  // Another Vault emulator (plain http, root token kRootToken), stopped with the Env.
  const testing::RunningEmulator& StartSecondVault();
  http::Response SecondVault(const std::string& method, const std::string& path,
                             const std::string& body = "");

  // One request as an emulator's /__emulator/requests log has it.
  struct LoggedRequest {
    int64_t seq = 0;
    std::string start_time, time;  // RFC 3339 with nanoseconds (sortable as text)
    std::string method, path, query, user_agent, count_key;
    std::string user;  // the authenticated user ("" when none)
    int status = 0;
    std::vector<std::string> header_names;
  };
  std::vector<LoggedRequest> KubeRequests();
  std::vector<LoggedRequest> VaultRequests();
  std::vector<LoggedRequest> SecondVaultRequests();
  // kubectl apply of one object given as JSON.
  void Apply(const std::string& json);
  ~Env();

  const std::string& kube_url() const { return kube_.url; }
  const std::string& vault_url() const { return vault_.url; }
  const std::string& kubeconfig() const { return kubeconfig_; }
  // The PEM CA of the kube emulator's self-signed certificate (from the kubeconfig).
  std::string KubeCaPem() const;
  const std::string& dir() const { return dir_; }

  // Raw API calls (admin / root token). Body JSON; content type for PATCH given explicitly.
  http::Response Kube(const std::string& method, const std::string& path,
                      const std::string& body = "",
                      const std::string& content_type = "application/json");
  http::Response Vault(const std::string& method, const std::string& path,
                       const std::string& body = "");

  // Writes a KV v2 secret at secret/<path>.
  void VaultPut(const std::string& path, const std::string& data_json);
  // Runs the real kubectl against the emulator (kubeconfig, private cache dir).
  testing::CommandResult Kubectl(const std::vector<std::string>& args,
                                 const std::string& stdin_data = "");
  // Creates a VaultStaticSecret demo/<name> with the given spec JSON (kubectl apply).
  void CreateVss(const std::string& name, const std::string& spec_json,
                 const std::string& ns = "demo");

  // Decoded data of a Secret, or nullopt when it does not exist.
  std::optional<std::map<std::string, std::string>> SecretData(const std::string& ns,
                                                               const std::string& name);
  // "True/Reason" of a resource's Ready condition ("" when none yet).
  std::string Ready(const std::string& plural, const std::string& ns, const std::string& name);

  // A core/v1 Event as the operator wrote it (aggregated repeats bump `count`).
  struct EventRecord {
    std::string type;  // Normal / Warning
    std::string reason;
    std::string message;
    std::string involved_kind;
    std::string involved_name;
    int64_t count = 0;
  };
  // The Events of namespace `ns`, only those about kind/name when given ("" = any).
  std::vector<EventRecord> Events(const std::string& ns, const std::string& involved_kind = "",
                                  const std::string& involved_name = "");
  // A string field of the object at API `path`, reached through `keys` (nested members);
  // nullopt when the object or the field is missing. Keys may contain dots or slashes
  // (annotation names), which is why they are a list and not a dotted path.
  std::optional<std::string> ObjectString(const std::string& path,
                                          const std::vector<std::string>& keys);
  // An integer field of the object at API `path` (nullopt when missing).
  std::optional<int64_t> ObjectInt(const std::string& path, const std::vector<std::string>& keys);

  // Request counters of an emulator ("VERB resource" or "METHOD path" -> count), and reset.
  std::map<std::string, int64_t> KubeCounters();
  std::map<std::string, int64_t> VaultCounters();
  void ResetCounters();

  struct Operator {
    std::unique_ptr<testing::Process> process;
    int metrics_port = 0;
    int probe_port = 0;
  };
  // Starts vaultsync-operator with the kubeconfig, the Vault emulator as default address
  // and VAULT_TOKEN=root (default auth method token), plus `extra` flags.
  Operator StartOperator(const std::vector<std::string>& extra = {}, const testing::Env& env = {});
  // GET http://127.0.0.1:port/path body ("" on failure).
  static std::string HttpGet(int port, const std::string& path, int* status = nullptr);

 private:
  // GET path, walk `keys`, and convert the value found with `read` (nullopt on any miss).
  template <typename T, typename Read>
  std::optional<T> ObjectField(const std::string& path, const std::vector<std::string>& keys,
                               Read read);
  Env() = default;
  testing::RunningEmulator kube_, vault_, vault2_;
  std::unique_ptr<http::Transport> kube_http_, vault_http_, vault2_http_;
  std::string kubeconfig_;
  std::string dir_;
};

// Polls `pred` every 100 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace vaultsync::e2e
