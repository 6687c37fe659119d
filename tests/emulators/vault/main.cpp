// vault-emulator: serves the Vault API emulator over HTTP(S) for tests and the local demo.
//   vault-emulator --listen HOST:PORT [--dev-root-token ID]
//                  [--tls-cert-file F --tls-key-file F]
// Prints `listening on http(s)://HOST:PORT` as its first line, then serves until SIGTERM
// or SIGINT. Control paths (not part of Vault's API) live under /__emulator/.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "http_server.h"
#include "time_control.h"
#include "vault_emulator.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "vault-emulator: " << why << "\n"
            << "usage: vault-emulator --listen HOST:PORT [--dev-root-token ID]\n"
            << "                      [--tls-cert-file FILE --tls-key-file FILE]\n";
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
  std::string listen, root_token, cert_file, key_file;
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
    } else if (arg == "--help" || arg == "-h") {
      Usage("help");
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
  if (!cert_file.empty()) {
    if (!ReadFile(cert_file, options.tls_cert_pem)) return Usage("cannot read " + cert_file);
    if (!ReadFile(key_file, options.tls_key_pem)) return Usage("cannot read " + key_file);
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
  std::cout << "listening on " << (*server)->url() << std::endl;
  emu::WaitForTerminationSignal();
  (*server)->Stop();
  return 0;
}
