// What /proc says about a process the bench started: resident memory (current, peak,
// anonymous and file-backed apart) and CPU time. Linux only, as the bench is.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace vaultsync::bench {

// KiB; -1 when unreadable.
struct Mem {
  int64_t rss_kib = -1, hwm_kib = -1, anon_kib = -1, file_kib = -1;
};

Mem ReadMem(pid_t pid);

// utime + stime of a process, in seconds (-1 when unreadable).
double CpuSeconds(pid_t pid);

}  // namespace vaultsync::bench
