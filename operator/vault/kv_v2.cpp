// KV version 2: data/ and metadata/ endpoints, versions, soft delete, check-and-set.
#include <algorithm>
#include <string>

#include "util/json.h"
#include "util/time_format.h"
#include "vault/errors.h"
#include "vault/kv.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

struct Paths {
  std::string mount;   // cleaned
  std::string secret;  // cleaned
  std::string Api(std::string_view kind) const {
    std::string p = EscapePath(mount) + "/" + std::string(kind) + "/";
    p += EscapePath(secret);
    return p;
  }
  std::string Display() const { return mount + "/" + secret; }
};

Result<Paths> Clean(std::string_view mount, std::string_view path, bool allow_empty) {
  Paths p;
  VS_ASSIGN_OR_RETURN(p.mount, CleanMount(mount));
  VS_ASSIGN_OR_RETURN(p.secret, CleanSecretPath(path, allow_empty));
  return p;
}

Status Bad(Operation op, const std::string& api_path, const Status& s) {
  return Internal(std::string(OperationName(op)) + " " + api_path +
                  ": unexpected answer from Vault: " + s.message());
}

// Reads data.metadata of a read answer into `out`; absent metadata leaves it unchanged.
Status ReadVersionMetadata(const json::Value& data, KvVersionInfo& out) {
  VS_ASSIGN_OR_RETURN(const json::Value* md, json::OptionalObject(data, "metadata", "data"));
  if (md == nullptr) return Status::Ok();
  VS_ASSIGN_OR_RETURN(auto version, json::OptionalInt64(*md, "version", "data.metadata"));
  VS_ASSIGN_OR_RETURN(auto created, json::OptionalString(*md, "created_time", "data.metadata"));
  VS_ASSIGN_OR_RETURN(auto deleted, json::OptionalString(*md, "deletion_time", "data.metadata"));
  VS_ASSIGN_OR_RETURN(auto destroyed, json::OptionalBool(*md, "destroyed", "data.metadata"));
  out.version = version.value_or(0);
  out.created_time = std::string(created.value_or(""));
  out.deletion_time = std::string(deleted.value_or(""));
  out.destroyed = destroyed.value_or(false);
  return Status::Ok();
}

// A version that exists but has no readable data: say why instead of returning nothing.
Status Unreadable(const Paths& p, const KvVersionInfo& v, int http_status) {
  std::string which = "version " + std::to_string(v.version) + " of " + p.Display();
  if (v.destroyed) {
    return Status(StatusCode::kFailedPrecondition, which + " was destroyed", http_status);
  }
  if (!v.deletion_time.empty()) {
    // The time is quoted only when it is one: any other text from the body stays out of the
    // message (it could echo the token; the fuzzer found that).
    std::string at;
    if (ParseRfc3339(v.deletion_time).ok()) at = " at " + v.deletion_time;
    return Status(
        StatusCode::kFailedPrecondition,
        which + " was deleted" + at + " (soft delete: undelete it " + "or write a new version)",
        http_status);
  }
  return Status(StatusCode::kFailedPrecondition, which + " has no data", http_status);
}

}  // namespace

Result<KvSecret> KvV2Read(const Session& s, std::string_view mount, std::string_view path,
                          std::optional<int64_t> version, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(Paths p, Clean(mount, path, false));
  if (version.has_value() && *version < 1) return InvalidArgument("version must be >= 1");
  Call call{.op = Operation::kKvRead, .method = "GET", .path = p.Api("data")};
  if (version.has_value()) call.query = "version=" + std::to_string(*version);
  // A 404 may still carry the metadata of a deleted or destroyed version: that one is taken
  // as an answer. Any other 404 stays an error of the Client, which redacts what the call
  // sent (a body quoting the token must not reach the message).
  KvVersionInfo gone;
  call.accept = [&gone](const http::Response& r) {
    if (r.status != 404) return false;
    auto doc = ParseExact(r.body);
    if (!doc.ok()) return false;
    auto data = json::OptionalObject(*doc, "data");
    KvVersionInfo info;
    if (!data.ok() || *data == nullptr || !ReadVersionMetadata(**data, info).ok()) return false;
    if (info.version <= 0 || (!info.destroyed && info.deletion_time.empty())) return false;
    gone = std::move(info);
    return true;
  };
  VS_ASSIGN_OR_RETURN(http::Response resp, s.Send(std::move(call)));
  if (resp.status == 404) return Unreadable(p, gone, 404);

  VS_ASSIGN_OR_RETURN(json::Document doc, ParseExact(resp.body));
  auto data = json::Object(doc, "data");
  if (!data.ok()) return Bad(Operation::kKvRead, p.Api("data"), data.status());
  KvVersionInfo info;
  if (Status st = ReadVersionMetadata(**data, info); !st.ok()) {
    return Bad(Operation::kKvRead, p.Api("data"), st);
  }
  const json::Value* inner = json::Find(**data, "data");
  if (inner == nullptr || inner->IsNull() || info.destroyed || !info.deletion_time.empty()) {
    return Unreadable(p, info, resp.status);
  }
  auto kv = KvDataFromJson(*inner, "data.data");
  if (!kv.ok()) return Bad(Operation::kKvRead, p.Api("data"), kv.status());
  KvSecret out;
  out.data = std::move(kv).value();
  if (info.version > 0) out.version = info.version;
  out.created_time = std::move(info.created_time);
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return out;
}

