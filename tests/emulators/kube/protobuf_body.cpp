// A minimal protobuf wire-format reader for the Kubernetes kinds kubectl creates with
// protobuf bodies. Field numbers follow k8s.io/api generated.proto.
#include "protobuf_body.h"

#include <string>

#include "object_json.h"
#include "util/base64.h"

namespace vaultsync::kubeemu {
namespace {

struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  bool done() const { return pos_ >= d_.size(); }
  bool ok() const { return ok_; }

  bool Next(Field* f) {
    if (done() || !ok_) return false;
    uint64_t key;
    if (!Varint(&key)) return false;
    f->number = static_cast<uint32_t>(key >> 3);
    f->wire = static_cast<uint32_t>(key & 7);
    switch (f->wire) {
      case 0:
        return Varint(&f->varint);
      case 2: {
        uint64_t len;
        if (!Varint(&len) || len > d_.size() - pos_) return Fail();
        f->bytes = d_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      default:
        return Fail();
    }
  }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }
  bool Skip(size_t n) {
    if (n > d_.size() - pos_) return Fail();
    pos_ += n;
    return true;
  }
  bool Varint(uint64_t* out) {
    *out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return Fail();
      uint8_t b = static_cast<uint8_t>(d_[pos_++]);
      *out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return Fail();
  }

  std::string_view d_;
  size_t pos_ = 0;
  bool ok_ = true;
};

using Alloc = json::Allocator;

json::Value Str(std::string_view s, Alloc& a) { return json::StringValue(s, a); }

// map<string, string|bytes> entry: key = 1, value = 2.
void MapEntry(std::string_view entry, json::Value& map, bool bytes, Alloc& a) {
  Reader r(entry);
  Field f;
  std::string key, value;
  while (r.Next(&f)) {
    if (f.number == 1) key = std::string(f.bytes);
    if (f.number == 2) value = std::string(f.bytes);
  }
  SetMember(map, key, Str(bytes ? base64::Encode(value) : value, a), a);
}

json::Value OwnerReference(std::string_view msg, Alloc& a) {
  json::Value ref(rapidjson::kObjectType);
  Reader r(msg);
  Field f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 5:
        SetMember(ref, "apiVersion", Str(f.bytes, a), a);
        break;
      case 1:
        SetMember(ref, "kind", Str(f.bytes, a), a);
        break;
      case 3:
        SetMember(ref, "name", Str(f.bytes, a), a);
        break;
      case 4:
        SetMember(ref, "uid", Str(f.bytes, a), a);
        break;
      case 6:
        SetMember(ref, "controller", json::Value(f.varint != 0), a);
        break;
      case 7:
        SetMember(ref, "blockOwnerDeletion", json::Value(f.varint != 0), a);
        break;
      default:
        break;
    }
  }
  return ref;
}

json::Value ObjectMeta(std::string_view msg, Alloc& a) {
  json::Value md(rapidjson::kObjectType);
  json::Value labels(rapidjson::kObjectType), annotations(rapidjson::kObjectType);
  json::Value owners(rapidjson::kArrayType), finalizers(rapidjson::kArrayType);
  Reader r(msg);
  Field f;
  while (r.Next(&f)) {
    // gogo-protobuf writes unset strings as empty ones; JSON omits them.
    if (f.wire == 2 && f.bytes.empty()) continue;
    switch (f.number) {
      case 1:
        SetMember(md, "name", Str(f.bytes, a), a);
        break;
      case 2:
        SetMember(md, "generateName", Str(f.bytes, a), a);
        break;
      case 3:
        SetMember(md, "namespace", Str(f.bytes, a), a);
        break;
      case 5:
        SetMember(md, "uid", Str(f.bytes, a), a);
        break;
      case 6:
        SetMember(md, "resourceVersion", Str(f.bytes, a), a);
        break;
      case 11:
        MapEntry(f.bytes, labels, false, a);
        break;
      case 12:
        MapEntry(f.bytes, annotations, false, a);
        break;
      case 13:
        owners.PushBack(OwnerReference(f.bytes, a), a);
        break;
      case 14:
        finalizers.PushBack(Str(f.bytes, a), a);
        break;
      default:
        break;
    }
  }
  if (!labels.ObjectEmpty()) SetMember(md, "labels", std::move(labels), a);
  if (!annotations.ObjectEmpty()) SetMember(md, "annotations", std::move(annotations), a);
  if (!owners.Empty()) SetMember(md, "ownerReferences", std::move(owners), a);
  if (!finalizers.Empty()) SetMember(md, "finalizers", std::move(finalizers), a);
  return md;
}

