// The bearer token each request carries. A fixed token from a kubeconfig, or a token file
// that the kubelet rewrites (projected service-account tokens rotate hourly): the file is
// checked at most every `recheck` and re-read when it changed, so a long-running operator
// never sends an expired token and never reads the file on every request.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <string>

#include "util/clock.h"
#include "util/status.h"

namespace vaultsync::kube {

// Thread-safe.
class TokenSource {
 public:
  // `file` empty = always `fixed_token` (which may be empty: no Authorization header).
  TokenSource(std::string fixed_token, std::string file,
              std::chrono::milliseconds recheck = std::chrono::seconds(5),
              const Clock& clock = SystemClock::Instance());

  // The current token. With a file: re-stats it when `recheck` has passed since the last
  // look and re-reads it when its inode, size or mtime changed. When the file cannot be
  // read any more, the last token read is kept (the kubelet swaps it atomically; a brief
  // gap is not a reason to fail requests); fails with kFailedPrecondition only when it
  // was never read. The token is never part of an error message.
  Result<std::string> Token();

 private:
  const std::string fixed_;
  const std::string file_;
  const std::chrono::milliseconds recheck_;
  const Clock& clock_;

  std::mutex mu_;
  bool loaded_ = false;
  std::string token_;
  TimePoint last_check_{};
  ino_t ino_ = 0;
  off_t size_ = -1;
  int64_t mtime_ns_ = -1;
};

}  // namespace vaultsync::kube
