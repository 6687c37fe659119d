// Limits checked before std::regex sees a user's pattern, and the bounded match.
#include "controller/bounded_regex.h"

#include <algorithm>
#include <vector>

namespace vaultsync::controller {
namespace {

// Reads a counted repetition "{n}", "{n,}" or "{n,m}" starting at p[i] == '{'. Returns the
// factor it multiplies by (m, or n + 1 when unbounded) and moves i to its '}'; 0 when the
// brace does not start a repetition (ECMAScript then reads it as a literal).
size_t RepeatFactor(std::string_view p, size_t& i, bool& too_big) {
  size_t j = i + 1;
  auto number = [&](size_t& out) {
    size_t start = j;
    out = 0;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
      out = std::min<size_t>(out * 10 + size_t(p[j] - '0'), 1000000);
      ++j;
    }
    return j > start;
  };
  size_t n = 0, m = 0;
  if (!number(n)) return 0;
  bool bounded = true;
  if (j < p.size() && p[j] == ',') {
    ++j;
    bounded = number(m);
  } else {
    m = n;
  }
  if (j >= p.size() || p[j] != '}') return 0;
  if (n > size_t(kMaxRegexRepeat) || m > size_t(kMaxRegexRepeat)) too_big = true;
  i = j;
  return std::max<size_t>(1, bounded ? std::max(n, m) : n + 1);
}

Status CheckLimits(std::string_view p) {
  if (p.size() > kMaxRegexLength) {
    return InvalidArgument("longer than " + std::to_string(kMaxRegexLength) + " characters");
  }
  struct Frame {
    size_t total = 0;  // estimated size of the group's content so far
    size_t last = 0;   // size of the last atom or group, which a repetition applies to
  };
  std::vector<Frame> stack(1);
  auto atom = [&](size_t size) {
    stack.back().total += size;
    stack.back().last = size;
  };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;  // the escaped character
      atom(1);
    } else if (c == '[') {
      // A class is one atom; skip to its closing bracket (a leading ']' is literal).
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = std::min(j, p.size());
      atom(1);
    } else if (c == '(') {
      if (stack.size() > size_t(kMaxRegexNesting)) {
        return InvalidArgument("groups nested deeper than " + std::to_string(kMaxRegexNesting));
      }
      stack.emplace_back();
    } else if (c == ')' && stack.size() > 1) {
      size_t size = stack.back().total + 1;
      stack.pop_back();
      atom(size);
    } else if (c == '{') {
      bool too_big = false;
      size_t factor = RepeatFactor(p, i, too_big);
      if (too_big) {
        return InvalidArgument("a repetition count above " + std::to_string(kMaxRegexRepeat));
      }
      if (factor == 0) {
        atom(1);
      } else {
        Frame& f = stack.back();
        f.total += f.last * (factor - 1);
        f.last *= factor;
      }
    } else {
      atom(1);
    }
    if (stack.back().total > kMaxRegexSize || stack.back().last > kMaxRegexSize) {
      return InvalidArgument("too large once its repetitions are expanded");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::regex> CompileBoundedRegex(const std::string& pattern) {
  VS_RETURN_IF_ERROR(CheckLimits(pattern));
  try {
    // __polynomial (a libstdc++ extension) selects the breadth-first executor: matching time
    // is polynomial in the key's length, never exponential, and does not recurse per
    // character. It refuses back-references (error_complexity).
    return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
  } catch (const std::regex_error& e) {
    if (e.code() == std::regex_constants::error_complexity) {  // what __polynomial throws
      return InvalidArgument("back-references are not supported");
    }
    return InvalidArgument("not a valid ECMAScript regular expression");
  }
}

bool BoundedSearch(const std::regex& re, std::string_view key) {
  if (key.size() > kMaxMatchedKey) return false;
  return std::regex_search(key.begin(), key.end(), re);
}

}  // namespace vaultsync::controller
