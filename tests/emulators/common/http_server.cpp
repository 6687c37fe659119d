// cpprestsdk glue for HttpServer, plus fault injection, counters, the request log and the
// admission hook.
#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <csignal>

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <list>
#include <queue>
#include <random>
#include <thread>

#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::emu {

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
    if (s[i] == '%' && i + 2 < s.size()) {
      int h = HexValue(s[i + 1]);
      int l = HexValue(s[i + 2]);
      if (h >= 0 && l >= 0) {
        out += char(h * 16 + l);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && s[i] == '+') ? ' ' : s[i];
  }
  return out;
}

std::string GenericErrorBody(int status) {
  return "{\"errors\":[\"injected fault: HTTP " + std::to_string(status) + "\"]}\n";
}

Result<FaultRule> ParseRule(const json::Value& v) {
  FaultRule r;
  VS_ASSIGN_OR_RETURN(auto method, json::OptionalString(v, "method"));
  VS_ASSIGN_OR_RETURN(auto prefix, json::OptionalString(v, "path_prefix"));
  VS_ASSIGN_OR_RETURN(auto status, json::OptionalInt64(v, "status"));
  VS_ASSIGN_OR_RETURN(auto body, json::OptionalString(v, "body"));
  VS_ASSIGN_OR_RETURN(auto retry, json::OptionalInt64(v, "retry_after_seconds"));
  VS_ASSIGN_OR_RETURN(auto latency, json::OptionalInt64(v, "latency_ms"));
  VS_ASSIGN_OR_RETURN(auto remaining, json::OptionalInt64(v, "remaining"));
  VS_ASSIGN_OR_RETURN(auto drop, json::OptionalBool(v, "drop"));
  VS_ASSIGN_OR_RETURN(auto contains, json::OptionalString(v, "path_contains"));
  VS_ASSIGN_OR_RETURN(auto agent, json::OptionalString(v, "user_agent"));
  if (const json::Value* ex = json::Find(v, "exclude_path_prefix"); ex != nullptr) {
    if (ex->IsString()) {
      r.exclude_path_prefix.emplace_back(json::View(*ex));
    } else if (ex->IsArray()) {
      for (const auto& p : ex->GetArray()) {
        if (!p.IsString()) return InvalidArgument("exclude_path_prefix: want strings");
        r.exclude_path_prefix.emplace_back(json::View(p));
      }
    } else if (!ex->IsNull()) {
      return InvalidArgument("exclude_path_prefix: want a string or a list of strings");
    }
  }
  if (contains) r.path_contains = std::string(*contains);
  if (agent) r.user_agent = std::string(*agent);
  if (method) r.method = std::string(*method);
  if (prefix) r.path_prefix = std::string(*prefix);
  if (status) r.status = int(*status);
  if (body) r.body = std::string(*body);
  if (retry) r.retry_after_seconds = int(*retry);
  if (latency) r.latency = std::chrono::milliseconds(*latency);
  if (remaining) r.remaining = int(*remaining);
  if (drop) r.drop = *drop;
  if (const json::Value* rate = json::Find(v, "rate"); rate != nullptr && rate->IsNumber()) {
    r.rate = rate->GetDouble();
  }
  return r;
}

ServerResponse JsonAnswer(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

std::string LoggedRequestJson(const LoggedRequest& e) {
  std::string names = "[";
  for (size_t i = 0; i < e.header_names.size(); ++i)
    names += (i == 0 ? "" : ",") + json::Quote(e.header_names[i]);
  names += "]";
  return "{\"seq\":" + std::to_string(e.seq) +
         ",\"start_time\":" + json::Quote(FormatRfc3339(e.start, 9)) +
         ",\"time\":" + json::Quote(FormatRfc3339(e.time, 9)) +
         ",\"method\":" + json::Quote(e.method) + ",\"path\":" + json::Quote(e.path) +
         ",\"query\":" + json::Quote(e.query) + ",\"status\":" + std::to_string(e.status) +
         ",\"user_agent\":" + json::Quote(e.user_agent) + ",\"user\":" + json::Quote(e.user) +
         ",\"count_key\":" + json::Quote(e.count_key) + ",\"header_names\":" + names + "}";
}

}  // namespace

