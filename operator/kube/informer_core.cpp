// ListWatch threads, the shared cache and the dispatcher of an informer.
#include "kube/informer_core.h"

#include <algorithm>
#include <iterator>
#include <random>

#include "kube/object.h"

namespace vaultsync::kube {

namespace {

double Uniform01() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

bool InScope(std::string_view key, std::string_view ns) {
  if (ns.empty()) return true;
  return key.size() > ns.size() && key.compare(0, ns.size(), ns) == 0 && key[ns.size()] == '/';
}

bool Transient(StatusCode c) {
  return c == StatusCode::kUnavailable || c == StatusCode::kDeadlineExceeded ||
         c == StatusCode::kRateLimited;
}

}  // namespace

InformerCore::InformerCore(Client& client, ResourceType rt, InformerScope scope,
                           ErasedDecoder decode, InformerOptions options)
    : client_(client),
      rt_(std::move(rt)),
      scope_(std::move(scope)),
      watch_namespaces_(scope_.namespaces.empty() || !rt_.namespaced ? std::vector<std::string>{""}
                                                                     : scope_.namespaces),
      decode_(std::move(decode)),
      options_(options),
      log_(options.logger != nullptr ? *options.logger : log::Default()),
      synced_(watch_namespaces_.size(), false) {}

InformerCore::~InformerCore() { Stop(); }

void InformerCore::AddHandlers(ErasedHandlers handlers) {
  std::unique_lock<std::shared_mutex> cache_lock(cache_mu_);
  std::vector<ErasedObject> snapshot;
  snapshot.reserve(cache_.size());
  for (const auto& [key, e] : cache_) snapshot.push_back(e.obj);
  std::lock_guard<std::mutex> q(queue_mu_);
  handlers_.push_back(std::move(handlers));
  if (!snapshot.empty()) {
    Notification n{Kind::kReplay, nullptr, nullptr, 0, handlers_.size() - 1, std::move(snapshot)};
    queue_.push_back(std::move(n));
    queue_cv_.notify_one();
  }
}

void InformerCore::Start() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (started_) return;
  started_ = true;
  dispatcher_ = std::thread([this] { Dispatch(); });
  for (size_t i = 0; i < watch_namespaces_.size(); ++i) {
    threads_.emplace_back([this, i] { RunListWatch(i); });
  }
}

void InformerCore::Stop() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> s(sleep_mu_);
    sleep_cv_.notify_all();
  }
  cancel_.Cancel();
  for (auto& t : threads_) t.join();
  threads_.clear();
  {
    std::lock_guard<std::mutex> q(queue_mu_);
    queue_cv_.notify_all();
  }
  if (dispatcher_.joinable()) dispatcher_.join();
  synced_cv_.notify_all();
}

bool InformerCore::HasSynced() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return std::all_of(synced_.begin(), synced_.end(), [](bool b) { return b; });
}

bool InformerCore::WaitForSync(std::chrono::milliseconds timeout) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return synced_cv_.wait_for(lock, timeout, [this] {
    return stopping_ || std::all_of(synced_.begin(), synced_.end(), [](bool b) { return b; });
  }) && std::all_of(synced_.begin(), synced_.end(), [](bool b) { return b; });
}

ErasedObject InformerCore::Get(std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  auto it = cache_.find(std::string(key));
  return it == cache_.end() ? nullptr : it->second.obj;
}

std::vector<ErasedObject> InformerCore::List() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ErasedObject> out;
  out.reserve(cache_.size());
  for (const auto& [k, e] : cache_) out.push_back(e.obj);
  return out;
}

std::vector<std::string> InformerCore::Keys() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<std::string> out;
  out.reserve(cache_.size());
  for (const auto& [k, e] : cache_) out.push_back(k);
  return out;
}

size_t InformerCore::Size() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return cache_.size();
}

Status InformerCore::AddIndex(const std::string& name, ErasedIndexFn fn) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  if (indexes_.count(name) != 0) return InvalidArgument("index " + name + " already exists");
  Index& index = indexes_[name];
  index.fn = std::move(fn);
  for (const auto& [key, e] : cache_) {
    for (auto& value : index.fn(e.obj)) index.keys[std::move(value)].insert(key);
  }
  return Status::Ok();
}

