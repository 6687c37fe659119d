// Reading /proc/<pid>/status and /proc/<pid>/stat (see proc_stats.h).
#include "proc_stats.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace vaultsync::bench {

Mem ReadMem(pid_t pid) {
  Mem m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  auto field = [&](const char* key, int64_t* out) {
    size_t n = std::strlen(key);
    if (line.compare(0, n, key) == 0) *out = std::strtoll(line.c_str() + n, nullptr, 10);
  };
  while (std::getline(in, line)) {
    field("VmRSS:", &m.rss_kib);
    field("VmHWM:", &m.hwm_kib);
    field("RssAnon:", &m.anon_kib);
    field("RssFile:", &m.file_kib);
  }
  return m;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream rest(text.substr(paren + 1));
  std::string tok;
  // Fields after "(comm)" start at field 3 (state); utime is field 14, stime field 15.
  int64_t utime = 0, stime = 0;
  for (int field = 3; field <= 15 && rest >> tok; ++field) {
    if (field == 14) utime = std::strtoll(tok.c_str(), nullptr, 10);
    if (field == 15) stime = std::strtoll(tok.c_str(), nullptr, 10);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

}  // namespace vaultsync::bench
