// Merge patch, JSON patch and strategic merge patch over RapidJSON values.
#include "patch.h"

#include <map>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

// Merge keys of list fields by field name, as the built-in types' patchMergeKey tags say.
const std::map<std::string, std::string>& MergeKeys() {
  static const std::map<std::string, std::string> keys = {{"containers", "name"},
                                                          {"initContainers", "name"},
                                                          {"ephemeralContainers", "name"},
                                                          {"env", "name"},
                                                          {"volumes", "name"},
                                                          {"volumeMounts", "mountPath"},
                                                          {"ports", "containerPort"},
                                                          {"ownerReferences", "uid"},
                                                          {"conditions", "type"},
                                                          {"imagePullSecrets", "name"},
                                                          {"tolerations", "key"},
                                                          {"hostAliases", "ip"},
                                                          {"volumeDevices", "devicePath"},
                                                          {"secrets", "name"},
                                                          {"envFrom", ""}};
  return keys;
}

// Lists of primitives that merge (set semantics) rather than replace.
bool IsMergedPrimitiveList(const std::string& field) { return field == "finalizers"; }

bool ItemKeyEquals(const json::Value& item, const std::string& key, const json::Value& want) {
  const json::Value* v = item.IsObject() ? json::Find(item, key) : nullptr;
  return v != nullptr && *v == want;
}

Status MergeObject(json::Value& target, const json::Value& patch, json::Allocator& a);

Status MergeList(const std::string& field, json::Value& target, const json::Value& patch,
                 json::Allocator& a) {
  auto mk = MergeKeys().find(field);
  if (IsMergedPrimitiveList(field) && target.IsArray()) {
    for (const auto& p : patch.GetArray()) {
      bool found = false;
      for (const auto& t : target.GetArray()) found = found || t == p;
      if (!found) target.PushBack(json::Value(p, a), a);
    }
    return Status::Ok();
  }
  if (mk == MergeKeys().end() || mk->second.empty() || !target.IsArray()) {
    // Replace, dropping directive items.
    json::Value out(rapidjson::kArrayType);
    for (const auto& p : patch.GetArray()) {
      if (p.IsObject() && json::Find(p, "$patch") != nullptr) continue;
      out.PushBack(json::Value(p, a), a);
    }
    target = std::move(out);
    return Status::Ok();
  }
  const std::string& key = mk->second;
  for (const auto& p : patch.GetArray()) {
    if (!p.IsObject()) continue;
    const json::Value* directive = json::Find(p, "$patch");
    if (directive != nullptr && directive->IsString() && json::View(*directive) == "replace") {
      json::Value out(rapidjson::kArrayType);
      target = std::move(out);
      continue;
    }
    const json::Value* kv = json::Find(p, key);
    if (kv == nullptr)
      return InvalidArgument("map: " + Compact(p) + " does not contain declared merge key: " + key);
    bool deleted =
        directive != nullptr && directive->IsString() && json::View(*directive) == "delete";
    bool found = false;
    for (rapidjson::SizeType i = 0; i < target.Size(); ++i) {
      if (!ItemKeyEquals(target[i], key, *kv)) continue;
      found = true;
      if (deleted) {
        target.Erase(target.Begin() + i);
      } else {
        VS_RETURN_IF_ERROR(MergeObject(target[i], p, a));
      }
      break;
    }
    if (!found && !deleted) {
      json::Value item(rapidjson::kObjectType);
      VS_RETURN_IF_ERROR(MergeObject(item, p, a));
      target.PushBack(item, a);
    }
  }
  return Status::Ok();
}

Status MergeObject(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return Status::Ok();
  }
  if (!target.IsObject()) target.SetObject();
  const json::Value* directive = json::Find(patch, "$patch");
  if (directive != nullptr && directive->IsString()) {
    std::string d(json::View(*directive));
    if (d == "replace") {
      target.SetObject();
    } else if (d == "delete") {
      target.SetNull();
      return Status::Ok();
    }
  }
  for (const auto& m : patch.GetObject()) {
    std::string name(json::View(m.name));
    if (name == "$patch" || name == "$retainKeys") continue;
    if (name.rfind("$setElementOrder/", 0) == 0) continue;
    if (name.rfind("$deleteFromPrimitiveList/", 0) == 0) {
      std::string field = name.substr(std::string("$deleteFromPrimitiveList/").size());
      json::Value* list = MutableMember(target, field);
      if (list != nullptr && list->IsArray() && m.value.IsArray()) {
        for (const auto& del : m.value.GetArray()) {
          for (auto it = list->Begin(); it != list->End();) {
            it = (*it == del) ? list->Erase(it) : it + 1;
          }
        }
      }
      continue;
    }
    if (m.value.IsNull()) {
      RemoveMember(target, name);
      continue;
    }
    auto it = target.FindMember(m.name);
    if (it == target.MemberEnd()) {
      json::Value fresh(m.value.IsObject() ? rapidjson::kObjectType : rapidjson::kNullType);
      if (m.value.IsObject()) {
        VS_RETURN_IF_ERROR(MergeObject(fresh, m.value, a));
      } else if (m.value.IsArray()) {
        fresh.SetArray();
        VS_RETURN_IF_ERROR(MergeList(name, fresh, m.value, a));
        // A fresh keyed list keeps only the items' content; directives are dropped above.
      } else {
        fresh.CopyFrom(m.value, a);
      }
      target.AddMember(json::StringValue(name, a), fresh, a);
      continue;
    }
    if (m.value.IsObject()) {
      VS_RETURN_IF_ERROR(MergeObject(it->value, m.value, a));
      if (it->value.IsNull()) target.EraseMember(it);
    } else if (m.value.IsArray()) {
      if (!it->value.IsArray()) it->value.SetArray();
      VS_RETURN_IF_ERROR(MergeList(name, it->value, m.value, a));
    } else {
      it->value.CopyFrom(m.value, a);
    }
  }
  return Status::Ok();
}

