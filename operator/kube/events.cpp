// Asynchronous, aggregating Event writer.
#include "kube/events.h"

#include <cstdio>

#include "kube/identity.h"
#include "util/time_format.h"

namespace vaultsync::kube {

namespace {

constexpr size_t kMaxMessageBytes = 1024;

// Cuts at a UTF-8 character boundary.
std::string Truncate(std::string_view s) {
  if (s.size() <= kMaxMessageBytes) return std::string(s);
  size_t n = kMaxMessageBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// The name of an Event about `object` created at `created`: the object's name and the
// creation time in hex nanoseconds, as client-go names them.
std::string EventName(std::string_view object, TimePoint created) {
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(created.time_since_epoch())
                        .count()));
  std::string name(object);
  name += '.';
  name += hex;
  return name;
}

bool Transient(StatusCode c) {
  return c == StatusCode::kUnavailable || c == StatusCode::kDeadlineExceeded ||
         c == StatusCode::kRateLimited;
}

}  // namespace

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options)
    : client_(client),
      options_(std::move(options)),
      instance_(options_.instance.empty() ? HostName() : options_.instance),
      log_(options_.logger != nullptr ? *options_.logger : log::Default()) {
  worker_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() { Stop(); }

bool EventRecorder::Event(const ObjectReference& object, std::string_view type,
                          std::string_view reason, std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  if (queue_.size() >= options_.queue_size) {
    log_.Warn("event queue full; dropping event",
              {{"namespace", object.namespace_}, {"name", object.name}, {"reason", reason}});
    return false;
  }
  queue_.push_back(Pending{object, std::string(type), std::string(reason), Truncate(message),
                           options_.clock->Now()});
  cv_.notify_one();
  return true;
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !writing_; });
}

void EventRecorder::Stop(std::chrono::milliseconds grace) {
  Flush(grace);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
    queue_.clear();
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

void EventRecorder::Run() {
  while (true) {
    Pending p;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      p = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    Write(p);
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (queue_.empty()) idle_cv_.notify_all();
    }
  }
}

void EventRecorder::Remember(EventDigest key, Seen seen) {
  auto it = seen_.find(key);
  if (it != seen_.end()) {
    lru_.erase(it->second.lru);
    seen_.erase(it);
  }
  lru_.push_front(key);
  seen.lru = lru_.begin();
  seen_.emplace(key, std::move(seen));
  while (seen_.size() > options_.cache_size && !lru_.empty()) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

Status EventRecorder::CreateNew(const Pending& p, const std::string& ns, EventDigest key) {
  std::string name = EventName(p.object.name, p.at);
  std::string ts = FormatRfc3339(p.at, 0);
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  auto S = [&a](std::string_view s) { return json::StringValue(s, a); };
  d.AddMember("apiVersion", "v1", a);
  d.AddMember("kind", "Event", a);
  json::Value md(rapidjson::kObjectType);
  md.AddMember("name", S(name), a);
  md.AddMember("namespace", S(ns), a);
  d.AddMember("metadata", md, a);
  json::Value io(rapidjson::kObjectType);
  if (!p.object.api_version.empty()) io.AddMember("apiVersion", S(p.object.api_version), a);
  io.AddMember("kind", S(p.object.kind), a);
  io.AddMember("name", S(p.object.name), a);
  if (!p.object.namespace_.empty()) io.AddMember("namespace", S(p.object.namespace_), a);
  if (!p.object.uid.empty()) io.AddMember("uid", S(p.object.uid), a);
  if (!p.object.resource_version.empty())
    io.AddMember("resourceVersion", S(p.object.resource_version), a);
  d.AddMember("involvedObject", io, a);
  d.AddMember("reason", S(p.reason), a);
  d.AddMember("message", S(p.message), a);
  d.AddMember("type", S(p.type), a);
  json::Value source(rapidjson::kObjectType);
  source.AddMember("component", S(options_.component), a);
  d.AddMember("source", source, a);
  d.AddMember("firstTimestamp", S(ts), a);
  d.AddMember("lastTimestamp", S(ts), a);
  d.AddMember("count", 1, a);
  d.AddMember("reportingComponent", S(options_.component), a);
  d.AddMember("reportingInstance", S(instance_), a);
  auto created = client_.Create(resources::Event(), d);
  if (!created.ok()) return created.status();
  Remember(key, Seen{p.at, 1, p.at, {}});
  return Status::Ok();
}

void EventRecorder::Write(const Pending& p) {
  const std::string ns = p.object.namespace_.empty() ? "default" : p.object.namespace_;
  // What makes two events "the same" (client-go's correlator key, minus the source host).
  std::string key;
  for (const std::string* part : {&p.object.api_version, &p.object.kind, &ns, &p.object.name,
                                  &p.object.uid, &p.type, &p.reason, &p.message}) {
    key += *part;
    key += '\x1f';
  }
  const EventDigest digest = std::hash<std::string>{}(key);
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto it = seen_.find(digest);
    if (it != seen_.end() && p.at - it->second.last_seen <= options_.aggregation_window) {
      Seen next = it->second;
      next.count += 1;
      next.last_seen = p.at;
      std::string patch = "{\"count\":" + std::to_string(next.count) +
                          ",\"lastTimestamp\":" + json::Quote(FormatRfc3339(p.at, 0)) +
                          ",\"message\":" + json::Quote(p.message) + "}";
      auto patched = client_.Patch(resources::Event(), ns, EventName(p.object.name, next.created),
                                   PatchType::kStrategicMerge, patch);
      st = patched.status();
      if (st.ok()) {
        Remember(digest, std::move(next));
        return;
      }
      // The Event expired on the server (events live an hour) or was deleted: start anew.
      if (st.code() == StatusCode::kNotFound) st = CreateNew(p, ns, digest);
    } else {
      st = CreateNew(p, ns, digest);
    }
    if (st.ok() || !Transient(st.code())) break;
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(200 * (attempt + 1)),
                     [this] { return stopping_; }))
      return;
  }
  if (!st.ok()) {
    log_.Warn("could not write event", {{"namespace", ns},
                                        {"name", p.object.name},
                                        {"reason", p.reason},
                                        {"error", st.ToString()}});
  }
}

}  // namespace vaultsync::kube
