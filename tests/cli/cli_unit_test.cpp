// vaultsyncctl without a server: argument parsing and usage errors, flags + environment ->
// library configs, and the text output.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/settings.h"

namespace vaultsync::cli {
namespace {

Result<Invocation> Parse(std::vector<std::string> args) { return ParseArgs(args); }

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseArgs, GlobalFlagsBeforeOrAfterTheVerb) {
  auto inv = Parse({"--address", "http://v:8200", "get", "--mount=kv", "--version", "3", "app/db",
                    "-o", "json", "--skip-verify", "--token=s.x"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->verb, Verb::kGet);
  EXPECT_EQ(inv->global.address, "http://v:8200");
  EXPECT_EQ(inv->global.token, "s.x");
  EXPECT_EQ(inv->global.skip_verify, true);
  EXPECT_EQ(inv->global.output, OutputFormat::kJson);
  EXPECT_EQ(inv->mount, "kv");
  EXPECT_EQ(inv->version, 3);
  EXPECT_EQ(inv->args, (std::vector<std::string>{"app/db"}));
}

TEST(ParseArgs, PutTakesPairsAndCas) {
  auto inv = Parse({"put", "--cas", "0", "app/db", "user=admin", "pw=a=b", "empty="});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->cas, 0);
  EXPECT_EQ(inv->args.size(), 4u);
  EXPECT_EQ(inv->mount, "secret");
}

TEST(ParseArgs, Help) {
  auto global = Parse({"--help"});
  ASSERT_TRUE(global.ok());
  EXPECT_TRUE(global->help);
  EXPECT_FALSE(global->verb.has_value());
  auto verb = Parse({"get", "--help"});
  ASSERT_TRUE(verb.ok());
  EXPECT_TRUE(verb->help);
  EXPECT_EQ(verb->verb, Verb::kGet);
  auto word = Parse({"help", "put"});
  ASSERT_TRUE(word.ok());
  EXPECT_EQ(word->verb, Verb::kPut);
}

TEST(ParseArgs, UsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"get"},
      {"get", "a", "b"},
      {"list", "a", "b"},
      {"put", "app/db"},
      {"put", "app/db", "novalue"},
      {"put", "app/db", "=v"},
      {"policy"},
      {"health", "extra"},
      {"health", "--mount", "x"},
      {"list", "--version", "2"},
      {"get", "--cas", "1", "a"},
      {"get", "--version", "0", "a"},
      {"get", "--version", "x", "a"},
      {"put", "--cas", "-1", "a", "k=v"},
      {"get", "--kv-version", "3", "a"},
      {"-o", "yaml", "health"},
      {"--bogus", "health"},
      {"--address"},
      {"--mount", "x", "get", "a"},
      {"--skip-verify=maybe", "health"},
      // Admin verbs.
      {"auth"},
      {"auth", "frob"},
      {"auth", "enable"},
      {"auth", "enable", "a", "b"},
      {"auth", "list", "x"},
      {"auth", "list", "--host", "h"},
      {"secrets", "enable"},
      {"secrets", "list"},
      {"secrets", "enable", "--version", "3", "kv"},
      {"get", "--path", "p", "a"},
      {"write-kubernetes-config"},
      {"write-kubernetes-config", "--host", "https://h", "extra"},
      {"role", "write"},
      {"role", "write", "r", "novalue"},
      {"role", "read"},
      {"role", "read", "a", "b"},
      {"role", "delete", "a"},
      {"policy", "write", "p"},
      {"approle", "role-id"},
      {"approle", "secret-id", "a", "b"},
      {"approle", "secret-id", "--show-secret-id=yes", "a"},
      {"role", "--show-secret-id", "read", "a"},
  };
  for (const auto& args : bad) {
    auto inv = Parse(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_FALSE(inv.ok()) << joined;
    if (!inv.ok()) {
      EXPECT_EQ(inv.status().code(), StatusCode::kInvalidArgument) << joined;
    }
  }
}

TEST(ParseArgs, UsageErrorNeverEchoesAValue) {
  auto inv = Parse({"put", "app/db", "user=x", "SECRETVALUEWITHOUTEQUALS"});
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().message().find("SECRETVALUE"), std::string::npos);
  auto role = Parse({"role", "write", "r", "SECRETVALUEWITHOUTEQUALS"});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.status().message().find("SECRETVALUE"), std::string::npos);
}