// RFC 6901 pointer into tokens; false when malformed.
bool SplitPointer(const std::string& ptr, std::vector<std::string>* out) {
  if (ptr.empty()) return true;
  if (ptr[0] != '/') return false;
  size_t i = 1;
  while (true) {
    size_t slash = ptr.find('/', i);
    std::string tok = ptr.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
    std::string dec;
    for (size_t k = 0; k < tok.size(); ++k) {
      if (tok[k] == '~' && k + 1 < tok.size()) {
        dec += tok[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        dec += tok[k];
      }
    }
    out->push_back(dec);
    if (slash == std::string::npos) break;
    i = slash + 1;
  }
  return true;
}

bool ParseIndex(const std::string& tok, size_t limit, size_t* idx) {
  if (tok.empty() || tok.size() > 9) return false;
  for (char c : tok) {
    if (c < '0' || c > '9') return false;
  }
  *idx = std::stoul(tok);
  return *idx <= limit;
}

json::Value* Resolve(json::Value& root, const std::vector<std::string>& toks, size_t n) {
  json::Value* cur = &root;
  for (size_t i = 0; i < n; ++i) {
    if (cur->IsObject()) {
      auto it = cur->FindMember(json::Value(rapidjson::StringRef(toks[i].data(), toks[i].size())));
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    } else if (cur->IsArray()) {
      size_t idx;
      if (!ParseIndex(toks[i], cur->Size() == 0 ? 0 : cur->Size() - 1, &idx) || cur->Size() == 0)
        return nullptr;
      cur = &(*cur)[static_cast<rapidjson::SizeType>(idx)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool Remove(json::Value& root, const std::vector<std::string>& toks, json::Value* removed,
            json::Allocator& a) {
  if (toks.empty()) return false;
  json::Value* parent = Resolve(root, toks, toks.size() - 1);
  if (parent == nullptr) return false;
  const std::string& last = toks.back();
  if (parent->IsObject()) {
    auto it = parent->FindMember(json::Value(rapidjson::StringRef(last.data(), last.size())));
    if (it == parent->MemberEnd()) return false;
    if (removed != nullptr) removed->CopyFrom(it->value, a);
    parent->EraseMember(it);
    return true;
  }
  if (parent->IsArray()) {
    size_t idx;
    if (parent->Size() == 0 || !ParseIndex(last, parent->Size() - 1, &idx)) return false;
    if (removed != nullptr) removed->CopyFrom((*parent)[static_cast<rapidjson::SizeType>(idx)], a);
    parent->Erase(parent->Begin() + idx);
    return true;
  }
  return false;
}

bool Add(json::Value& root, const std::vector<std::string>& toks, const json::Value& value,
         json::Allocator& a) {
  if (toks.empty()) {
    root.CopyFrom(value, a);
    return true;
  }
  json::Value* parent = Resolve(root, toks, toks.size() - 1);
  if (parent == nullptr) return false;
  const std::string& last = toks.back();
  json::Value v(value, a);
  if (parent->IsObject()) {
    SetMember(*parent, last, std::move(v), a);
    return true;
  }
  if (parent->IsArray()) {
    if (last == "-") {
      parent->PushBack(v, a);
      return true;
    }
    size_t idx;
    if (!ParseIndex(last, parent->Size(), &idx)) return false;
    parent->PushBack(json::Value(), a);
    for (size_t i = parent->Size() - 1; i > idx; --i) {
      (*parent)[static_cast<rapidjson::SizeType>(i)] =
          std::move((*parent)[static_cast<rapidjson::SizeType>(i - 1)]);
    }
    (*parent)[static_cast<rapidjson::SizeType>(idx)] = std::move(v);
    return true;
  }
  return false;
}

}  // namespace

void ApplyMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    if (m.value.IsNull()) {
      target.EraseMember(m.name);
      continue;
    }
    auto it = target.FindMember(m.name);
    if (it == target.MemberEnd()) {
      json::Value fresh;
      ApplyMergePatch(fresh, m.value, a);
      target.AddMember(json::Value(m.name, a), fresh, a);
    } else {
      ApplyMergePatch(it->value, m.value, a);
    }
  }
}

JsonPatchError ApplyJsonPatch(json::Document& target, const json::Value& ops, std::string* error) {
  auto& a = target.GetAllocator();
  if (!ops.IsArray()) {
    *error = "json: cannot unmarshal object into Go value of type jsonpatch.Patch";
    return JsonPatchError::kDecode;
  }
  for (const auto& op : ops.GetArray()) {
    std::string name, path, from;
    if (op.IsObject()) {
      const json::Value* o = json::Find(op, "op");
      const json::Value* p = json::Find(op, "path");
      const json::Value* f = json::Find(op, "from");
      if (o != nullptr && o->IsString()) name = std::string(json::View(*o));
      if (p != nullptr && p->IsString()) path = std::string(json::View(*p));
      if (f != nullptr && f->IsString()) from = std::string(json::View(*f));
    }
    std::vector<std::string> toks, from_toks;
    if (!SplitPointer(path, &toks) || !SplitPointer(from, &from_toks)) {
      *error = "invalid JSON pointer";
      return JsonPatchError::kApply;
    }
    const json::Value* value = op.IsObject() ? json::Find(op, "value") : nullptr;
    bool ok = true;
    if (name == "add") {
      ok = value != nullptr && Add(target, toks, *value, a);
    } else if (name == "remove") {
      ok = Remove(target, toks, nullptr, a);
    } else if (name == "replace") {
      json::Value* at = Resolve(target, toks, toks.size());
      ok = value != nullptr && at != nullptr;
      if (ok) at->CopyFrom(*value, a);
    } else if (name == "test") {
      json::Value* at = Resolve(target, toks, toks.size());
      ok = value != nullptr && at != nullptr && *at == *value;
    } else if (name == "move" || name == "copy") {
      json::Value moved;
      if (name == "move") {
        ok = Remove(target, from_toks, &moved, a);
      } else {
        json::Value* src = Resolve(target, from_toks, from_toks.size());
        ok = src != nullptr;
        if (ok) moved.CopyFrom(*src, a);
      }
      ok = ok && Add(target, toks, moved, a);
    } else {
      *error = "Unexpected kind: " + name;
      return JsonPatchError::kApply;
    }
    if (!ok) {
      *error = name == "test" ? "testing value " + path + " failed: test failed"
                              : "doc is missing path: \"" + path + "\"";
      return JsonPatchError::kApply;
    }
  }
  return JsonPatchError::kNone;
}

Status ApplyStrategicMergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) return InvalidArgument("strategic merge patch must be an object");
  return MergeObject(target, patch, a);
}

