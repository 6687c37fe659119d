// Compiling destination.transformation once per generation.
#include "controller/transformation.h"

namespace vaultsync::controller {

Result<Transformation> Transformation::Compile(const std::map<std::string, std::string>& templates,
                                               const std::vector<std::string>& includes,
                                               const std::vector<std::string>& excludes) {
  Transformation t;
  for (const auto& [list, out, name] :
       {std::tuple{&includes, &t.includes, "includes"}, {&excludes, &t.excludes, "excludes"}}) {
    for (const std::string& re : *list) {
      try {
        out->emplace_back(re);
      } catch (const std::regex_error&) {
        return InvalidArgument("field \"spec.destination.transformation." + std::string(name) +
                               "\": \"" + re + "\" is not a valid regular expression");
      }
    }
  }
  for (const auto& [key, text] : templates) {
    auto parsed = Template::Parse(text);
    if (!parsed.ok()) {
      return InvalidArgument("field \"spec.destination.transformation.templates." + key +
                             ".text\": " + parsed.status().message());
    }
    t.templates.emplace_back(key, std::move(*parsed));
  }
  return t;
}

const std::shared_ptr<const Transformation>& Transformation::None() {
  static const auto kNone = std::make_shared<const Transformation>();
  return kNone;
}

Result<std::shared_ptr<const Transformation>> TransformationCache::Get(
    const ObjectMeta& meta, const VaultStaticSecretExtras& extras) {
  if (extras.templates.empty() && extras.includes.empty() && extras.excludes.empty())
    return Transformation::None();
  const std::string key = meta.Key();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.uid == meta.uid &&
        it->second.generation == meta.generation) {
      return it->second.compiled;
    }
  }
  VS_ASSIGN_OR_RETURN(Transformation t,
                      Transformation::Compile(extras.templates, extras.includes, extras.excludes));
  auto compiled = std::make_shared<const Transformation>(std::move(t));
  std::lock_guard<std::mutex> lock(mu_);
  entries_[key] = Entry{meta.uid, meta.generation, compiled};
  return compiled;
}

void TransformationCache::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

size_t TransformationCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace vaultsync::controller