Result<KvMetadata> KvV2ReadMetadata(const Session& s, std::string_view mount, std::string_view path,
                                    std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(Paths p, Clean(mount, path, false));
  const std::string api = p.Api("metadata");
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kKvMetadata, .method = "GET", .path = api}));
  auto parse = [&]() -> Result<KvMetadata> {
    VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
    VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
    KvMetadata md;
    VS_ASSIGN_OR_RETURN(md.current_version, json::Int64(*d, "current_version", "data"));
    VS_ASSIGN_OR_RETURN(auto oldest, json::OptionalInt64(*d, "oldest_version", "data"));
    VS_ASSIGN_OR_RETURN(auto maxv, json::OptionalInt64(*d, "max_versions", "data"));
    VS_ASSIGN_OR_RETURN(auto cas, json::OptionalBool(*d, "cas_required", "data"));
    VS_ASSIGN_OR_RETURN(auto created, json::OptionalString(*d, "created_time", "data"));
    VS_ASSIGN_OR_RETURN(auto updated, json::OptionalString(*d, "updated_time", "data"));
    VS_ASSIGN_OR_RETURN(auto dva, json::OptionalString(*d, "delete_version_after", "data"));
    md.oldest_version = oldest.value_or(0);
    md.max_versions = maxv.value_or(0);
    md.cas_required = cas.value_or(false);
    md.created_time = std::string(created.value_or(""));
    md.updated_time = std::string(updated.value_or(""));
    md.delete_version_after = std::string(dva.value_or(""));
    VS_ASSIGN_OR_RETURN(const json::Value* versions, json::OptionalObject(*d, "versions", "data"));
    if (versions != nullptr) {
      for (const auto& m : versions->GetObject()) {
        KvVersionInfo v;
        std::string key(json::View(m.name));
        try {
          v.version = std::stoll(key);
        } catch (const std::exception&) {
          return Internal("field \"data.versions\": key \"" + key + "\" is not a number");
        }
        std::string where = "data.versions." + key;
        VS_ASSIGN_OR_RETURN(auto c, json::OptionalString(m.value, "created_time", where));
        VS_ASSIGN_OR_RETURN(auto del, json::OptionalString(m.value, "deletion_time", where));
        VS_ASSIGN_OR_RETURN(auto des, json::OptionalBool(m.value, "destroyed", where));
        v.created_time = std::string(c.value_or(""));
        v.deletion_time = std::string(del.value_or(""));
        v.destroyed = des.value_or(false);
        md.versions.push_back(std::move(v));
      }
    }
    std::sort(md.versions.begin(), md.versions.end(),
              [](const auto& a, const auto& b) { return a.version < b.version; });
    return md;
  };
  auto md = parse();
  if (!md.ok()) return Bad(Operation::kKvMetadata, api, md.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return md;
}

Result<std::vector<std::string>> KvV2List(const Session& s, std::string_view mount,
                                          std::string_view path, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(Paths p, Clean(mount, path, true));
  const std::string api = p.Api("metadata");
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kKvList, .method = "LIST", .path = api}));
  auto keys = ParseListKeys(resp.body);
  if (!keys.ok()) return Bad(Operation::kKvList, api, keys.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return keys;
}

Result<KvWriteResult> KvV2Write(const Session& s, std::string_view mount, std::string_view path,
                                const KvData& data, std::optional<int64_t> cas,
                                std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(Paths p, Clean(mount, path, false));
  if (cas.has_value() && *cas < 0) return InvalidArgument("cas must be >= 0");
  VS_ASSIGN_OR_RETURN(std::string data_json, KvDataToJson(data));
  Call call{.op = Operation::kKvWrite, .method = "POST", .path = p.Api("data")};
  call.body.reserve(data_json.size() + 40);
  call.body = "{";
  if (cas.has_value()) call.body += "\"options\":{\"cas\":" + std::to_string(*cas) + "},";
  call.body += "\"data\":";
  call.body += data_json;
  call.body += "}";
  call.sensitive = SensitiveValues(data);
  VS_ASSIGN_OR_RETURN(http::Response resp, s.Send(std::move(call)));
  KvWriteResult out;
  if (!resp.body.empty()) {
    auto parse = [&]() -> Status {
      VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(resp.body));
      VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
      VS_ASSIGN_OR_RETURN(out.version, json::Int64(*d, "version", "data"));
      VS_ASSIGN_OR_RETURN(auto created, json::OptionalString(*d, "created_time", "data"));
      out.created_time = std::string(created.value_or(""));
      return Status::Ok();
    };
    if (Status st = parse(); !st.ok()) return Bad(Operation::kKvWrite, p.Api("data"), st);
  }
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return out;
}

Status KvV2Delete(const Session& s, std::string_view mount, std::string_view path) {
  VS_ASSIGN_OR_RETURN(Paths p, Clean(mount, path, false));
  return s.Send(Call{.op = Operation::kKvDelete, .method = "DELETE", .path = p.Api("metadata")})
      .status();
}

Result<std::vector<std::string>> ParseListKeys(std::string_view body) {
  VS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(body));
  VS_ASSIGN_OR_RETURN(const json::Value* d, json::Object(doc, "data"));
  VS_ASSIGN_OR_RETURN(const json::Value* keys, json::Array(*d, "keys", "data"));
  std::vector<std::string> out;
  out.reserve(keys->Size());
  for (const auto& k : keys->GetArray()) {
    if (!k.IsString()) return Internal("field \"data.keys\": expected strings");
    out.emplace_back(json::View(k));
  }
  return out;
}

}  // namespace vaultsync::vault
