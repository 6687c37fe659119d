// The versioned key/value engine (KV v2) as Vault 1.8 answers it: data/ (read latest or
// ?version=N, write with options.cas, DELETE = soft delete of the latest version),
// metadata/ (read, LIST, write settings, DELETE everything), delete/, undelete/, destroy/
// and config. A soft-deleted or destroyed version reads as 404 whose body still carries
// the metadata; a path without one of these prefixes gets Vault's "Invalid path" warning.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "backend.h"
#include "util/clock.h"

namespace vaultsync::vaultemu {

class KvV2Backend final : public Backend {
 public:
  explicit KvV2Backend(const Clock& clock) : clock_(clock) {}
  Reply Handle(Call& call) override;
  bool Exists(std::string_view rel) const override;

 private:
  struct Version {
    json::Document data;  // numbers already float64, as Vault returns them
    TimePoint created;
    std::optional<TimePoint> deletion;  // soft delete (may lie in the future)
    bool destroyed = false;
  };
  struct Secret {
    std::map<int64_t, Version> versions;
    int64_t current = 0;
    int64_t oldest = 0;
    int64_t max_versions = 0;
    bool cas_required = false;
    Duration delete_version_after{0};
    TimePoint created;
    TimePoint updated;
  };

  Reply ReadData(const Call& c, const std::string& key);
  Reply WriteData(const Call& c, const std::string& key);
  Reply DeleteLatest(const std::string& key);
  Reply ReadMetadata(const std::string& key);
  Reply WriteMetadata(const Call& c, const std::string& key);
  Reply List(const std::string& prefix);
  Reply ChangeVersions(const Call& c, const std::string& key, const std::string& action);
  Reply Config(const Call& c);
  bool IsDeleted(const Version& v) const;
  std::string VersionMetadata(const Version& v, int64_t number, bool with_version) const;
  void Prune(Secret& s);

  const Clock& clock_;
  std::map<std::string, Secret> secrets_;
  int64_t max_versions_ = 0;
  bool cas_required_ = false;
  Duration delete_version_after_{0};
};

}  // namespace vaultsync::vaultemu