bool FaultRule::Matches(const ServerRequest& req) const {
  if (!method.empty() && method != req.method) return false;
  if (req.path.compare(0, path_prefix.size(), path_prefix) != 0) return false;
  for (const std::string& ex : exclude_path_prefix) {
    if (req.path.compare(0, ex.size(), ex) == 0) return false;
  }
  if (!path_contains.empty() && req.path.find(path_contains) == std::string::npos) return false;
  if (!user_agent.empty() && req.Header("User-Agent").find(user_agent) == std::string_view::npos) {
    return false;
  }
  return true;
}

std::string RedactQuery(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (!out.empty()) out += '&';
    if (eq != std::string_view::npos &&
        (ContainsNoCase(name, "token") || ContainsNoCase(name, "secret") ||
         ContainsNoCase(name, "password"))) {
      out.append(name);
      out += "=REDACTED";
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

void RequestLog::Add(LoggedRequest entry) {
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = next_seq_++;
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) entries_.pop_front();
}

std::vector<LoggedRequest> RequestLog::Since(int64_t since) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LoggedRequest> out;
  for (const LoggedRequest& e : entries_) {
    if (e.seq > since) out.push_back(e);
  }
  return out;
}

void RequestLog::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

std::string ServerRequest::Query(std::string_view key, bool* present) const {
  if (present != nullptr) *present = false;
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string name = PercentDecode(pair.substr(0, eq), true);
    if (name == key) {
      if (present != nullptr) *present = true;
      return eq == std::string_view::npos ? std::string()
                                          : PercentDecode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

void RequestCounters::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[key];
}

std::map<std::string, int64_t> RequestCounters::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void RequestCounters::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  counts_.clear();
}

struct HttpServer::Impl {
  struct StreamThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  class BufferWriter final : public StreamWriter {
   public:
    BufferWriter(concurrency::streams::producer_consumer_buffer<uint8_t> buf,
                 const std::atomic<bool>* stopping)
        : buf_(std::move(buf)), stopping_(stopping) {}
    bool Write(std::string_view chunk) override {
      if (*stopping_) return false;
      try {
        buf_.putn_nocopy(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()).wait();
        buf_.sync().wait();
      } catch (...) {
        return false;
      }
      return !*stopping_;
    }
    bool stopping() const override { return *stopping_; }

   private:
    concurrency::streams::producer_consumer_buffer<uint8_t> buf_;
    const std::atomic<bool>* stopping_;
  };

  // The serving certificate, read by every new TLS connection (cpprestsdk builds one SSL
  // context per accepted connection), so replacing it needs no restart.
  struct TlsMaterial {
    std::mutex mu;
    std::string cert_pem;
    std::string key_pem;
  };