std::optional<ApiError> ApplyPatchRequest(const std::string& content_type, const std::string& body,
                                          bool custom, json::Document& target) {
  auto patch = json::Parse(body);
  if (!patch.ok()) {
    return BadRequestError("error decoding patch: invalid character in the request body");
  }
  if (content_type == "application/merge-patch+json") {
    if (!patch->IsObject()) {
      return BadRequestError(
          "json: cannot unmarshal into Go value of type map[string]interface {}");
    }
    ApplyMergePatch(target, *patch, target.GetAllocator());
    return std::nullopt;
  }
  if (content_type == "application/json-patch+json") {
    std::string why;
    JsonPatchError e = ApplyJsonPatch(target, *patch, &why);
    if (e == JsonPatchError::kDecode) return BadRequestError(why);
    if (e == JsonPatchError::kApply) {
      ApiError invalid;
      invalid.code = 422;
      invalid.reason = "Invalid";
      invalid.message = "the server rejected our request due to an error in our request";
      invalid.has_details = true;
      return invalid;
    }
    return std::nullopt;
  }
  if (content_type == "application/strategic-merge-patch+json" && !custom) {
    Status st = ApplyStrategicMergePatch(target, *patch, target.GetAllocator());
    if (!st.ok()) return BadRequestError(st.message());
    return std::nullopt;
  }
  ApiError e = UnsupportedMediaTypeError(content_type);
  if (custom) {
    e.message =
        "the body of the request was in an unknown format - accepted media types "
        "include: application/json-patch+json, application/merge-patch+json, "
        "application/apply-patch+yaml";
  }
  return e;
}

}  // namespace vaultsync::kubeemu
