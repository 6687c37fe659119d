// Fuzz target: Kubernetes objects as the operator reads them — kube/object (metadata, list
// metadata, object references) and controller/secret_object (the managed-Secret cache decoder
// with its HMAC, owner lookups, and UpdateSecret, which rewrites a Secret read from the API
// server). Input: one JSON document.
// Invariants: no crash; after UpdateSecret the object carries our labels, annotations, owner
// reference and exactly the data given, so decoding it again finds it in sync and its HMAC
// equals that of the data (otherwise the operator would rewrite the Secret forever).
#include <set>
#include <string_view>

#include "controller/secret_data.h"
#include "controller/secret_object.h"
#include "fuzz_support.h"
#include "kube/object.h"

namespace {

// True when some object in `v` repeats a member name. The apiserver (Go maps) never sends one;
// with duplicates, which copy a reader sees is arbitrary, so the round-trip promise is void.
bool HasDuplicateNames(const vaultsync::json::Value& v) {
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (HasDuplicateNames(e)) return true;
    }
    return false;
  }
  if (!v.IsObject()) return false;
  std::set<std::string_view> names;
  for (const auto& m : v.GetObject()) {
    if (!names.insert(vaultsync::json::View(m.name)).second || HasDuplicateNames(m.value))
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vaultsync;
  using namespace vaultsync::controller;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = json::Parse(text);
  if (!parsed.ok()) return 0;
  json::Document& doc = *parsed;

  (void)kube::ReadObjectMeta(doc);
  (void)kube::ReadListMeta(doc);
  (void)kube::ReferenceTo(doc, "v1", "Secret");
  (void)OwnerUid(doc);
  (void)OwnerOf(doc);
  (void)DecodeReady(doc);

  static const std::string kHmacKey = "fuzz-hmac-key";
  auto decode = ManagedSecretDecoder(&kHmacKey);
  if (auto ms = decode(doc); ms.ok()) {
    (void)ms->OwnerUid();
    (void)ms->OwnerKind();
    (void)ms->OwnerKey();
    (void)ms->Label("app");
    (void)ms->Annotation("x");
  }
  if (!doc.IsObject() || HasDuplicateNames(doc)) return 0;

  ObjectMeta owner_meta;
  owner_meta.namespace_ = "demo";
  owner_meta.name = "db";
  owner_meta.uid = "0b6f2a52-uid";
  SecretOwner owner{kKindVaultStaticSecret, &owner_meta};
  const std::map<std::string, std::string> labels = {{"team", "a"}};
  const std::map<std::string, std::string> annotations = {{"note", "b"}};
  SecretTarget target;
  target.name = "db-creds";
  target.labels = &labels;
  target.annotations = &annotations;
  const SecretData secret_data = {{"password", std::string("p\0w", 3)}, {"user", "admin"}};

  json::Document live;
  live.CopyFrom(doc, live.GetAllocator());
  UpdateSecret(live, owner, target, secret_data, true);
  FUZZ_CHECK(OwnerUid(live) == owner_meta.uid, "UpdateSecret left another owner uid");
  auto [kind, name] = OwnerOf(live);
  FUZZ_CHECK(kind == kKindVaultStaticSecret && name == "db", "UpdateSecret left another owner");
  // Round trip through the cache decoder, as the informer would see our write come back.
  auto reparsed = json::Parse(json::Serialize(live));
  FUZZ_CHECK(reparsed.ok(), "UpdateSecret produced JSON that does not parse");
  auto ms = decode(*reparsed);
  if (ms.ok()) {
    FUZZ_CHECK(MetadataInSync(*ms, owner, target), "updated Secret is not in sync");
    FUZZ_CHECK(ms->data_mac == MacDigest(DataMac(kHmacKey, secret_data)),
               "updated Secret's HMAC differs from its data's");
  }
  json::Document fresh = NewSecret(owner, target, secret_data);
  auto fresh_ms = decode(fresh);
  FUZZ_CHECK(fresh_ms.ok() && MetadataInSync(*fresh_ms, owner, target),
             "a new Secret is not in sync");
  return 0;
}
