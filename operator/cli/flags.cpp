// Command-line parsing for vaultsyncctl.
#include "cli/flags.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>

namespace vaultsync::cli {
namespace {

constexpr std::pair<Verb, std::string_view> kVerbs[] = {
    {Verb::kLoginCheck, "login-check"},
    {Verb::kList, "list"},
    {Verb::kGet, "get"},
    {Verb::kPut, "put"},
    {Verb::kDelete, "delete"},
    {Verb::kPolicies, "policies"},
    {Verb::kPolicy, "policy"},
    {Verb::kHealth, "health"},
    {Verb::kAuth, "auth"},
    {Verb::kSecrets, "secrets"},
    {Verb::kWriteKubernetesConfig, "write-kubernetes-config"},
    {Verb::kRole, "role"},
    {Verb::kAppRole, "approle"},
};

// Flags that only some verbs take, and the verbs that take them.
struct VerbFlag {
  std::string_view name;
  std::initializer_list<Verb> verbs;
};
const VerbFlag kVerbFlags[] = {
    {"--mount", {Verb::kList, Verb::kGet, Verb::kPut, Verb::kDelete}},
    {"--kv-version", {Verb::kList, Verb::kGet, Verb::kPut, Verb::kDelete}},
    {"--version", {Verb::kGet, Verb::kSecrets}},
    {"--cas", {Verb::kPut}},
    {"--path", {Verb::kAuth, Verb::kSecrets, Verb::kWriteKubernetesConfig}},
    {"--description", {Verb::kAuth, Verb::kSecrets}},
    {"--host", {Verb::kWriteKubernetesConfig}},
    {"--ca-cert-file", {Verb::kWriteKubernetesConfig}},
    {"--token-reviewer-jwt-file", {Verb::kWriteKubernetesConfig}},
    {"--issuer", {Verb::kWriteKubernetesConfig}},
    {"--auth-path", {Verb::kRole, Verb::kAppRole}},
    {"--show-secret-id", {Verb::kAppRole}},
};

const VerbFlag* FindVerbFlag(std::string_view name) {
  for (const auto& f : kVerbFlags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status Usage(std::string msg) { return InvalidArgument(std::move(msg)); }

Result<int64_t> ParseInt(std::string_view flag, std::string_view text, int64_t min) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min) {
    return Usage("flag " + std::string(flag) + " needs an integer >= " + std::to_string(min) +
                 ", got \"" + std::string(text) + "\"");
  }
  return v;
}

// KEY=VALUE arguments from index `first` on; the message shows only the key part, since
// the value may be a secret.
Status CheckPairs(const Invocation& inv, size_t first, std::string_view verb) {
  for (size_t i = first; i < inv.args.size(); ++i) {
    size_t eq = inv.args[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      std::string shown = eq == std::string::npos ? "argument " + std::to_string(i + 1)
                                                  : "\"" + inv.args[i].substr(0, eq) + "\"";
      return Usage(std::string(verb) + ": " + shown + " is not KEY=VALUE");
    }
  }
  return Status::Ok();
}

// The group verbs: a known subcommand first, then its arguments.
Status CheckGroupArgs(const Invocation& inv) {
  const size_t n = inv.args.size();
  const std::string verb(VerbName(*inv.verb));
  if (n == 0) return Usage(verb + " needs a subcommand (see 'vaultsyncctl " + verb + " --help')");
  const std::string& sub = inv.args[0];
  auto want = [&](bool ok, std::string_view what) -> Status {
    if (ok) return Status::Ok();
    return Usage(verb + " " + sub + " takes " + std::string(what) + " (got " +
                 std::to_string(n - 1) + " arguments)");
  };
  switch (*inv.verb) {
    case Verb::kAuth:
      if (sub == "enable") return want(n == 2, "exactly one TYPE");
      if (sub == "list") return want(n == 1, "no arguments");
      break;
    case Verb::kSecrets:
      if (sub == "enable") return want(n == 2, "exactly one TYPE");
      break;
    case Verb::kRole:
      if (sub == "write") {
        VS_RETURN_IF_ERROR(want(n >= 2, "NAME and KEY=VALUE parameters"));
        return CheckPairs(inv, 2, "role write");
      }
      if (sub == "read") return want(n == 2, "exactly one NAME");
      break;
    case Verb::kAppRole:
      if (sub == "role-id" || sub == "secret-id") return want(n == 2, "exactly one role NAME");
      break;
    default:
      break;
  }
  return Usage("unknown subcommand \"" + sub + "\" of " + verb);
}

// Checks the positional arguments of each verb.
Status CheckArgs(const Invocation& inv) {
  const size_t n = inv.args.size();
  const std::string verb(VerbName(*inv.verb));
  auto want = [&](bool ok, std::string_view what) -> Status {
    if (ok) return Status::Ok();
    return Usage(verb + " takes " + std::string(what) + " (got " + std::to_string(n) +
                 " arguments)");
  };
  switch (*inv.verb) {
    case Verb::kLoginCheck:
    case Verb::kPolicies:
    case Verb::kHealth:
      return want(n == 0, "no arguments");
    case Verb::kList:
      return want(n <= 1, "at most one PATH");
    case Verb::kGet:
    case Verb::kDelete:
      return want(n == 1, "exactly one PATH");
    case Verb::kPolicy:
      if (n == 1) return Status::Ok();  // policy NAME
      if (n >= 1 && inv.args[0] == "read") return want(n == 2, "read NAME");
      if (n >= 1 && inv.args[0] == "write") return want(n == 3, "write NAME FILE|-");
      return want(false, "NAME, read NAME or write NAME FILE|-");
    case Verb::kPut:
      VS_RETURN_IF_ERROR(want(n >= 2, "PATH and at least one KEY=VALUE"));
      return CheckPairs(inv, 1, "put");
    case Verb::kAuth:
    case Verb::kSecrets:
    case Verb::kRole:
    case Verb::kAppRole:
      return CheckGroupArgs(inv);
    case Verb::kWriteKubernetesConfig:
      VS_RETURN_IF_ERROR(want(n == 0, "no arguments"));
      if (!inv.host) return Usage("write-kubernetes-config needs --host URL (the API server)");
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

std::string Invocation::Subcommand() const {
  if (verb == Verb::kPolicy) {
    if (args.size() >= 2 && (args[0] == "read" || args[0] == "write")) return args[0];
    return "read";
  }
  return args.empty() ? "" : args[0];
}

std::string_view VerbName(Verb verb) {
  for (const auto& [v, name] : kVerbs) {
    if (v == verb) return name;
  }
  return "?";
}

std::optional<Verb> ParseVerb(std::string_view name) {
  for (const auto& [v, n] : kVerbs) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Result<Invocation> ParseArgs(const std::vector<std::string>& argv) {
  Invocation inv;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      if (!inv.verb.has_value() && !(inv.help && !inv.args.empty())) {
        if (a == "help") {
          inv.help = true;
          continue;
        }
        auto verb = ParseVerb(a);
        if (!verb) return Usage("unknown command \"" + a + "\"");
        inv.verb = verb;
        continue;
      }
      inv.args.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      inv.help = true;
      continue;
    }
    // --name=value or --name value; "-o" is the one short flag.
    std::string name = a;
    std::optional<std::string> inline_value;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    auto value = [&]() -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= argv.size()) return Usage("flag " + name + " needs a value");
      return argv[++i];
    };
    auto set = [&](std::optional<std::string>& field) -> Status {
      VS_ASSIGN_OR_RETURN(field, value());
      return Status::Ok();
    };
    GlobalFlags& g = inv.global;
    if (name == "--address") {
      VS_RETURN_IF_ERROR(set(g.address));
    } else if (name == "--token") {
      VS_RETURN_IF_ERROR(set(g.token));
    } else if (name == "--ca-cert") {
      VS_RETURN_IF_ERROR(set(g.ca_cert));
    } else if (name == "--namespace") {
      VS_RETURN_IF_ERROR(set(g.namespace_));
    } else if (name == "--method") {
      VS_RETURN_IF_ERROR(set(g.method));
    } else if (name == "--auth-mount") {
      VS_RETURN_IF_ERROR(set(g.auth_mount));
    } else if (name == "--role") {
      VS_RETURN_IF_ERROR(set(g.role));
    } else if (name == "--jwt-file") {
      VS_RETURN_IF_ERROR(set(g.jwt_file));
    } else if (name == "--role-id") {
      VS_RETURN_IF_ERROR(set(g.role_id));
    } else if (name == "--secret-id-file") {
      VS_RETURN_IF_ERROR(set(g.secret_id_file));
    } else if (name == "--skip-verify") {
      if (!inline_value || *inline_value == "true") {
        g.skip_verify = true;
      } else if (*inline_value == "false") {
        g.skip_verify = false;
      } else {
        return Usage("flag --skip-verify takes true or false");
      }
    } else if (name == "-o" || name == "--output") {
      VS_ASSIGN_OR_RETURN(std::string f, value());
      if (f == "text") {
        g.output = OutputFormat::kText;
      } else if (f == "json") {
        g.output = OutputFormat::kJson;
      } else {
        return Usage("-o takes text or json, got \"" + f + "\"");
      }
    } else if (const VerbFlag* vf = FindVerbFlag(name); vf != nullptr) {
      if (!inv.verb.has_value()) return Usage("flag " + name + " goes after the command");
      const Verb v = *inv.verb;
      const std::string verb(VerbName(v));
      if (std::find(vf->verbs.begin(), vf->verbs.end(), v) == vf->verbs.end()) {
        return Usage(verb + " does not take " + name);
      }
      if (name == "--show-secret-id") {
        if (inline_value) return Usage("--show-secret-id takes no value");
        inv.show_secret_id = true;
        continue;
      }
      VS_ASSIGN_OR_RETURN(std::string text, value());
      if (text.empty()) return Usage(name + " must not be empty");
      if (name == "--mount") {
        inv.mount = text;
      } else if (name == "--kv-version") {
        if (text != "1" && text != "2") return Usage("--kv-version takes 1 or 2");
        inv.kv_version = text == "1" ? 1 : 2;
      } else if (name == "--version" && v == Verb::kSecrets) {
        if (text != "1" && text != "2") return Usage("secrets enable --version takes 1 or 2");
        inv.engine_version = text;
      } else if (name == "--version") {
        VS_ASSIGN_OR_RETURN(inv.version, ParseInt(name, text, 1));
      } else if (name == "--cas") {
        VS_ASSIGN_OR_RETURN(inv.cas, ParseInt(name, text, 0));
      } else if (name == "--path") {
        inv.path = text;
      } else if (name == "--description") {
        inv.description = text;
      } else if (name == "--host") {
        inv.host = text;
      } else if (name == "--ca-cert-file") {
        inv.ca_cert_file = text;
      } else if (name == "--token-reviewer-jwt-file") {
        inv.reviewer_jwt_file = text;
      } else if (name == "--issuer") {
        inv.issuer = text;
      } else if (name == "--auth-path") {
        inv.auth_path = text;
      }
    } else {
      return Usage("unknown flag " + name);
    }
  }
  if (inv.help) return inv;
  if (!inv.verb.has_value()) return Usage("no command given");
  VS_RETURN_IF_ERROR(CheckArgs(inv));
  return inv;
}

}  // namespace vaultsync::cli