  ServerOptions options;
  Handler handler;
  std::shared_ptr<TlsMaterial> tls;
  HttpServer* owner = nullptr;
  std::unique_ptr<crl::http_listener> listener;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};    // requests read or being answered (see Serve)
  std::condition_variable idle_cv;  // with mu: in_flight reached 0

  std::mutex mu;  // guards faults, controls, streams, delayed
  std::vector<FaultRule> faults;
  std::map<std::string, Handler> controls;
  std::list<StreamThread> streams;
  struct DelayedCall {  // an answer held by an injected latency
    std::chrono::steady_clock::time_point due;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const DelayedCall& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  std::priority_queue<DelayedCall, std::vector<DelayedCall>, std::greater<DelayedCall>> delayed;
  uint64_t delayed_seq = 0;
  std::condition_variable delay_cv;  // with mu: a call was added, or the server is stopping
  std::thread delay_thread;
  std::mt19937_64 rng{std::random_device{}()};

  // Returns the fault to apply to req, consuming one use of it.
  std::optional<FaultRule> MatchFault(const ServerRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->Matches(req)) continue;
      if (it->rate < 1.0 && std::uniform_real_distribution<double>(0, 1)(rng) >= it->rate) continue;
      FaultRule r = *it;
      if (it->remaining > 0 && --it->remaining == 0) faults.erase(it);
      return r;
    }
    return std::nullopt;
  }

  ServerResponse Control(const ServerRequest& req) {
    std::string name = req.path.substr(std::string("/__emulator/").size());
    if (name == "faults") {
      if (req.method == "DELETE") {
        owner->ClearFaults();
        return JsonAnswer(200, "{}");
      }
      if (req.method == "POST" || req.method == "PUT") {
        auto doc = json::Parse(req.body);
        if (!doc.ok())
          return JsonAnswer(400, "{\"error\":" + json::Quote(doc.status().message()) + "}");
        std::vector<const json::Value*> items;
        if (const json::Value* rules = json::Find(*doc, "rules");
            rules != nullptr && rules->IsArray()) {
          for (const auto& r : rules->GetArray()) items.push_back(&r);
        } else {
          items.push_back(&*doc);
        }
        for (const json::Value* item : items) {
          auto rule = ParseRule(*item);
          if (!rule.ok())
            return JsonAnswer(400, "{\"error\":" + json::Quote(rule.status().message()) + "}");
          owner->AddFault(*rule);
        }
        return JsonAnswer(200, "{}");
      }
    }
    if (name == "counters") {
      if (req.method == "DELETE") {
        owner->counters().Reset();
        return JsonAnswer(200, "{}");
      }
      std::string body = "{\"counts\":{";
      int64_t total = 0;
      bool first = true;
      for (const auto& [k, n] : owner->counters().Snapshot()) {
        if (!first) body += ',';
        first = false;
        body += json::Quote(k) + ':' + std::to_string(n);
        total += n;
      }
      body += "},\"total\":" + std::to_string(total) + "}";
      return JsonAnswer(200, body);
    }
    if (name == "requests") {
      if (req.method == "DELETE") {
        owner->request_log().Clear();
        return JsonAnswer(200, "{}");
      }
      int64_t since = 0;
      if (std::string s = req.Query("since"); !s.empty()) {
        try {
          since = std::stoll(s);
        } catch (...) {
          return JsonAnswer(400, "{\"error\":\"since must be a sequence number\"}");
        }
      }
      std::string body = "{\"requests\":[";
      bool first = true;
      for (const LoggedRequest& e : owner->request_log().Since(since)) {
        if (!first) body += ',';
        first = false;
        body += LoggedRequestJson(e);
      }
      return JsonAnswer(200, body + "]}");
    }
    Handler h;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = controls.find(name);
      if (it != controls.end()) h = it->second;
    }
    if (h) return h(req);
    return JsonAnswer(404, "{\"error\":\"unknown control path\"}");
  }

  // Called by the listener once a request's headers are in. The body is still arriving, so
  // the rest runs as a continuation of reading it: no pool thread ever waits for a body (the
  // pool can then be small, see ConfigureIoThreads) and a slow client holds no thread.
  void Serve(cr::http_request request) {
    TimePoint start = std::chrono::system_clock::now();
    auto req = std::make_shared<ServerRequest>();
    req->method = request.method();
    const auto& uri = request.relative_uri();
    req->path = PercentDecode(uri.path(), false);
    req->query = uri.query();
    for (const auto& [k, v] : request.headers()) req->headers.emplace_back(k, v);
    in_flight.fetch_add(1);
    request.extract_vector().then(
        [this, request, req, start](pplx::task<std::vector<unsigned char>> body) mutable {
          try {
            auto bytes = body.get();
            req->body.assign(bytes.begin(), bytes.end());
          } catch (...) {
          }
          try {
            Admit(request, std::move(req), start);
          } catch (...) {
            ReplyInternalError(request);
          }
          Done();
        });
  }

  // A handler that threw: the client still gets an answer (cpprestsdk's listener answered
  // 500 when the handler ran inside it), and its connection can close, so Stop never waits
  // for it.
  static void ReplyInternalError(cr::http_request& request) {
    try {
      request.reply(cr::status_codes::InternalError);
    } catch (...) {  // already answered
    }
  }

  // One request fewer in flight; Stop waits for none.
  void Done() {
    std::lock_guard<std::mutex> lock(mu);
    if (in_flight.fetch_sub(1) == 1) idle_cv.notify_all();
  }

  void Admit(cr::http_request& request, std::shared_ptr<ServerRequest> req, TimePoint start) {
    if (req->path.rfind("/__emulator/", 0) == 0) {
      Reply(request, Control(*req));
      return;
    }
    auto admission = std::make_shared<Admission>();
    if (options.admit) {
      *admission = options.admit(*req);
    } else {
      admission->count_key =
          options.count_key ? options.count_key(*req) : req->method + " " + req->path;
    }
    owner->counters().Add(admission->count_key);
    if (admission->reject) {
      owner->counters().Add(std::to_string(admission->reject->status) + " " + admission->count_key);
      ServerResponse resp = std::move(*admission->reject);
      AddHeaders(resp, admission->headers);
      Finish(request, *req, start, *admission, std::move(resp));
      return;
    }
    std::optional<FaultRule> fault = MatchFault(*req);
    if (!fault || fault->latency.count() <= 0) {
      Answer(request, *req, start, *admission, fault);
      return;
    }
    // An injected latency waits on the delay thread, not on a pool thread: a test holding
    // many requests for seconds never starves the pool.
    in_flight.fetch_add(1);
    After(fault->latency, [this, request, req, start, admission, fault]() mutable {
      try {
        Answer(request, *req, start, *admission, fault);
      } catch (...) {
        ReplyInternalError(request);
      }
      Done();
    });
  }

  // Runs fn once `delay` has passed, on the delay thread (started on first use). Once the
  // server is stopping, every waiting call runs at once, so no connection stays open.
  void After(std::chrono::milliseconds delay, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!stopping) {
        if (!delay_thread.joinable()) delay_thread = std::thread([this] { DelayLoop(); });
        delayed.push(
            DelayedCall{std::chrono::steady_clock::now() + delay, delayed_seq++, std::move(fn)});
        delay_cv.notify_all();
        return;
      }
    }
    fn();
  }

  void DelayLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      if (delayed.empty()) {
        if (stopping) return;
        delay_cv.wait(lock);
        continue;
      }
      auto due = delayed.top().due;
      if (!stopping && std::chrono::steady_clock::now() < due) {
        delay_cv.wait_until(lock, due);
        continue;
      }
      std::function<void()> fn = std::move(const_cast<DelayedCall&>(delayed.top()).fn);
      delayed.pop();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  // Applies a fault (other than latency, already served) or the handler.
  void Answer(cr::http_request& request, const ServerRequest& req, TimePoint start,
              Admission& admission, const std::optional<FaultRule>& fault) {
    ServerResponse resp;
    if (fault && fault->drop) {
      admission.seat.reset();
      Log(req, start, 0, admission);
      Drop(request);
      return;
    }
    if (fault && fault->status != 0) {
      resp.status = fault->status;
      resp.headers.emplace_back("Content-Type", "application/json");
      if (fault->retry_after_seconds >= 0) {
        resp.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
      }
      resp.body = fault->body.empty() ? GenericErrorBody(fault->status) : fault->body;
    } else {
      resp = handler(req);
      AddHeaders(resp, admission.headers);
    }
    Finish(request, req, start, admission, std::move(resp));
  }

  void Finish(cr::http_request& request, const ServerRequest& req, TimePoint start,
              Admission& admission, ServerResponse resp) {
    // The seat is free before the client can see the answer, so a client that sends its
    // next request on receipt never finds its own previous request still counted.
    admission.seat.reset();
    Log(req, start, resp.status, admission);
    Reply(request, std::move(resp));
  }

  static void AddHeaders(ServerResponse& resp, const Headers& extra) {
    for (const auto& h : extra) resp.headers.push_back(h);
  }

  void Log(const ServerRequest& req, TimePoint start, int status, const Admission& admission) {
    LoggedRequest e;
    e.start = start;
    e.time = std::chrono::system_clock::now();
    e.method = req.method;
    e.path = req.path;
    e.query = RedactQuery(req.query);
    e.status = status;
    e.user_agent = std::string(req.Header("User-Agent"));
    e.user = admission.user;
    e.count_key = admission.count_key;
    for (const auto& [name, value] : req.headers) e.header_names.push_back(name);
    owner->request_log().Add(std::move(e));
  }

  // Answers with a body shorter than its Content-Length and then fails the body stream,
  // so the client sees the connection end mid-response.
  void Drop(cr::http_request& request) {
    cr::http_response r(200);
    concurrency::streams::producer_consumer_buffer<uint8_t> buf;
    r.set_body(buf.create_istream(), 1000, "application/json");
    request.reply(r);
    // Not waited for: this runs on a pool thread, and the close completes on the pool.
    buf.close(std::ios_base::out, std::make_exception_ptr(std::runtime_error("injected drop")))
        .then([](pplx::task<void> closed) {
          try {
            closed.get();  // observed, so pplx never terminates over it
          } catch (...) {
          }
        });
  }

  void Reply(cr::http_request& request, ServerResponse resp) {
    cr::http_response r(static_cast<cr::status_code>(resp.status));
    std::string content_type;
    for (const auto& [k, v] : resp.headers) {
      if (strcasecmp(k.c_str(), "Content-Type") == 0) content_type = v;
      r.headers().add(k, v);
    }
    if (resp.stream) {
      concurrency::streams::producer_consumer_buffer<uint8_t> buf;
      r.set_body(buf.create_istream(), content_type.empty() ? "application/json" : content_type);
      request.reply(r);
      auto done = std::make_shared<std::atomic<bool>>(false);
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) {  // Stop has joined the streams already: start no more
        buf.close(std::ios_base::out).then([](pplx::task<void> closed) {
          try {
            closed.get();
          } catch (...) {
          }
        });
        return;
      }
      streams.remove_if([](StreamThread& t) {
        if (!*t.done) return false;
        t.thread.join();
        return true;
      });
      streams.push_back(
          StreamThread{std::thread([this, buf, done, fn = std::move(resp.stream)]() mutable {
                         BufferWriter w(buf, &stopping);
                         try {
                           fn(w);
                         } catch (...) {
                         }
                         try {
                           buf.close(std::ios_base::out).wait();
                         } catch (...) {
                         }
                         *done = true;
                       }),
                       done});
      return;
    }
    if (!resp.body.empty() || (resp.status != 204 && resp.status != 304)) {
      // As bytes: cpprestsdk's std::string overload reads a char stream through an
      // unsigned-char stream buffer, which UBSan rightly reports.
      r.headers().set_content_type(content_type.empty() ? std::string("application/json")
                                                        : content_type);
      r.set_body(std::vector<unsigned char>(resp.body.begin(), resp.body.end()));
    }
    request.reply(r);
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      Handler handler) {
  int port = options.port;
  if (port == 0) {
    VS_ASSIGN_OR_RETURN(port, PickFreePort(options.host));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.options = options;
  impl.handler = std::move(handler);
  impl.owner = server.get();
  server->log_ = std::make_unique<RequestLog>(options.request_log_capacity);
  bool tls = !options.tls_cert_pem.empty();
  server->port_ = port;
  server->url_ =
      std::string(tls ? "https" : "http") + "://" + options.host + ":" + std::to_string(port);
  crl::http_listener_config cfg;
  if (tls) {
    impl.tls = std::make_shared<Impl::TlsMaterial>();
    impl.tls->cert_pem = options.tls_cert_pem;
    impl.tls->key_pem = options.tls_key_pem;
    cfg.set_ssl_context_callback([material = impl.tls](boost::asio::ssl::context& ctx) {
      std::string cert, key;
      {
        std::lock_guard<std::mutex> lock(material->mu);
        cert = material->cert_pem;
        key = material->key_pem;
      }
      ctx.set_options(boost::asio::ssl::context::default_workarounds |
                      boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3);
      ctx.use_certificate_chain(boost::asio::buffer(cert.data(), cert.size()));
      ctx.use_private_key(boost::asio::buffer(key.data(), key.size()),
                          boost::asio::ssl::context::pem);
    });
  }
  try {
    impl.listener = std::make_unique<crl::http_listener>(web::uri(server->url_), cfg);
    Impl* p = &impl;
    impl.listener->support([p](cr::http_request req) { p->Serve(std::move(req)); });
    impl.listener->open().wait();
  } catch (const std::exception& e) {
    return Unavailable("cannot listen on " + server->url_ + ": " + e.what());
  }
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::AddControl(const std::string& name, Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->controls[name] = std::move(handler);
}

void HttpServer::AddFault(FaultRule rule) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults.push_back(std::move(rule));
}

void HttpServer::ClearFaults() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->faults.clear();
}

