// Where the Kubernetes API server is and how to authenticate to it. In a pod the service
// account files and KUBERNETES_SERVICE_* env say so; elsewhere a kubeconfig does. Load()
// applies SPEC's order: --kubeconfig flag, in-cluster env, KUBECONFIG, ~/.kube/config.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"
#include "util/status.h"

namespace vaultsync::kube {

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

struct Config {
  std::string server;  // "https://10.96.0.1:443"; may carry a path prefix (API proxies)
  http::TlsConfig tls;
  std::string bearer_token;  // a fixed token
  std::string token_file;    // re-read when it changes (projected tokens rotate); wins over
                             // bearer_token when both are set, as in client-go
  std::string namespace_;    // the pod's namespace, or the kubeconfig context's ("default")
  double qps = 0;            // client-side throttle; <= 0 disables it (the default)
  int burst = 30;
  std::string user_agent;                    // empty = "vaultsync"
  std::chrono::milliseconds timeout{30000};  // per request (watches: per silent stretch)
};

// In-cluster configuration from the service-account directory (env
// VAULTSYNC_SERVICEACCOUNT_DIR overrides `sa_dir`) and KUBERNETES_SERVICE_HOST/PORT.
// The server is https://HOST:PORT; as an extension for local runs against the emulator,
// a HOST that starts with "http://" or "https://" keeps its scheme. Reads ca.crt (absent:
// system roots) and namespace (absent: "default"); the token file must be readable.
// Fails with kNotFound when the env names no server, kFailedPrecondition when the token
// file cannot be read.
Result<Config> InCluster(std::string_view sa_dir = kServiceAccountDir);

// Out-of-cluster configuration from one kubeconfig file. `context` empty = its
// current-context. Supports server, certificate-authority(-data), insecure-skip-tls-verify,
// tls-server-name, token, tokenFile, client-certificate(-data), client-key(-data) and the
// context's namespace; relative file paths are relative to the kubeconfig's directory.
// exec and auth-provider plugins and basic auth are not supported (kInvalidArgument saying
// so). Fails with kNotFound when the file does not exist, kInvalidArgument when it is
// malformed or names a missing context/cluster/user.
Result<Config> FromKubeconfig(const std::string& path, const std::string& context = "");

// Several kubeconfig files merged as kubectl merges KUBECONFIG: for each named cluster,
// user and context, and for current-context, the first file that sets it wins. Files that
// do not exist are skipped; fails with kNotFound when none exists.
Result<Config> FromKubeconfigFiles(const std::vector<std::string>& paths,
                                   const std::string& context = "");

// SPEC's order: `kubeconfig_flag` when set; else in-cluster when KUBERNETES_SERVICE_HOST is
// set; else the KUBECONFIG list (':'-separated); else $HOME/.kube/config. kNotFound when
// none applies.
Result<Config> Load(const std::string& kubeconfig_flag);

}  // namespace vaultsync::kube
