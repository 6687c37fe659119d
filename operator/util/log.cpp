// Line formatting for the structured logger.
#include "util/log.h"

#include <algorithm>
#include <iostream>

#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::log {
namespace {

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Text values are quoted only when they contain spaces, quotes or '='.
std::string TextValue(std::string_view v) {
  if (v.find_first_of(" \"=\t\n") == std::string_view::npos && !v.empty()) return std::string(v);
  return json::Quote(v);
}

}  // namespace

bool ParseLevel(std::string_view s, Level& out) {
  if (s == "debug")
    out = Level::kDebug;
  else if (s == "info")
    out = Level::kInfo;
  else if (s == "warn" || s == "warning")
    out = Level::kWarn;
  else if (s == "error")
    out = Level::kError;
  else
    return false;
  return true;
}

bool ParseFormat(std::string_view s, Format& out) {
  if (s == "json")
    out = Format::kJson;
  else if (s == "text")
    out = Format::kText;
  else
    return false;
  return true;
}

void Logger::Configure(Level level, Format format) {
  std::lock_guard<std::mutex> lock(mu_);
  level_ = level;
  format_ = format;
}

void Logger::Log(Level l, std::string_view msg, std::initializer_list<Field> fields) {
  if (Enabled(l)) Write(l, msg, fields.begin(), fields.end());
}

void Logger::Log(Level l, std::string_view msg, const std::vector<Field>& fields) {
  if (Enabled(l)) Write(l, msg, fields.data(), fields.data() + fields.size());
}

namespace {

// The ScopedFields of this thread, outermost first (owned strings: a scope may outlive the
// views it was given).
thread_local std::vector<std::pair<std::string, std::string>> scoped_fields;

bool SetExplicitly(const Field* begin, const Field* end, std::string_view key) {
  for (const Field* f = begin; f != end; ++f) {
    if (f->first == key) return true;
  }
  return false;
}

}  // namespace

ScopedFields::ScopedFields(std::initializer_list<Field> fields) {
  for (const auto& [k, v] : fields) {
    scoped_fields.emplace_back(std::string(k), std::string(v));
    ++added_;
  }
}

ScopedFields::~ScopedFields() { scoped_fields.resize(scoped_fields.size() - added_); }

void Logger::Write(Level l, std::string_view msg, const Field* begin, const Field* end) {
  // The line's own fields, then the thread's scoped ones it does not set itself (innermost
  // scope wins when scopes repeat a key).
  std::vector<Field> context;
  for (auto it = scoped_fields.rbegin(); it != scoped_fields.rend(); ++it) {
    if (SetExplicitly(begin, end, it->first)) continue;
    if (SetExplicitly(context.data(), context.data() + context.size(), it->first)) continue;
    context.emplace_back(it->first, it->second);
  }
  std::reverse(context.begin(), context.end());
  std::string ts = FormatRfc3339(SystemClock::Instance().Now(), 3);
  std::string line;
  line.reserve(128);
  if (format_ == Format::kJson) {
    line += "{\"ts\":" + json::Quote(ts) + ",\"level\":\"" + std::string(LevelName(l)) +
            "\",\"msg\":" + json::Quote(msg);
    for (const Field* f = begin; f != end; ++f) {
      line += ',' + json::Quote(f->first) + ':' + json::Quote(f->second);
    }
    for (const Field& f : context) line += ',' + json::Quote(f.first) + ':' + json::Quote(f.second);
    line += "}\n";
  } else {
    line += ts + " " + std::string(LevelName(l)) + " " + std::string(msg);
    for (const Field* f = begin; f != end; ++f) {
      line += ' ' + std::string(f->first) + '=' + TextValue(f->second);
    }
    for (const Field& f : context) line += ' ' + std::string(f.first) + '=' + TextValue(f.second);
    line += '\n';
  }
  std::lock_guard<std::mutex> lock(mu_);
  *sink_ << line << std::flush;
}

Logger& Default() {
  static Logger logger(&std::cerr);
  return logger;
}

}  // namespace vaultsync::log