TEST(ParseArgs, AdminVerbsAndTheirFlags) {
  auto auth = Parse({"auth", "enable", "--path", "k8s", "kubernetes"});
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->verb, Verb::kAuth);
  EXPECT_EQ(auth->Subcommand(), "enable");
  EXPECT_EQ(auth->path, "k8s");
  EXPECT_EQ(auth->args, (std::vector<std::string>{"enable", "kubernetes"}));

  auto secrets = Parse({"secrets", "enable", "--version=2", "kv"});
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ(secrets->engine_version, "2");
  EXPECT_FALSE(secrets->version.has_value());

  auto cfg = Parse({"write-kubernetes-config", "--host", "https://10.0.0.1:443", "--ca-cert-file",
                    "ca.crt", "--token-reviewer-jwt-file", "r.jwt", "--issuer", "iss"});
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->host, "https://10.0.0.1:443");
  EXPECT_EQ(cfg->ca_cert_file, "ca.crt");
  EXPECT_EQ(cfg->reviewer_jwt_file, "r.jwt");
  EXPECT_EQ(cfg->issuer, "iss");

  auto role = Parse({"role", "write", "vaultsync", "--auth-path", "k8s",
                     "bound_service_account_names=a,b", "token_ttl=1h"});
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(role->auth_path, "k8s");
  EXPECT_EQ(role->args.size(), 4u);

  // `policy NAME` stays a read; `policy write NAME FILE` writes; a policy called "write"
  // is read with `policy read write`.
  EXPECT_EQ(Parse({"policy", "write"})->Subcommand(), "read");
  EXPECT_EQ(Parse({"policy", "read", "write"})->Subcommand(), "read");
  EXPECT_EQ(Parse({"policy", "write", "p", "-"})->Subcommand(), "write");

  auto sid = Parse({"approle", "secret-id", "--show-secret-id", "sync"});
  ASSERT_TRUE(sid.ok()) << sid.status().ToString();
  EXPECT_TRUE(sid->show_secret_id);
  EXPECT_EQ(sid->Subcommand(), "secret-id");
}

TEST(RunCli, SecretIdIsNotMadeToBeHidden) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"--address", "http://127.0.0.1:1", "--token", "t", "approle", "secret-id", "r"},
                   Env({}), out, err),
            kExitUsage);
  EXPECT_NE(err.str().find("--show-secret-id"), std::string::npos) << err.str();
}

TEST(RunCli, EveryVerbHasAHelpPage) {
  for (const char* verb :
       {"login-check", "list", "get", "put", "delete", "policies", "policy", "health", "auth",
        "secrets", "write-kubernetes-config", "role", "approle"}) {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({verb, "--help"}, Env({}), out, err), kExitOk) << verb;
    EXPECT_NE(out.str().find(std::string("vaultsyncctl [global flags] ") + verb), std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("Exit codes"), std::string::npos) << verb;
  }
}

TEST(RunCli, ExitCodesWithoutAServer) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"--help"}, Env({}), out, err), kExitOk);
  EXPECT_NE(out.str().find("login-check"), std::string::npos);
  out.str("");
  EXPECT_EQ(RunCli({"get", "--help"}, Env({}), out, err), kExitOk);
  EXPECT_NE(out.str().find("--version N"), std::string::npos);
  EXPECT_EQ(RunCli({"nope"}, Env({}), out, err), kExitUsage);
  EXPECT_NE(err.str().find("unknown command \"nope\""), std::string::npos);
  err.str("");
  EXPECT_EQ(RunCli({"--address", "ftp://x", "health"}, Env({}), out, err), kExitUsage);
  // No token for the token method: a usage error found before any request.
  EXPECT_EQ(RunCli({"--address", "http://127.0.0.1:1", "list"}, Env({}), out, err), kExitUsage);
  EXPECT_NE(err.str().find("VAULT_TOKEN"), std::string::npos);
}

TEST(Settings, FlagsWinOverEnvironment) {
  GlobalFlags f;
  auto env = Env({{"VAULT_ADDR", "http://env:8200"},
                  {"VAULT_NAMESPACE", "env-ns"},
                  {"VAULT_SKIP_VERIFY", "true"},
                  {"VAULT_CACERT", "/nonexistent"}});
  EXPECT_EQ(ConnectionFromFlags(f, env).status().code(), StatusCode::kInvalidArgument);
  std::string ca = ::testing::TempDir() + "/cli_ca.pem";
  std::ofstream(ca) << "PEM";
  f.ca_cert = ca;
  auto c = ConnectionFromFlags(f, env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->address, "http://env:8200");
  EXPECT_EQ(c->namespace_, "env-ns");
  EXPECT_TRUE(c->skip_verify);
  EXPECT_EQ(c->ca_pem, "PEM");
  f.address = "https://flag:8200";
  f.namespace_ = "flag-ns";
  f.skip_verify = false;
  c = ConnectionFromFlags(f, env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->address, "https://flag:8200");
  EXPECT_EQ(c->namespace_, "flag-ns");
  EXPECT_FALSE(c->skip_verify);
}

