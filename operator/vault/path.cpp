// Mount and secret path cleaning and escaping.
#include "vault/path.h"

namespace vaultsync::vault {
namespace {

std::string_view Trim(std::string_view s) {
  while (s.starts_with('/')) s.remove_prefix(1);
  while (s.ends_with('/')) s.remove_suffix(1);
  return s;
}

Status CheckSegments(std::string_view s, std::string_view what) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('/', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view seg = s.substr(start, end - start);
    if (seg == "." || seg == "..") {
      return InvalidArgument(std::string(what) + " \"" + std::string(s) +
                             "\" may not contain \".\" or \"..\" segments");
    }
    if (seg.empty() && end < s.size()) {
      return InvalidArgument(std::string(what) + " \"" + std::string(s) +
                             "\" contains an empty segment");
    }
    for (char c : seg) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return InvalidArgument(std::string(what) + " contains a control character");
      }
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CleanMount(std::string_view mount) {
  std::string_view m = Trim(mount);
  if (m.empty()) return InvalidArgument("mount must not be empty");
  VS_RETURN_IF_ERROR(CheckSegments(m, "mount"));
  return std::string(m);
}

Result<std::string> CleanSecretPath(std::string_view path, bool allow_empty) {
  std::string_view p = Trim(path);
  if (p.empty()) {
    if (!allow_empty) return InvalidArgument("secret path must not be empty");
    return std::string();
  }
  VS_RETURN_IF_ERROR(CheckSegments(p, "secret path"));
  return std::string(p);
}

std::string EscapePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace vaultsync::vault
