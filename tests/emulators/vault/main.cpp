// vault-emulator: serves the Vault API emulator over HTTP(S) for tests and the local demo.
// Prints `listening on http(s)://HOST:PORT` as its first line, then serves until SIGTERM
// or SIGINT. Control paths (not part of Vault's API) live under /__emulator/; the usage
// text below lists them.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "http_server.h"
#include "time_control.h"
#include "tls_control.h"
#include "vault_emulator.h"

namespace {

constexpr char kUsage[] =
    "usage: vault-emulator --listen HOST:PORT [--dev-root-token ID]\n"
    "                      [--tls-cert-file FILE --tls-key-file FILE | --tls-self-signed DIR]\n"
    "\n"
    "Serves an emulated Vault 1.8 dev server (KV v1/v2, token, kubernetes and approle auth,\n"
    "PKI, database credentials with leases, response wrapping) for tests and the demo.\n"
    "  --listen HOST:PORT     where to listen (port 0 picks a free one); the first line printed\n"
    "                         is `listening on http(s)://HOST:PORT`\n"
    "  --dev-root-token ID    the root token's id (default: a random s.* token)\n"
    "  --tls-cert-file FILE   serve https with this certificate (PEM, chain allowed)...\n"
    "  --tls-key-file FILE    ...and this key\n"
    "  --tls-self-signed DIR  serve https with a new CA and a certificate for 127.0.0.1 and\n"
    "                         localhost, written to DIR/ca.crt, DIR/tls.crt, DIR/tls.key\n"
    "Control paths (not Vault's API):\n"
    "  GET/POST   /__emulator/time        {\"advance_seconds\":N,\"freeze\":b}\n"
    "  POST       /__emulator/tls         {\"cert_pem\",\"key_pem\"} or {\"regenerate\":true}: "
    "new\n"
    "                                     connections get the new certificate, state is kept\n"
    "  GET/DELETE /__emulator/counters, POST/DELETE /__emulator/faults\n"
    "  GET        /__emulator/unseal-key, POST /__emulator/server-state\n"
    "  GET        /__emulator/leases      the lease table and issued-credential counts\n";

int Usage(const std::string& why) {
  std::cerr << "vault-emulator: " << why << "\n" << kUsage;
  return 2;
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vaultsync;
  emu::BlockTerminationSignals();
  std::string listen, root_token, cert_file, key_file, self_signed_dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    bool ok = true;
    if (arg == "--listen") {
      ok = value(listen);
    } else if (arg == "--dev-root-token") {
      ok = value(root_token);
    } else if (arg == "--tls-cert-file") {
      ok = value(cert_file);
    } else if (arg == "--tls-key-file") {
      ok = value(key_file);
    } else if (arg == "--tls-self-signed") {
      ok = value(self_signed_dir);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      return Usage("unknown argument " + arg);
    }
    if (!ok) return Usage(arg + " needs a value");
  }
  if (listen.empty()) return Usage("--listen is required");
  auto hostport = emu::ParseListen(listen);
  if (!hostport.ok()) return Usage(hostport.status().message());

  emu::ServerOptions options;
  options.host = hostport->first;
  options.port = hostport->second;
  if (cert_file.empty() != key_file.empty()) {
    return Usage("--tls-cert-file and --tls-key-file go together");
  }
  if (!cert_file.empty() && !self_signed_dir.empty()) {
    return Usage("--tls-self-signed and --tls-cert-file exclude each other");
  }
  if (!cert_file.empty()) {
    if (!ReadFile(cert_file, options.tls_cert_pem)) return Usage("cannot read " + cert_file);
    if (!ReadFile(key_file, options.tls_key_pem)) return Usage("cannot read " + key_file);
  }
  if (!self_signed_dir.empty()) {
    auto pair = vaultemu::MakeServingPair(options.host);
    if (!pair.ok()) {
      std::cerr << "vault-emulator: " << pair.status().message() << "\n";
      return 1;
    }
    if (Status st = vaultemu::WriteTlsFiles(self_signed_dir, *pair); !st.ok()) {
      std::cerr << "vault-emulator: " << st.message() << "\n";
      return 1;
    }
    options.tls_cert_pem = pair->cert_pem;
    options.tls_key_pem = pair->key_pem;
  }
  // Count GET ?list=true as LIST, like Vault does, so counters name the operation.
  options.count_key = [](const emu::ServerRequest& req) {
    bool list = false;
    req.Query("list", &list);
    std::string method = (req.method == "GET" && list) ? "LIST" : req.method;
    return method + " " + req.path;
  };

  vaultemu::OffsetClock clock(SystemClock::Instance());
  vaultemu::EmulatorOptions eo;
  eo.clock = &clock;
  eo.root_token = root_token;
  vaultemu::VaultEmulator emulator(eo);

  auto server = emu::HttpServer::Start(
      options, [&emulator](const emu::ServerRequest& req) { return emulator.Handle(req); });
  if (!server.ok()) {
    std::cerr << "vault-emulator: " << server.status().message() << "\n";
    return 1;
  }
  vaultemu::RegisterControls(**server, emulator);
  (*server)->AddControl("time", [&clock](const emu::ServerRequest& req) {
    return vaultemu::HandleTimeControl(clock, req);
  });
  emu::HttpServer* raw_server = server->get();
  (*server)->AddControl(
      "tls", [raw_server, host = options.host, self_signed_dir](const emu::ServerRequest& req) {
        return vaultemu::HandleTlsControl(*raw_server, host, self_signed_dir, req);
      });
  std::cout << "listening on " << (*server)->url() << std::endl;
  emu::WaitForTerminationSignal();
  (*server)->Stop();
  return 0;
}
