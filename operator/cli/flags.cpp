// Command-line parsing for vaultsyncctl.
#include "cli/flags.h"

#include <charconv>

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
};

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

bool TakesKvFlags(Verb v) {
  return v == Verb::kList || v == Verb::kGet || v == Verb::kPut || v == Verb::kDelete;
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
      return want(n == 1, "exactly one policy NAME");
    case Verb::kPut: {
      VS_RETURN_IF_ERROR(want(n >= 2, "PATH and at least one KEY=VALUE"));
      for (size_t i = 1; i < n; ++i) {
        size_t eq = inv.args[i].find('=');
        if (eq == std::string::npos || eq == 0) {
          // Show only the key part: the value may be a secret.
          std::string shown = eq == std::string::npos ? "argument " + std::to_string(i + 1)
                                                      : "\"" + inv.args[i].substr(0, eq) + "\"";
          return Usage("put: " + shown + " is not KEY=VALUE");
        }
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

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
    } else if (name == "--mount" || name == "--kv-version" || name == "--version" ||
               name == "--cas") {
      if (!inv.verb.has_value()) return Usage("flag " + name + " goes after the command");
      Verb v = *inv.verb;
      VS_ASSIGN_OR_RETURN(std::string text, value());
      const std::string verb(VerbName(v));
      if ((name == "--mount" || name == "--kv-version") && !TakesKvFlags(v)) {
        return Usage(verb + " does not take " + name);
      }
      if (name == "--version" && v != Verb::kGet) return Usage(verb + " does not take --version");
      if (name == "--cas" && v != Verb::kPut) return Usage(verb + " does not take --cas");
      if (name == "--mount") {
        if (text.empty()) return Usage("--mount must not be empty");
        inv.mount = text;
      } else if (name == "--kv-version") {
        if (text != "1" && text != "2") return Usage("--kv-version takes 1 or 2");
        inv.kv_version = text == "1" ? 1 : 2;
      } else if (name == "--version") {
        VS_ASSIGN_OR_RETURN(inv.version, ParseInt(name, text, 1));
      } else {
        VS_ASSIGN_OR_RETURN(inv.cas, ParseInt(name, text, 0));
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
