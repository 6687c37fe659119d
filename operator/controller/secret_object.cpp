// Secret JSON construction and decoding.
#include "controller/secret_object.h"

#include "util/base64.h"

namespace vaultsync::controller {
namespace {

using json::StringValue;

std::map<std::string, std::string> WantedLabels(const SecretOwner& owner,
                                                const SecretTarget& target) {
  std::map<std::string, std::string> l;
  if (target.labels != nullptr) l = *target.labels;
  l[kManagedByLabel] = kManagedByValue;
  l[kOwnerLabel] = owner.meta->name;
  l[kOwnerKindLabel] = owner.kind;
  // The owner's shard, never the destination's labels, decides this one (absent: removed).
  if (owner.meta->shard != 0) {
    l[std::string(kShardLabel)] = ShardLabelValue(owner.meta->shard);
  } else {
    l.erase(std::string(kShardLabel));
  }
  return l;
}

// doc.metadata, made an (empty) object first when it is missing or not an object.
json::Value& MetadataOf(json::Document& doc) {
  if (!doc.HasMember("metadata") || !doc["metadata"].IsObject()) {
    doc.RemoveMember("metadata");
    doc.AddMember("metadata", json::Value(rapidjson::kObjectType), doc.GetAllocator());
  }
  return doc["metadata"];
}

// Removes the label `key` from `md` (metadata), if there.
void RemoveLabel(json::Value& md, std::string_view key) {
  auto labels = md.FindMember("labels");
  if (labels == md.MemberEnd() || !labels->value.IsObject()) return;
  labels->value.RemoveMember(json::Value(rapidjson::StringRef(key.data(), key.size())));
}

std::map<std::string, std::string> WantedAnnotations(const SecretOwner& owner,
                                                     const SecretTarget& target) {
  std::map<std::string, std::string> a;
  if (target.annotations != nullptr) a = *target.annotations;
  a[kOwnerUidAnnotation] = owner.meta->uid;
  return a;
}

// Sets every entry of `values` in the object member `name` of `obj` (created if absent).
void MergeStringMap(json::Value& obj, const char* name,
                    const std::map<std::string, std::string>& values, json::Allocator& a) {
  json::Value* m = nullptr;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsObject()) {
    if (it != obj.MemberEnd()) obj.RemoveMember(it);
    obj.AddMember(json::Value(name, a), json::Value(rapidjson::kObjectType), a);
    m = &obj[name];
  } else {
    m = &it->value;
  }
  for (const auto& [k, v] : values) {
    auto e = m->FindMember(k.c_str());
    if (e != m->MemberEnd()) {
      e->value = StringValue(v, a);
    } else {
      m->AddMember(StringValue(k, a), StringValue(v, a), a);
    }
  }
}

json::Value DataObject(const SecretData& data, json::Allocator& a) {
  json::Value d(rapidjson::kObjectType);
  for (const auto& [k, v] : data)
    d.AddMember(StringValue(k, a), StringValue(base64::Encode(v), a), a);
  return d;
}

json::Value OwnerReference(const SecretOwner& owner, json::Allocator& a) {
  json::Value ref(rapidjson::kObjectType);
  ref.AddMember("apiVersion", json::Value(kApiVersion, a), a);
  ref.AddMember("kind", StringValue(owner.kind, a), a);
  ref.AddMember("name", StringValue(owner.meta->name, a), a);
  ref.AddMember("uid", StringValue(owner.meta->uid.str(), a), a);
  ref.AddMember("controller", true, a);
  ref.AddMember("blockOwnerDeletion", true, a);
  return ref;
}

std::string StringMember(const json::Value& obj, const char* key) {
  auto v = json::OptionalString(obj, key);
  return (v.ok() && v->has_value()) ? std::string(**v) : std::string();
}

// The kinds whose resources write Secrets, for ManagedSecret::well_known_labels.
constexpr std::string_view kSecretWritingKinds[] = {"VaultStaticSecret", "VaultDynamicSecret",
                                                    "VaultPKISecret"};
constexpr uint8_t kManagedByBit = 1;
constexpr uint8_t kOwnerUidAnnotationBit = 1 << 4;

// The well-known-labels bits for one label, or 0 when it is not one of them.
uint8_t WellKnownBits(std::string_view key, std::string_view value) {
  if (key == kManagedByLabel && value == kManagedByValue) return kManagedByBit;
  if (key == kOwnerKindLabel) {
    for (size_t i = 0; i < std::size(kSecretWritingKinds); ++i) {
      if (value == kSecretWritingKinds[i]) return static_cast<uint8_t>((i + 1) << 1);
    }
  }
  return 0;
}

// Labels then annotations of `md`, prefixed as ManagedSecret::metadata says; the
// well-known labels go to *bits instead, the sharding label to *shard, and the owner-uid
// annotation to *owner_uid.
FlatStringMap ReadMetadata(const json::Value& md, uint8_t* bits, ShardLabelId* shard,
                           Uid* owner_uid) {
  std::vector<std::pair<std::string, std::string_view>> prefixed;  // owns the prefixed keys
  for (const char* field : {"labels", "annotations"}) {
    const json::Value* obj = json::Find(md, field);
    if (obj == nullptr || !obj->IsObject()) continue;
    for (auto it = obj->MemberBegin(); it != obj->MemberEnd(); ++it) {
      if (!it->value.IsString()) continue;
      if (field[0] == 'l') {
        if (uint8_t b = WellKnownBits(json::View(it->name), json::View(it->value)); b != 0) {
          *bits |= b;
          continue;
        }
        if (json::View(it->name) == kShardLabel) {
          // A value no resource has stays in `metadata`, where Label() finds it too.
          if (ShardLabelId id = FindShardLabel(json::View(it->value)); id != 0) {
            *shard = id;
            continue;
          }
        }
      } else if (json::View(it->name) == kOwnerUidAnnotation) {
        *bits |= kOwnerUidAnnotationBit;
        *owner_uid = json::View(it->value);
        continue;
      }
      prefixed.emplace_back((field[0] == 'l' ? "l:" : "a:") + std::string(json::View(it->name)),
                            json::View(it->value));
    }
  }
  return FlatStringMap(
      std::vector<std::pair<std::string_view, std::string_view>>(prefixed.begin(), prefixed.end()));
}

}  // namespace

