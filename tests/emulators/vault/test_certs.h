// A self-signed certificate for 127.0.0.1 made at test time with OpenSSL, so the
// emulator's HTTPS listener and its TokenReview client's CA handling can be tested
// without files in the repository. Test-only.
#pragma once

#include <string>

#include "util/status.h"

namespace vaultsync::vaultemu::testing {

struct SelfSignedCert {
  std::string cert_pem;  // also serves as its own CA certificate
  std::string key_pem;
};

// A certificate for CN `common_name` with IP SAN 127.0.0.1, valid for a day.
Result<SelfSignedCert> MakeSelfSignedCert(const std::string& common_name);

}  // namespace vaultsync::vaultemu::testing
