// Operator flag parsing.
#include "controller/flags.h"

#include <fstream>
#include <map>
#include <sstream>

#include "controller/watch_label_selector.h"
#include "util/duration.h"

namespace vaultsync::controller {
namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct FlagSpec {
  bool is_bool;
  const char* help;
};

const std::map<std::string, FlagSpec, std::less<>>& Specs() {
  static const std::map<std::string, FlagSpec, std::less<>> specs = {
      {"kubeconfig",
       {false,
        "kubeconfig file (out of cluster); default: in-cluster, then KUBECONFIG, ~/.kube/config"}},
      {"watch-namespaces", {false, "comma-separated namespaces to watch; default all"}},
      {"watch-label-selector",
       {false,
        "reconcile only the VaultStaticSecrets, VaultPushSecrets, VaultDynamicSecrets and "
        "VaultPKISecrets matching this label selector (sharding, e.g. "
        "'sharding.vaultsync.io/key in (shard-1)' or '!sharding.vaultsync.io/key'); "
        "VaultAuths and VaultConnections are always watched whole; the Lease becomes "
        "<leader-election-id>-<hash of the selector> (default: all, one Lease)"}},
      {"metrics-bind-address", {false, "address of /metrics (default :8080; 0 disables)"}},
      {"health-probe-bind-address",
       {false, "address of /healthz and /readyz (default :8081; 0 disables)"}},
      {"leader-elect",
       {true, "elect a leader with a Lease so only one replica writes (default false)"}},
      {"leader-election-namespace",
       {false, "namespace of the Lease (default: the operator's namespace)"}},
      {"leader-election-id",
       {false,
        "name of the Lease (default vaultsync-leader; with --watch-label-selector a hash of "
        "the selector is appended, so each shard has its own)"}},
      {"leader-election-lease-duration", {false, "lease duration (default 15s)"}},
      {"leader-election-renew-deadline", {false, "renew deadline (default 10s)"}},
      {"leader-election-retry-period", {false, "retry period (default 2s)"}},
      {"max-concurrent-reconciles", {false, "VaultStaticSecret workers (default 4)"}},
      {"kube-qps",
       {false,
        "Kubernetes client rate limit, requests per second; 0 = none, the API server's "
        "Priority and Fairness protects it (default 0)"}},
      {"kube-burst", {false, "Kubernetes client burst, with a positive --kube-qps (default 30)"}},
      {"default-vault-address",
       {false, "Vault address for resources without a VaultConnection (default VAULT_ADDR)"}},
      {"default-auth-method",
       {false,
        "auth method for resources without a VaultAuth: kubernetes|token (default kubernetes)"}},
      {"default-auth-mount",
       {false, "auth mount for the default auth (default: the method's name)"}},
      {"default-auth-role", {false, "Vault role for the default auth"}},
      {"default-refresh", {false, "refreshAfter when a resource sets none (default 60s)"}},
      {"vault-jwt-file",
       {false,
        "JWT for the operator's own Vault kubernetes login (default VAULTSYNC_VAULT_JWT_FILE, "
        "else the service-account token)"}},
      {"allow-operator-identity",
       {true, "allow logging in with the operator's own service account (default true)"}},
      {"operator-namespace",
       {false,
        "namespace of the operator (default: in-cluster namespace file, POD_NAMESPACE, default)"}},
      {"shutdown-timeout", {false, "how long in-flight syncs may take at shutdown (default 20s)"}},
      {"credential-check-interval",
       {false,
        "how often the Secrets named by VaultConnections and VaultAuths (CA, AppRole secret ID, "
        "token) are read again to pick up a rotation (default 30s)"}},
      {"rollout-restart-coalesce",
       {false,
        "changes of several resources that target one workload within this window give it one "
        "rollout restart; 0 restarts at once (default 5s)"}},
      {"log-level", {false, "debug|info|warn|error (default info)"}},
      {"log-format", {false, "json|text (default json)"}},
      {"version", {true, "print the version and exit"}},
      {"help", {true, "print this help and exit"}},
  };
  return specs;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False")
    return false;
  return std::nullopt;
}

Result<std::chrono::milliseconds> Millis(const std::string& flag, const std::string& v) {
  auto d = ParseDuration(v);
  if (!d.ok() || d->count() <= 0)
    return InvalidArgument("--" + flag + ": \"" + v + "\" is not a positive duration");
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

Result<int> PositiveInt(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used == v.size() && n > 0) return n;
  } catch (...) {
  }
  return InvalidArgument("--" + flag + ": \"" + v + "\" is not a positive integer");
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::string OperatorUsage() {
  std::string out =
      "usage: vaultsync-operator [flags]\n\nKeeps Kubernetes Secrets in sync with HashiCorp "
      "Vault.\n\nflags:\n";
  for (const auto& [name, spec] : Specs())
    out += "  --" + name + (spec.is_bool ? "" : " VALUE") + "\n      " + spec.help + "\n";
  out +=
      "\nenvironment: VAULT_ADDR, VAULT_CACERT, VAULT_NAMESPACE, VAULT_SKIP_VERIFY, VAULT_TOKEN,\n"
      "  VAULTSYNC_SERVICEACCOUNT_DIR, VAULTSYNC_VAULT_JWT_FILE, KUBERNETES_SERVICE_HOST/PORT,\n"
      "  KUBECONFIG, POD_NAMESPACE\n";
  return out;
}

Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& argv,
                                         const EnvLookup& env) {
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    if (a.rfind("--", 0) != 0) return InvalidArgument("unexpected argument \"" + a + "\"");
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto spec = Specs().find(name);
    if (spec == Specs().end()) return InvalidArgument("unknown flag --" + name);
    if (!has_value) {
      if (spec->second.is_bool) {
        value = "true";
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        return InvalidArgument("--" + name + " needs a value");
      }
    }
    values[name] = value;
  }
  OperatorFlags f;
  OperatorOptions& o = f.options;
  runtime::ManagerOptions& m = o.manager;
  auto get_bool = [&](const std::string& name, bool dflt) -> Result<bool> {
    auto it = values.find(name);
    if (it == values.end()) return dflt;
    auto b = ParseBool(it->second);
    if (!b) return InvalidArgument("--" + name + ": \"" + it->second + "\" is not true or false");
    return *b;
  };
  auto has = [&](const std::string& name) { return values.count(name) > 0; };
  VS_ASSIGN_OR_RETURN(f.help, get_bool("help", false));
  VS_ASSIGN_OR_RETURN(f.version, get_bool("version", false));
  if (has("kubeconfig")) f.kubeconfig = values["kubeconfig"];
  if (has("watch-namespaces")) o.watch_namespaces = SplitComma(values["watch-namespaces"]);
  if (has("watch-label-selector")) {
    auto selector = CanonicalLabelSelector(values["watch-label-selector"]);
    if (!selector.ok()) {
      return InvalidArgument("--watch-label-selector: \"" + values["watch-label-selector"] +
                             "\" is not a label selector: " + selector.status().message());
    }
    o.watch_label_selector = *selector;
  }
  if (has("metrics-bind-address")) m.metrics_bind_address = values["metrics-bind-address"];
  if (has("health-probe-bind-address"))
    m.health_probe_bind_address = values["health-probe-bind-address"];
  VS_ASSIGN_OR_RETURN(m.leader_elect, get_bool("leader-elect", false));
  if (has("leader-election-namespace"))
    m.leader_election_namespace = values["leader-election-namespace"];
  if (has("leader-election-id")) m.leader_election_id = values["leader-election-id"];
  // Each shard elects its own leader; an unsharded replica keeps the plain name.
  m.leader_election_id = ShardLeaseName(m.leader_election_id, o.watch_label_selector);
  if (has("leader-election-lease-duration")) {
    VS_ASSIGN_OR_RETURN(m.lease_duration, Millis("leader-election-lease-duration",
                                                 values["leader-election-lease-duration"]));
  }
  if (has("leader-election-renew-deadline")) {
    VS_ASSIGN_OR_RETURN(m.renew_deadline, Millis("leader-election-renew-deadline",
                                                 values["leader-election-renew-deadline"]));
  }
  if (has("leader-election-retry-period")) {
    VS_ASSIGN_OR_RETURN(m.retry_period, Millis("leader-election-retry-period",
                                               values["leader-election-retry-period"]));
  }
  if (has("max-concurrent-reconciles")) {
    VS_ASSIGN_OR_RETURN(
        o.max_concurrent_reconciles,
        PositiveInt("max-concurrent-reconciles", values["max-concurrent-reconciles"]));
  }
  if (has("kube-qps")) {
    try {
      m.kube.qps = std::stod(values["kube-qps"]);
    } catch (...) {
      return InvalidArgument("--kube-qps: not a number");
    }
    if (!(m.kube.qps >= 0)) {
      return InvalidArgument("--kube-qps must be 0 (no client-side limit) or positive");
    }
  }
  if (has("kube-burst")) {
    VS_ASSIGN_OR_RETURN(m.kube.burst, PositiveInt("kube-burst", values["kube-burst"]));
  }
  if (has("default-refresh")) {
    VS_ASSIGN_OR_RETURN(o.default_refresh, Millis("default-refresh", values["default-refresh"]));
  }
  if (has("credential-check-interval")) {
    VS_ASSIGN_OR_RETURN(o.credential_check_interval,
                        Millis("credential-check-interval", values["credential-check-interval"]));
  }
  if (has("shutdown-timeout")) {
    VS_ASSIGN_OR_RETURN(m.shutdown_timeout, Millis("shutdown-timeout", values["shutdown-timeout"]));
  }
  if (has("rollout-restart-coalesce")) {
    const std::string& v = values["rollout-restart-coalesce"];
    auto d = ParseDuration(v);
    if (!d.ok() || d->count() < 0) {
      return InvalidArgument("--rollout-restart-coalesce: \"" + v +
                             "\" is not a duration (0 or more, e.g. 5s)");
    }
    o.rollout_restart_coalesce = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  if (has("log-level") && !log::ParseLevel(values["log-level"], f.log_level)) {
    return InvalidArgument("--log-level must be debug, info, warn or error");
  }
  if (has("log-format") && !log::ParseFormat(values["log-format"], f.log_format)) {
    return InvalidArgument("--log-format must be json or text");
  }

  // Vault defaults: flags, then the VAULT_* environment.
  OperatorDefaults& d = o.defaults;
  d.vault_address = has("default-vault-address") ? values["default-vault-address"]
                                                 : env("VAULT_ADDR").value_or("");
  while (!d.vault_address.empty() && d.vault_address.back() == '/') d.vault_address.pop_back();
  if (auto ca = env("VAULT_CACERT"); ca && !ca->empty()) {
    auto pem = ReadFile(*ca);
    if (!pem) return InvalidArgument("VAULT_CACERT: cannot read " + *ca);
    d.ca_pem = *pem;
  }
  d.vault_namespace = env("VAULT_NAMESPACE").value_or("");
  if (auto skip = env("VAULT_SKIP_VERIFY"); skip && !skip->empty()) {
    auto b = ParseBool(*skip);
    if (!b) return InvalidArgument("VAULT_SKIP_VERIFY: \"" + *skip + "\" is not true or false");
    d.skip_verify = *b;
  }
  d.vault_token = env("VAULT_TOKEN").value_or("");
  std::string method = has("default-auth-method") ? values["default-auth-method"] : "kubernetes";
  if (method == "kubernetes") {
    d.auth_method = AuthMethod::kKubernetes;
  } else if (method == "token") {
    d.auth_method = AuthMethod::kToken;
  } else if (method == "appRole") {
    d.auth_method = AuthMethod::kAppRole;
  } else {
    return InvalidArgument("--default-auth-method must be kubernetes, appRole or token");
  }
  if (has("default-auth-mount")) d.auth_mount = values["default-auth-mount"];
  if (has("default-auth-role")) d.auth_role = values["default-auth-role"];
  VS_ASSIGN_OR_RETURN(d.allow_operator_identity, get_bool("allow-operator-identity", true));
  std::string sa_dir = env("VAULTSYNC_SERVICEACCOUNT_DIR").value_or(kServiceAccountDir);
  // A token of its own for Vault (a projected token whose audience a Vault role requires);
  // the service-account token otherwise. Re-read at every login either way.
  if (has("vault-jwt-file")) {
    d.jwt_file = values["vault-jwt-file"];
  } else if (auto f = env("VAULTSYNC_VAULT_JWT_FILE"); f && !f->empty()) {
    d.jwt_file = *f;
  } else {
    d.jwt_file = sa_dir + "/token";
  }

  if (has("operator-namespace")) {
    o.operator_namespace = values["operator-namespace"];
  } else if (auto ns = ReadFile(sa_dir + "/namespace"); ns && !ns->empty()) {
    while (!ns->empty() && (ns->back() == '\n' || ns->back() == ' ')) ns->pop_back();
    o.operator_namespace = *ns;
  } else if (auto pod_ns = env("POD_NAMESPACE"); pod_ns && !pod_ns->empty()) {
    o.operator_namespace = *pod_ns;
  }
  d.operator_namespace = o.operator_namespace;
  return f;
}

}  // namespace vaultsync::controller