Status HttpServer::SetTlsCertificate(const std::string& cert_pem, const std::string& key_pem) {
  if (!impl_->tls) return Status(StatusCode::kFailedPrecondition, "the server speaks plain http");
  try {  // load the pair once here, so a bad one never reaches a connection
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23);
    probe.use_certificate_chain(boost::asio::buffer(cert_pem.data(), cert_pem.size()));
    probe.use_private_key(boost::asio::buffer(key_pem.data(), key_pem.size()),
                          boost::asio::ssl::context::pem);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("certificate and key do not load: ") + e.what());
  }
  std::lock_guard<std::mutex> lock(impl_->tls->mu);
  impl_->tls->cert_pem = cert_pem;
  impl_->tls->key_pem = key_pem;
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->delay_cv.notify_all();  // held answers go out now, so their connections can close
  }
  std::list<Impl::StreamThread> streams;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    streams.swap(impl_->streams);
  }
  for (auto& t : streams) t.thread.join();
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
  // Answers still being produced use impl_; a bounded wait (a closed connection fails its
  // body read, so every continuation runs soon).
  std::list<Impl::StreamThread> late;
  {
    std::unique_lock<std::mutex> lock(impl_->mu);
    impl_->idle_cv.wait_for(lock, std::chrono::seconds(10),
                            [this] { return impl_->in_flight.load() == 0; });
    late.swap(impl_->streams);  // none can start now (Reply checks stopping under mu)
  }
  for (auto& t : late) t.thread.join();
  if (impl_->delay_thread.joinable()) impl_->delay_thread.join();
}

Result<int> PickFreePort(const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Unavailable("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return InvalidArgument("listen host must be an IPv4 address, got \"" + host + "\"");
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return Unavailable("cannot bind " + host);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

Result<std::pair<std::string, int>> ParseListen(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return InvalidArgument("--listen wants HOST:PORT");
  std::string host(listen.substr(0, colon));
  std::string port(listen.substr(colon + 1));
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  try {
    size_t used = 0;
    int p = std::stoi(port, &used);
    if (used != port.size() || p < 0 || p > 65535) throw std::out_of_range("port");
    return std::make_pair(host, p);
  } catch (...) {
    return InvalidArgument("--listen: bad port \"" + port + "\"");
  }
}

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace vaultsync::emu
