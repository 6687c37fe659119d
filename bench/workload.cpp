// Random values for the workload (see workload.h).
#include "workload.h"

#include <fcntl.h>
#include <unistd.h>

namespace vaultsync::bench {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, raw.data(), raw.size());
    (void)n;
    close(fd);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace vaultsync::bench
