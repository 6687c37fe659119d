// Transport over cpprestsdk's http_client. The only file in the operator that touches
// cpprestsdk's client: tasks are waited on here and exceptions become Status values.
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <strings.h>
#include <map>

#include "http/transport.h"
#include "http/trust_store.h"

namespace vaultsync::http {

namespace cr = web::http;
namespace crc = web::http::client;

std::string_view FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return {};
}

void CancelFlag::Cancel() {
  std::vector<std::pair<int, std::function<void()>>> run;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_.exchange(true)) return;
    woken_.notify_all();
    run.swap(callbacks_);
    running_ = true;
    runner_ = std::this_thread::get_id();
  }
  for (auto& [id, fn] : run) fn();
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
  ran_.notify_all();
}

int CancelFlag::Register(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) {
      callbacks_.emplace_back(++next_id_, std::move(fn));
      return next_id_;
    }
  }
  fn();
  return 0;
}

void CancelFlag::Unregister(int id) {
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = callbacks_.begin(); it != callbacks_.end(); ++it) {
    if (it->first == id) {
      callbacks_.erase(it);
      return;
    }
  }
  // Cancel() may have taken the callback and be running it right now; the caller is about
  // to destroy what it refers to. (A callback unregistering itself must not wait for itself.)
  if (runner_ != std::this_thread::get_id()) ran_.wait(lock, [this] { return !running_; });
}

bool CancelFlag::WaitFor(std::chrono::nanoseconds d) const {
  std::unique_lock<std::mutex> lock(mu_);
  return !woken_.wait_for(lock, d, [this] { return cancelled_.load(); });
}

namespace {

// Ties a request to up to two cancel flags (the caller's and the transport's) through one
// cpprestsdk cancellation token; unregisters on destruction.
class CancelLink {
 public:
  CancelLink(const CancelFlag* a, const CancelFlag* b) {
    for (const CancelFlag* f : {a, b}) {
      if (f == nullptr) continue;
      auto* flag = const_cast<CancelFlag*>(f);
      regs_.emplace_back(flag, flag->Register([this] { cts_.cancel(); }));
    }
  }
  ~CancelLink() {
    for (auto& [flag, id] : regs_) flag->Unregister(id);
  }
  CancelLink(const CancelLink&) = delete;
  CancelLink& operator=(const CancelLink&) = delete;
  pplx::cancellation_token token() const { return cts_.get_token(); }
  bool cancelled() const { return cts_.get_token().is_canceled(); }

 private:
  pplx::cancellation_token_source cts_;
  std::vector<std::pair<CancelFlag*, int>> regs_;
};

bool IsTimeout(const cr::http_exception& e) {
  return e.error_code() == std::errc::timed_out ||
         std::string_view(e.what()).find("timed out") != std::string_view::npos;
}

// cpprestsdk reports every failure of the TLS handshake, certificate verification included,
// as "Error in SSL handshake".
bool MentionsTls(std::string_view what) {
  return what.find("handshake") != std::string_view::npos ||
         what.find("certificate") != std::string_view::npos;
}

Status TransportError(const std::string& base, const std::exception& e) {
  if (auto* he = dynamic_cast<const cr::http_exception*>(&e); he != nullptr && IsTimeout(*he)) {
    return Status(StatusCode::kDeadlineExceeded, "request to " + base + " timed out");
  }
  if (MentionsTls(e.what())) {
    return Status(StatusCode::kUnavailable,
                  "TLS handshake with " + base +
                      " failed (is the server's certificate signed by a trusted CA and valid for "
                      "its name?): " +
                      e.what());
  }
  return Status(StatusCode::kUnavailable, "request to " + base + " failed: " + e.what());
}

class CpprestTransport final : public Transport {
 public:
  CpprestTransport(TransportConfig config, TrustStore trust)
      : config_(std::move(config)), trust_(std::move(trust)) {}

