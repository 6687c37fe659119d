// The recursive LIST walk of spec.find.
#include "controller/kv_discovery.h"

#include <algorithm>
#include <deque>

#include "controller/bounded_regex.h"

namespace vaultsync::controller {

Result<CompiledFinds> CompiledFinds::Compile(const std::vector<KvFindSpec>& finds) {
  CompiledFinds out;
  out.name_regexes.reserve(finds.size());
  for (size_t i = 0; i < finds.size(); ++i) {
    if (finds[i].name_regex.empty()) {
      out.name_regexes.emplace_back(std::nullopt);
      continue;
    }
    auto compiled = CompileBoundedRegex(finds[i].name_regex);
    if (!compiled.ok()) {
      return InvalidArgument("field \"spec.find[" + std::to_string(i) + "].nameRegex\": \"" +
                             finds[i].name_regex.substr(0, 256) +
                             "\" is not a valid regular expression (" +
                             compiled.status().message() + ")");
    }
    out.name_regexes.emplace_back(std::move(*compiled));
  }
  return out;
}

std::string FindFolder(const KvFindSpec& find) {
  return find.mount + "/" + (find.path.empty() ? "" : find.path + "/");
}

Result<Discovery> Discover(SecretSource& vault, const VaultIdentity& identity,
                           const KvFindSpec& find, const std::optional<std::regex>& name_regex,
                           const KvListRequest& base, bool* too_many) {
  *too_many = false;
  Discovery out;
  // Folders still to list, relative to the find's folder ("" = the folder itself, else
  // "sub/").
  std::deque<std::string> pending = {""};
  size_t listed = 0;
  while (!pending.empty()) {
    std::string rel = std::move(pending.front());
    pending.pop_front();
    if (++listed > kMaxFindFolders) {
      *too_many = true;
      return Status(StatusCode::kFailedPrecondition,
                    "more than " + std::to_string(kMaxFindFolders) + " folders under " +
                        FindFolder(find) + ": point find at a narrower folder");
    }
    KvListRequest req = base;
    req.mount = find.mount;
    req.type = find.type;
    std::string folder = find.path;
    if (!rel.empty()) folder += (folder.empty() ? "" : "/") + rel.substr(0, rel.size() - 1);
    req.path = folder;
    VS_ASSIGN_OR_RETURN(auto list, vault.List(identity, req));
    out.lists.push_back(list);
    out.list_keys.push_back(find.mount + "/" + (folder.empty() ? "" : folder + "/"));
    for (const std::string& key : list->keys) {
      if (key.empty()) continue;
      if (key.back() == '/') {
        pending.push_back(rel + key);
        continue;
      }
      std::string path = rel + key;
      // Bounded (bounded_regex.h); a relative path longer than a Secret key never matches.
      if (name_regex && !BoundedSearch(*name_regex, path)) continue;
      out.paths.push_back(std::move(path));
      if (static_cast<int64_t>(out.paths.size()) > find.max_secrets) {
        *too_many = true;
        return Status(
            StatusCode::kFailedPrecondition,
            "more than " + std::to_string(find.max_secrets) + " secrets under " + FindFolder(find) +
                (find.name_regex.empty() ? std::string() : " match \"" + find.name_regex + "\"") +
                " (maxSecrets " + std::to_string(find.max_secrets) +
                "); raise maxSecrets (at most 1000) or narrow nameRegex");
      }
    }
  }
  std::sort(out.paths.begin(), out.paths.end());
  return out;
}

}  // namespace vaultsync::controller
