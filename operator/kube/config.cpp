// Loading Config from the service-account files or kubeconfig YAML (yaml-cpp; its
// exceptions stay in this file).
#include "kube/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "util/base64.h"

namespace vaultsync::kube {

namespace fs = std::filesystem;

namespace {

Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec))
      return Status(StatusCode::kNotFound, std::string(what) + " " + path + " does not exist");
    return Status(StatusCode::kFailedPrecondition,
                  std::string(what) + " " + path + " cannot be read");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// ---- kubeconfig -------------------------------------------------------------------------

// One named entry (cluster, user or context) and the directory of the file it came from,
// against which its relative paths resolve.
struct Entry {
  YAML::Node node;
  fs::path dir;
};

struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::string first_file;
};

std::string Str(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  if (!v || !v.IsScalar()) return "";
  return v.as<std::string>();
}

bool Flag(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  if (!v || !v.IsScalar()) return false;
  return v.as<bool>();
}

// Adds the named entries of `list` (clusters/users/contexts) that are not defined yet.
Status AddNamed(const YAML::Node& list, const char* inner, const fs::path& dir,
                std::map<std::string, Entry>& into, const std::string& file) {
  if (!list) return Status::Ok();
  if (!list.IsSequence())
    return InvalidArgument("kubeconfig " + file + ": \"" + std::string(inner) +
                           "s\" is not a list");
  for (const auto& item : list) {
    std::string name = Str(item, "name");
    if (name.empty())
      return InvalidArgument("kubeconfig " + file + ": a " + inner + " entry has no name");
    if (into.count(name) == 0) into.emplace(name, Entry{item[inner], dir});
  }
  return Status::Ok();
}

Status MergeFile(const std::string& file, Merged& m) {
  VS_ASSIGN_OR_RETURN(std::string text, ReadFile(file, "kubeconfig"));
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) return Status::Ok();  // an empty file adds nothing
    if (!root.IsMap()) return InvalidArgument("kubeconfig " + file + " is not a YAML mapping");
    fs::path dir = fs::absolute(fs::path(file)).parent_path();
    VS_RETURN_IF_ERROR(AddNamed(root["clusters"], "cluster", dir, m.clusters, file));
    VS_RETURN_IF_ERROR(AddNamed(root["users"], "user", dir, m.users, file));
    VS_RETURN_IF_ERROR(AddNamed(root["contexts"], "context", dir, m.contexts, file));
    if (m.current_context.empty()) m.current_context = Str(root, "current-context");
    if (m.first_file.empty()) m.first_file = file;
  } catch (const YAML::Exception& e) {
    return InvalidArgument("kubeconfig " + file + " is not valid YAML: " + e.what());
  }
  return Status::Ok();
}

std::string Resolve(const fs::path& dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (dir / p).string();
}

// PEM from "<key>-data" (base64) or the file "<key>"; empty when neither is set.
Result<std::string> Material(const Entry& e, const std::string& key, std::string_view what) {
  std::string data = Str(e.node, (key + "-data").c_str());
  if (!data.empty()) {
    auto pem = base64::Decode(data);
    if (!pem) return InvalidArgument("kubeconfig " + key + "-data is not valid base64");
    return *pem;
  }
  std::string file = Str(e.node, key.c_str());
  if (file.empty()) return std::string();
  return ReadFile(Resolve(e.dir, file), what);
}

Result<Config> Build(const Merged& m, const std::string& context_override) {
  std::string ctx_name = context_override.empty() ? m.current_context : context_override;
  if (ctx_name.empty())
    return InvalidArgument("kubeconfig " + m.first_file + " sets no current-context");
  auto ctx = m.contexts.find(ctx_name);
  if (ctx == m.contexts.end())
    return InvalidArgument("kubeconfig context \"" + ctx_name + "\" not found");
  const YAML::Node& c = ctx->second.node;
  std::string cluster_name = Str(c, "cluster");
  auto cl = m.clusters.find(cluster_name);
  if (cl == m.clusters.end())
    return InvalidArgument("kubeconfig cluster \"" + cluster_name + "\" (context \"" + ctx_name +
                           "\") not found");

  Config cfg;
  cfg.namespace_ = Str(c, "namespace");
  if (cfg.namespace_.empty()) cfg.namespace_ = "default";

  const Entry& cluster = cl->second;
  cfg.server = Str(cluster.node, "server");
  if (cfg.server.empty())
    return InvalidArgument("kubeconfig cluster \"" + cluster_name + "\" has no server");
  cfg.tls.skip_verify = Flag(cluster.node, "insecure-skip-tls-verify");
  cfg.tls.server_name = Str(cluster.node, "tls-server-name");
  VS_ASSIGN_OR_RETURN(cfg.tls.ca_pem, Material(cluster, "certificate-authority", "CA file"));

  std::string user_name = Str(c, "user");
  if (!user_name.empty()) {
    auto u = m.users.find(user_name);
    if (u == m.users.end())
      return InvalidArgument("kubeconfig user \"" + user_name + "\" (context \"" + ctx_name +
                             "\") not found");
    const Entry& user = u->second;
    if (user.node["exec"] || user.node["auth-provider"])
      return InvalidArgument("kubeconfig user \"" + user_name +
                             "\" uses a credential plugin (exec/auth-provider), which vaultsync "
                             "does not support; use a token, token file or client certificate");
    if (user.node["username"] || user.node["password"])
      return InvalidArgument("kubeconfig user \"" + user_name +
                             "\" uses basic auth, which vaultsync does not support");
    cfg.bearer_token = Str(user.node, "token");
    cfg.token_file = Resolve(user.dir, Str(user.node, "tokenFile"));
    VS_ASSIGN_OR_RETURN(cfg.tls.client_cert_pem,
                        Material(user, "client-certificate", "client certificate file"));
    VS_ASSIGN_OR_RETURN(cfg.tls.client_key_pem, Material(user, "client-key", "client key file"));
    if (cfg.tls.client_cert_pem.empty() != cfg.tls.client_key_pem.empty())
      return InvalidArgument("kubeconfig user \"" + user_name +
                             "\" has a client certificate without a key or a key without a "
                             "certificate");
  }
  return cfg;
}

}  // namespace