std::optional<std::string_view> ManagedSecret::Label(std::string_view key) const {
  if (key == kManagedByLabel && (well_known_labels & kManagedByBit) != 0)
    return std::string_view(kManagedByValue);
  if (key == kOwnerKindLabel) {
    if (int k = (well_known_labels >> 1) & 7; k != 0) return kSecretWritingKinds[k - 1];
  }
  if (key == kShardLabel && shard != 0) return ShardLabelValue(shard);
  return metadata.Find("l:" + std::string(key));
}

std::optional<std::string> ManagedSecret::Annotation(std::string_view key) const {
  if (key == kOwnerUidAnnotation) {
    if ((well_known_labels & kOwnerUidAnnotationBit) == 0) return std::nullopt;
    return owner_uid.str();
  }
  auto v = metadata.Find("a:" + std::string(key));
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::string_view ManagedSecret::OwnerKind() const {
  auto k = Label(kOwnerKindLabel);
  return k ? *k : std::string_view(kKindVaultStaticSecret);
}

std::optional<std::string> ManagedSecret::OwnerKey() const {
  auto owner = Label(kOwnerLabel);
  if (!owner || owner->empty()) return std::nullopt;
  return namespace_ + "/" + std::string(*owner);
}

SecretTarget TargetOf(const VaultStaticSecret& vss) {
  SecretTarget t;
  t.name = vss.spec.dest_name;
  t.create = vss.spec.dest_create;
  t.overwrite = vss.spec.dest_overwrite;
  t.type = std::string(vss.spec.DestType());
  if (vss.spec.extras != nullptr) {
    t.labels = &vss.spec.extras->dest_labels;
    t.annotations = &vss.spec.extras->dest_annotations;
  }
  return t;
}

json::Document NewSecret(const SecretOwner& owner, const SecretTarget& target,
                         const SecretData& data) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("apiVersion", "v1", a);
  d.AddMember("kind", "Secret", a);
  json::Value md(rapidjson::kObjectType);
  md.AddMember("name", StringValue(target.name, a), a);
  md.AddMember("namespace", StringValue(owner.meta->namespace_, a), a);
  MergeStringMap(md, "labels", WantedLabels(owner, target), a);
  MergeStringMap(md, "annotations", WantedAnnotations(owner, target), a);
  json::Value refs(rapidjson::kArrayType);
  refs.PushBack(OwnerReference(owner, a), a);
  md.AddMember("ownerReferences", refs, a);
  d.AddMember("metadata", md, a);
  d.AddMember("type", StringValue(target.type, a), a);
  d.AddMember("data", DataObject(data, a), a);
  return d;
}

void UpdateSecret(json::Document& live, const SecretOwner& owner, const SecretTarget& target,
                  const SecretData& data, bool add_owner_reference) {
  auto& a = live.GetAllocator();
  json::Value& md = MetadataOf(live);
  md.RemoveMember("managedFields");  // the server keeps its own; sending them back is noise
  MergeStringMap(md, "labels", WantedLabels(owner, target), a);
  SetShardLabel(live, *owner.meta);  // removes one a shard before left, when the owner has none
  MergeStringMap(md, "annotations", WantedAnnotations(owner, target), a);
  if (add_owner_reference) {
    auto refs = md.FindMember("ownerReferences");
    if (refs == md.MemberEnd() || !refs->value.IsArray()) {
      if (refs != md.MemberEnd()) md.RemoveMember(refs);
      md.AddMember("ownerReferences", json::Value(rapidjson::kArrayType), a);
      refs = md.FindMember("ownerReferences");
    }
    bool present = false;
    for (const auto& r : refs->value.GetArray())
      present |= StringMember(r, "uid") == owner.meta->uid;
    if (!present) refs->value.PushBack(OwnerReference(owner, a), a);
  }
  live.RemoveMember("stringData");
  live.RemoveMember("data");
  live.AddMember("data", DataObject(data, a), a);
}

