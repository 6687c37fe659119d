// One KV secret's data as the rest of the project sees it: key -> value, where a JSON string
// stays the string itself and anything else (numbers, booleans, null, lists, maps) is kept as
// the compact JSON text Vault sent, so the Secret written to Kubernetes holds `5432`, `true`
// or `["a","b"]` exactly as a Go program (Vault, VSO) would print them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::vault {

struct KvValue {
  bool is_string = true;
  std::string text;  // the string itself, or compact JSON for every other type

  static KvValue String(std::string s) { return {true, std::move(s)}; }
  static KvValue Json(std::string compact) { return {false, std::move(compact)}; }
  bool operator==(const KvValue&) const = default;
};

// Sorted by key (byte order, as Go sorts map keys).
using KvData = std::vector<std::pair<std::string, KvValue>>;

// Parses a Vault answer keeping every float64 exactly (full-precision number parsing), so
// that re-printing a number gives back the digits Vault sent. kInternal on invalid JSON
// (never echoing the text).
Result<json::Document> ParseExact(std::string_view body);

// The data object `obj` (at `where` in its document) as KvData. kInternal when it is not an
// object.
Result<KvData> KvDataFromJson(const json::Value& obj, std::string_view where);

// Compact JSON of `v` as Go's encoding/json writes it: object members in the order given,
// strings with <, >, & and U+2028/2029 escaped as \u003c..., integers as integers, other
// numbers in Go's shortest float64 form ("0.75", "1e+21", "1e-7").
std::string GoJson(const json::Value& v);

// `data` as a JSON object for a write: strings quoted, other values inserted as their JSON
// text. kInvalidArgument naming the key when a non-string value is not valid JSON or a key
// is empty or repeated.
Result<std::string> KvDataToJson(const KvData& data);

// Every value text of `data`, for Call::sensitive.
std::vector<std::string> SensitiveValues(const KvData& data);

}  // namespace vaultsync::vault