  Result<Response> Send(const Request& req) override {
    auto built = Build(req);
    if (!built.ok()) return built.status();
    CancelLink link(config_.cancel, req.cancel);
    if (link.cancelled()) return Cancelled();
    try {
      auto client = ClientFor(req.timeout.value_or(config_.timeout));
      // Head and body as one chain on the I/O thread: the caller waits (and is woken) once.
      // pplx's public then() posts every continuation back to the thread pool (one more turn
      // of its event loop, with a system call, per step); _Then, which cpprestsdk's own
      // headers use for continuations this small, runs them inline where the step completed.
      return client->request(*built, link.token())
          ._Then(
              [](cr::http_response resp) {
                return resp.extract_vector()._Then(
                    [resp](std::vector<unsigned char> bytes) {
                      Response out = Head(resp);
                      out.body.assign(bytes.begin(), bytes.end());
                      return out;
                    },
                    nullptr);
              },
              nullptr)
          .get();
    } catch (const pplx::task_canceled&) {
      return Cancelled();
    } catch (const std::exception& e) {
      if (link.cancelled()) return Cancelled();
      return TransportError(config_.base_url, e);
    }
  }

  Result<Response> Stream(const Request& req, const std::function<bool(std::string_view)>& on_data,
                          const CancelFlag* cancel) override {
    auto built = Build(req);
    if (!built.ok()) return built.status();
    CancelLink link(cancel, config_.cancel);
    if (link.cancelled()) return Cancelled();
    try {
      auto client = ClientFor(req.timeout.value_or(config_.timeout));
      cr::http_response resp = client->request(*built, link.token()).get();
      Response out = Head(resp);
      if (out.status < 200 || out.status >= 300) {
        auto bytes = resp.extract_vector().get();
        out.body.assign(bytes.begin(), bytes.end());
        return out;
      }
      auto body = resp.body();
      std::string buf(64 * 1024, '\0');
      while (true) {
        if (link.cancelled()) return Cancelled();
        // getn(n) waits for n bytes unless the producer synced, and cpprestsdk's client
        // does not: wait for one byte, then take whatever else has already arrived.
        auto sb = body.streambuf();
        auto* p = reinterpret_cast<uint8_t*>(buf.data());
        size_t n = sb.getn(p, 1).get();
        if (n == 0) break;  // end of stream
        size_t avail = static_cast<size_t>(std::max<std::streamsize>(sb.in_avail(), 0));
        if (avail > 0) n += sb.getn(p + 1, std::min(avail, buf.size() - 1)).get();
        if (!on_data(std::string_view(buf.data(), n))) break;
      }
      return out;
    } catch (const pplx::task_canceled&) {
      return Cancelled();
    } catch (const std::exception& e) {
      if (link.cancelled()) return Cancelled();
      return TransportError(config_.base_url, e);
    }
  }

  Status Init() {
    try {
      base_ = web::uri(utility::conversions::to_string_t(config_.base_url));
    } catch (const std::exception& e) {
      return InvalidArgument("invalid server URL \"" + config_.base_url + "\": " + e.what());
    }
    if (base_.scheme() != "http" && base_.scheme() != "https") {
      return InvalidArgument("server URL \"" + config_.base_url +
                             "\" must start with http:// or https://");
    }
    if (base_.host().empty())
      return InvalidArgument("server URL \"" + config_.base_url + "\" has no host");
    return Status::Ok();
  }

 private:
  Result<cr::http_request> Build(const Request& req) const {
    cr::http_request r(req.method);
    try {
      r.set_request_uri(web::uri(req.target));
    } catch (const std::exception& e) {
      return InvalidArgument(std::string("invalid request target: ") + e.what());
    }
    bool has_ua = false;
    std::string content_type;
    for (const auto& [k, v] : req.headers) {
      if (strcasecmp(k.c_str(), "Content-Type") == 0) {
        content_type = v;
        continue;
      }
      if (strcasecmp(k.c_str(), "User-Agent") == 0) has_ua = true;
      r.headers().add(k, v);
    }
    if (!has_ua) r.headers().add("User-Agent", config_.user_agent);
    // cpprestsdk takes the TLS name to send (SNI) and to verify from the Host header.
    if (!config_.tls.server_name.empty() && !r.headers().has("Host")) {
      r.headers().add("Host", config_.tls.server_name);
    }
    if (!req.body.empty() || !content_type.empty()) {
      // As bytes: cpprestsdk's std::string overload reads a char stream through an
      // unsigned-char stream buffer, which UBSan rightly reports.
      r.headers().set_content_type(content_type.empty() ? std::string("application/json")
                                                        : content_type);
      r.set_body(std::vector<unsigned char>(req.body.begin(), req.body.end()));
    }
    return r;
  }

