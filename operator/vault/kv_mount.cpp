// KV version detection for a mount, and the version-independent entry points built on it.
#include <string>

#include "util/json.h"
#include "vault/kv.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

// Whether a value Vault reported may be quoted in an error message: only the shapes an engine
// type or a version has (a Vault token, or anything else a broken or hostile server puts in
// its answer, is never echoed into a condition, an Event or a log).
bool Quotable(std::string_view v, bool digits_only) {
  if (v.empty() || v.size() > 32) return false;
  for (char c : v) {
    const bool digit = c >= '0' && c <= '9';
    if (digits_only ? !digit : !(digit || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
      return false;
  }
  return true;
}

}  // namespace

Result<MountInfo> DetectMount(const Session& s, std::string_view mount, std::string_view path) {
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  VS_ASSIGN_OR_RETURN(std::string p, CleanSecretPath(path, true));
  std::string api = "sys/internal/ui/mounts/" + EscapePath(m);
  if (!p.empty()) api += "/" + EscapePath(p);
  auto resp = s.Send(Call{.op = Operation::kMountDetect, .method = "GET", .path = api});
  if (!resp.ok()) {
    const Status& st = resp.status();
    // A refused login is not a detection failure: report it as what it is.
    if (st.code() == StatusCode::kUnauthenticated) return st;
    std::string msg = "cannot detect the KV version of mount \"" + m + "\": " + st.message();
    // When Vault answered but would not tell (no access to sys/internal/ui/mounts, an old
    // server), naming the version by hand gets the user going; when it did not answer at
    // all, that advice would mislead.
    if (st.http_status() != 0) {
      msg +=
          "; set the KV version explicitly (vaultsyncctl --kv-version 1|2, VaultStaticSecret "
          "spec.type)";
    }
    return Status(st.code(), std::move(msg), st.http_status());
  }
  auto parse = [&]() -> Result<MountInfo> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp->body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    MountInfo info;
    VS_ASSIGN_OR_RETURN(auto type, json::String(*d, "type", "data"));
    VS_ASSIGN_OR_RETURN(auto mpath, json::OptionalString(*d, "path", "data"));
    info.type = std::string(type);
    std::string_view mp = mpath.value_or(m);
    while (mp.ends_with('/')) mp.remove_suffix(1);
    info.path = std::string(mp);
    VS_ASSIGN_OR_RETURN(const json::Value* opts, json::OptionalObject(*d, "options", "data"));
    std::string version;
    if (opts != nullptr) {
      VS_ASSIGN_OR_RETURN(auto v, json::OptionalString(*opts, "version", "data.options"));
      version = std::string(v.value_or(""));
    }
    // Messages name the mount as it was asked for, and quote what Vault reported only when it
    // has the shape of an engine type or a version.
    if (info.type != "kv" && info.type != "generic") {
      const std::string engine =
          Quotable(info.type, false) ? "a \"" + info.type + "\"" : "an unknown";
      return Status(StatusCode::kFailedPrecondition,
                    "mount \"" + m + "\" is " + engine + " secrets engine, not a KV engine");
    }
    if (version == "2") {
      info.version = KvVersion::kV2;
    } else if (version.empty() || version == "1") {
      info.version = KvVersion::kV1;
    } else {
      return Internal("mount \"" + m + "\" reports " +
                      (Quotable(version, true) ? "unknown KV version \"" + version + "\""
                                               : "a KV version that is neither 1 nor 2"));
    }
    return info;
  };
  auto info = parse();
  if (!info.ok() && info.status().code() == StatusCode::kInvalidArgument) {
    return Internal("mount_detect " + api +
                    ": unexpected answer from Vault: " + info.status().message());
  }
  return info;
}

Result<KvSecret> KvRead(const Session& s, KvVersion v, std::string_view mount,
                        std::string_view path, std::optional<int64_t> version,
                        std::string* raw_body) {
  if (v == KvVersion::kV2) return KvV2Read(s, mount, path, version, raw_body);
  if (version.has_value()) return InvalidArgument("kv-v1 secrets have no versions");
  return KvV1Read(s, mount, path, raw_body);
}

Result<std::vector<std::string>> KvList(const Session& s, KvVersion v, std::string_view mount,
                                        std::string_view path, std::string* raw_body) {
  if (v == KvVersion::kV2) return KvV2List(s, mount, path, raw_body);
  return KvV1List(s, mount, path, raw_body);
}

Result<KvWriteResult> KvWrite(const Session& s, KvVersion v, std::string_view mount,
                              std::string_view path, const KvData& data, std::optional<int64_t> cas,
                              std::string* raw_body) {
  if (v == KvVersion::kV2) return KvV2Write(s, mount, path, data, cas, raw_body);
  if (cas.has_value()) return InvalidArgument("kv-v1 has no check-and-set (cas)");
  VS_RETURN_IF_ERROR(KvV1Write(s, mount, path, data));
  if (raw_body != nullptr) raw_body->clear();
  return KvWriteResult{};
}

Status KvDelete(const Session& s, KvVersion v, std::string_view mount, std::string_view path) {
  if (v == KvVersion::kV2) return KvV2Delete(s, mount, path);
  return KvV1Delete(s, mount, path);
}

}  // namespace vaultsync::vault