Result<Config> InCluster(std::string_view sa_dir) {
  std::string dir = Getenv("VAULTSYNC_SERVICEACCOUNT_DIR");
  if (dir.empty()) dir = std::string(sa_dir);
  std::string host = Getenv("KUBERNETES_SERVICE_HOST");
  std::string port = Getenv("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty())
    return Status(StatusCode::kNotFound,
                  "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                  "must both be set");
  Config cfg;
  std::string scheme = "https://";
  for (std::string_view s : {"http://", "https://"}) {
    if (host.rfind(s, 0) == 0) {
      scheme = std::string(s);
      host = host.substr(s.size());
    }
  }
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  cfg.server = scheme + host + ":" + port;

  cfg.token_file = (fs::path(dir) / "token").string();
  auto token = ReadFile(cfg.token_file, "service account token file");
  if (!token.ok()) return Status(StatusCode::kFailedPrecondition, token.status().message());
  auto ca = ReadFile((fs::path(dir) / "ca.crt").string(), "CA file");
  if (ca.ok())
    cfg.tls.ca_pem = std::move(*ca);
  else if (ca.status().code() != StatusCode::kNotFound)
    return ca.status();
  auto ns = ReadFile((fs::path(dir) / "namespace").string(), "namespace file");
  cfg.namespace_ = ns.ok() ? Trim(*ns) : "";
  if (cfg.namespace_.empty()) cfg.namespace_ = "default";
  return cfg;
}

Result<Config> FromKubeconfigFiles(const std::vector<std::string>& paths,
                                   const std::string& context) {
  Merged m;
  bool any = false;
  for (const auto& p : paths) {
    if (p.empty()) continue;
    std::error_code ec;
    if (!fs::exists(p, ec)) continue;
    VS_RETURN_IF_ERROR(MergeFile(p, m));
    any = true;
  }
  if (!any) {
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
    return Status(StatusCode::kNotFound, "no kubeconfig file found (looked at: " + list + ")");
  }
  try {
    return Build(m, context);
  } catch (const YAML::Exception& e) {  // a field of the wrong type (e.g. a non-boolean flag)
    return InvalidArgument(std::string("kubeconfig is malformed: ") + e.what());
  }
}

Result<Config> FromKubeconfig(const std::string& path, const std::string& context) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return Status(StatusCode::kNotFound, "kubeconfig " + path + " does not exist");
  return FromKubeconfigFiles({path}, context);
}

Result<Config> Load(const std::string& kubeconfig_flag) {
  if (!kubeconfig_flag.empty()) return FromKubeconfig(kubeconfig_flag);
  if (!Getenv("KUBERNETES_SERVICE_HOST").empty()) return InCluster();
  std::string env = Getenv("KUBECONFIG");
  if (!env.empty()) {
    std::vector<std::string> paths;
    std::string_view rest = env;
    while (true) {
      auto colon = rest.find(':');
      paths.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    return FromKubeconfigFiles(paths);
  }
  std::string home = Getenv("HOME");
  if (home.empty())
    return Status(StatusCode::kNotFound,
                  "no Kubernetes configuration: pass --kubeconfig, run in a cluster, or set "
                  "KUBECONFIG");
  auto cfg = FromKubeconfigFiles({(fs::path(home) / ".kube" / "config").string()});
  if (!cfg.ok() && cfg.status().code() == StatusCode::kNotFound)
    return Status(StatusCode::kNotFound,
                  "no Kubernetes configuration: pass --kubeconfig, run in a cluster, set "
                  "KUBECONFIG, or create ~/.kube/config");
  return cfg;
}

}  // namespace vaultsync::kube
