// Fuzz target: the decoders of vaultsync's own kinds (controller/resources: VaultStaticSecret,
// VaultAuth, VaultConnection as the informers decode them) and what a decoded
// VaultStaticSecret's transformation then does to Vault data (controller/transformation and
// secret_data). Input: a byte for the kind, the object as JSON, then after a NUL byte the
// Vault keys (one per line) the transformation is applied to.
// Invariants: no crash; a spec that decodes without spec_error keeps the promises the
// reconcilers rely on (relative KV path without "." or ".." segments, a destination name, a
// positive refresh, a version >= 1, an http(s) address without an X-Vault-Token header, ...);
// the built data only has valid Secret keys and never carries a value into an error message.
#include <algorithm>
#include <cctype>

#include "controller/resources.h"
#include "controller/secret_data.h"
#include "controller/transformation.h"
#include "fuzz_support.h"

namespace {

using namespace vaultsync;
using namespace vaultsync::controller;

bool SafeKvPath(const std::string& p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    std::string seg =
        p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

void CheckVss(const VaultStaticSecret& vss, std::string_view keys_text) {
  if (!vss.spec_error.ok()) {
    FUZZ_CHECK(vss.spec_error.code() == StatusCode::kInvalidArgument, "spec_error code");
    return;
  }
  const auto& s = vss.spec;
  FUZZ_CHECK(SafeKvPath(s.mount), "an unsafe mount was accepted");
  FUZZ_CHECK(SafeKvPath(s.path), "an unsafe path was accepted");
  FUZZ_CHECK(!s.dest_name.empty(), "an empty destination name was accepted");
  FUZZ_CHECK(!s.version || *s.version >= 1, "a version below 1 was accepted");
  FUZZ_CHECK(!s.version || s.type == KvType::kV2, "a version for kv-v1 was accepted");
  FUZZ_CHECK(!s.refresh_after || s.refresh_after->count() > 0, "a non-positive refresh");
  const auto& x = s.More();
  for (const auto& t : x.rollout_targets) {
    FUZZ_CHECK(t.kind == "Deployment" || t.kind == "StatefulSet" || t.kind == "DaemonSet",
               "an unknown rollout kind was accepted");
  }
  FUZZ_CHECK(!x.dest_labels.count("app.kubernetes.io/managed-by") &&
                 !x.dest_labels.count("vaultsync.io/owner"),
             "a reserved label was accepted");
  // What a sync does with it: the decoder accepted the regexes and templates, so they compile.
  auto t = Transformation::Compile(x.templates, x.includes, x.excludes);
  FUZZ_CHECK(t.ok(), "an accepted transformation does not compile");
  std::vector<KvEntry> source;
  fuzz::FuzzInput keys(reinterpret_cast<const uint8_t*>(keys_text.data()), keys_text.size());
  int n = 0;
  while (!keys.empty()) {
    std::string key(keys.Until('\n'));
    source.push_back(KvEntry{key, n % 2 == 0, "v-CANARY-" + std::to_string(n)});
    ++n;
  }
  std::sort(source.begin(), source.end(),
            [](const KvEntry& a, const KvEntry& b) { return a.key < b.key; });
  auto data = BuildSecretData(source, *t);
  bool text_has_canary = false;
  for (const auto& [k, v] : x.templates) {
    text_has_canary |= fuzz::Contains(k, "CANARY") || fuzz::Contains(v, "CANARY");
  }
  for (const auto& e : source) text_has_canary |= fuzz::Contains(e.key, "CANARY");
  if (!data.ok()) {
    FUZZ_CHECK(data.status().code() == StatusCode::kInvalidArgument, "BuildSecretData code");
    FUZZ_CHECK(text_has_canary || !fuzz::Contains(data.status().message(), "CANARY"),
               "a data error shows a Vault value");
    return;
  }
  for (const auto& [k, v] : *data) FUZZ_CHECK(ValidSecretKey(k), "an invalid Secret key");
}

void CheckAuth(const VaultAuth& a) {
  if (!a.spec_error.ok()) {
    FUZZ_CHECK(a.spec_error.code() == StatusCode::kInvalidArgument, "spec_error code");
    return;
  }
  FUZZ_CHECK(!a.spec.mount.empty(), "an empty auth mount");
  FUZZ_CHECK(a.spec.token_expiration_seconds >= 600, "a token expiration below 600 s");
  switch (a.spec.method) {
    case AuthMethod::kKubernetes:
      FUZZ_CHECK(!a.spec.role.empty(), "kubernetes auth without a role");
      break;
    case AuthMethod::kAppRole:
      FUZZ_CHECK(!a.spec.role_id.empty() && !a.spec.approle_secret_ref.empty(),
                 "appRole without role ID or secret");
      break;
    case AuthMethod::kToken:
      FUZZ_CHECK(!a.spec.token_secret_ref.empty(), "token auth without a Secret");
      break;
  }
  (void)a.AllowsNamespace("demo");
}

void CheckConnection(const VaultConnection& c) {
  if (!c.spec_error.ok()) {
    FUZZ_CHECK(c.spec_error.code() == StatusCode::kInvalidArgument, "spec_error code");
    return;
  }
  const std::string& a = c.spec.address;
  FUZZ_CHECK(a.rfind("http://", 0) == 0 || a.rfind("https://", 0) == 0, "a non-http address");
  FUZZ_CHECK(c.spec.timeout.count() > 0, "a non-positive timeout");
  for (const auto& [k, v] : c.spec.headers) {
    std::string lower = k;
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    FUZZ_CHECK(lower != "x-vault-token", "an X-Vault-Token header was accepted");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const size_t kind = in.Pick(3);
  std::string_view object = in.Until('\0');
  std::string_view keys = in.Rest();
  auto doc = json::Parse(object);
  if (!doc.ok()) return 0;
  (void)DecodeMeta(*doc);
  (void)DecodeReady(*doc);
  switch (kind) {
    case 0:
      if (auto v = DecodeVaultStaticSecret(*doc); v.ok()) CheckVss(*v, keys);
      break;
    case 1:
      if (auto v = DecodeVaultAuth(*doc); v.ok()) CheckAuth(*v);
      break;
    default:
      if (auto v = DecodeVaultConnection(*doc); v.ok()) CheckConnection(*v);
      break;
  }
  return 0;
}
