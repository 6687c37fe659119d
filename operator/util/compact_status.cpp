// Out-of-line parts of CompactStatus: the shared OK value it answers with when empty.
#include "util/compact_status.h"

namespace vaultsync {

namespace {
const Status& OkStatus() {
  static const Status kOk;
  return kOk;
}
}  // namespace

const std::string& CompactStatus::message() const { return status().message(); }

const Status& CompactStatus::status() const { return error_ ? *error_ : OkStatus(); }

}  // namespace vaultsync