std::vector<ErasedObject> InformerCore::ByIndex(std::string_view name,
                                                std::string_view value) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ErasedObject> out;
  auto index = indexes_.find(name);
  if (index == indexes_.end()) return out;
  auto keys = index->second.keys.find(std::string(value));
  if (keys == index->second.keys.end()) return out;
  out.reserve(keys->second.size());
  for (const std::string& key : keys->second) {
    auto it = cache_.find(key);
    if (it != cache_.end()) out.push_back(it->second.obj);
  }
  return out;
}

void InformerCore::ReindexLocked(const std::string& key, const ErasedObject& old_obj,
                                 const ErasedObject& new_obj) {
  for (auto& [name, index] : indexes_) {
    std::vector<std::string> before, after;
    if (old_obj != nullptr) before = index.fn(old_obj);
    if (new_obj != nullptr) after = index.fn(new_obj);
    if (before == after) continue;
    for (const std::string& v : before) {
      auto it = index.keys.find(v);
      if (it == index.keys.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys.erase(it);
    }
    for (auto& v : after) index.keys[std::move(v)].insert(key);
  }
}

void InformerCore::Push(Notification n) {
  std::lock_guard<std::mutex> q(queue_mu_);
  if (handlers_.empty()) return;  // nobody to tell; a later handler gets a replay
  n.handlers = handlers_.size();
  queue_.push_back(std::move(n));
  queue_cv_.notify_one();
}

void InformerCore::Dispatch() {
  while (true) {
    Notification n;
    std::vector<const ErasedHandlers*> targets;
    {
      std::unique_lock<std::mutex> q(queue_mu_);
      queue_cv_.wait(q, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      n = std::move(queue_.front());
      queue_.pop_front();
      if (n.kind == Kind::kReplay) {
        targets.push_back(&handlers_[n.target]);
      } else {
        for (size_t i = 0; i < n.handlers; ++i) targets.push_back(&handlers_[i]);
      }
    }
    for (const ErasedHandlers* h : targets) {
      switch (n.kind) {
        case Kind::kAdd:
          if (h->on_add) h->on_add(n.new_obj);
          break;
        case Kind::kUpdate:
          if (h->on_update) h->on_update(n.old_obj, n.new_obj);
          break;
        case Kind::kDelete:
          if (h->on_delete) h->on_delete(n.old_obj);
          break;
        case Kind::kReplay:
          if (h->on_add)
            for (const auto& o : n.replay) h->on_add(o);
          break;
      }
    }
  }
}

bool InformerCore::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(sleep_mu_);
  sleep_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
  return !stopping_;
}

std::chrono::milliseconds InformerCore::NextBackoff(std::chrono::milliseconds& current,
                                                    const Status& why) {
  current =
      current.count() == 0 ? options_.backoff_initial : std::min(options_.backoff_max, current * 2);
  // Up to +100% jitter so that many informers do not retry in lockstep (client-go's 1.0).
  auto d = std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(current.count()) * (1.0 + Uniform01())));
  if (auto ra = why.retry_after_seconds(); ra && std::chrono::seconds(*ra) > d)
    d = std::chrono::seconds(*ra);
  return d;
}

