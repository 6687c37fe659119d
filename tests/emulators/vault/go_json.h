// Vault is written in Go and its answers are produced by Go's encoding/json. Clients (and
// our contract test) see the differences from a generic JSON writer: object keys of maps
// come out sorted, numbers that went through an interface{} are float64 and print in Go's
// shortest form (12345678901234567890 comes back as 12345678901234567000), and <, >, &
// are escaped as \u003c... This file reproduces that encoding.
#pragma once

#include <string>
#include <vector>

#include "util/json.h"

namespace vaultsync::vaultemu {

// Appends v to out as Go's encoding/json writes a map[string]interface{}: compact, object
// keys sorted, integers as integers, doubles in Go's float64 format, strings HTML-escaped
// with invalid UTF-8 replaced by U+FFFD.
void AppendGoJson(const json::Value& v, std::string& out);
std::string GoJson(const json::Value& v);

// A JSON string literal as Go writes it (quotes included).
std::string GoQuote(std::string_view s);

// A float64 as Go's encoding/json writes it ("0.75", "12345678901234567000", "1e+21").
std::string GoFloat(double d);

// Turns every number inside v into a double, as a JSON round trip through Go's
// map[string]interface{} does (KV v2 stores and returns data that way).
void NumbersToFloat64(json::Value& v);

// JSON text of a list of strings, Go style (`null` when `null_if_empty` and empty).
std::string GoStringList(const std::vector<std::string>& items, bool null_if_empty = false);

}  // namespace vaultsync::vaultemu
