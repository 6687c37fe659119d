// A throwaway PKI made at test time with OpenSSL: a CA and a server certificate it signs,
// for TLS tests of the Vault client (good CA, wrong CA, server name). Nothing is written to
// disk and nothing outlives the test.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace vaultsync::vault::testing {

struct TestCa {
  std::string cert_pem;
  std::string key_pem;
};

struct TestServerCert {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA (EC P-256, valid for a day).
Result<TestCa> MakeCa(const std::string& common_name);

// A server certificate signed by `ca` with the given DNS and IP subject alternative names.
Result<TestServerCert> MakeServerCert(const TestCa& ca, const std::string& common_name,
                                      const std::vector<std::string>& dns_names,
                                      const std::vector<std::string>& ip_addresses);

}  // namespace vaultsync::vault::testing
