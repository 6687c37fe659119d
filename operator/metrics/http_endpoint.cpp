// cpprestsdk glue for HttpEndpoint: listening (with free-port retries), request decoding,
// replies.
#include "metrics/http_endpoint.h"

#include <cpprest/http_listener.h>

#include <atomic>
#include <exception>
#include <vector>

namespace vaultsync::metrics {

namespace cr = web::http;
namespace crl = web::http::experimental::listener;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += (plus_is_space && s[i] == '+') ? ' ' : s[i];
    }
  }
  return out;
}

// Calls fn(key, value), both decoded, for each '&'-separated pair (value "" when absent).
template <typename Fn>
void ForEachParam(std::string_view q, Fn&& fn) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (!pair.empty()) fn(key, value);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
}

}  // namespace

bool EndpointRequest::HasParam(std::string_view key) const {
  bool found = false;
  ForEachParam(query, [&](const std::string& k, const std::string&) { found |= k == key; });
  return found;
}

std::vector<std::string> EndpointRequest::Params(std::string_view key) const {
  std::vector<std::string> out;
  ForEachParam(query, [&](const std::string& k, const std::string& v) {
    if (k == key) out.push_back(v);
  });
  return out;
}

struct HttpEndpoint::Impl {
  EndpointHandler handler;
  std::unique_ptr<crl::http_listener> listener;
  std::atomic<bool> stopped{false};

  void Serve(cr::http_request request) {
    EndpointRequest req;
    EndpointResponse resp;
    try {
      req.method = request.method();
      const auto& uri = request.relative_uri();
      req.path = PercentDecode(uri.path(), false);
      req.query = uri.query();
      resp = handler(req);
    } catch (...) {
      resp = EndpointResponse{500, "text/plain; charset=utf-8", "internal error\n"};
    }
    try {
      cr::http_response r(static_cast<cr::status_code>(resp.status));
      r.headers().add("X-Content-Type-Options", "nosniff");
      r.headers().set_content_type(resp.content_type);
      // A byte vector rather than a std::string: cpprestsdk reads a string body through a
      // char stream reinterpreted as an unsigned-char one, which UBSan rightly rejects.
      r.set_body(std::vector<unsigned char>(resp.body.begin(), resp.body.end()));
      // Not waited for (that would hold a pool thread while the reply is written); the
      // continuation observes a failure so pplx does not report it as unobserved.
      request.reply(r).then([](pplx::task<void> sent) {
        try {
          sent.get();
        } catch (const std::exception&) {
          // The client went away before the answer was written.
        }
      });
    } catch (const std::exception&) {
      // The client went away; nothing to tell anyone.
    }
  }
};

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const BindAddress& address,
                                                          EndpointHandler handler) {
  std::unique_ptr<HttpEndpoint> ep(new HttpEndpoint());
  ep->impl_ = std::make_unique<Impl>();
  ep->impl_->handler = std::move(handler);
  // With port 0 the port we picked can be taken before we listen: try a few.
  const int attempts = address.port == 0 ? 5 : 1;
  std::string last_error;
  for (int i = 0; i < attempts; ++i) {
    BindAddress bind = address;
    if (bind.port == 0) {
      VS_ASSIGN_OR_RETURN(bind.port, PickFreePort(bind.host));
    }
    try {
      auto listener = std::make_unique<crl::http_listener>(web::uri(bind.Url()));
      Impl* impl = ep->impl_.get();
      listener->support([impl](cr::http_request req) { impl->Serve(std::move(req)); });
      listener->open().wait();
      ep->impl_->listener = std::move(listener);
      ep->port_ = bind.port;
      ep->url_ = bind.Url();
      return ep;
    } catch (const std::exception& e) {
      last_error = "cannot listen on " + bind.Url() + ": " + e.what();
    }
  }
  return Unavailable(last_error);
}

HttpEndpoint::~HttpEndpoint() { Stop(); }

void HttpEndpoint::Stop() {
  if (!impl_ || impl_->stopped.exchange(true) || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Closing a listener whose socket already failed; nothing left to release.
  }
}

}  // namespace vaultsync::metrics