json::Value NameRef(std::string_view msg, uint32_t name_field, Alloc& a) {
  json::Value ref(rapidjson::kObjectType);
  Reader r(msg);
  Field f;
  while (r.Next(&f)) {
    if (f.number == name_field) SetMember(ref, "name", Str(f.bytes, a), a);
  }
  return ref;
}

// authorization/v1 ResourceAttributes (namespace 1 ... name 7) or NonResourceAttributes
// (path 1, verb 2), in their JSON member order.
json::Value Attributes(std::string_view msg, bool resource, Alloc& a) {
  static const char* kResource[] = {"namespace", "verb",        "group", "version",
                                    "resource",  "subresource", "name"};
  static const char* kNonResource[] = {"path", "verb"};
  const char** names = resource ? kResource : kNonResource;
  uint32_t count = resource ? 7 : 2;
  std::vector<std::string> values(count);
  Reader r(msg);
  Field f;
  while (r.Next(&f)) {
    if (f.wire == 2 && f.number >= 1 && f.number <= count) values[f.number - 1] = f.bytes;
  }
  json::Value out(rapidjson::kObjectType);
  for (uint32_t i = 0; i < count; ++i) {
    if (!values[i].empty()) out.AddMember(Str(names[i], a), Str(values[i], a), a);
  }
  return out;
}

// The spec of an access or rules review (authorization/v1 generated.proto).
json::Value ReviewSpec(const std::string& kind, std::string_view msg, Alloc& a) {
  json::Value spec(rapidjson::kObjectType);
  json::Value groups(rapidjson::kArrayType);
  Reader r(msg);
  Field f;
  while (r.Next(&f)) {
    if (kind == "SelfSubjectRulesReview") {
      if (f.number == 1) SetMember(spec, "namespace", Str(f.bytes, a), a);
      continue;
    }
    if (f.number == 1) SetMember(spec, "resourceAttributes", Attributes(f.bytes, true, a), a);
    if (f.number == 2) SetMember(spec, "nonResourceAttributes", Attributes(f.bytes, false, a), a);
    if (kind == "SelfSubjectAccessReview") continue;
    if (f.number == 3) SetMember(spec, "user", Str(f.bytes, a), a);
    if (f.number == 4) groups.PushBack(Str(f.bytes, a), a);
    if (f.number == 6) SetMember(spec, "uid", Str(f.bytes, a), a);
  }
  if (!groups.Empty()) SetMember(spec, "groups", std::move(groups), a);
  return spec;
}

bool IsReview(const std::string& kind) {
  return kind == "SelfSubjectAccessReview" || kind == "SelfSubjectRulesReview" ||
         kind == "SubjectAccessReview" || kind == "LocalSubjectAccessReview";
}

