// Bearer token with file rotation.
#include "kube/token_source.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace vaultsync::kube {

TokenSource::TokenSource(std::string fixed_token, std::string file,
                         std::chrono::milliseconds recheck, const Clock& clock)
    : fixed_(std::move(fixed_token)), file_(std::move(file)), recheck_(recheck), clock_(clock) {}

Result<std::string> TokenSource::Token() {
  if (file_.empty()) return fixed_;
  std::lock_guard<std::mutex> lock(mu_);
  TimePoint now = clock_.Now();
  if (loaded_ && now - last_check_ < recheck_) return token_;
  last_check_ = now;

  struct stat st {};
  if (::stat(file_.c_str(), &st) == 0) {
    int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (loaded_ && st.st_ino == ino_ && st.st_size == size_ && mtime_ns == mtime_ns_) return token_;
    std::ifstream in(file_, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      std::string t = ss.str();
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      if (!t.empty() || !loaded_) {
        token_ = std::move(t);
        loaded_ = true;
        ino_ = st.st_ino;
        size_ = st.st_size;
        mtime_ns_ = mtime_ns;
      }
    }
  }
  if (!loaded_)
    return Status(StatusCode::kFailedPrecondition, "token file " + file_ + " cannot be read");
  return token_;
}

}  // namespace vaultsync::kube
