// A throwaway self-signed serving certificate for `kube-emulator --tls-self-signed`: kubectl
// (client-go) never sends bearer tokens over plain http, so the emulator must speak https
// for kubectl; the written kubeconfig carries this certificate as its CA.
#pragma once

#include <string>

#include "util/status.h"

namespace vaultsync::kubeemu {

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

// An RSA-2048 key and a certificate valid for a year, CN=kube-emulator, with subject
// alternative names IP:127.0.0.1, DNS:localhost and `host` (an IP or DNS name). Fails with
// kInternal when OpenSSL does.
Result<CertAndKey> MakeSelfSignedCert(const std::string& host);

}  // namespace vaultsync::kubeemu
