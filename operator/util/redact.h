// Taking known secrets out of text that is about to leave the process (a condition, an
// Event, a log line): every error path that carries a server's words — Vault's or a proxy's,
// the API server's or an admission webhook's — passes them through here with the values
// that request sent.
#pragma once

#include <string>
#include <vector>

namespace vaultsync {

// Replaces every occurrence of each sensitive string (of 4 or more characters: shorter ones
// would mangle ordinary words and cannot identify a secret) by "<redacted>". Defence in
// depth: servers do not echo values, but a proxy or a webhook in front of one might.
std::string Redact(std::string message, const std::vector<std::string>& sensitive);

}  // namespace vaultsync
