// When a VaultStaticSecret's shared Vault read is refreshed. Each read (its share key:
// identity + what was read) has a fixed slot in the refresh period, so reads of different
// secrets spread evenly over the period rather than repeating the herd of a cold start or of
// a Vault outage, and every resource sharing one read shares its slot (and so keeps sharing
// the read). The gap between two reads never exceeds the interval: a read made at most half a
// period before its slot is refreshed at the slot; one made later is refreshed half a period
// after it, which puts the next one on the slot. So at most one extra read per secret, once,
// to reach the slot; from then on exactly one read per period. (The work queue then releases
// the key on the next whole second after the time computed here, so that the refreshes due
// together run as one batch: see WorkQueueOptions::coalesce_slot.)
#pragma once

#include <chrono>
#include <string_view>

#include "util/clock.h"

namespace vaultsync::controller {

// The slot of `share_key` in a period of `interval`: an offset in [0, interval), the same on
// every replica and after every restart.
std::chrono::milliseconds RefreshSlot(std::string_view share_key,
                                      std::chrono::milliseconds interval);

// When the read of `share_key` made at `read_at` is due again (see the header comment): in
// [read_at + interval / 2, read_at + interval].
TimePoint NextRefreshAt(TimePoint read_at, std::string_view share_key,
                        std::chrono::milliseconds interval);

}  // namespace vaultsync::controller
