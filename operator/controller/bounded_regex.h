// The regular expressions users give the operator (destination.transformation.includes and
// excludes) compiled and matched with bounds, so that one resource cannot stop or crash the
// operator for everyone. std::regex as used before had three failure modes, all found by
// fuzzing (tests/fuzz/resources_fuzzer.cpp): a deeply nested pattern overflows the stack
// while compiling, "(a+)+$" backtracks exponentially on a 30-character key, and a long key
// overflows the stack while matching (libstdc++'s matcher recurses once per character).
// Here every pattern is checked against limits before compiling, matching uses libstdc++'s
// polynomial-time (Thompson NFA) executor, and keys longer than any Secret key are never
// matched.
#pragma once

#include <regex>
#include <string>
#include <string_view>

#include "util/status.h"

namespace vaultsync::controller {

// Limits of a pattern: its length, how deeply groups nest, a counted repetition ({n,m}, the
// same cap as RE2's), and the estimated size of the compiled automaton (every atom counts
// one, a repetition multiplies what it repeats).
inline constexpr size_t kMaxRegexLength = 1024;
inline constexpr int kMaxRegexNesting = 32;
inline constexpr int kMaxRegexRepeat = 1000;
inline constexpr size_t kMaxRegexSize = 2000;

// Keys longer than this are never matched (see BoundedSearch): a Secret key has at most 253.
inline constexpr size_t kMaxMatchedKey = 253;

// Compiles `pattern` (ECMAScript syntax) for BoundedSearch. kInvalidArgument saying why when
// it does not compile or is over a limit; the message does not quote the pattern (callers
// name the field and quote it).
Result<std::regex> CompileBoundedRegex(const std::string& pattern);

// std::regex_search of `key` with `re` (from CompileBoundedRegex); false for a key longer than
// kMaxMatchedKey, which can never be written into a Secret anyway.
bool BoundedSearch(const std::regex& re, std::string_view key);

}  // namespace vaultsync::controller
