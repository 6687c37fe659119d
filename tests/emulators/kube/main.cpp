// kube-emulator: serves the kube-apiserver emulator over HTTP(S) until SIGINT/SIGTERM.
//
//   kube-emulator --listen HOST:PORT [--admin-token T] [--write-kubeconfig PATH]
//                 [--watch-window N] [--tls-cert-file F --tls-key-file F | --tls-self-signed]
//                 [--authorization-mode AlwaysAllow|RBAC] [--max-requests-inflight N]
//
// --tls-self-signed serves https with a fresh self-signed certificate (written into the
// kubeconfig as its CA): kubectl sends bearer tokens only over https, so writing a kubeconfig
// for plain http comes with a warning on stderr. --help prints the usage to stdout.
// Prints "listening on http://HOST:PORT" as its first stdout line once it accepts requests.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "http_server.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "self_signed.h"
#include "util/base64.h"

namespace {

const char kUsage[] =
    "usage: kube-emulator --listen HOST:PORT [--admin-token T] [--write-kubeconfig PATH]\n"
    "                     [--watch-window N]\n"
    "                     [--tls-cert-file F --tls-key-file F | --tls-self-signed]\n"
    "                     [--authorization-mode AlwaysAllow|RBAC] [--max-requests-inflight N]\n"
    "                     [--io-threads N]\n"
    "       kube-emulator --help\n"
    "\n"
    "Serves an emulated kube-apiserver v1.26 until SIGINT or SIGTERM; prints\n"
    "\"listening on URL\" first.\n"
    "\n"
    "  --listen HOST:PORT        address to serve on (port 0 picks a free port)\n"
    "  --admin-token T           bearer token of a cluster admin (default emulator-admin-token)\n"
    "  --write-kubeconfig PATH   write a kubeconfig for the admin token to PATH\n"
    "  --watch-window N          events kept per resource for watch resumption (default 100)\n"
    "  --tls-self-signed         serve https with a fresh self-signed certificate, written into\n"
    "                            the kubeconfig as its CA. Use it whenever kubectl talks to the\n"
    "                            emulator: kubectl sends bearer tokens only over https,\n"
    "                            so over plain http every request is anonymous and gets 401.\n"
    "  --tls-cert-file F --tls-key-file F\n"
    "                            serve https with this certificate and key\n"
    "  --authorization-mode M    AlwaysAllow (default) or RBAC (Roles and bindings stored in\n"
    "                            the emulator; the admin token is always allowed)\n"
    "  --max-requests-inflight N past N requests in flight (watches excepted) answer 429 with\n"
    "                            Retry-After, as API Priority and Fairness does (default 0 =\n"
    "                            no limit; POST /__emulator/overload changes it at run time)\n"
    "  --io-threads N            threads serving HTTP, 2 or more (default 2): no handler waits\n"
    "                            for the network (only for the emulator's lock), so more threads\n"
    "                            than cores only add hand-offs; one may wait while the server\n"
    "                            stops\n";

int Usage(const std::string& why) {
  std::cerr << "kube-emulator: " << why << "\n" << kUsage;
  return 2;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool WriteKubeconfig(const std::string& path, const std::string& url, const std::string& token,
                     const std::string& ca_pem) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: emulator\n  cluster:\n"
      << "    server: " << url << "\n";
  if (!ca_pem.empty()) {
    out << "    certificate-authority-data: " << vaultsync::base64::Encode(ca_pem) << "\n";
  }
  out << "users:\n- name: emulator-admin\n  user:\n    token: " << token << "\n"
      << "contexts:\n- name: emulator\n  context:\n    cluster: emulator\n"
      << "    user: emulator-admin\n    namespace: default\n"
      << "current-context: emulator\n";
  out.close();
  ::chmod(path.c_str(), 0600);
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  vaultsync::emu::BlockTerminationSignals();
  std::string listen, kubeconfig, cert_file, key_file;
  bool self_signed = false;
  size_t io_threads = 2;
  vaultsync::kubeemu::EmulatorOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--listen") {
      if (!value(&listen)) return Usage("--listen needs HOST:PORT");
    } else if (arg == "--admin-token") {
      if (!value(&options.admin_token) || options.admin_token.empty()) {
        return Usage("--admin-token needs a value");
      }
    } else if (arg == "--write-kubeconfig") {
      if (!value(&kubeconfig)) return Usage("--write-kubeconfig needs a path");
    } else if (arg == "--watch-window") {
      if (!value(&v)) return Usage("--watch-window needs a number");
      std::optional<int64_t> n = vaultsync::kubeemu::ParseInt(v);
      if (!n || *n < 1) return Usage("--watch-window needs a positive number");
      options.watch_window = static_cast<size_t>(*n);
    } else if (arg == "--tls-cert-file") {
      if (!value(&cert_file)) return Usage("--tls-cert-file needs a path");
    } else if (arg == "--authorization-mode") {
      if (!value(&v) || (v != "AlwaysAllow" && v != "RBAC")) {
        return Usage("--authorization-mode is AlwaysAllow or RBAC");
      }
      options.rbac = v == "RBAC";
    } else if (arg == "--max-requests-inflight") {
      std::optional<int64_t> n;
      if (value(&v)) n = vaultsync::kubeemu::ParseInt(v);
      if (!n || *n < 0) return Usage("--max-requests-inflight needs a number >= 0");
      options.max_requests_inflight = static_cast<int>(*n);
    } else if (arg == "--io-threads") {
      std::optional<int64_t> n;
      if (value(&v)) n = vaultsync::kubeemu::ParseInt(v);
      if (!n || *n < 2 || *n > 256) return Usage("--io-threads needs a number from 2 to 256");
      io_threads = static_cast<size_t>(*n);
    } else if (arg == "--tls-self-signed") {
      self_signed = true;
    } else if (arg == "--tls-key-file") {
      if (!value(&key_file)) return Usage("--tls-key-file needs a path");
    } else {
      return Usage("unknown argument " + arg);
    }
  }
  if (listen.empty()) return Usage("--listen is required");
  vaultsync::http::ConfigureIoThreads(io_threads);
  if (cert_file.empty() != key_file.empty()) {
    return Usage("--tls-cert-file and --tls-key-file go together");
  }
  if (self_signed && !cert_file.empty()) {
    return Usage("--tls-self-signed excludes --tls-cert-file/--tls-key-file");
  }
  auto where = vaultsync::emu::ParseListen(listen);
  if (!where.ok()) return Usage(where.status().message());

  vaultsync::emu::ServerOptions server_options;
  server_options.host = where->first;
  server_options.port = where->second;
  if (!cert_file.empty()) {
    if (!ReadFile(cert_file, &server_options.tls_cert_pem) ||
        !ReadFile(key_file, &server_options.tls_key_pem)) {
      std::cerr << "kube-emulator: cannot read the TLS certificate or key\n";
      return 1;
    }
    options.ca_pem = server_options.tls_cert_pem;
  } else if (self_signed) {
    auto cert = vaultsync::kubeemu::MakeSelfSignedCert(server_options.host);
    if (!cert.ok()) {
      std::cerr << "kube-emulator: " << cert.status().message() << "\n";
      return 1;
    }
    server_options.tls_cert_pem = cert->cert_pem;
    server_options.tls_key_pem = cert->key_pem;
    options.ca_pem = cert->cert_pem;
  }
  vaultsync::kubeemu::KubeEmulator emulator(options);
  server_options.admit = [&emulator](const vaultsync::emu::ServerRequest& req) {
    return emulator.ServerAdmission(req);
  };
  auto server = vaultsync::emu::HttpServer::Start(
      server_options,
      [&emulator](const vaultsync::emu::ServerRequest& req) { return emulator.Handle(req); });
  if (!server.ok()) {
    std::cerr << "kube-emulator: " << server.status().message() << "\n";
    return 1;
  }
  emulator.RegisterControls(**server);
  if (!kubeconfig.empty() &&
      !WriteKubeconfig(kubeconfig, (*server)->url(), options.admin_token, options.ca_pem)) {
    std::cerr << "kube-emulator: cannot write kubeconfig " << kubeconfig << "\n";
    return 1;
  }
  if (!kubeconfig.empty() && options.ca_pem.empty()) {
    std::cerr << "kube-emulator: warning: serving plain http; kubectl sends no bearer token over "
                 "plain http, so the kubeconfig written to "
              << kubeconfig
              << " authenticates nothing (every request gets 401 Unauthorized). Start with "
                 "--tls-self-signed to give kubectl a usable kubeconfig.\n";
  }
  std::cout << "listening on " << (*server)->url() << std::endl;
  vaultsync::emu::WaitForTerminationSignal();
  emulator.CutWatches();
  (*server)->Stop();
  return 0;
}
