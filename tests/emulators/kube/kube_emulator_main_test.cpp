// The kube-emulator binary's command line: --help is usage on stdout with exit 0, and a
// kubeconfig written for plain http comes with a warning, because kubectl sends no bearer
// token over http and would fail with 401 on every call. And --io-threads: neither a
// client slow to send its body nor an injected latency holds one of the I/O threads.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace vaultsync::kubeemu {
namespace {

using vaultsync::testing::BinaryPath;
using vaultsync::testing::RunCommand;
using vaultsync::testing::StartEmulator;

TEST(KubeEmulatorMain, HelpPrintsUsageToStdoutAndExitsZero) {
  auto r = RunCommand(BinaryPath("kube-emulator"), {"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("usage: kube-emulator --listen HOST:PORT", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--tls-self-signed"), std::string::npos);
  EXPECT_NE(r.out.find("bearer tokens only over https"), std::string::npos);
  EXPECT_EQ(r.err, "");
  auto bad = RunCommand(BinaryPath("kube-emulator"), {"--no-such-flag"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown argument --no-such-flag"), std::string::npos) << bad.err;
}

TEST(KubeEmulatorMain, WarnsWhenItWritesAKubeconfigForPlainHttp) {
  char tmpl[] = "/tmp/kube-emulator-main-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    auto plain = StartEmulator("kube-emulator", {"--write-kubeconfig", dir + "/plain"});
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    // stderr is read on its own thread: wait (bounded) for the warning to arrive.
    EXPECT_TRUE(
        plain->process->WaitForOutput("warning: serving plain http", std::chrono::seconds(10)))
        << plain->process->Stderr();
    EXPECT_EQ(plain->process->Stop(), 0);
    EXPECT_NE(plain->process->Stderr().find("--tls-self-signed"), std::string::npos);
  }
  {
    auto tls =
        StartEmulator("kube-emulator", {"--tls-self-signed", "--write-kubeconfig", dir + "/tls"});
    ASSERT_TRUE(tls.ok()) << tls.status().message();
    EXPECT_EQ(tls->process->Stop(), 0);
    EXPECT_TRUE(tls->process->WaitForOutputClosed(std::chrono::seconds(10)));
    EXPECT_EQ(tls->process->Stderr(), "");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// A plain TCP connection to the emulator, to send a request in pieces.
class RawConnection {
 public:
  explicit RawConnection(const std::string& url) {
    // url is http://127.0.0.1:PORT
    int port = std::stoi(url.substr(url.rfind(':') + 1));
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{15, 0};  // every read is bounded
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size());
  }
  // The first bytes of the answer (its status line), waiting at most 15 s; "" on timeout.
  std::string ReadSome() {
    char buf[512];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  }
  // True when an answer has already arrived (without waiting).
  bool HasAnswer() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n > 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

const char kVersionRequest[] = "GET /version HTTP/1.1\r\nHost: kube\r\nConnection: close\r\n\r\n";

// As many clients as the emulator has I/O threads (2) are each in the middle of sending a
// body: another client is still answered (a handler that waited for its body would have
// taken every thread), then each slow client gets its answer once its body is complete.
TEST(KubeEmulatorMain, ClientsSlowToSendTheirBodiesHoldNoThread) {
  auto emu = StartEmulator("kube-emulator", {"--io-threads", "2"});
  ASSERT_TRUE(emu.ok()) << emu.status().message();
  {
    std::vector<std::unique_ptr<RawConnection>> slow;
    for (int i = 0; i < 2; ++i) {
      slow.push_back(std::make_unique<RawConnection>(emu->url));
      ASSERT_TRUE(slow.back()->connected());
      // Headers and the first byte of a 20-byte body; the rest comes later.
      ASSERT_TRUE(
          slow.back()->Send("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: kube\r\n"
                            "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{"));
    }
    RawConnection other(emu->url);
    ASSERT_TRUE(other.connected());
    ASSERT_TRUE(other.Send(kVersionRequest));
    std::string answer = other.ReadSome();
    EXPECT_EQ(answer.rfind("HTTP/1.1 ", 0), 0u) << "no answer while bodies were pending";
    for (auto& c : slow) {
      EXPECT_FALSE(c->HasAnswer());
      ASSERT_TRUE(c->Send("\"kind\":\"ConfigMap\"}"));
      EXPECT_EQ(c->ReadSome().rfind("HTTP/1.1 ", 0), 0u);
    }
  }
  EXPECT_EQ(emu->process->Stop(), 0);
}

// Two requests held by an injected latency of 5 s on an emulator with two I/O threads:
// another request is answered before either (a sleeping handler would have taken them).
TEST(KubeEmulatorMain, InjectedLatencyHoldsNoThread) {
  auto emu = StartEmulator("kube-emulator", {"--io-threads", "2"});
  ASSERT_TRUE(emu.ok()) << emu.status().message();
  {
    RawConnection control(emu->url);
    ASSERT_TRUE(control.connected());
    const std::string rule = R"({"latency_ms":5000,"path_prefix":"/api/v1/namespaces/slow"})";
    ASSERT_TRUE(
        control.Send("POST /__emulator/faults HTTP/1.1\r\nHost: kube\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(rule.size()) + "\r\n\r\n" + rule));
    EXPECT_EQ(control.ReadSome().rfind("HTTP/1.1 200", 0), 0u);
  }
  {
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < 2; ++i) {
      held.push_back(std::make_unique<RawConnection>(emu->url));
      ASSERT_TRUE(held.back()->connected());
      ASSERT_TRUE(held.back()->Send(
          "GET /api/v1/namespaces/slow HTTP/1.1\r\nHost: kube\r\nConnection: close\r\n\r\n"));
    }
    RawConnection other(emu->url);
    ASSERT_TRUE(other.connected());
    ASSERT_TRUE(other.Send(kVersionRequest));
    EXPECT_EQ(other.ReadSome().rfind("HTTP/1.1 ", 0), 0u) << "no answer while requests were held";
    for (auto& c : held) EXPECT_FALSE(c->HasAnswer());  // still waiting out their latency
    for (auto& c : held) EXPECT_EQ(c->ReadSome().rfind("HTTP/1.1 ", 0), 0u);
  }
  EXPECT_EQ(emu->process->Stop(), 0);
}

TEST(KubeEmulatorMain, IoThreadsMustBeAPositiveNumber) {
  for (const char* bad : {"0", "1", "x", "257"}) {
    auto r =
        RunCommand(BinaryPath("kube-emulator"), {"--listen", "127.0.0.1:0", "--io-threads", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--io-threads needs a number from 2 to 256"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace vaultsync::kubeemu
