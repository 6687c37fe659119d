// vaultsyncctl's human-readable output: aligned key/value tables for secrets, token info and
// health. (JSON output is Vault's own answer and needs no formatting.) Pure functions of the
// library's result types, so they are tested without a server; none takes a token.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vault/kv.h"
#include "vault/sys.h"
#include "vault/token_api.h"

namespace vaultsync::cli {

using Rows = std::vector<std::pair<std::string, std::string>>;

// Two left-aligned columns separated by at least three spaces; one row per line.
std::string Table(const Rows& rows);

// "display name", "policies", "ttl", "renewable", ... for login-check.
std::string FormatLoginInfo(const vault::LoginInfo& info, std::string_view method,
                            std::string_view mount);

// A Key/Value table of the data, then the kv-v2 version metadata or the kv-v1 lease.
std::string FormatSecret(const vault::KvSecret& secret, vault::KvVersion kv_version);

// Left-aligned columns, each as wide as its widest cell plus three spaces (the last one
// unpadded); one row per line.
std::string Columns(const std::vector<std::vector<std::string>>& rows);

// One entry per line.
std::string FormatLines(const std::vector<std::string>& lines);

std::string FormatHealth(const vault::HealthStatus& health);

// "Success! Data written to: secret/app/db" plus the kv-v2 version.
std::string FormatWrite(std::string_view where, const vault::KvWriteResult& result,
                        vault::KvVersion kv_version);

// Seconds as Go prints durations ("1h0m0s", "45s"); "never expires" for 0.
std::string FormatTtl(std::chrono::seconds ttl);

// `text` with a final newline (JSON answers to print as they came).
std::string WithNewline(std::string text);

}  // namespace vaultsync::cli
