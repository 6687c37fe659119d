// Fuzz target: kube/watch, the decoder of watch streams (a chunked body of JSON events whose
// pieces may be cut anywhere) and RunWatch, which maps ERROR events and non-2xx answers to
// Status values. Input: a byte that picks where pieces are cut, then the stream.
// Invariants: no crash; decoding the stream in pieces gives exactly what decoding it at once
// gives (same events in order, same success or failure); RunWatch delivers those same events
// up to the first ERROR event or decoding failure.
#include <memory>
#include <vector>

#include "fuzz_support.h"
#include "kube/watch.h"

namespace {

using namespace vaultsync;

struct Decoded {
  std::vector<std::string> events;  // "TYPE <compact object>"
  bool ok = true;
};

Decoded Decode(const std::vector<std::string_view>& pieces) {
  kube::WatchDecoder d;
  Decoded out;
  std::vector<kube::WatchEvent> evs;
  for (std::string_view p : pieces) {
    Status st = d.Feed(p, evs);
    for (auto& ev : evs) {
      out.events.push_back(std::string(kube::EventTypeName(ev.type)) + " " +
                           json::Serialize(ev.object()));
    }
    evs.clear();
    if (!st.ok()) {
      FUZZ_CHECK(st.code() == StatusCode::kInternal, "decoder failed with an unexpected code");
      out.ok = false;
      break;
    }
  }
  return out;
}

// Streams the given pieces as a 200 answer.
class PiecesTransport final : public http::Transport {
 public:
  explicit PiecesTransport(std::vector<std::string_view> pieces) : pieces_(std::move(pieces)) {}
  Result<http::Response> Send(const http::Request&) override {
    return Status(StatusCode::kInternal, "not used");
  }
  Result<http::Response> Stream(const http::Request&,
                                const std::function<bool(std::string_view)>& on_data,
                                const http::CancelFlag*) override {
    for (std::string_view p : pieces_) {
      if (!on_data(p)) break;
    }
    return http::Response{200, {}, ""};
  }

 private:
  std::vector<std::string_view> pieces_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const size_t cut = 1 + in.Pick(64);  // piece length: 1..64 bytes
  std::string_view stream = in.Rest();
  std::vector<std::string_view> pieces;
  for (size_t at = 0; at < stream.size(); at += cut) pieces.push_back(stream.substr(at, cut));

  Decoded whole = Decode({stream});
  Decoded split = Decode(pieces);
  FUZZ_CHECK(whole.ok == split.ok, "cutting the stream changed whether it decodes");
  FUZZ_CHECK(whole.events == split.events, "cutting the stream changed the events");

  PiecesTransport transport(pieces);
  std::vector<std::string> seen;
  Status st = kube::RunWatch(
      transport, http::Request{},
      [&](kube::WatchEvent& ev) {
        seen.push_back(std::string(kube::EventTypeName(ev.type)) + " " +
                       json::Serialize(ev.object()));
        return true;
      },
      nullptr);
  // RunWatch stops at the first ERROR event; before it, it hands over every event.
  size_t first_error = split.events.size();
  for (size_t i = 0; i < split.events.size(); ++i) {
    if (split.events[i].rfind("ERROR ", 0) == 0) {
      first_error = i;
      break;
    }
  }
  FUZZ_CHECK(seen.size() == first_error, "RunWatch delivered a different number of events");
  for (size_t i = 0; i < seen.size(); ++i) {
    FUZZ_CHECK(seen[i] == split.events[i], "RunWatch delivered another event");
  }
  if (first_error < split.events.size()) {
    FUZZ_CHECK(!st.ok(), "an ERROR event did not end the watch with an error");
    if (auto ra = st.retry_after_seconds()) FUZZ_CHECK(*ra >= 0, "negative Retry-After");
  } else if (split.ok) {
    FUZZ_CHECK(st.ok(), "a clean stream ended with an error");
  } else {
    FUZZ_CHECK(st.code() == StatusCode::kInternal, "an undecodable stream is not kInternal");
  }
  return 0;
}
