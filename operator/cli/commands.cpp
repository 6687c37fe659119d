// The verbs of vaultsyncctl.
#include "cli/commands.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/output.h"
#include "cli/usage.h"
#include "vault/admin.h"
#include "vault/client.h"
#include "vault/kv.h"
#include "vault/session.h"
#include "vault/sys.h"
#include "vault/token_manager.h"

namespace vaultsync::cli {
namespace {

using vault::KvVersion;

struct Context {
  const Invocation& inv;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const vault::AuthConfig* auth = nullptr;  // set once the verb needs an identity
  bool json() const { return inv.global.output == OutputFormat::kJson; }
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

// A failure to reach Vault whose cause is TLS (handshake, certificate verification): the
// fix is a flag, so say which.
bool IsTlsFailure(const Status& st) {
  if (st.http_status() != 0 || st.code() != StatusCode::kUnavailable) return false;
  const std::string m = Lower(st.message());
  for (const char* word : {"ssl", "tls", "handshake", "certificate"}) {
    if (m.find(word) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kTlsHint =
    "hint: the TLS connection to Vault failed. If Vault's certificate is signed by a private "
    "CA, pass that CA with --ca-cert FILE (or VAULT_CACERT=FILE); for a test server only, "
    "--skip-verify (or VAULT_SKIP_VERIFY=true) accepts any certificate. If the server speaks "
    "plain http, use an http:// address.\n";

// A static token Vault no longer knows (lookup-self refused after a 403).
bool IsDeadToken(const Context& c, const Status& st) {
  return c.auth != nullptr && c.auth->method == vault::AuthConfig::kToken &&
         st.code() == StatusCode::kUnauthenticated;
}

// Local validation failures (no HTTP status) are usage errors; anything Vault said or a
// failure to reach it is exit 1. A refused token and a TLS failure get a hint.
int Fail(Context& c, const Status& st) {
  if (IsDeadToken(c, st)) {
    c.err << "vaultsyncctl: Vault refused the token (method token): it does not know it or it "
             "has expired\n"
          << "hint: pass a valid token with --token or VAULT_TOKEN ('vaultsyncctl login-check' "
             "describes the token it is given)\n";
    return kExitFailed;
  }
  c.err << "vaultsyncctl: " << st.message() << "\n";
  if (IsTlsFailure(st)) c.err << kTlsHint;
  bool usage = st.code() == StatusCode::kInvalidArgument && st.http_status() == 0;
  return usage ? kExitUsage : kExitFailed;
}

// What Vault said about a refused login: the part of the library's message after the
// request's own prefix ("... failed: login auth/<mount>/login: "), or the whole message when
// the login never reached Vault (e.g. an unreadable JWT file).
std::string LoginReason(const Status& st, const std::string& mount) {
  const std::string& m = st.message();
  const std::string prefix = "login auth/" + mount + "/login: ";
  if (size_t at = m.find(prefix); at != std::string::npos) return m.substr(at + prefix.size());
  return m;
}

// A login that Vault refused, reported as such: method, mount, role and Vault's words, then
// what to check for that method.
int FailLogin(Context& c, const Status& st) {
  if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kDeadlineExceeded ||
      st.code() == StatusCode::kRateLimited || st.code() == StatusCode::kInvalidArgument) {
    return Fail(c, st);  // Vault was not reached (or not asked): not a refusal
  }
  const vault::AuthConfig& a = *c.auth;
  const std::string mount = vault::EffectiveMount(a);
  const std::string reason = LoginReason(st, mount);
  c.err << "vaultsyncctl: login failed (method " << vault::MethodName(a.method) << ", mount auth/"
        << mount;
  if (a.method == vault::AuthConfig::kKubernetes) c.err << ", role \"" << a.role << "\"";
  c.err << "): " << (st.http_status() != 0 ? "Vault said: " : "") << reason << "\n";
  const std::string lower = Lower(reason);
  // Vault answers a login at a path where no auth method is mounted as a request that
  // needs a token ("missing client token") or has no route.
  if (lower.find("no handler for route") != std::string::npos || st.http_status() == 404 ||
      lower.find("unsupported path") != std::string::npos ||
      lower.find("missing client token") != std::string::npos) {
    c.err << "hint: is an auth method enabled at auth/" << mount
          << "? ('vaultsyncctl auth list' shows them; --auth-mount names the mount)\n";
  } else if (a.method == vault::AuthConfig::kKubernetes) {
    if (lower.find("invalid role name") != std::string::npos) {
      c.err << "hint: there is no role \"" << a.role << "\" at auth/" << mount
            << " ('vaultsyncctl role read " << a.role << " --auth-path " << mount
            << "' after 'role write' creates it; --role names it)\n";
    } else if (st.http_status() == 0) {
      c.err << "hint: --jwt-file names the ServiceAccount token (default " << vault::kDefaultJwtFile
            << ")\n";
    } else {
      c.err << "hint: Vault did not accept the ServiceAccount token (--jwt-file) for role \""
            << a.role
            << "\": the role's bound_service_account_names, bound_service_account_namespaces "
               "and audience must match the token ('vaultsyncctl role read "
            << a.role << " --auth-path " << mount << "'), and auth/" << mount
            << "/config must let Vault review it ('vaultsyncctl write-kubernetes-config')\n";
    }
  } else if (a.method == vault::AuthConfig::kAppRole) {
    c.err << "hint: check --role-id and --secret-id-file: the secret ID may be wrong, expired "
             "or used up ('vaultsyncctl approle secret-id ROLE --show-secret-id' makes a new "
             "one, 'approle role-id ROLE' shows the role_id)\n";
  }
  return kExitFailed;
}

int PrintRaw(Context& c, const std::string& raw) {
  if (!raw.empty()) c.out << WithNewline(raw);
  return kExitOk;
}

Result<KvVersion> KvVersionFor(Context& c, const vault::Session& s, const std::string& path) {
  if (c.inv.kv_version) return *c.inv.kv_version == 1 ? KvVersion::kV1 : KvVersion::kV2;
  VS_ASSIGN_OR_RETURN(vault::MountInfo m, vault::DetectMount(s, c.inv.mount, path));
  return m.version;
}

std::string Where(const Context& c, const std::string& path) {
  std::string m = c.inv.mount;
  while (!m.empty() && m.back() == '/') m.pop_back();
  return m + "/" + path;
}

int Health(Context& c, const vault::Client& client) {
  std::string raw;
  auto h = vault::Health(client, &raw);
  if (!h.ok()) return Fail(c, h.status());
  c.out << (c.json() ? WithNewline(raw) : FormatHealth(*h));
  if (h->sealed || !h->initialized) {
    c.err << "vaultsyncctl: Vault is " << (h->initialized ? "sealed" : "not initialized") << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

int LoginCheck(Context& c, vault::TokenManager& tm) {
  std::string raw;
  auto info = tm.Info(&raw);
  if (!info.ok()) return Fail(c, info.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << FormatLoginInfo(*info, vault::MethodName(tm.config().method),
                           vault::EffectiveMount(tm.config()));
  return kExitOk;
}

int List(Context& c, const vault::Session& s) {
  const std::string path = c.inv.args.empty() ? "" : c.inv.args[0];
  auto v = KvVersionFor(c, s, path);
  if (!v.ok()) return Fail(c, v.status());
  std::string raw;
  auto keys = vault::KvList(s, *v, c.inv.mount, path, &raw);
  if (!keys.ok()) return Fail(c, keys.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << FormatLines(*keys);
  return kExitOk;
}

int Get(Context& c, const vault::Session& s) {
  const std::string& path = c.inv.args[0];
  auto v = KvVersionFor(c, s, path);
  if (!v.ok()) return Fail(c, v.status());
  std::string raw;
  auto secret = vault::KvRead(s, *v, c.inv.mount, path, c.inv.version, &raw);
  if (!secret.ok()) return Fail(c, secret.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << FormatSecret(*secret, *v);
  return kExitOk;
}

int Put(Context& c, const vault::Session& s) {
  const std::string& path = c.inv.args[0];
  vault::KvData data;
  for (size_t i = 1; i < c.inv.args.size(); ++i) {
    const std::string& a = c.inv.args[i];
    size_t eq = a.find('=');
    data.emplace_back(a.substr(0, eq), vault::KvValue::String(a.substr(eq + 1)));
  }
  auto v = KvVersionFor(c, s, path);
  if (!v.ok()) return Fail(c, v.status());
  std::string raw;
  auto w = vault::KvWrite(s, *v, c.inv.mount, path, data, c.inv.cas, &raw);
  if (!w.ok()) return Fail(c, w.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << FormatWrite(Where(c, path), *w, *v);
  return kExitOk;
}

int Delete(Context& c, const vault::Session& s) {
  const std::string& path = c.inv.args[0];
  auto v = KvVersionFor(c, s, path);
  if (!v.ok()) return Fail(c, v.status());
  Status st = vault::KvDelete(s, *v, c.inv.mount, path);
  if (!st.ok()) return Fail(c, st);
  if (!c.json()) {
    c.out << "Success! Data deleted at: " << Where(c, path)
          << (*v == KvVersion::kV2 ? " (metadata and all versions)" : "") << "\n";
  }
  return kExitOk;
}

int Policies(Context& c, const vault::Session& s) {
  std::string raw;
  auto names = vault::ListPolicies(s, &raw);
  if (!names.ok()) return Fail(c, names.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << FormatLines(*names);
  return kExitOk;
}

int Policy(Context& c, const vault::Session& s) {
  std::string raw;
  auto p = vault::ReadPolicy(s, c.inv.args.back(), &raw);
  if (!p.ok()) return Fail(c, p.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << WithNewline(p->rules);
  return kExitOk;
}

// "kv/" for "/kv", as Vault lists mounts.
std::string MountShown(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  return std::string(path) + "/";
}

int AuthVerb(Context& c, const vault::Session& s) {
  if (c.inv.Subcommand() == "list") {
    std::string raw;
    auto mounts = vault::ListAuth(s, &raw);
    if (!mounts.ok()) return Fail(c, mounts.status());
    if (c.json()) return PrintRaw(c, raw);
    std::vector<std::vector<std::string>> rows = {{"Path", "Type", "Accessor", "Description"},
                                                  {"----", "----", "--------", "-----------"}};
    for (const auto& m : *mounts) rows.push_back({m.path, m.type, m.accessor, m.description});
    c.out << Columns(rows);
    return kExitOk;
  }
  const std::string& type = c.inv.args[1];
  const std::string path = c.inv.path.value_or(type);
  Status st = vault::EnableAuth(s, type, path, c.inv.description.value_or(""));
  if (!st.ok()) return Fail(c, st);
  if (!c.json())
    c.out << "Success! Enabled " << type << " auth method at: " << MountShown(path) << "\n";
  return kExitOk;
}

int SecretsVerb(Context& c, const vault::Session& s) {
  std::string type = c.inv.args[1];
  const std::string path = c.inv.path.value_or(type);
  std::string version = c.inv.engine_version.value_or("");
  // "kv-v2" is the vault CLI's name for a version 2 kv mount.
  if (type == "kv-v2") {
    if (version == "1")
      return Fail(c, InvalidArgument("kv-v2 with --version 1 contradicts itself"));
    type = "kv";
    version = "2";
  }
  Status st = vault::EnableSecrets(s, type, path, version, c.inv.description.value_or(""));
  if (!st.ok()) return Fail(c, st);
  if (!c.json()) {
    c.out << "Success! Enabled the " << type << " secrets engine at: " << MountShown(path);
    if (!version.empty()) c.out << " (version " << version << ")";
    c.out << "\n";
  }
  return kExitOk;
}

// The contents of a file named on the command line, surrounding whitespace removed.
Result<std::string> ReadArgFile(const std::string& path, std::string_view what) {
  VS_ASSIGN_OR_RETURN(std::string text, vault::ReadFileContents(path, what));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return text.substr(i);
}

int WriteKubernetesConfig(Context& c, const vault::Session& s) {
  vault::KubernetesAuthConfig cfg;
  cfg.host = *c.inv.host;
  cfg.issuer = c.inv.issuer.value_or("");
  if (c.inv.ca_cert_file) {
    auto ca = ReadArgFile(*c.inv.ca_cert_file, "CA certificate");
    if (!ca.ok()) return Fail(c, ca.status());
    cfg.ca_cert = *ca + "\n";
  }
  if (c.inv.reviewer_jwt_file) {
    auto jwt = ReadArgFile(*c.inv.reviewer_jwt_file, "token reviewer JWT");
    if (!jwt.ok()) return Fail(c, jwt.status());
    cfg.token_reviewer_jwt = *jwt;
  }
  const std::string mount = c.inv.path.value_or("kubernetes");
  Status st = vault::WriteKubernetesAuthConfig(s, mount, cfg);
  if (!st.ok()) return Fail(c, st);
  if (!c.json()) c.out << "Success! Data written to: auth/" << MountShown(mount) << "config\n";
  return kExitOk;
}

int RoleVerb(Context& c, const vault::Session& s) {
  const std::string& name = c.inv.args[1];
  const std::string mount = c.inv.auth_path.value_or("kubernetes");
  if (c.inv.Subcommand() == "read") {
    std::string raw;
    auto role = vault::ReadRole(s, mount, name, &raw);
    if (!role.ok()) return Fail(c, role.status());
    if (c.json()) return PrintRaw(c, raw);
    Rows rows = {{"Key", "Value"}, {"---", "-----"}};
    for (const auto& [k, v] : *role) rows.emplace_back(k, v);
    c.out << Table(rows);
    return kExitOk;
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (size_t i = 2; i < c.inv.args.size(); ++i) {
    const std::string& a = c.inv.args[i];
    size_t eq = a.find('=');
    params.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  Status st = vault::WriteRole(s, mount, name, params);
  if (!st.ok()) return Fail(c, st);
  if (!c.json())
    c.out << "Success! Data written to: auth/" << MountShown(mount) << "role/" << name << "\n";
  return kExitOk;
}

int PolicyWrite(Context& c, const vault::Session& s) {
  const std::string& name = c.inv.args[1];
  const std::string& file = c.inv.args[2];
  std::string rules;
  if (file == "-") {
    rules.assign(std::istreambuf_iterator<char>(c.in), std::istreambuf_iterator<char>());
  } else {
    auto text = vault::ReadFileContents(file, "policy");
    if (!text.ok()) return Fail(c, text.status());
    rules = std::move(text).value();
  }
  Status st = vault::WritePolicy(s, name, rules);
  if (!st.ok()) return Fail(c, st);
  if (!c.json()) c.out << "Success! Uploaded policy: " << name << "\n";
  return kExitOk;
}

int AppRoleVerb(Context& c, const vault::Session& s) {
  const std::string& name = c.inv.args[1];
  const std::string mount = c.inv.auth_path.value_or("approle");
  std::string raw;
  if (c.inv.Subcommand() == "role-id") {
    auto id = vault::ReadAppRoleRoleId(s, mount, name, &raw);
    if (!id.ok()) return Fail(c, id.status());
    if (c.json()) return PrintRaw(c, raw);
    c.out << Table({{"role_id", *id}});
    return kExitOk;
  }
  auto sid = vault::GenerateAppRoleSecretId(s, mount, name, &raw);
  if (!sid.ok()) return Fail(c, sid.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << Table({{"secret_id", sid->secret_id},
                  {"secret_id_accessor", sid->accessor},
                  {"secret_id_ttl", FormatTtl(std::chrono::seconds(sid->ttl_seconds))}});
  return kExitOk;
}

int Authenticated(Context& c, const std::shared_ptr<vault::Client>& client, const EnvLookup& env) {
  auto auth = AuthFromFlags(c.inv.global, env);
  if (!auth.ok()) return Fail(c, auth.status());
  c.auth = &*auth;
  auto tm = std::make_shared<vault::TokenManager>(client, *auth);
  // Log in first, so that a refused login is reported as one and not as the failure of
  // whatever the verb asked first (KV version detection, say). For the token method this
  // only picks the token; Vault judges it at the first request.
  if (auto token = tm->Token(); !token.ok()) return FailLogin(c, token.status());
  vault::Session s(tm);
  int code = kExitFailed;
  switch (*c.inv.verb) {
    case Verb::kLoginCheck:
      code = LoginCheck(c, *tm);
      break;
    case Verb::kList:
      code = List(c, s);
      break;
    case Verb::kGet:
      code = Get(c, s);
      break;
    case Verb::kPut:
      code = Put(c, s);
      break;
    case Verb::kDelete:
      code = Delete(c, s);
      break;
    case Verb::kPolicies:
      code = Policies(c, s);
      break;
    case Verb::kPolicy:
      code = c.inv.Subcommand() == "write" ? PolicyWrite(c, s) : Policy(c, s);
      break;
    case Verb::kAuth:
      code = AuthVerb(c, s);
      break;
    case Verb::kSecrets:
      code = SecretsVerb(c, s);
      break;
    case Verb::kWriteKubernetesConfig:
      code = WriteKubernetesConfig(c, s);
      break;
    case Verb::kRole:
      code = RoleVerb(c, s);
      break;
    case Verb::kAppRole:
      code = AppRoleVerb(c, s);
      break;
    case Verb::kHealth:
      break;  // handled without auth
  }
  // A token we logged in for must not outlive the command; failure here changes nothing
  // for the user (the token expires with its TTL anyway).
  (void)tm->RevokeIfOwned();
  return code;
}

}  // namespace

int RunCli(const std::vector<std::string>& argv, const EnvLookup& env, std::ostream& out,
           std::ostream& err) {
  std::istringstream none;
  return RunCli(argv, env, none, out, err);
}

int RunCli(const std::vector<std::string>& argv, const EnvLookup& env, std::istream& in,
           std::ostream& out, std::ostream& err) {
  auto inv = ParseArgs(argv);
  if (!inv.ok()) {
    err << "vaultsyncctl: " << inv.status().message() << "\nRun 'vaultsyncctl --help' for usage.\n";
    return kExitUsage;
  }
  if (inv->help) {
    out << (inv->verb ? VerbUsage(*inv->verb) : GlobalUsage());
    return kExitOk;
  }
  // A new secret_id must not be made only to be hidden: ask for it to be shown first.
  if (*inv->verb == Verb::kAppRole && inv->Subcommand() == "secret-id" && !inv->show_secret_id &&
      inv->global.output != OutputFormat::kJson) {
    err << "vaultsyncctl: approle secret-id creates a new secret_id and prints it: pass "
           "--show-secret-id (or -o json) to confirm\n";
    return kExitUsage;
  }
  Context c{*inv, in, out, err};
  auto conn = ConnectionFromFlags(inv->global, env);
  if (!conn.ok()) return Fail(c, conn.status());
  auto client = vault::Client::Create(*conn);
  if (!client.ok()) return Fail(c, client.status());
  if (*inv->verb == Verb::kHealth) return Health(c, **client);
  return Authenticated(c, *client, env);
}

}  // namespace vaultsync::cli