  Status Cancelled() const {
    return Status(StatusCode::kCancelled, "request to " + config_.base_url + " cancelled");
  }

  static Response Head(const cr::http_response& resp) {
    Response out;
    out.status = resp.status_code();
    for (const auto& [k, v] : resp.headers()) out.headers.emplace_back(k, v);
    return out;
  }

  // One client (and so one keep-alive pool) per distinct timeout: cpprestsdk fixes the
  // timeout per client. In practice there are one or two.
  std::shared_ptr<crc::http_client> ClientFor(std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(timeout.count());
    if (it != clients_.end()) return it->second;
    crc::http_client_config cfg;
    cfg.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    cfg.set_validate_certificates(!config_.tls.skip_verify);
    TlsConfig tls = config_.tls;
    TrustStore trust = trust_;
    cfg.set_ssl_context_callback([tls, trust](boost::asio::ssl::context& ctx) {
      // Replaces the per-connection copy of the system roots cpprestsdk just loaded.
      if (trust != nullptr) UseTrustStore(ctx.native_handle(), trust);
      if (!tls.client_cert_pem.empty()) {
        ctx.use_certificate_chain(
            boost::asio::buffer(tls.client_cert_pem.data(), tls.client_cert_pem.size()));
        ctx.use_private_key(
            boost::asio::buffer(tls.client_key_pem.data(), tls.client_key_pem.size()),
            boost::asio::ssl::context::pem);
      }
    });
    auto client = std::make_shared<crc::http_client>(base_, cfg);
    clients_.emplace(timeout.count(), client);
    return client;
  }

  TransportConfig config_;
  TrustStore trust_;
  web::uri base_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<crc::http_client>> clients_;
};

// Checks the client certificate and key up front so bad material is reported at construction,
// not per request (the CA is checked by NewTrustStore).
Status CheckPem(const TlsConfig& tls) {
  try {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::sslv23);
    if (!tls.client_cert_pem.empty()) {
      ctx.use_certificate_chain(
          boost::asio::buffer(tls.client_cert_pem.data(), tls.client_cert_pem.size()));
      ctx.use_private_key(boost::asio::buffer(tls.client_key_pem.data(), tls.client_key_pem.size()),
                          boost::asio::ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("invalid TLS material (CA or client certificate/key): ") +
                           e.what());
  }
  return Status::Ok();
}

}  // namespace

bool IsTlsFailure(const Status& status) {
  return status.code() == StatusCode::kUnavailable &&
         status.message().find("TLS handshake with ") != std::string::npos;
}

void ConfigureIoThreads(size_t threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    try {
      crossplat::threadpool::initialize_with_threads(threads);
    } catch (const std::exception&) {
      // The pool already exists (something used cpprestsdk first): keep it.
    }
  });
}

Result<std::unique_ptr<Transport>> NewTransport(const TransportConfig& config) {
  VS_RETURN_IF_ERROR(CheckPem(config.tls));
  // A plain-http server needs no roots: the system's (about 1 MiB) are loaded only for https.
  // A configured CA is still parsed, so a bad one is reported whatever the scheme.
  TrustStore trust;
  const bool https = config.base_url.rfind("https://", 0) == 0;
  if (https || !config.tls.ca_pem.empty()) {
    auto store = NewTrustStore(config.tls.ca_pem);
    if (!store.ok()) return store.status();
    trust = std::move(*store);
  }
  auto t = std::make_unique<CpprestTransport>(config, std::move(trust));
  VS_RETURN_IF_ERROR(t->Init());
  return std::unique_ptr<Transport>(std::move(t));
}

}  // namespace vaultsync::http
