// When a VaultPKISecret issues its next certificate: `renewBefore` before notAfter, by
// default a third of the certificate's lifetime before it. The lifetime counts from when the
// certificate was issued, not from its notBefore: Vault backdates notBefore (30 s by
// default), which would make a short-lived certificate due the moment it is issued. Never
// earlier than a third of the lifetime, so a renewBefore longer than the lifetime (or a role
// whose max TTL shortens every certificate) cannot make the operator issue in a loop.
#pragma once

#include <chrono>
#include <optional>

#include "util/clock.h"

namespace vaultsync::controller {

TimePoint CertificateRenewalTime(TimePoint issued, TimePoint not_after,
                                 std::optional<std::chrono::milliseconds> renew_before);

}  // namespace vaultsync::controller
