// Watch stream decoding and the single-request watch loop.
#include "kube/watch.h"

#include "kube/api_error.h"

namespace vaultsync::kube {

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
    case EventType::kBookmark:
      return "BOOKMARK";
    case EventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

WatchEvent MakeWatchEvent(EventType type, const json::Value& object) {
  WatchEvent ev;
  ev.type = type;
  ev.doc.SetObject();
  auto& a = ev.doc.GetAllocator();
  ev.doc.AddMember("type", json::StringValue(EventTypeName(type), a), a);
  json::Value copy(object, a);
  ev.doc.AddMember("object", copy, a);
  return ev;
}

Status WatchDecoder::Emit(std::string_view text, std::vector<WatchEvent>& out) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) return Internal("undecodable watch event: " + parsed.status().message());
  WatchEvent ev;
  ev.doc = std::move(*parsed);
  auto type = json::String(ev.doc, "type");
  if (!type.ok()) return Internal("watch event: " + type.status().message());
  auto obj = json::Object(ev.doc, "object");
  if (!obj.ok()) return Internal("watch event: " + obj.status().message());
  std::string_view t = *type;
  if (t == "ADDED")
    ev.type = EventType::kAdded;
  else if (t == "MODIFIED")
    ev.type = EventType::kModified;
  else if (t == "DELETED")
    ev.type = EventType::kDeleted;
  else if (t == "BOOKMARK")
    ev.type = EventType::kBookmark;
  else if (t == "ERROR")
    ev.type = EventType::kError;
  else
    return Internal("watch event of unknown type \"" + std::string(t.substr(0, 32)) + "\"");
  out.push_back(std::move(ev));
  return Status::Ok();
}

Status WatchDecoder::Feed(std::string_view piece, std::vector<WatchEvent>& out) {
  size_t i = 0;
  while (i < piece.size()) {
    if (buf_.empty()) {
      // Between events: skip the separator, expect the next event's opening brace.
      char c = piece[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++i;
        continue;
      }
      if (c != '{') return Internal("watch stream: unexpected byte between events");
      depth_ = 0;
      in_string_ = false;
      escape_ = false;
    }
    // Scan until this event's closing brace or the end of the piece, then copy the span.
    size_t start = i;
    bool done = false;
    for (; i < piece.size(); ++i) {
      char c = piece[i];
      if (in_string_) {
        if (escape_)
          escape_ = false;
        else if (c == '\\')
          escape_ = true;
        else if (c == '"')
          in_string_ = false;
        continue;
      }
      if (c == '"')
        in_string_ = true;
      else if (c == '{' || c == '[')
        ++depth_;
      else if (c == '}' || c == ']') {
        if (--depth_ == 0) {
          ++i;
          done = true;
          break;
        }
      }
    }
    buf_.append(piece.substr(start, i - start));
    if (done) {
      std::string text;
      text.swap(buf_);
      VS_RETURN_IF_ERROR(Emit(text, out));
    }
  }
  return Status::Ok();
}

Status RunWatch(http::Transport& transport, const http::Request& request,
                const WatchHandler& handler, const http::CancelFlag* cancel, int* http_status_out) {
  WatchDecoder decoder;
  std::vector<WatchEvent> events;
  Status stop;  // why we stopped reading, when it was our decision
  bool got_data = false;
  bool handler_stopped = false;
  auto on_data = [&](std::string_view piece) {
    got_data = true;
    events.clear();
    Status st = decoder.Feed(piece, events);
    for (auto& ev : events) {
      if (ev.type == EventType::kError) {
        stop = StatusFromStatusObject(ev.object(), 500);
        return false;
      }
      if (!handler(ev)) {
        handler_stopped = true;
        return false;
      }
    }
    if (!st.ok()) {
      stop = st;
      return false;
    }
    return true;
  };
  auto resp = transport.Stream(request, on_data, cancel);
  if (http_status_out != nullptr) *http_status_out = resp.ok() ? resp->status : 0;
  if (!stop.ok()) return stop;
  if (handler_stopped) return Status::Ok();
  if (cancel != nullptr && cancel->cancelled())
    return Status(StatusCode::kCancelled, "watch cancelled");
  if (!resp.ok()) {
    // A stream that broke after it had started is an ordinary end: the caller resumes
    // from the last resourceVersion it saw, exactly as after a server timeout.
    if (got_data && resp.status().code() != StatusCode::kCancelled) return Status::Ok();
    return resp.status();
  }
  if (resp->status < 200 || resp->status >= 300) return StatusFromResponse(*resp);
  return Status::Ok();
}

}  // namespace vaultsync::kube
