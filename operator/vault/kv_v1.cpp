// KV version 1: one flat object per path, no versions; the advisory `ttl` key.
#include <algorithm>
#include <string>

#include "util/duration.h"
#include "util/json.h"
#include "vault/kv.h"
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

Result<std::string> ApiPath(std::string_view mount, std::string_view path, bool allow_empty) {
  VS_ASSIGN_OR_RETURN(std::string m, CleanMount(mount));
  VS_ASSIGN_OR_RETURN(std::string p, CleanSecretPath(path, allow_empty));
  return EscapePath(m) + "/" + EscapePath(p);
}

Status Bad(Operation op, const std::string& api_path, const Status& s) {
  return Internal(std::string(OperationName(op)) + " " + api_path +
                  ": unexpected answer from Vault: " + s.message());
}

// The lease from the `ttl` key: Vault's lease_duration when it computed one, else the key
// itself (a Go duration string or a number of seconds).
std::optional<std::chrono::seconds> TtlLease(const json::Value& doc, const KvData& data) {
  auto it =
      std::find_if(data.begin(), data.end(), [](const auto& kv) { return kv.first == "ttl"; });
  if (it == data.end()) return std::nullopt;
  auto lease = json::OptionalSeconds(doc, "lease_duration");
  if (lease.ok() && lease->has_value() && (*lease)->count() > 0) return **lease;
  // Beyond json::kMaxSeconds a hint means nothing, and later clock arithmetic would overflow.
  auto bounded = [](int64_t secs) -> std::optional<std::chrono::seconds> {
    if (secs < 0 || secs > json::kMaxSeconds) return std::nullopt;
    return std::chrono::seconds(secs);
  };
  if (it->second.is_string) {
    auto d = ParseDuration(it->second.text);
    if (d.ok()) return bounded(std::chrono::duration_cast<std::chrono::seconds>(*d).count());
    return std::nullopt;
  }
  try {
    return bounded(std::stoll(it->second.text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<KvSecret> KvV1Read(const Session& s, std::string_view mount, std::string_view path,
                          std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string api, ApiPath(mount, path, false));
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kKvRead, .method = "GET", .path = api}));
  VS_ASSIGN_OR_RETURN(json::Document doc, ParseExact(resp.body));
  auto data = json::Object(doc, "data");
  if (!data.ok()) return Bad(Operation::kKvRead, api, data.status());
  auto kv = KvDataFromJson(**data, "data");
  if (!kv.ok()) return Bad(Operation::kKvRead, api, kv.status());
  KvSecret out;
  out.data = std::move(kv).value();
  out.lease_duration = TtlLease(doc, out.data);
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return out;
}

Result<std::vector<std::string>> KvV1List(const Session& s, std::string_view mount,
                                          std::string_view path, std::string* raw_body) {
  VS_ASSIGN_OR_RETURN(std::string api, ApiPath(mount, path, true));
  VS_ASSIGN_OR_RETURN(http::Response resp,
                      s.Send(Call{.op = Operation::kKvList, .method = "LIST", .path = api}));
  auto keys = ParseListKeys(resp.body);
  if (!keys.ok()) return Bad(Operation::kKvList, api, keys.status());
  if (raw_body != nullptr) *raw_body = std::move(resp.body);
  return keys;
}

Status KvV1Write(const Session& s, std::string_view mount, std::string_view path,
                 const KvData& data) {
  VS_ASSIGN_OR_RETURN(std::string api, ApiPath(mount, path, false));
  Call call{.op = Operation::kKvWrite, .method = "POST", .path = api};
  VS_ASSIGN_OR_RETURN(call.body, KvDataToJson(data));
  call.sensitive = SensitiveValues(data);
  return s.Send(std::move(call)).status();
}

Status KvV1Delete(const Session& s, std::string_view mount, std::string_view path) {
  VS_ASSIGN_OR_RETURN(std::string api, ApiPath(mount, path, false));
  return s.Send(Call{.op = Operation::kKvDelete, .method = "DELETE", .path = api}).status();
}

}  // namespace vaultsync::vault
