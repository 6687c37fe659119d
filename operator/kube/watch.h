// The Kubernetes watch protocol: a long GET whose chunked body is a sequence of JSON event
// objects {"type":..., "object":...}. The decoder reassembles events from pieces split
// anywhere (TCP and chunk boundaries fall mid-event); RunWatch drives one watch request
// over a Transport and turns the protocol's error forms into Status values.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/transport.h"
#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kube {

enum class EventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view EventTypeName(EventType t);  // "ADDED", ...

// One decoded event. `doc` holds the whole event; object() is its "object" member (an
// object for every type: the resource, a BOOKMARK's stub with only resourceVersion, or
// an ERROR's Status).
struct WatchEvent {
  EventType type = EventType::kAdded;
  json::Document doc;
  const json::Value& object() const { return doc["object"]; }
};

// Builds an event around a copy of `object` (for fakes and tests).
WatchEvent MakeWatchEvent(EventType type, const json::Value& object);

struct WatchOptions {
  std::string resource_version;  // "" = start from the current state (synthetic ADDEDs)
  std::string label_selector;
  std::string field_selector;
  int timeout_seconds = 300;  // the server ends the watch after this long; <= 0: no limit
  bool allow_bookmarks = true;
};

// Called for every ADDED/MODIFIED/DELETED/BOOKMARK event, in stream order; returns false
// to end the watch. May move from the event.
using WatchHandler = std::function<bool(WatchEvent&)>;

// Incremental decoder. Not thread-safe (one per stream).
class WatchDecoder {
 public:
  // Feeds the next piece of the body; each event completed by it is appended to `out`.
  // Whitespace (the apiserver's newline after each event) between events is skipped.
  // Fails with kInternal on an event that is not valid JSON, not an object, lacks
  // type/object, or has an unknown type; the decoder must not be fed again after that.
  Status Feed(std::string_view piece, std::vector<WatchEvent>& out);
  // True when bytes of an unfinished event are buffered (the stream was cut mid-event).
  bool HasPartial() const { return !buf_.empty(); }

 private:
  Status Emit(std::string_view text, std::vector<WatchEvent>& out);

  std::string buf_;  // the unfinished event, from its opening brace
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
};

// Runs one watch request (the caller built the GET ...?watch=true... with auth headers)
// until it ends, calling `handler` for each event. Returns:
//  - OK when the server ended the stream (timeoutSeconds reached, or the connection was cut
//    after the stream had started: the caller resumes from the last resourceVersion) or
//    when the handler returned false;
//  - kGone for an ERROR event with code 410 or an HTTP 410 (the caller must relist);
//  - the mapped Status (api_error.h) of another ERROR event or non-2xx answer;
//  - kCancelled when `cancel` fired; transport errors (kUnavailable, kDeadlineExceeded)
//    when no byte of the stream arrived; kInternal for an undecodable event.
// `http_status_out`, when set, receives the HTTP status (0 when none arrived).
Status RunWatch(http::Transport& transport, const http::Request& request,
                const WatchHandler& handler, const http::CancelFlag* cancel,
                int* http_status_out = nullptr);

}  // namespace vaultsync::kube
