// The verbs of vaultsyncctl.
#include "cli/commands.h"

#include <memory>

#include "cli/output.h"
#include "cli/usage.h"
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
  std::ostream& out;
  std::ostream& err;
  bool json() const { return inv.global.output == OutputFormat::kJson; }
};

// Local validation failures (no HTTP status) are usage errors; anything Vault said or a
// failure to reach it is exit 1.
int Fail(Context& c, const Status& st) {
  c.err << "vaultsyncctl: " << st.message() << "\n";
  bool usage = st.code() == StatusCode::kInvalidArgument && st.http_status() == 0;
  return usage ? kExitUsage : kExitFailed;
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
  auto p = vault::ReadPolicy(s, c.inv.args[0], &raw);
  if (!p.ok()) return Fail(c, p.status());
  if (c.json()) return PrintRaw(c, raw);
  c.out << WithNewline(p->rules);
  return kExitOk;
}

int Authenticated(Context& c, const std::shared_ptr<vault::Client>& client, const EnvLookup& env) {
  auto auth = AuthFromFlags(c.inv.global, env);
  if (!auth.ok()) return Fail(c, auth.status());
  auto tm = std::make_shared<vault::TokenManager>(client, *auth);
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
      code = Policy(c, s);
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
  auto inv = ParseArgs(argv);
  if (!inv.ok()) {
    err << "vaultsyncctl: " << inv.status().message() << "\nRun 'vaultsyncctl --help' for usage.\n";
    return kExitUsage;
  }
  if (inv->help) {
    out << (inv->verb ? VerbUsage(*inv->verb) : GlobalUsage());
    return kExitOk;
  }
  Context c{*inv, out, err};
  auto conn = ConnectionFromFlags(inv->global, env);
  if (!conn.ok()) return Fail(c, conn.status());
  auto client = vault::Client::Create(*conn);
  if (!client.ok()) return Fail(c, client.status());
  if (*inv->verb == Verb::kHealth) return Health(c, **client);
  return Authenticated(c, *client, env);
}

}  // namespace vaultsync::cli
