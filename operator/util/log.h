// Structured logging: one JSON object per line (default) or key=value text for humans.
// Callers pass the message and fields separately so keys are consistent across the
// project (`controller`, `namespace`, `name`, `reconcileID`, `error`). Never pass a secret
// value, token or JWT as a field: nothing here can tell them apart from other strings.
#pragma once

#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vaultsync::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kJson, kText };

// Parses "debug|info|warn|error" and "json|text"; false on anything else.
bool ParseLevel(std::string_view s, Level& out);
bool ParseFormat(std::string_view s, Format& out);

using Field = std::pair<std::string_view, std::string_view>;

// Thread-safe: each line is written whole under a mutex.
class Logger {
 public:
  explicit Logger(std::ostream* sink, Level level = Level::kInfo, Format format = Format::kJson)
      : sink_(sink), level_(level), format_(format) {}

  void Configure(Level level, Format format);
  bool Enabled(Level l) const { return l >= level_; }

  void Log(Level l, std::string_view msg, std::initializer_list<Field> fields = {});
  void Log(Level l, std::string_view msg, const std::vector<Field>& fields);
  void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kDebug, msg, f);
  }
  void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kInfo, msg, f);
  }
  void Warn(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kWarn, msg, f);
  }
  void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
    Log(Level::kError, msg, f);
  }

 private:
  void Write(Level l, std::string_view msg, const Field* begin, const Field* end);

  std::mutex mu_;
  std::ostream* sink_;
  Level level_;
  Format format_;
};

// Fields that every line logged on this thread carries while the scope lives, after the
// line's own fields (a key the line sets itself is not repeated). The controller opens one
// per reconcile ({controller, namespace, name, reconcileID}) so that every line the
// reconcile writes, down to the Vault client, can be tied to it. Scopes nest; the values
// are copied.
class ScopedFields {
 public:
  explicit ScopedFields(std::initializer_list<Field> fields);
  ~ScopedFields();
  ScopedFields(const ScopedFields&) = delete;
  ScopedFields& operator=(const ScopedFields&) = delete;

 private:
  size_t added_ = 0;
};

// The process's logger (stderr, info, json). main() configures it once at start-up,
// before any thread starts; libraries only write to it.
Logger& Default();

}  // namespace vaultsync::log
