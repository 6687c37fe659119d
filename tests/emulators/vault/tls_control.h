// The emulator's serving certificate: `--tls-self-signed DIR` (a fresh CA and a certificate
// for 127.0.0.1/localhost signed by it, written to DIR as ca.crt, tls.crt and tls.key) and
// rotation without a restart through POST /__emulator/tls, so a test can rotate Vault's
// certificate and its CA while tokens, KV data and mounts stay.
#pragma once

#include <string>

#include "http_server.h"
#include "util/status.h"

namespace vaultsync::vaultemu {

struct TlsPair {
  std::string ca_pem;    // the CA that signed cert_pem
  std::string cert_pem;  // the serving certificate
  std::string key_pem;   // its key (PKCS#8)
};

// A new CA and a serving certificate for 127.0.0.1, localhost and `host` (an IP or a DNS
// name), valid for a year. Fails with kInternal when OpenSSL does.
Result<TlsPair> MakeServingPair(const std::string& host);

// Writes dir/ca.crt, dir/tls.crt and dir/tls.key (mode 0600), creating dir if needed;
// fails with kUnavailable naming the file that could not be written.
Status WriteTlsFiles(const std::string& dir, const TlsPair& pair);

// POST /__emulator/tls:
//   {"cert_pem":"...","key_pem":"..."}  serve this pair from now on      -> 200 {}
//   {"regenerate":true}                 a new CA and certificate (written to
//                                       `self_signed_dir` when set)       -> 200 {"ca_pem":"..."}
// New connections get the new certificate; open ones and all emulator state are kept.
// 400 {"error":...} for a bad body or a pair that does not load, 409 on a plain-http server.
emu::ServerResponse HandleTlsControl(emu::HttpServer& server, const std::string& host,
                                     const std::string& self_signed_dir,
                                     const emu::ServerRequest& req);

}  // namespace vaultsync::vaultemu
