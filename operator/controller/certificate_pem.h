// Reading a PEM certificate with OpenSSL: the facts a VaultPKISecret needs from the Secret
// it wrote (serial number, validity) when it has no memory of issuing it — after a restart or
// a change of leader — so that a certificate that is still good is kept, never re-issued.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::controller {

struct CertificateInfo {
  std::string serial_number;  // Vault's form: lower-case hex bytes joined by ':'
  TimePoint not_before;
  TimePoint not_after;
};

// The first certificate of a PEM bundle (tls.crt: the certificate, then its chain).
// kInvalidArgument when there is none or it does not parse.
Result<CertificateInfo> ParseFirstCertificate(std::string_view pem);

// True when `key_pem` (PKCS #1, SEC 1 or PKCS #8) is the private key of the first
// certificate of `cert_pem`.
bool KeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem);

}  // namespace vaultsync::controller
