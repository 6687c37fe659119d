// The test-side exposition reader (see exposition_parser.h).
#include "exposition_parser.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace vaultsync::metrics::testing {

namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Reads a metric or label name at s[pos]; empty when there is none.
std::string ReadName(std::string_view s, size_t& pos) {
  size_t start = pos;
  if (pos >= s.size() || !IsNameStart(s[pos])) return {};
  while (pos < s.size() && IsNameChar(s[pos])) ++pos;
  return std::string(s.substr(start, pos - start));
}

std::optional<double> ParseNumber(std::string_view t) {
  if (t == "+Inf" || t == "Inf") return std::numeric_limits<double>::infinity();
  if (t == "-Inf") return -std::numeric_limits<double>::infinity();
  if (t == "NaN" || t == "Nan") return std::numeric_limits<double>::quiet_NaN();
  std::string copy(t);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return v;
}

std::string StripSuffix(std::string_view name, std::string_view suffix) {
  if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
    return std::string(name.substr(0, name.size() - suffix.size()));
  }
  return {};
}

}  // namespace

std::string Exposition::FamilyOf(const Sample& s) const {
  if (type.count(s.name)) return s.name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    std::string base = StripSuffix(s.name, suffix);
    if (base.empty()) continue;
    auto it = type.find(base);
    if (it != type.end() && (it->second == "histogram" || it->second == "summary")) return base;
  }
  return {};
}

std::vector<Sample> Exposition::Of(std::string_view family) const {
  std::vector<Sample> out;
  for (const Sample& s : samples) {
    if (FamilyOf(s) == family) out.push_back(s);
  }
  return out;
}

std::set<std::string> Exposition::LabelNames(std::string_view family) const {
  std::set<std::string> out;
  for (const Sample& s : Of(family)) {
    for (const auto& [k, v] : s.labels) {
      if (k != "le" || type.at(std::string(family)) != "histogram") out.insert(k);
    }
  }
  return out;
}

std::optional<double> Exposition::Value(std::string_view name,
                                        const std::map<std::string, std::string>& labels) const {
  for (const Sample& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

Result<Exposition> ParseExposition(std::string_view text) {
  Exposition out;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    auto fail = [&](const std::string& why) {
      return InvalidArgument("line " + std::to_string(line_no) + ": " + why);
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      // "# HELP name text" / "# TYPE name type"; other comments are allowed and ignored.
      if (line.substr(0, 7) == "# HELP " || line.substr(0, 7) == "# TYPE ") {
        std::string_view rest = line.substr(7);
        size_t p = 0;
        std::string name = ReadName(rest, p);
        if (name.empty() || p >= rest.size() || rest[p] != ' ') return fail("bad HELP/TYPE");
        std::string_view arg = rest.substr(p + 1);
        if (line[2] == 'T') {
          if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
              arg != "untyped") {
            return fail("unknown type " + std::string(arg));
          }
          if (out.type.count(name)) return fail("second TYPE for " + name);
          out.type[name] = std::string(arg);
        } else {
          std::string help;
          for (size_t i = 0; i < arg.size(); ++i) {
            if (arg[i] == '\\' && i + 1 < arg.size()) {
              ++i;
              help += arg[i] == 'n' ? '\n' : arg[i];
            } else {
              help += arg[i];
            }
          }
          out.help[name] = help;
        }
      }
      continue;
    }
    Sample s;
    size_t p = 0;
    s.name = ReadName(line, p);
    if (s.name.empty()) return fail("no metric name");
    if (p < line.size() && line[p] == '{') {
      ++p;
      while (true) {
        if (p < line.size() && line[p] == '}') {
          ++p;
          break;
        }
        std::string label = ReadName(line, p);
        if (label.empty()) return fail("bad label name");
        if (p + 1 >= line.size() || line[p] != '=' || line[p + 1] != '"') {
          return fail("label " + label + " has no quoted value");
        }
        p += 2;
        std::string value;
        bool closed = false;
        while (p < line.size()) {
          char c = line[p++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (p >= line.size()) break;
            char e = line[p++];
            if (e == 'n') {
              value += '\n';
            } else if (e == '\\' || e == '"') {
              value += e;
            } else {
              return fail("bad escape in label " + label);
            }
          } else {
            value += c;
          }
        }
        if (!closed) return fail("unterminated value of label " + label);
        if (!s.labels.emplace(label, value).second) return fail("label " + label + " twice");
        if (p < line.size() && line[p] == ',') ++p;
      }
    }
    if (p >= line.size() || line[p] != ' ') return fail("no value after " + s.name);
    std::string_view rest = line.substr(p + 1);
    size_t space = rest.find(' ');  // an optional timestamp may follow
    auto v = ParseNumber(rest.substr(0, space));
    if (!v) return fail("bad value for " + s.name);
    s.value = *v;
    if (out.FamilyOf(s).empty()) return fail("sample " + s.name + " has no TYPE line before it");
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace vaultsync::metrics::testing
