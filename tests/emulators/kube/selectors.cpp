// Label and field selector parsing and matching.
#include "selectors.h"

#include <algorithm>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> SplitTop(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!Trim(cur).empty() || !out.empty()) out.push_back(Trim(cur));
  return out;
}

std::string FieldValue(const json::Value& obj, const std::string& field) {
  const json::Value* v = At(obj, field);
  if (v == nullptr || v->IsNull()) return "";
  if (v->IsString()) return std::string(json::View(*v));
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  return Compact(*v);
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector sel;
  if (Trim(text).empty()) return sel;
  for (const std::string& part : SplitTop(text)) {
    if (part.empty()) return Status(StatusCode::kInvalidArgument, "found '', expected: identifier");
    Req r;
    size_t sp = part.find(' ');
    if (part[0] == '!') {
      r.key = Trim(part.substr(1));
      r.op = Op::kNotExists;
    } else if (size_t ne = part.find("!="); ne != std::string::npos) {
      r.key = Trim(part.substr(0, ne));
      r.op = Op::kNotEquals;
      r.values = {Trim(part.substr(ne + 2))};
    } else if (size_t eq2 = part.find("=="); eq2 != std::string::npos) {
      r.key = Trim(part.substr(0, eq2));
      r.op = Op::kEquals;
      r.values = {Trim(part.substr(eq2 + 2))};
    } else if (size_t eq = part.find('='); eq != std::string::npos) {
      r.key = Trim(part.substr(0, eq));
      r.op = Op::kEquals;
      r.values = {Trim(part.substr(eq + 1))};
    } else if (sp != std::string::npos) {
      r.key = Trim(part.substr(0, sp));
      std::string rest = Trim(part.substr(sp + 1));
      if (rest.rfind("notin", 0) == 0) {
        r.op = Op::kNotIn;
        rest = Trim(rest.substr(5));
      } else if (rest.rfind("in", 0) == 0) {
        r.op = Op::kIn;
        rest = Trim(rest.substr(2));
      } else {
        return Status(StatusCode::kInvalidArgument,
                      "unable to parse requirement: found '" + rest +
                          "', expected: in, notin, =, ==, !=, gt, lt");
      }
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
        return Status(StatusCode::kInvalidArgument,
                      "unable to parse requirement: found '" + rest + "', expected: '('");
      }
      std::string inner = rest.substr(1, rest.size() - 2);
      size_t start = 0;
      while (start <= inner.size()) {
        size_t c = inner.find(',', start);
        std::string v =
            Trim(inner.substr(start, c == std::string::npos ? std::string::npos : c - start));
        if (!v.empty()) r.values.push_back(v);
        if (c == std::string::npos) break;
        start = c + 1;
      }
    } else {
      r.key = part;
      r.op = Op::kExists;
    }
    if (r.key.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "unable to parse requirement: found '" + part + "', expected: identifier");
    }
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::Matches(const json::Value& object) const {
  const json::Value* labels = At(object, "metadata.labels");
  for (const Req& r : reqs_) {
    const json::Value* v =
        labels != nullptr && labels->IsObject() ? json::Find(*labels, r.key) : nullptr;
    bool has = v != nullptr && v->IsString();
    std::string val = has ? std::string(json::View(*v)) : "";
    bool in = has && std::find(r.values.begin(), r.values.end(), val) != r.values.end();
    switch (r.op) {
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kNotExists:
        if (has) return false;
        break;
      case Op::kEquals:
      case Op::kIn:
        if (!in) return false;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        if (in) return false;
        break;
    }
  }
  return true;
}

Result<FieldSelector> FieldSelector::Parse(const std::string& text,
                                           const std::vector<std::string>& allowed) {
  FieldSelector sel;
  if (Trim(text).empty()) return sel;
  for (const std::string& part : SplitTop(text)) {
    Req r;
    size_t pos;
    if ((pos = part.find("!=")) != std::string::npos) {
      r.field = Trim(part.substr(0, pos));
      r.equals = false;
      r.value = Trim(part.substr(pos + 2));
    } else if ((pos = part.find("==")) != std::string::npos) {
      r.field = Trim(part.substr(0, pos));
      r.value = Trim(part.substr(pos + 2));
    } else if ((pos = part.find('=')) != std::string::npos) {
      r.field = Trim(part.substr(0, pos));
      r.value = Trim(part.substr(pos + 1));
    } else {
      return Status(StatusCode::kInvalidArgument,
                    "invalid selector: '" + text + "'; can't understand '" + part + "'");
    }
    bool ok = r.field == "metadata.name" || r.field == "metadata.namespace" ||
              std::find(allowed.begin(), allowed.end(), r.field) != allowed.end();
    if (!ok) {
      return Status(StatusCode::kInvalidArgument, "field label not supported: " + r.field);
    }
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool FieldSelector::Matches(const json::Value& object) const {
  for (const Req& r : reqs_) {
    bool eq = FieldValue(object, r.field) == r.value;
    if (eq != r.equals) return false;
  }
  return true;
}

std::string FieldSelector::PinnedName() const {
  for (const Req& r : reqs_) {
    if (r.field == "metadata.name" && r.equals) return r.value;
  }
  return "";
}

}  // namespace vaultsync::kubeemu