Status DecodeKind(const std::string& kind, std::string_view raw, json::Document& out) {
  Alloc& a = out.GetAllocator();
  Reader r(raw);
  Field f;
  json::Value data(rapidjson::kObjectType), other(rapidjson::kObjectType);
  json::Value list(rapidjson::kArrayType), list2(rapidjson::kArrayType);
  while (r.Next(&f)) {
    if (f.number == 1 && f.wire == 2) {
      SetMember(out, "metadata", ObjectMeta(f.bytes, a), a);
      continue;
    }
    if (kind == "Namespace" && f.number == 2) {
      json::Value spec(rapidjson::kObjectType);
      json::Value fins(rapidjson::kArrayType);
      Reader s(f.bytes);
      Field g;
      while (s.Next(&g)) {
        if (g.number == 1) fins.PushBack(Str(g.bytes, a), a);
      }
      if (!fins.Empty()) SetMember(spec, "finalizers", std::move(fins), a);
      SetMember(out, "spec", std::move(spec), a);
    } else if (kind == "Secret") {
      if (f.number == 2) MapEntry(f.bytes, data, true, a);
      if (f.number == 3) SetMember(out, "type", Str(f.bytes, a), a);
      if (f.number == 4) MapEntry(f.bytes, other, false, a);
      if (f.number == 5) SetMember(out, "immutable", json::Value(f.varint != 0), a);
    } else if (kind == "ConfigMap") {
      if (f.number == 2) MapEntry(f.bytes, data, false, a);
      if (f.number == 3) MapEntry(f.bytes, other, true, a);
      if (f.number == 4) SetMember(out, "immutable", json::Value(f.varint != 0), a);
    } else if (kind == "ServiceAccount") {
      if (f.number == 2) list.PushBack(NameRef(f.bytes, 3, a), a);
      if (f.number == 3) list2.PushBack(NameRef(f.bytes, 1, a), a);
      if (f.number == 4)
        SetMember(out, "automountServiceAccountToken", json::Value(f.varint != 0), a);
    } else if (IsReview(kind) && f.number == 2) {
      SetMember(out, "spec", ReviewSpec(kind, f.bytes, a), a);
    } else if (kind == "TokenRequest" && f.number == 2) {
      json::Value spec(rapidjson::kObjectType);
      json::Value auds(rapidjson::kArrayType);
      Reader s(f.bytes);
      Field g;
      while (s.Next(&g)) {
        if (g.number == 1) auds.PushBack(Str(g.bytes, a), a);
        if (g.number == 4)
          SetMember(spec, "expirationSeconds", json::Value(static_cast<int64_t>(g.varint)), a);
      }
      SetMember(spec, "audiences", std::move(auds), a);
      SetMember(out, "spec", std::move(spec), a);
    }
  }
  if (!r.ok()) return InvalidArgument("malformed protobuf body");
  const char* data_key = "data";
  if (!data.ObjectEmpty()) SetMember(out, data_key, std::move(data), a);
  if (!other.ObjectEmpty())
    SetMember(out, kind == "Secret" ? "stringData" : "binaryData", std::move(other), a);
  if (!list.Empty()) SetMember(out, "secrets", std::move(list), a);
  if (!list2.Empty()) SetMember(out, "imagePullSecrets", std::move(list2), a);
  return Status::Ok();
}

}  // namespace

Result<json::Document> DecodeProtobufObject(std::string_view body) {
  if (body.size() < 4 || body.substr(0, 4) != std::string_view("k8s\0", 4)) {
    return InvalidArgument(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  }
  Reader r(body.substr(4));
  Field f;
  std::string api_version, kind;
  std::string_view raw;
  while (r.Next(&f)) {
    if (f.number == 1) {
      Reader t(f.bytes);
      Field g;
      while (t.Next(&g)) {
        if (g.number == 1) api_version = std::string(g.bytes);
        if (g.number == 2) kind = std::string(g.bytes);
      }
    } else if (f.number == 2) {
      raw = f.bytes;
    }
  }
  if (!r.ok()) return InvalidArgument("malformed protobuf envelope");
  if (kind != "Namespace" && kind != "Secret" && kind != "ConfigMap" && kind != "ServiceAccount" &&
      kind != "TokenRequest" && !IsReview(kind)) {
    return InvalidArgument(
        "the emulator accepts protobuf bodies only for Namespace, Secret, "
        "ConfigMap, ServiceAccount, TokenRequest and access reviews; send JSON for " +
        kind);
  }
  json::Document out;
  out.SetObject();
  auto& a = out.GetAllocator();
  SetString(out, "apiVersion", api_version, a);
  SetString(out, "kind", kind, a);
  VS_RETURN_IF_ERROR(DecodeKind(kind, raw, out));
  return out;
}

}  // namespace vaultsync::kubeemu
