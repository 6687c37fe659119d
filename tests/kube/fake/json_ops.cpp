// Merge patch, JSON patch and label selectors for the fake API server.
#include "json_ops.h"

#include <rapidjson/pointer.h>

#include <algorithm>

namespace vaultsync::kube::fake {

void MergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    auto existing = target.FindMember(it->name);
    if (it->value.IsNull()) {
      if (existing != target.MemberEnd()) target.RemoveMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      json::Value name(it->name, a);
      json::Value v(rapidjson::kObjectType);
      MergePatch(v, it->value, a);
      target.AddMember(name, v, a);
    } else {
      MergePatch(existing->value, it->value, a);
    }
  }
}

namespace {

Status Bad(const std::string& m) {
  return InvalidArgument("the server rejected our request due to an error in our request: " + m);
}

// Adds `value` at `path`: into an object member, or inserted into an array ("-" appends).
Status Add(json::Document& doc, const std::string& path, const json::Value& value) {
  auto& a = doc.GetAllocator();
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return Bad("invalid path " + path);
  std::string parent_path = path.substr(0, slash);
  std::string last = path.substr(slash + 1);
  json::Value* parent =
      parent_path.empty() ? &doc : rapidjson::Pointer(parent_path.c_str()).Get(doc);
  if (parent == nullptr) return Bad("missing parent of " + path);
  json::Value copy(value, a);
  if (parent->IsArray()) {
    if (last == "-") {
      parent->PushBack(copy, a);
      return Status::Ok();
    }
    size_t idx = std::stoul(last);
    if (idx > parent->Size()) return Bad("index out of range in " + path);
    parent->PushBack(json::Value(), a);
    for (size_t i = parent->Size() - 1; i > idx; --i) (*parent)[i] = (*parent)[i - 1];
    (*parent)[idx] = copy;
    return Status::Ok();
  }
  if (!parent->IsObject()) return Bad("parent of " + path + " is not a container");
  rapidjson::Pointer(path.c_str()).Set(doc, copy, a);
  return Status::Ok();
}

}  // namespace

Status JsonPatch(json::Document& doc, const json::Value& ops) {
  if (!ops.IsArray()) return Bad("a JSON patch must be an array");
  auto& a = doc.GetAllocator();
  for (const auto& op : ops.GetArray()) {
    auto name = json::String(op, "op");
    auto path = json::String(op, "path");
    if (!name.ok() || !path.ok()) return Bad("operation without op/path");
    std::string p(*path);
    rapidjson::Pointer ptr(p.c_str());
    if (!ptr.IsValid()) return Bad("invalid path " + p);
    const json::Value* value = json::Find(op, "value");
    if (*name == "add") {
      if (value == nullptr) return Bad("add without value");
      VS_RETURN_IF_ERROR(Add(doc, p, *value));
    } else if (*name == "replace") {
      if (value == nullptr || ptr.Get(doc) == nullptr) return Bad("replace of missing " + p);
      json::Value copy(*value, a);
      ptr.Set(doc, copy, a);
    } else if (*name == "remove") {
      if (!ptr.Erase(doc)) return Bad("remove of missing " + p);
    } else if (*name == "test") {
      const json::Value* have = ptr.Get(doc);
      if (value == nullptr || have == nullptr || *have != *value) return Bad("test failed at " + p);
    } else if (*name == "copy" || *name == "move") {
      auto from = json::String(op, "from");
      if (!from.ok()) return Bad(std::string(*name) + " without from");
      rapidjson::Pointer fp(std::string(*from).c_str());
      const json::Value* src = fp.Get(doc);
      if (src == nullptr) return Bad("missing " + std::string(*from));
      json::Document tmp;
      tmp.CopyFrom(*src, tmp.GetAllocator());
      if (*name == "move") fp.Erase(doc);
      VS_RETURN_IF_ERROR(Add(doc, p, tmp));
    } else {
      return Bad("unknown op " + std::string(*name));
    }
  }
  return Status::Ok();
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits on commas outside parentheses.
std::vector<std::string_view> SplitTerms(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || (s[i] == ',' && depth == 0)) {
      out.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    } else if (s[i] == '(') {
      ++depth;
    } else if (s[i] == ')') {
      --depth;
    }
  }
  return out;
}

}  // namespace

Result<LabelSelector> ParseLabelSelector(std::string_view text) {
  LabelSelector sel;
  if (Trim(text).empty()) return sel;
  for (std::string_view term : SplitTerms(text)) {
    if (term.empty()) return InvalidArgument("empty label selector term");
    LabelRequirement r;
    size_t pos;
    if (term.front() == '!') {
      r.op = LabelRequirement::Op::kNotExists;
      r.key = std::string(Trim(term.substr(1)));
    } else if ((pos = term.find("!=")) != std::string_view::npos) {
      r.op = LabelRequirement::Op::kNotEquals;
      r.key = std::string(Trim(term.substr(0, pos)));
      r.values.emplace_back(Trim(term.substr(pos + 2)));
    } else if ((pos = term.find("==")) != std::string_view::npos) {
      r.op = LabelRequirement::Op::kEquals;
      r.key = std::string(Trim(term.substr(0, pos)));
      r.values.emplace_back(Trim(term.substr(pos + 2)));
    } else if ((pos = term.find('=')) != std::string_view::npos) {
      r.op = LabelRequirement::Op::kEquals;
      r.key = std::string(Trim(term.substr(0, pos)));
      r.values.emplace_back(Trim(term.substr(pos + 1)));
    } else if ((pos = term.find(" notin ")) != std::string_view::npos ||
               (pos = term.find(" in ")) != std::string_view::npos) {
      bool notin = term.substr(pos, 7) == " notin ";
      r.op = notin ? LabelRequirement::Op::kNotIn : LabelRequirement::Op::kIn;
      r.key = std::string(Trim(term.substr(0, pos)));
      std::string_view list = Trim(term.substr(pos + (notin ? 7 : 4)));
      if (list.size() < 2 || list.front() != '(' || list.back() != ')')
        return InvalidArgument("bad set in label selector term");
      list = list.substr(1, list.size() - 2);
      size_t start = 0;
      for (size_t i = 0; i <= list.size(); ++i) {
        if (i == list.size() || list[i] == ',') {
          r.values.emplace_back(Trim(list.substr(start, i - start)));
          start = i + 1;
        }
      }
    } else {
      r.op = LabelRequirement::Op::kExists;
      r.key = std::string(term);
    }
    if (r.key.empty()) return InvalidArgument("label selector term without a key");
    sel.push_back(std::move(r));
  }
  return sel;
}

bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  for (const auto& r : selector) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool in = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    switch (r.op) {
      case LabelRequirement::Op::kEquals:
      case LabelRequirement::Op::kIn:
        if (!in) return false;
        break;
      case LabelRequirement::Op::kNotEquals:
      case LabelRequirement::Op::kNotIn:
        if (in) return false;
        break;
      case LabelRequirement::Op::kExists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

}  // namespace vaultsync::kube::fake
