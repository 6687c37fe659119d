// Tests of the cpprestsdk transport against the emulators' server base, in-process over
// loopback: verbs, headers, streaming, timeouts, connection failures, injected faults.
#include "http/transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_server.h"

namespace vaultsync::http {
namespace {
using namespace std::chrono_literals;
using emu::ServerRequest;
using emu::ServerResponse;

std::unique_ptr<emu::HttpServer> Serve(emu::Handler h) {
  auto s = emu::HttpServer::Start(emu::ServerOptions{}, std::move(h));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(*s);
}

std::unique_ptr<Transport> Connect(const std::string& url, std::chrono::milliseconds timeout = 5s) {
  TransportConfig c;
  c.base_url = url;
  c.timeout = timeout;
  auto t = NewTransport(c);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return std::move(*t);
}

TEST(Transport, SendsAnyVerbWithHeadersAndBody) {
  auto server = Serve([](const ServerRequest& r) {
    ServerResponse resp;
    resp.status = 201;
    resp.headers.emplace_back("X-Echo-Method", r.method);
    resp.body = r.path + "|" + r.Query("list") + "|" + std::string(r.Header("X-Vault-Token")) +
                "|" + r.body;
    return resp;
  });
  auto t = Connect(server->url());
  Request req;
  req.method = "LIST";
  req.target = "/v1/secret/metadata/a%20b?list=true";
  req.headers.emplace_back("X-Vault-Token", "tok");
  req.body = "{}";
  auto resp = t->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->Header("x-echo-method"), "LIST");
  EXPECT_EQ(resp->body, "/v1/secret/metadata/a b|true|tok|{}");
  EXPECT_EQ(server->counters().Snapshot().at("LIST /v1/secret/metadata/a b"), 1);
}

TEST(Transport, StreamsChunksAsTheyAreWritten) {
  auto server = Serve([](const ServerRequest&) {
    ServerResponse resp;
    resp.stream = [](emu::StreamWriter& w) {
      for (int i = 0; i < 3; ++i) {
        w.Write("{\"n\":" + std::to_string(i) + "}\n");
        std::this_thread::sleep_for(50ms);
      }
    };
    return resp;
  });
  auto t = Connect(server->url());
  std::string got;
  int pieces = 0;
  auto resp = t->Stream(
      Request{.target = "/watch"},
      [&](std::string_view d) {
        got += d;
        ++pieces;
        return true;
      },
      nullptr);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(got, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_GE(pieces, 2);  // arrived incrementally, not as one buffered body
}

TEST(Transport, CancelEndsAStream) {
  auto server = Serve([](const ServerRequest&) {
    ServerResponse resp;
    resp.stream = [](emu::StreamWriter& w) {
      w.Write("{}\n");
      for (int i = 0; i < 100 && !w.stopping(); ++i) std::this_thread::sleep_for(20ms);
    };
    return resp;
  });
  auto t = Connect(server->url());
  CancelFlag cancel;
  auto start = std::chrono::steady_clock::now();
  auto resp = t->Stream(
      Request{.target = "/watch"},
      [&](std::string_view) {
        cancel.Cancel();
        return true;
      },
      &cancel);
  EXPECT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(Transport, TimeoutAndRefusedAreErrors) {
  auto server = Serve([](const ServerRequest&) {
    std::this_thread::sleep_for(1500ms);
    return ServerResponse{};
  });
  auto t = Connect(server->url(), 300ms);
  auto resp = t->Send(Request{.target = "/slow"});
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kDeadlineExceeded) << resp.status().ToString();

  auto port = emu::PickFreePort("127.0.0.1");
  auto refused =
      Connect("http://127.0.0.1:" + std::to_string(*port), 2s)->Send(Request{.target = "/"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
}

TEST(Transport, InjectedFaults) {
  auto server =
      Serve([](const ServerRequest&) { return ServerResponse{.status = 200, .body = "ok"}; });
  emu::FaultRule rule;
  rule.path_prefix = "/v1/";
  rule.status = 429;
  rule.retry_after_seconds = 2;
  rule.remaining = 1;
  server->AddFault(rule);
  auto t = Connect(server->url());
  auto first = t->Send(Request{.target = "/v1/x"});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 429);
  EXPECT_EQ(first->Header("Retry-After"), "2");
  auto second = t->Send(Request{.target = "/v1/x"});
  EXPECT_EQ(second->status, 200);

  emu::FaultRule drop;
  drop.drop = true;
  drop.remaining = 1;
  server->AddFault(drop);
  auto dropped = t->Send(Request{.target = "/v1/x"});
  EXPECT_FALSE(dropped.ok()) << dropped->status;
}

TEST(Transport, RejectsBadConfig) {
  EXPECT_FALSE(NewTransport(TransportConfig{.base_url = "ftp://x"}).ok());
  TransportConfig c{.base_url = "https://127.0.0.1:1"};
  c.tls.ca_pem = "not a pem";
  EXPECT_FALSE(NewTransport(c).ok());
}

TEST(CancelFlag, UnregisterWaitsForACallbackThatCancelIsRunning) {
  CancelFlag flag;
  std::atomic<bool> started{false}, finished{false};
  int id = flag.Register([&] {
    started = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  std::thread canceller([&] { flag.Cancel(); });
  for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_TRUE(started);
  flag.Unregister(id);  // the callback's captures may be destroyed after this returns
  EXPECT_TRUE(finished);
  canceller.join();
}

TEST(CancelFlag, RegisterAfterCancelRunsAtOnceAndUnregisterDoesNotBlock) {
  CancelFlag flag;
  flag.Cancel();
  bool ran = false;
  int id = flag.Register([&] { ran = true; });
  EXPECT_TRUE(ran);
  flag.Unregister(id);
  EXPECT_TRUE(flag.cancelled());
}

}  // namespace
}  // namespace vaultsync::http