bool ShardLabelInSync(const json::Value& secret, const ObjectMeta& owner) {
  const json::Value* md = json::Find(secret, "metadata");
  const json::Value* labels = md != nullptr ? json::Find(*md, "labels") : nullptr;
  const json::Value* v =
      labels != nullptr && labels->IsObject() ? json::Find(*labels, kShardLabel) : nullptr;
  if (owner.shard == 0) return v == nullptr;
  return v != nullptr && v->IsString() && json::View(*v) == ShardLabelValue(owner.shard);
}

bool ShardLabelInSync(const ManagedSecret& secret, const ObjectMeta& owner) {
  auto v = secret.Label(kShardLabel);
  if (owner.shard == 0) return !v.has_value();
  return v.has_value() && *v == ShardLabelValue(owner.shard);
}

void SetShardLabel(json::Document& secret, const ObjectMeta& owner) {
  auto& a = secret.GetAllocator();
  json::Value& md = MetadataOf(secret);
  if (owner.shard == 0) {
    RemoveLabel(md, kShardLabel);
    return;
  }
  MergeStringMap(md, "labels",
                 {{std::string(kShardLabel), std::string(ShardLabelValue(owner.shard))}}, a);
}

std::string OwnerUid(const json::Value& secret) {
  const json::Value* md = json::Find(secret, "metadata");
  if (md == nullptr) return {};
  if (const json::Value* annotations = json::Find(*md, "annotations");
      annotations != nullptr && annotations->IsObject()) {
    if (auto uid = json::OptionalString(*annotations, kOwnerUidAnnotation);
        uid.ok() && uid->has_value()) {
      return std::string(**uid);
    }
  }
  const json::Value* refs = json::Find(*md, "ownerReferences");
  if (refs == nullptr || !refs->IsArray()) return {};
  for (const auto& r : refs->GetArray()) {
    const json::Value* c = json::Find(r, "controller");
    if (c != nullptr && c->IsBool() && c->GetBool() &&
        StringMember(r, "apiVersion") == kApiVersion) {
      return StringMember(r, "uid");
    }
  }
  return {};
}

std::pair<std::string, std::string> OwnerOf(const json::Value& secret) {
  std::pair<std::string, std::string> out{kKindVaultStaticSecret, ""};
  const json::Value* md = json::Find(secret, "metadata");
  const json::Value* labels = md ? json::Find(*md, "labels") : nullptr;
  if (labels == nullptr || !labels->IsObject()) return out;
  if (auto k = json::OptionalString(*labels, kOwnerKindLabel); k.ok() && k->has_value())
    out.first = std::string(**k);
  if (auto n = json::OptionalString(*labels, kOwnerLabel); n.ok() && n->has_value())
    out.second = std::string(**n);
  return out;
}

std::function<Result<ManagedSecret>(const json::Value&)> ManagedSecretDecoder(
    const std::string* hmac_key) {
  return [hmac_key](const json::Value& obj) -> Result<ManagedSecret> {
    VS_ASSIGN_OR_RETURN(ObjectMeta meta, DecodeMeta(obj, /*intern_shard_label=*/false));
    ManagedSecret s;
    s.namespace_ = meta.namespace_;
    const json::Value* md = json::Find(obj, "metadata");
    s.metadata = ReadMetadata(*md, &s.well_known_labels, &s.shard, &s.owner_uid);
    if ((s.well_known_labels & kOwnerUidAnnotationBit) == 0) s.owner_uid = OwnerUid(obj);
    SecretData data;
    const json::Value* d = json::Find(obj, "data");
    if (d != nullptr && d->IsObject()) {
      for (auto it = d->MemberBegin(); it != d->MemberEnd(); ++it) {
        if (!it->value.IsString()) continue;
        auto raw = base64::Decode(json::View(it->value));
        // Undecodable data cannot be ours: give it a value no real data hashes to.
        data.emplace(std::string(json::View(it->name)),
                     raw ? std::move(*raw) : std::string("\0invalid", 8));
      }
    }
    s.data_mac = MacDigest(DataMac(*hmac_key, data));
    return s;
  };
}

bool MetadataInSync(const ManagedSecret& existing, const SecretOwner& owner,
                    const SecretTarget& target) {
  for (const auto& [k, v] : WantedLabels(owner, target)) {
    if (existing.Label(k) != std::string_view(v)) return false;
  }
  if (!ShardLabelInSync(existing, *owner.meta)) return false;  // a stale one left too
  for (const auto& [k, v] : WantedAnnotations(owner, target)) {
    if (existing.Annotation(k) != std::string_view(v)) return false;
  }
  return true;
}

}  // namespace vaultsync::controller
