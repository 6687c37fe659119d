// destination.transformation, compiled: the include/exclude regular expressions and the
// parsed templates, kept per resource and compiled again only when its generation changes
// (std::regex construction costs far more than a sync). Resources without a
// transformation (most) share one empty instance and take no cache entry.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "controller/generation_cache.h"
#include "controller/resources.h"
#include "controller/template.h"

namespace vaultsync::controller {

struct Transformation {
  std::vector<std::regex> includes;
  std::vector<std::regex> excludes;
  std::vector<std::pair<std::string, Template>> templates;  // Secret key -> template

  // kInvalidArgument naming the regex or template that does not compile.
  static Result<Transformation> Compile(const std::map<std::string, std::string>& templates,
                                        const std::vector<std::string>& includes,
                                        const std::vector<std::string>& excludes);
  bool Empty() const { return includes.empty() && excludes.empty() && templates.empty(); }
  // The shared instance that changes nothing.
  static const std::shared_ptr<const Transformation>& None();
};

// Thread-safe.
class TransformationCache {
 public:
  // The compiled transformation of the resource `meta` describes, built from its spec parts
  // when the cache holds none for this uid and generation.
  Result<std::shared_ptr<const Transformation>> Get(const ObjectMeta& meta,
                                                    const VaultStaticSecretExtras& extras);
  // Drops a deleted resource's entry.
  void Forget(const std::string& key);
  size_t size() const;

 private:
  GenerationCache<Transformation> cache_;
};

}  // namespace vaultsync::controller