uint64_t InformerCore::VersionKey(std::string_view rv) {
  constexpr uint64_t kHashed = uint64_t{1} << 63;
  uint64_t n = 0;
  // Canonical decimals only ("0123" is not 123), at most 18 digits so the top bit stays 0.
  bool numeric = !rv.empty() && rv.size() <= 18 && (rv[0] != '0' || rv.size() == 1);
  for (char c : rv) {
    if (c < '0' || c > '9') {
      numeric = false;
      break;
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return numeric ? n : (std::hash<std::string_view>{}(rv) | kHashed);
}

Status InformerCore::ListAndReplace(size_t index, std::string& resource_version) {
  const std::string& ns = watch_namespaces_[index];
  ListOptions lo;
  lo.label_selector = scope_.label_selector;
  lo.field_selector = scope_.field_selector;
  lo.limit = options_.page_size;
  std::unordered_map<std::string, Entry> fresh;
  std::string list_rv;
  while (true) {
    auto page = client_.List(rt_, ns, lo);
    if (!page.ok()) {
      if (page.status().code() == StatusCode::kGone && !lo.continue_token.empty()) {
        // The continue token expired mid-list: start over with one unpaged list, as
        // client-go's pager does.
        log_.Info("list continue token expired, listing again without paging",
                  {{"resource", rt_.QualifiedName()}, {"namespace", ns}});
        fresh.clear();
        lo.continue_token.clear();
        lo.limit = 0;
        continue;
      }
      return page.status();
    }
    VS_ASSIGN_OR_RETURN(ListMeta lm, ReadListMeta(*page));
    VS_ASSIGN_OR_RETURN(const json::Value* items, json::Array(*page, "items"));
    for (const auto& item : items->GetArray()) {
      auto meta = ReadObjectMeta(item);
      if (!meta.ok()) {
        log_.Warn("skipping undecodable list item",
                  {{"resource", rt_.QualifiedName()}, {"error", meta.status().message()}});
        continue;
      }
      std::string key = ObjectKey(rt_.namespaced ? meta->namespace_ : "", meta->name);
      {
        // Unchanged objects keep their decoded form: no work, no extra memory.
        std::shared_lock<std::shared_mutex> lock(cache_mu_);
        auto it = cache_.find(key);
        if (it != cache_.end() && it->second.version == VersionKey(meta->resource_version)) {
          fresh.emplace(std::move(key), it->second);
          continue;
        }
      }
      auto obj = decode_(item);
      if (!obj.ok()) {
        log_.Warn(
            "skipping object the decoder rejected",
            {{"resource", rt_.QualifiedName()}, {"key", key}, {"error", obj.status().message()}});
        continue;
      }
      if (*obj == nullptr) continue;  // declined: left out (and dropped below if cached)
      fresh.emplace(std::move(key), Entry{std::move(*obj), VersionKey(meta->resource_version)});
    }
    list_rv = lm.resource_version;
    if (lm.continue_token.empty()) break;
    lo.continue_token = lm.continue_token;
  }

  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  for (auto& [key, e] : fresh) {
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      Push(Notification{Kind::kAdd, nullptr, e.obj});
      ReindexLocked(key, nullptr, e.obj);
      cache_.emplace(key, std::move(e));
    } else if (it->second.version != e.version) {
      Push(Notification{Kind::kUpdate, it->second.obj, e.obj});
      ReindexLocked(key, it->second.obj, e.obj);
      it->second = std::move(e);
    }
  }
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (InScope(it->first, ns) && fresh.count(it->first) == 0) {
      auto next = std::next(it);
      EraseLocked(it);
      it = next;
    } else {
      ++it;
    }
  }
  synced_[index] = true;
  synced_cv_.notify_all();
  resource_version = list_rv;
  return Status::Ok();
}

void InformerCore::ApplyEvent(WatchEvent& ev, std::string& resource_version) {
  auto meta = ReadObjectMeta(ev.object());
  if (!meta.ok()) {
    log_.Warn("skipping undecodable watch event",
              {{"resource", rt_.QualifiedName()}, {"error", meta.status().message()}});
    return;
  }
  if (ev.type == EventType::kBookmark) {
    if (!meta->resource_version.empty()) resource_version = meta->resource_version;
    return;
  }
  std::string key = ObjectKey(rt_.namespaced ? meta->namespace_ : "", meta->name);
  if (ev.type == EventType::kDeleted) {
    std::unique_lock<std::shared_mutex> lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) EraseLocked(it);
  } else {
    {
      std::shared_lock<std::shared_mutex> lock(cache_mu_);
      auto it = cache_.find(key);
      if (it != cache_.end() && it->second.version == VersionKey(meta->resource_version)) {
        resource_version = meta->resource_version;
        return;  // already applied (a replayed event)
      }
    }
    auto obj = decode_(ev.object());
    if (!obj.ok()) {
      log_.Warn(
          "skipping object the decoder rejected",
          {{"resource", rt_.QualifiedName()}, {"key", key}, {"error", obj.status().message()}});
    } else if (*obj == nullptr) {
      // Declined: no longer (or never) one the decoder wants.
      std::unique_lock<std::shared_mutex> lock(cache_mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) EraseLocked(it);
    } else {
      std::unique_lock<std::shared_mutex> lock(cache_mu_);
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        Push(Notification{Kind::kAdd, nullptr, *obj});
        ReindexLocked(key, nullptr, *obj);
        cache_.emplace(std::move(key), Entry{std::move(*obj), VersionKey(meta->resource_version)});
      } else {
        Push(Notification{Kind::kUpdate, it->second.obj, *obj});
        ReindexLocked(key, it->second.obj, *obj);
        it->second = Entry{std::move(*obj), VersionKey(meta->resource_version)};
      }
    }
  }
  if (!meta->resource_version.empty()) resource_version = meta->resource_version;
}

void InformerCore::EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  Push(Notification{Kind::kDelete, it->second.obj, nullptr});
  ReindexLocked(it->first, it->second.obj, nullptr);
  cache_.erase(it);
}

