// The fake API server's watch and its test controls (cuts, compaction, bookmarks, faults).
#include <algorithm>

#include "fake_client.h"
#include "json_ops.h"

namespace vaultsync::kube::fake {

Status FakeClient::Watch(const ResourceType& rt, std::string_view ns, const WatchOptions& opts,
                         const WatchHandler& handler, const http::CancelFlag* cancel) {
  std::unique_lock<std::mutex> lock(mu_);
  watch_rvs_.push_back(opts.resource_version);
  VS_RETURN_IF_ERROR(Check("watch", rt));
  VS_ASSIGN_OR_RETURN(LabelSelector sel, ParseLabelSelector(opts.label_selector));
  const std::string type_key = TypeKey(rt);
  auto matches = [&](const Stored& s) {
    return (!rt.namespaced || ns.empty() || s.ns == ns) && Matches(sel, s.labels);
  };
  auto deliver = [&](std::vector<WatchEvent>& batch) {
    lock.unlock();
    bool go_on = true;
    int bookmarks = 0;
    for (auto& ev : batch) {
      const bool bookmark = ev.type == EventType::kBookmark;
      if (!handler(ev)) {
        go_on = false;
        break;
      }
      bookmarks += bookmark;
    }
    lock.lock();
    if (bookmarks > 0) {
      bookmarks_delivered_ += bookmarks;
      cv_.notify_all();
    }
    batch.clear();
    return go_on;
  };

  std::vector<WatchEvent> batch;
  int64_t from;
  if (opts.resource_version.empty() || opts.resource_version == "0") {
    // "Any" version: the current state as synthetic ADDEDs, then changes.
    for (const auto& [key, s] : objects_[type_key]) {
      if (!matches(s)) continue;
      auto doc = json::Parse(s.json);
      if (doc.ok()) batch.push_back(MakeWatchEvent(EventType::kAdded, *doc));
    }
    from = rv_;
  } else {
    from = std::stoll(opts.resource_version);
    if (from < compacted_)
      return Status(StatusCode::kGone,
                    "Expired: too old resource version: " + opts.resource_version + " (" +
                        std::to_string(rv_) + ")",
                    410);
  }
  ++open_watches_;
  cv_.notify_all();
  struct Closer {
    FakeClient* self;
    ~Closer() {
      --self->open_watches_;  // runs with mu_ held (the lock is destroyed after us)
      self->cv_.notify_all();
    }
  };
  Closer closer{this};
  const int cut = cut_generation_;
  int bookmarks = bookmark_generation_;
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::seconds(opts.timeout_seconds > 0 ? opts.timeout_seconds : 3600);
  while (true) {
    // A cut connection carries nothing more, not even what was written before the cut and
    // not yet sent: the watcher resumes from the last version it received.
    if (cut_generation_ != cut) return Status::Ok();
    auto first = std::upper_bound(history_.begin(), history_.end(), from,
                                  [](int64_t v, const HistoryEvent& e) { return v < e.rv; });
    for (auto it = first; it != history_.end(); ++it) {
      from = it->rv;
      if (it->type_key != type_key || !matches(it->obj)) continue;
      auto doc = json::Parse(it->obj.json);
      if (doc.ok()) batch.push_back(MakeWatchEvent(it->type, *doc));
    }
    if (bookmarks != bookmark_generation_ && opts.allow_bookmarks) {
      bookmarks = bookmark_generation_;
      json::Document bm;
      bm.SetObject();
      auto& a = bm.GetAllocator();
      bm.AddMember("kind", json::StringValue(rt.kind, a), a);
      bm.AddMember("apiVersion", json::StringValue(rt.ApiVersion(), a), a);
      json::Value md(rapidjson::kObjectType);
      md.AddMember("resourceVersion", json::StringValue(std::to_string(rv_), a), a);
      bm.AddMember("metadata", md, a);
      from = std::max(from, rv_);
      batch.push_back(MakeWatchEvent(EventType::kBookmark, bm));
    }
    if (!batch.empty() && !deliver(batch)) return Status::Ok();
    if (cancel != nullptr && cancel->cancelled())
      return Status(StatusCode::kCancelled, "watch cancelled");
    if (cut_generation_ != cut) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) return Status::Ok();
    // Short waits so that a cancel (which does not know this condition variable) is seen.
    cv_.wait_for(lock, std::chrono::milliseconds(20), [&] {
      return cut_generation_ != cut || bookmarks != bookmark_generation_ ||
             (!history_.empty() && history_.back().rv > from);
    });
  }
}

void FakeClient::FailNext(std::string verb, std::string resource, Status status, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(Fault{std::move(verb), std::move(resource), std::move(status), times});
}

void FakeClient::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

std::vector<std::string> FakeClient::WatchResourceVersions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watch_rvs_;
}

void FakeClient::CutWatches() {
  std::lock_guard<std::mutex> lock(mu_);
  ++cut_generation_;
  cv_.notify_all();
}

void FakeClient::Compact() {
  std::lock_guard<std::mutex> lock(mu_);
  // Every resourceVersion issued so far expires; the bump gives lists a version that is
  // still valid to watch from.
  compacted_ = ++rv_;
  history_.clear();
  cv_.notify_all();
}

void FakeClient::SendBookmarks() {
  std::lock_guard<std::mutex> lock(mu_);
  ++bookmark_generation_;
  cv_.notify_all();
}

bool FakeClient::WaitForBookmarksDelivered(int n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return bookmarks_delivered_ >= n; });
}

int64_t FakeClient::resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

int FakeClient::Calls(const std::string& verb, const std::string& resource) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find(verb + " " + resource);
  return it == calls_.end() ? 0 : it->second;
}

size_t FakeClient::OpenWatches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_watches_;
}

bool FakeClient::WaitForOpenWatches(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return open_watches_ >= n; });
}

size_t FakeClient::Count(const ResourceType& rt) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(TypeKey(rt));
  return it == objects_.end() ? 0 : it->second.size();
}

}  // namespace vaultsync::kube::fake
