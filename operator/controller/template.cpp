// Parser and renderer for transformation templates.
#include "controller/template.h"

#include <algorithm>
#include <cctype>

#include "util/base64.h"
#include "util/json.h"

namespace vaultsync::controller {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool KnownFunction(std::string_view f) {
  return f == "b64enc" || f == "b64dec" || f == "upper" || f == "lower" || f == "trim" ||
         f == "quote";
}

Status ActionError(size_t pos, std::string_view action, std::string_view why) {
  return InvalidArgument("template action {{" + std::string(action) + "}} at offset " +
                         std::to_string(pos) + ": " + std::string(why));
}

}  // namespace

Result<Template> Template::Parse(std::string_view text) {
  Template t;
  size_t pos = 0;
  std::string literal;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal += text.substr(pos);
      break;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("template has an unclosed {{ at offset " + std::to_string(open));
    }
    std::string_view before = text.substr(pos, open - pos);
    std::string_view inner = text.substr(open + 2, close - open - 2);
    size_t next = close + 2;
    // Go's whitespace trimming markers: "{{- " trims before, " -}}" trims after.
    if (inner.size() >= 2 && inner[0] == '-' &&
        std::isspace(static_cast<unsigned char>(inner[1]))) {
      inner.remove_prefix(1);
      while (!before.empty() && std::isspace(static_cast<unsigned char>(before.back())))
        before.remove_suffix(1);
    }
    bool trim_after = false;
    if (inner.size() >= 2 && inner.back() == '-' &&
        std::isspace(static_cast<unsigned char>(inner[inner.size() - 2]))) {
      inner.remove_suffix(1);
      trim_after = true;
    }
    literal += before;
    if (!literal.empty()) {
      t.pieces_.push_back(Piece{false, std::move(literal), {}});
      literal.clear();
    }
    // Pipeline: first command names the value, the rest are functions.
    Action action;
    std::string_view rest = inner;
    size_t bar = rest.find('|');
    std::string_view head = Trim(rest.substr(0, bar));
    if (head.size() > 1 && head[0] == '.' &&
        std::all_of(head.begin() + 1, head.end(), IsIdentChar)) {
      action.key = std::string(head.substr(1));
    } else if (head.rfind("index", 0) == 0) {
      std::string_view args = Trim(head.substr(5));
      if (args.size() < 4 || args[0] != '.' || !std::isspace(static_cast<unsigned char>(args[1]))) {
        return ActionError(open, inner, "index wants: index . \"key\"");
      }
      std::string_view quoted = Trim(args.substr(1));
      if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') {
        return ActionError(open, inner, "index wants a quoted key");
      }
      action.key = std::string(quoted.substr(1, quoted.size() - 2));
    } else {
      return ActionError(open, inner, "expected .key or index . \"key\"");
    }
    while (bar != std::string_view::npos) {
      rest = rest.substr(bar + 1);
      bar = rest.find('|');
      std::string_view fn = Trim(rest.substr(0, bar));
      if (!KnownFunction(fn)) {
        return ActionError(open, inner,
                           "unknown function \"" + std::string(fn) +
                               "\" (known: b64enc, b64dec, upper, lower, trim, quote)");
      }
      action.functions.emplace_back(fn);
    }
    t.pieces_.push_back(Piece{true, {}, std::move(action)});
    pos = next;
    if (trim_after) {
      while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    }
  }
  if (!literal.empty()) t.pieces_.push_back(Piece{false, std::move(literal), {}});
  return t;
}

Result<std::string> Template::Render(
    const std::map<std::string, std::string, std::less<>>& values) const {
  std::string out;
  for (const Piece& p : pieces_) {
    if (!p.is_action) {
      out += p.literal;
      continue;
    }
    auto it = values.find(p.action.key);
    if (it == values.end()) {
      return InvalidArgument("template refers to key \"" + p.action.key +
                             "\", which the Vault secret does not have");
    }
    std::string v = it->second;
    for (const std::string& fn : p.action.functions) {
      if (fn == "b64enc") {
        v = base64::Encode(v);
      } else if (fn == "b64dec") {
        auto d = base64::Decode(v);
        if (!d)
          return InvalidArgument("b64dec: the value of key \"" + p.action.key + "\" is not base64");
        v = std::move(*d);
      } else if (fn == "upper") {
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return std::toupper(c); });
      } else if (fn == "lower") {
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return std::tolower(c); });
      } else if (fn == "trim") {
        v = std::string(Trim(v));
      } else if (fn == "quote") {
        v = json::Quote(v);
      }
    }
    out += v;
  }
  return out;
}

}  // namespace vaultsync::controller
