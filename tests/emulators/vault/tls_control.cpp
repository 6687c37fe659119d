// Serving-certificate generation and rotation for vault-emulator.
#include "tls_control.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "util/clock.h"
#include "util/json.h"
#include "x509.h"

namespace vaultsync::vaultemu {
namespace {

std::string RandomSerial() {
  std::random_device rd;
  std::string s(16, '\0');
  for (auto& c : s) c = static_cast<char>(rd() & 0xff);
  s[0] = static_cast<char>((s[0] & 0x7f) | 0x01);  // positive, no leading zero byte
  return s;
}

bool IsIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

emu::ServerResponse Answer(int status, std::string body) {
  emu::ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

}  // namespace

Result<TlsPair> MakeServingPair(const std::string& host) {
  TimePoint now = SystemClock::Instance().Now();
  VS_ASSIGN_OR_RETURN(x509::Key ca_key, x509::GenerateKey("ec", 256));
  x509::CertSpec ca;
  ca.common_name = "vault-emulator CA";
  ca.not_before = now - std::chrono::hours(1);
  ca.not_after = now + std::chrono::hours(24 * 365);
  ca.serial = RandomSerial();
  ca.is_ca = true;
  VS_ASSIGN_OR_RETURN(x509::Cert ca_cert, x509::Issue(ca, ca_key.get(), nullptr, ca_key.get()));

  VS_ASSIGN_OR_RETURN(x509::Key key, x509::GenerateKey("ec", 256));
  x509::CertSpec leaf;
  leaf.common_name = "vault-emulator";
  leaf.dns_names = {"localhost"};
  leaf.ip_addresses = {"127.0.0.1"};
  if (!host.empty() && host != "127.0.0.1" && host != "localhost") {
    (IsIp(host) ? leaf.ip_addresses : leaf.dns_names).push_back(host);
  }
  leaf.not_before = ca.not_before;
  leaf.not_after = ca.not_after;
  leaf.serial = RandomSerial();
  leaf.client_auth = false;
  VS_ASSIGN_OR_RETURN(x509::Cert cert, x509::Issue(leaf, key.get(), ca_cert.get(), ca_key.get()));
  VS_ASSIGN_OR_RETURN(std::string key_pem, x509::KeyPem(key.get(), true));
  return TlsPair{x509::CertPem(ca_cert.get()) + "\n", x509::CertPem(cert.get()) + "\n",
                 key_pem + "\n"};
}

Status WriteTlsFiles(const std::string& dir, const TlsPair& pair) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [name, text] :
       {std::pair<std::string, const std::string*>{"ca.crt", &pair.ca_pem},
        {"tls.crt", &pair.cert_pem},
        {"tls.key", &pair.key_pem}}) {
    std::string path = dir + "/" + name;
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out || !(out << *text)) return Unavailable("cannot write " + tmp);
    }
    ::chmod(tmp.c_str(), 0600);
    // Replace atomically, so a reader never sees half a file.
    std::filesystem::rename(tmp, path, ec);
    if (ec) return Unavailable("cannot write " + path);
  }
  return Status::Ok();
}

emu::ServerResponse HandleTlsControl(emu::HttpServer& server, const std::string& host,
                                     const std::string& self_signed_dir,
                                     const emu::ServerRequest& req) {
  if (req.method != "POST" && req.method != "PUT") {
    return Answer(405, "{\"error\":\"POST a certificate or {\\\"regenerate\\\":true}\"}");
  }
  auto doc = json::Parse(req.body.empty() ? std::string_view("{}") : req.body);
  if (!doc.ok() || !doc->IsObject())
    return Answer(400, "{\"error\":\"body must be a JSON object\"}");
  auto regenerate = json::OptionalBool(*doc, "regenerate");
  auto cert = json::OptionalString(*doc, "cert_pem");
  auto key = json::OptionalString(*doc, "key_pem");
  if (!regenerate.ok() || !cert.ok() || !key.ok()) {
    return Answer(400,
                  "{\"error\":\"regenerate must be a boolean, cert_pem and key_pem strings\"}");
  }
  if (regenerate->value_or(false)) {
    auto pair = MakeServingPair(host);
    if (!pair.ok()) return Answer(500, "{\"error\":" + json::Quote(pair.status().message()) + "}");
    Status st = server.SetTlsCertificate(pair->cert_pem, pair->key_pem);
    if (st.code() == StatusCode::kFailedPrecondition) {
      return Answer(409, "{\"error\":" + json::Quote(st.message()) + "}");
    }
    if (!st.ok()) return Answer(500, "{\"error\":" + json::Quote(st.message()) + "}");
    if (!self_signed_dir.empty()) {
      if (Status w = WriteTlsFiles(self_signed_dir, *pair); !w.ok()) {
        return Answer(500, "{\"error\":" + json::Quote(w.message()) + "}");
      }
    }
    return Answer(200, "{\"ca_pem\":" + json::Quote(pair->ca_pem) + "}");
  }
  if (!*cert || !*key) {
    return Answer(400, "{\"error\":\"cert_pem and key_pem are required (or regenerate)\"}");
  }
  Status st = server.SetTlsCertificate(std::string(**cert), std::string(**key));
  if (st.code() == StatusCode::kFailedPrecondition) {
    return Answer(409, "{\"error\":" + json::Quote(st.message()) + "}");
  }
  if (!st.ok()) return Answer(400, "{\"error\":" + json::Quote(st.message()) + "}");
  return Answer(200, "{}");
}

}  // namespace vaultsync::vaultemu
