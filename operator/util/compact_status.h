// A Status as a cached object keeps it: eight bytes, null when OK. Every informer-cached
// resource carries the verdict on its spec (almost always OK); a plain Status would cost 48
// bytes in each of 10,000 objects for a message that is nearly never there.
#pragma once

#include <memory>
#include <string>

#include "util/status.h"

namespace vaultsync {

class CompactStatus {
 public:
  CompactStatus() = default;
  CompactStatus(const Status& s)  // NOLINT: implicit, so `x.spec_error = Decode(...)` reads plainly
      : error_(s.ok() ? nullptr : std::make_unique<Status>(s)) {}
  CompactStatus(const CompactStatus& o) : CompactStatus(o.status()) {}
  CompactStatus& operator=(const CompactStatus& o) {
    if (this != &o) error_ = o.error_ ? std::make_unique<Status>(*o.error_) : nullptr;
    return *this;
  }
  CompactStatus(CompactStatus&&) noexcept = default;
  CompactStatus& operator=(CompactStatus&&) noexcept = default;

  bool ok() const { return error_ == nullptr; }
  StatusCode code() const { return error_ ? error_->code() : StatusCode::kOk; }
  const std::string& message() const;
  std::string ToString() const { return status().ToString(); }
  // The whole Status (an OK one when none is held).
  const Status& status() const;
  operator const Status&() const { return status(); }  // NOLINT: read where a Status is wanted

 private:
  std::unique_ptr<Status> error_;
};

}  // namespace vaultsync
