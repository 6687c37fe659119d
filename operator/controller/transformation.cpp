// Compiling destination.transformation once per generation.
#include "controller/transformation.h"

#include "controller/bounded_regex.h"

namespace vaultsync::controller {

Result<Transformation> Transformation::Compile(const std::map<std::string, std::string>& templates,
                                               const std::vector<std::string>& includes,
                                               const std::vector<std::string>& excludes) {
  Transformation t;
  for (const auto& [list, out, name] :
       {std::tuple{&includes, &t.includes, "includes"}, {&excludes, &t.excludes, "excludes"}}) {
    for (const std::string& re : *list) {
      auto compiled = CompileBoundedRegex(re);
      if (!compiled.ok()) {
        return InvalidArgument("field \"spec.destination.transformation." + std::string(name) +
                               "\": \"" + re.substr(0, 256) +
                               "\" is not a valid regular expression (" +
                               compiled.status().message() + ")");
      }
      out->push_back(std::move(*compiled));
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
  return cache_.Get(meta, [&] {
    return Transformation::Compile(extras.templates, extras.includes, extras.excludes);
  });
}

void TransformationCache::Forget(const std::string& key) { cache_.Forget(key); }

size_t TransformationCache::size() const { return cache_.size(); }

}  // namespace vaultsync::controller
