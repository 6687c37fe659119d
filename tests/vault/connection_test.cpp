// ConnectionConfig: environment defaults, validation (X-Vault-Token rejected), transport
// mapping.
#include "vault/connection.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace vaultsync::vault {
namespace {

ConnectionConfig::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConnectionConfig, FromEnvDefaultsLikeTheVaultCli) {
  auto c = ConnectionConfig::FromEnv(Env({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->address, "https://127.0.0.1:8200");
  EXPECT_FALSE(c->skip_verify);
  EXPECT_EQ(c->namespace_, "");
  EXPECT_EQ(c->timeout, std::chrono::seconds(30));
}

TEST(ConnectionConfig, FromEnvReadsEveryVariable) {
  std::string ca_path = ::testing::TempDir() + "/vault_ca_test.pem";
  { std::ofstream(ca_path) << "-----BEGIN CERTIFICATE-----\nxyz\n-----END CERTIFICATE-----\n"; }
  auto c = ConnectionConfig::FromEnv(Env({{"VAULT_ADDR", "http://127.0.0.1:8201"},
                                          {"VAULT_CACERT", ca_path},
                                          {"VAULT_NAMESPACE", "team-a"},
                                          {"VAULT_SKIP_VERIFY", "true"},
                                          {"VAULT_TLS_SERVER_NAME", "vault.internal"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->address, "http://127.0.0.1:8201");
  EXPECT_NE(c->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(c->namespace_, "team-a");
  EXPECT_TRUE(c->skip_verify);
  EXPECT_EQ(c->tls_server_name, "vault.internal");
  std::remove(ca_path.c_str());
}

TEST(ConnectionConfig, FromEnvRejectsBadValues) {
  auto bad_bool = ConnectionConfig::FromEnv(Env({{"VAULT_SKIP_VERIFY", "yes please"}}));
  EXPECT_EQ(bad_bool.status().code(), StatusCode::kInvalidArgument);
  auto no_file = ConnectionConfig::FromEnv(Env({{"VAULT_CACERT", "/nonexistent/ca.pem"}}));
  EXPECT_EQ(no_file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_file.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(ConnectionConfig, ParseGoBoolAcceptsGoSpellingsOnly) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"})
    EXPECT_EQ(ParseGoBool(t), true) << t;
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    EXPECT_EQ(ParseGoBool(f), false) << f;
  }
  EXPECT_EQ(ParseGoBool("yes"), std::nullopt);
  EXPECT_EQ(ParseGoBool(""), std::nullopt);
}

TEST(ConnectionConfig, ValidateRejectsTokenHeaderAnyCase) {
  ConnectionConfig c;
  c.address = "https://vault:8200";
  EXPECT_TRUE(c.Validate().ok());
  c.headers["x-vault-token"] = "s.abc";
  Status st = c.Validate();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("X-Vault-Token"), std::string::npos);
  EXPECT_EQ(st.message().find("s.abc"), std::string::npos);
}

TEST(ConnectionConfig, ValidateChecksAddressHeadersAndTimeout) {
  ConnectionConfig c;
  for (const char* bad :
       {"", "vault:8200", "ftp://vault", "https://", "https://vault/v1", "http://user@vault"}) {
    c.address = bad;
    EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument) << bad;
  }
  c.address = "http://vault:8200/";
  EXPECT_TRUE(c.Validate().ok());
  c.headers["X-Bad"] = "a\r\nX-Vault-Token: injected";
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  c.headers.clear();
  c.timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(ConnectionConfig, MapsOntoTheTransport) {
  ConnectionConfig c;
  c.address = "https://vault.example:8200/";
  c.ca_pem = "PEM";
  c.tls_server_name = "vault.internal";
  c.skip_verify = true;
  c.timeout = std::chrono::milliseconds(1500);
  http::TransportConfig t = c.ToTransportConfig();
  EXPECT_EQ(t.base_url, "https://vault.example:8200");
  EXPECT_EQ(t.tls.ca_pem, "PEM");
  EXPECT_EQ(t.tls.server_name, "vault.internal");
  EXPECT_TRUE(t.tls.skip_verify);
  EXPECT_EQ(t.timeout, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace vaultsync::vault