TEST(Settings, AuthMethodIsInferredOrGiven) {
  auto env = Env({{"VAULT_TOKEN", "s.envtoken"}});
  GlobalFlags f;
  auto token = AuthFromFlags(f, env);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->method, vault::AuthConfig::kToken);
  EXPECT_EQ(token->token, "s.envtoken");
  f.token = "s.flag";
  EXPECT_EQ(AuthFromFlags(f, env)->token, "s.flag");

  GlobalFlags k8s;
  k8s.role = "app";
  k8s.jwt_file = "/tmp/jwt";
  k8s.auth_mount = "k8s";
  auto k = AuthFromFlags(k8s, Env({}));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->method, vault::AuthConfig::kKubernetes);
  EXPECT_EQ(k->jwt_file, "/tmp/jwt");
  EXPECT_EQ(k->mount, "k8s");

  GlobalFlags ar;
  ar.role_id = "rid";
  std::string sid = ::testing::TempDir() + "/cli_secret_id";
  std::ofstream(sid) << "sid-value\n";
  ar.secret_id_file = sid;
  auto a = AuthFromFlags(ar, Env({}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->method, vault::AuthConfig::kAppRole);
  EXPECT_EQ(a->secret_id, "sid-value");

  GlobalFlags bad;
  bad.method = "ldap";
  EXPECT_EQ(AuthFromFlags(bad, Env({})).status().code(), StatusCode::kInvalidArgument);
  bad.method = "kubernetes";
  EXPECT_EQ(AuthFromFlags(bad, Env({})).status().code(), StatusCode::kInvalidArgument);
  bad.method = "appRole";
  EXPECT_EQ(AuthFromFlags(bad, Env({})).status().code(), StatusCode::kInvalidArgument);
  bad.method = "token";
  EXPECT_EQ(AuthFromFlags(bad, Env({})).status().code(), StatusCode::kInvalidArgument);
}

TEST(Output, SecretTableWithMetadata) {
  vault::KvSecret s;
  s.data = {{"password", vault::KvValue::String("pw")}, {"port", vault::KvValue::Json("5432")}};
  s.version = 3;
  s.created_time = "2026-11-23T09:48:12.384635017Z";
  EXPECT_EQ(FormatSecret(s, vault::KvVersion::kV2),
            "Key        Value\n"
            "---        -----\n"
            "password   pw\n"
            "port       5432\n"
            "\n"
            "Metadata\n"
            "--------\n"
            "version        3\n"
            "created_time   2026-11-23T09:48:12.384635017Z\n");
  vault::KvSecret v1;
  v1.data = {{"ttl", vault::KvValue::String("30m")}};
  v1.lease_duration = std::chrono::seconds(1800);
  EXPECT_NE(FormatSecret(v1, vault::KvVersion::kV1).find("lease_duration   30m0s"),
            std::string::npos);
}

TEST(Output, Columns) {
  EXPECT_EQ(Columns({{"Path", "Type", "Description"}, {"kubernetes/", "kubernetes", ""}}),
            "Path          Type         Description\n"
            "kubernetes/   kubernetes\n");
}

TEST(Output, LoginInfoAndTtl) {
  vault::LoginInfo info;
  info.display_name = "approle";
  info.policies = {"app-read", "default"};
  info.ttl = std::chrono::seconds(59);
  info.renewable = true;
  std::string text = FormatLoginInfo(info, "appRole", "approle");
  EXPECT_NE(text.find("display name   approle\n"), std::string::npos) << text;
  EXPECT_NE(text.find("policies       app-read, default\n"), std::string::npos);
  EXPECT_NE(text.find("ttl            59s\n"), std::string::npos);
  EXPECT_NE(text.find("renewable      true\n"), std::string::npos);
  EXPECT_NE(text.find("auth method    appRole (auth/approle)\n"), std::string::npos);
  EXPECT_EQ(FormatTtl(std::chrono::seconds(0)), "never expires");
  EXPECT_EQ(FormatTtl(std::chrono::seconds(3600)), "1h0m0s");
}

}  // namespace
}  // namespace vaultsync::cli
