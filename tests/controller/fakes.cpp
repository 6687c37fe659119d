// Implementations of the in-memory fakes.
#include "fakes.h"

#include "util/base64.h"

namespace vaultsync::controller::testing {

Result<std::optional<json::Document>> FakeCluster::GetSecret(const std::string& ns,
                                                             const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ++gets;
  auto it = secrets_.find(ns + "/" + name);
  if (it == secrets_.end()) return std::optional<json::Document>();
  VS_ASSIGN_OR_RETURN(json::Document d, json::Parse(it->second));
  return std::optional<json::Document>(std::move(d));
}

Status FakeCluster::CreateSecret(const std::string& ns, const json::Value& secret) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fail_writes.ok()) return fail_writes;
  if (!fail_secret_writes.ok()) return fail_secret_writes;
  ++creates;
  json::Document d;
  d.CopyFrom(secret, d.GetAllocator());
  std::string name(json::View(d["metadata"]["name"]));
  if (secrets_.count(ns + "/" + name)) return Status(StatusCode::kAlreadyExists, "exists");
  d["metadata"].AddMember("resourceVersion",
                          json::StringValue(std::to_string(++next_rv_), d.GetAllocator()),
                          d.GetAllocator());
  d["metadata"].AddMember("uid", json::StringValue("uid-" + name, d.GetAllocator()),
                          d.GetAllocator());
  secrets_[ns + "/" + name] = json::Serialize(d);
  write_log.push_back("create " + ns + "/" + name);
  return Status::Ok();
}

Status FakeCluster::UpdateSecret(const std::string& ns, const std::string& name,
                                 const json::Value& secret) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fail_writes.ok()) return fail_writes;
  if (!fail_secret_writes.ok()) return fail_secret_writes;
  ++updates;
  auto it = secrets_.find(ns + "/" + name);
  if (it == secrets_.end()) return NotFound("no such secret");
  auto old = json::Parse(it->second);
  auto rv_old = json::String((*old)["metadata"], "resourceVersion");
  auto rv_new = json::String(secret["metadata"], "resourceVersion");
  if (!rv_new.ok() || *rv_new != *rv_old)
    return Status(StatusCode::kConflict, "stale resourceVersion", 409);
  json::Document d;
  d.CopyFrom(secret, d.GetAllocator());
  d["metadata"]["resourceVersion"] =
      json::StringValue(std::to_string(++next_rv_), d.GetAllocator());
  it->second = json::Serialize(d);
  write_log.push_back("update " + ns + "/" + name);
  return Status::Ok();
}

Status FakeCluster::PatchStatus(const std::string&, const std::string&, const std::string&,
                                const std::string& merge_patch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fail_writes.ok()) return fail_writes;
  ++status_patches;
  status_patch_bodies.push_back(merge_patch);
  write_log.push_back("status " + merge_patch);
  return Status::Ok();
}

Status FakeCluster::PatchObject(const std::string& kind, const std::string& ns,
                                const std::string& name, const std::string& merge_patch) {
  std::lock_guard<std::mutex> lock(mu_);
  ++object_patches;
  object_patch_bodies.push_back(kind + " " + ns + "/" + name + " " + merge_patch);
  return fail_object_patches;
}

Status FakeCluster::PatchWorkload(const std::string& kind, const std::string& ns,
                                  const std::string& name, const std::string& patch) {
  std::lock_guard<std::mutex> lock(mu_);
  ++workload_patches;
  workload_patch_targets.push_back(kind + " " + ns + "/" + name);
  workload_patch_bodies.push_back(patch);
  auto it = fail_workload.find(kind + " " + name);
  if (it != fail_workload.end()) return it->second;
  write_log.push_back("workload " + kind + " " + ns + "/" + name);
  return Status::Ok();
}

Result<std::string> FakeCluster::CreateServiceAccountToken(const std::string& ns,
                                                           const std::string& sa,
                                                           const std::vector<std::string>&,
                                                           int64_t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++tokens;
  token_requests.push_back(ns + "/" + sa);
  return std::string("jwt-for-") + ns + "-" + sa;
}

void FakeCluster::PutSecret(const std::string& ns, const std::string& json_text) {
  auto d = json::Parse(json_text);
  std::string name(json::View((*d)["metadata"]["name"]));
  std::lock_guard<std::mutex> lock(mu_);
  secrets_[ns + "/" + name] = json_text;
}

std::optional<std::string> FakeCluster::SecretJson(const std::string& ns,
                                                   const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = secrets_.find(ns + "/" + name);
  if (it == secrets_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> FakeCluster::SecretDataOf(const std::string& ns,
                                                             const std::string& name) const {
  std::map<std::string, std::string> out;
  auto text = SecretJson(ns, name);
  if (!text) return out;
  auto d = json::Parse(*text);
  const json::Value* data = json::Find(*d, "data");
  if (data == nullptr) return out;
  for (auto it = data->MemberBegin(); it != data->MemberEnd(); ++it) {
    out[std::string(json::View(it->name))] =
        base64::Decode(json::View(it->value)).value_or("<bad base64>");
  }
  return out;
}

Result<std::shared_ptr<const KvResult>> FakeSource::Read(const VaultIdentity& identity,
                                                         const KvRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  ++reads;
  identities.push_back(identity);
  requests.push_back(request);
  std::string key = request.mount + "/" + request.path;
  auto e = errors_.find(key);
  if (e != errors_.end()) return e->second;
  auto it = data_.find(key);
  if (it == data_.end()) return NotFound("no secret at " + key);
  auto copy = std::make_shared<KvResult>(*it->second);
  if (clock != nullptr) copy->read_at = clock->Now();
  return std::shared_ptr<const KvResult>(copy);
}

void FakeSource::Set(const std::string& mount_path, std::vector<KvEntry> entries,
                     std::optional<int64_t> version, std::optional<std::chrono::seconds> ttl) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.erase(mount_path);
  auto r = std::make_shared<KvResult>();
  r->entries = std::move(entries);
  r->version = version;
  r->ttl = ttl;
  data_[mount_path] = r;
}

void FakeSource::SetError(const std::string& mount_path, Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_[mount_path] = std::move(error);
}

void FakeSource::Delete(const std::string& mount_path) {
  std::lock_guard<std::mutex> lock(mu_);
  data_.erase(mount_path);
  errors_.erase(mount_path);
}

void FakeSource::SetListError(const std::string& mount_folder, Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  list_errors_[mount_folder] = std::move(error);
}

Result<std::shared_ptr<const KvListResult>> FakeSource::List(const VaultIdentity&,
                                                             const KvListRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  ++lists;
  list_requests.push_back(request);
  const std::string folder = request.mount + (request.path.empty() ? "" : "/" + request.path);
  if (auto e = list_errors_.find(folder); e != list_errors_.end()) return e->second;
  const std::string prefix = folder + "/";
  auto out = std::make_shared<KvListResult>();
  std::set<std::string> keys;
  for (const auto& [k, v] : data_) {
    if (k.rfind(prefix, 0) != 0) continue;
    std::string rest = k.substr(prefix.size());
    size_t slash = rest.find('/');
    keys.insert(slash == std::string::npos ? rest : rest.substr(0, slash + 1));
  }
  out->keys.assign(keys.begin(), keys.end());
  if (clock != nullptr) out->read_at = clock->Now();
  return std::shared_ptr<const KvListResult>(out);
}

}  // namespace vaultsync::controller::testing
