// YAML to JSON with yaml-cpp.
#include "yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "util/json.h"

namespace vaultsync::testing {
namespace {

std::string Scalar(const YAML::Node& n) {
  const std::string& v = n.Scalar();
  if (n.Tag() != "?") return json::Quote(v);  // quoted or explicitly tagged: a string
  static const std::regex kInt(R"(^[-+]?[0-9]+$)");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (v == "true" || v == "True" || v == "TRUE") return "true";
  if (v == "false" || v == "False" || v == "FALSE") return "false";
  if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") return "null";
  if (std::regex_match(v, kInt)) return v[0] == '+' ? v.substr(1) : v;
  if (std::regex_match(v, kFloat)) return v;
  return json::Quote(v);
}

std::string ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
    case YAML::NodeType::Scalar:
      return Scalar(n);
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (size_t i = 0; i < n.size(); ++i) out += (i ? "," : "") + ToJson(n[i]);
      return out + "]";
    }
    case YAML::NodeType::Map: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : n) {
        out +=
            (first ? "" : ",") + json::Quote(kv.first.as<std::string>()) + ":" + ToJson(kv.second);
        first = false;
      }
      return out + "}";
    }
  }
  return "null";
}

Result<std::vector<std::string>> Convert(std::vector<YAML::Node> docs) {
  std::vector<std::string> out;
  for (const auto& d : docs) {
    if (d.IsNull()) continue;
    out.push_back(ToJson(d));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> YamlFileToJson(const std::string& path) {
  try {
    return Convert(YAML::LoadAllFromFile(path));
  } catch (const std::exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
}

Result<std::vector<std::string>> YamlToJson(const std::string& yaml_text) {
  try {
    return Convert(YAML::LoadAll(yaml_text));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("YAML: ") + e.what());
  }
}

}  // namespace vaultsync::testing
