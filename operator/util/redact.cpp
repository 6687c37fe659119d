// Replacing known secrets in outgoing text.
#include "util/redact.h"

namespace vaultsync {

std::string Redact(std::string message, const std::vector<std::string>& sensitive) {
  for (const auto& s : sensitive) {
    if (s.size() < 4) continue;
    size_t pos = 0;
    while ((pos = message.find(s, pos)) != std::string::npos) {
      message.replace(pos, s.size(), "<redacted>");
      pos += 10;
    }
  }
  return message;
}

}  // namespace vaultsync