void InformerCore::SetListGate(std::function<bool(std::chrono::milliseconds)> ready) {
  std::lock_guard<std::mutex> lock(run_mu_);
  list_gate_ = std::move(ready);
}

bool InformerCore::Admit(const json::Value& obj) {
  auto meta = ReadObjectMeta(obj);
  if (!meta.ok()) return false;
  std::string key = ObjectKey(rt_.namespaced ? meta->namespace_ : "", meta->name);
  const uint64_t version = VersionKey(meta->resource_version);
  auto decoded = decode_(obj);
  if (!decoded.ok()) return false;
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  auto it = cache_.find(key);
  if (it != cache_.end() && it->second.version != version) return true;  // the watch's stands
  if (*decoded == nullptr) {
    if (it != cache_.end()) EraseLocked(it);
    return false;
  }
  if (it == cache_.end()) {
    Push(Notification{Kind::kAdd, nullptr, *decoded});
    ReindexLocked(key, nullptr, *decoded);
    cache_.emplace(std::move(key), Entry{std::move(*decoded), version});
  } else {
    Push(Notification{Kind::kUpdate, it->second.obj, *decoded});
    ReindexLocked(key, it->second.obj, *decoded);
    it->second.obj = std::move(*decoded);
  }
  return true;
}

bool InformerCore::Evict(std::string_view key) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  auto it = cache_.find(std::string(key));
  if (it == cache_.end()) return false;
  EraseLocked(it);
  return true;
}

void InformerCore::RunListWatch(size_t index) {
  const std::string& ns = watch_namespaces_[index];
  const std::string resource = rt_.QualifiedName();
  if (list_gate_) {
    // The gate waits up to 100 ms per call; the pause covers a gate that answers at once
    // (the cache it waits for was stopped first), so this never spins.
    while (!list_gate_(std::chrono::milliseconds(100))) {
      if (!SleepUnlessStopped(std::chrono::milliseconds(20))) return;
    }
  }
  std::chrono::milliseconds backoff{0};
  std::string rv;
  bool need_list = true;
  int gone_without_progress = 0;
  while (!stopping_) {
    if (need_list) {
      Status st = ListAndReplace(index, rv);
      if (stopping_) return;
      if (!st.ok()) {
        log_.Warn("list failed; retrying",
                  {{"resource", resource}, {"namespace", ns}, {"error", st.ToString()}});
        if (!SleepUnlessStopped(NextBackoff(backoff, st))) return;
        continue;
      }
      need_list = false;
    }
    WatchOptions wo;
    wo.resource_version = rv;
    wo.label_selector = scope_.label_selector;
    wo.field_selector = scope_.field_selector;
    wo.timeout_seconds =
        options_.watch_timeout_seconds > 0
            ? static_cast<int>(options_.watch_timeout_seconds * (1.0 + Uniform01()))
            : 0;
    auto started = std::chrono::steady_clock::now();
    bool progressed = false;
    Status st = client_.Watch(
        rt_, ns, wo,
        [&](WatchEvent& ev) {
          progressed = true;
          ApplyEvent(ev, rv);
          return !stopping_.load();
        },
        &cancel_);
    if (stopping_) return;
    if (st.ok()) {
      // A normal end (server timeout, cut connection): resume at once. Only a server that
      // ends watches immediately and repeatedly is backed off, lest this become a busy loop.
      if (progressed || std::chrono::steady_clock::now() - started >= std::chrono::seconds(1)) {
        backoff = std::chrono::milliseconds(0);
        gone_without_progress = 0;
      } else if (!SleepUnlessStopped(NextBackoff(backoff, st))) {
        return;
      }
      continue;
    }
    if (st.code() == StatusCode::kGone) {
      log_.Info("watch resourceVersion expired; relisting",
                {{"resource", resource}, {"namespace", ns}, {"resourceVersion", rv}});
      need_list = true;
      rv.clear();
      gone_without_progress = progressed ? 0 : gone_without_progress + 1;
      if (gone_without_progress > 1 && !SleepUnlessStopped(NextBackoff(backoff, st))) return;
      continue;
    }
    log_.Warn("watch failed; retrying",
              {{"resource", resource}, {"namespace", ns}, {"error", st.ToString()}});
    // Connection trouble: resume the watch where it was. Anything else (401, 403, 500,
    // an undecodable stream): start over with a list.
    if (!Transient(st.code())) need_list = true;
    if (!SleepUnlessStopped(NextBackoff(backoff, st))) return;
  }
}

}  // namespace vaultsync::kube
