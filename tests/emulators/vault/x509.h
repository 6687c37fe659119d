// Real X.509 keys and certificates made with OpenSSL, for the two places the Vault emulator
// needs them: the PKI engine (a CA that issues leaf certificates clients verify with
// `openssl verify`) and `vault-emulator --tls-self-signed` (a CA plus a serving certificate
// for 127.0.0.1/localhost). Keys and certificates are RAII handles; every function reports
// OpenSSL failures as kInternal and bad input as kInvalidArgument. Thread-compatible.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::vaultemu::x509 {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

// "rsa" with 2048/3072/4096 bits, or "ec" with 224/256/384/521 (the NIST curves).
Result<Key> GenerateKey(std::string_view type, int bits);

struct CertSpec {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> uris;
  TimePoint not_before;
  TimePoint not_after;
  std::string serial;  // big-endian bytes, non-empty
  bool is_ca = false;  // basicConstraints CA:TRUE, keyCertSign + cRLSign
  // Leaf certificates: key usages and extended key usages.
  bool server_auth = true;
  bool client_auth = true;
};

// Signs a certificate for the public half of `subject_key` with `issuer_key`; with a null
// `issuer` the certificate is self-signed (issuer name = subject name).
Result<Cert> Issue(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key);

// PEM text as Vault returns it: no trailing newline.
std::string CertPem(X509* cert);
std::string CertDer(X509* cert);
// The key's own structure (PKCS#1 for RSA, SEC 1 for EC) or PKCS#8; PEM without trailing
// newline, or raw DER.
Result<std::string> KeyPem(EVP_PKEY* key, bool pkcs8);
Result<std::string> KeyDer(EVP_PKEY* key, bool pkcs8);
// "rsa" or "ec".
std::string KeyType(EVP_PKEY* key);

Result<Cert> ParseCertPem(std::string_view pem);
Result<Key> ParseKeyPem(std::string_view pem);

// The serial as Vault writes it: lower-case hex bytes joined by ':'.
std::string SerialText(X509* cert);
TimePoint NotAfter(X509* cert);

}  // namespace vaultsync::vaultemu::x509
