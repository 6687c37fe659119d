// Login JWT parsing with Vault 1.8's error texts, and pem_keys verification.
#include "k8s_jwt.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>

namespace vaultsync::vaultemu {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Go's quoteChar: how encoding/json names an offending byte.
std::string QuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string inner;
  switch (c) {
    case '\a':
      inner = "\\a";
      break;
    case '\b':
      inner = "\\b";
      break;
    case '\f':
      inner = "\\f";
      break;
    case '\n':
      inner = "\\n";
      break;
    case '\r':
      inner = "\\r";
      break;
    case '\t':
      inner = "\\t";
      break;
    case '\v':
      inner = "\\v";
      break;
    case '\\':
      inner = "\\\\";
      break;
    default:
      if (c < 0x20 || c == 0x7f) {
        inner = std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
      } else if (c < 0x80) {
        inner = std::string(1, static_cast<char>(c));
      } else if (c < 0xa0 || c == 0xad) {  // not printable: \u00XX
        inner = std::string("\\u00") + kHex[c >> 4] + kHex[c & 15];
      } else {  // printable Latin-1: the rune U+00XX as UTF-8
        inner += static_cast<char>(0xC0 | (c >> 6));
        inner += static_cast<char>(0x80 | (c & 0x3F));
      }
  }
  return "'" + inner + "'";
}

// Go's base64.RawURLEncoding decoding: unpadded, unused trailing bits ignored (not strict),
// errors name the offset of the first bad input byte.
Result<std::string> DecodeSegment(std::string_view seg) {
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '-') return 62;
    if (ch == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (size_t i = 0; i < seg.size(); ++i) {
    int v = value(seg[i]);
    if (v < 0) return InvalidArgument("illegal base64 data at input byte " + std::to_string(i));
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>((bits >> nbits) & 0xFF);
    }
  }
  if (seg.size() % 4 == 1) {
    return InvalidArgument("illegal base64 data at input byte " + std::to_string(seg.size() - 1));
  }
  return out;
}

Result<json::Document> DecodeJsonObject(std::string_view bytes) {
  auto doc = json::Parse(bytes);
  if (!doc.ok()) return InvalidArgument(GoJsonError(bytes));
  if (!doc->IsObject()) {
    return InvalidArgument("json: cannot unmarshal " + std::string(json::TypeName(*doc)) +
                           " into Go value of type map[string]interface {}");
  }
  return std::move(doc).value();
}

std::string StringAt(const json::Value& obj, std::initializer_list<const char*> path) {
  const json::Value* v = &obj;
  for (const char* key : path) {
    v = json::Find(*v, key);
    if (v == nullptr) return "";
  }
  return v->IsString() ? std::string(json::View(*v)) : "";
}

std::optional<int64_t> NumberAt(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  return static_cast<int64_t>(v->GetDouble());
}

}  // namespace

std::string GoJsonError(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return "unexpected end of JSON input";
  json::Document d;
  d.Parse(text.data(), text.size());
  size_t at = d.HasParseError() ? d.GetErrorOffset() : text.size();
  if (at >= text.size()) return "unexpected end of JSON input";
  const char* what = at == i ? "looking for beginning of value" : "in JSON value";
  return "invalid character " + QuoteChar(static_cast<unsigned char>(text[at])) + " " + what;
}

Result<ServiceAccountClaims> ParseLoginJwt(std::string_view jwt) {
  size_t d1 = jwt.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : jwt.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      jwt.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgument("not a compact JWS");
  }
  VS_ASSIGN_OR_RETURN(std::string header_bytes, DecodeSegment(jwt.substr(0, d1)));
  VS_ASSIGN_OR_RETURN(json::Document header, DecodeJsonObject(header_bytes));
  VS_ASSIGN_OR_RETURN(std::string claim_bytes, DecodeSegment(jwt.substr(d1 + 1, d2 - d1 - 1)));
  ServiceAccountClaims sa;
  VS_ASSIGN_OR_RETURN(sa.claims, DecodeJsonObject(claim_bytes));
  VS_RETURN_IF_ERROR(DecodeSegment(jwt.substr(d2 + 1)).status());
  const json::Value& c = sa.claims;
  sa.iss = StringAt(c, {"iss"});
  if (const json::Value* aud = json::Find(c, "aud"); aud != nullptr) {
    if (aud->IsString()) sa.aud.emplace_back(json::View(*aud));
    if (aud->IsArray()) {
      for (const auto& a : aud->GetArray()) {
        if (a.IsString()) sa.aud.emplace_back(json::View(a));
      }
    }
  }
  sa.namespace_ = StringAt(c, {"kubernetes.io/serviceaccount/namespace"});
  if (sa.namespace_.empty()) sa.namespace_ = StringAt(c, {"kubernetes.io", "namespace"});
  sa.name = StringAt(c, {"kubernetes.io/serviceaccount/service-account.name"});
  if (sa.name.empty()) sa.name = StringAt(c, {"kubernetes.io", "serviceaccount", "name"});
  sa.uid = StringAt(c, {"kubernetes.io/serviceaccount/service-account.uid"});
  if (sa.uid.empty()) sa.uid = StringAt(c, {"kubernetes.io", "serviceaccount", "uid"});
  sa.secret_name = StringAt(c, {"kubernetes.io/serviceaccount/secret.name"});
  if (sa.secret_name.empty()) sa.secret_name = StringAt(c, {"kubernetes.io", "secret", "name"});
  sa.exp = NumberAt(c, "exp");
  sa.nbf = NumberAt(c, "nbf");
  return sa;
}

Result<std::vector<emu::jwt::RsaKey>> ParsePemKeys(const std::vector<std::string>& pems) {
  std::vector<emu::jwt::RsaKey> keys;
  const Status bad = InvalidArgument("data does not contain any valid RSA or ECDSA public keys");
  for (const std::string& pem : pems) {
    if (pem.find("CERTIFICATE") != std::string::npos) {
      std::unique_ptr<BIO, decltype(&BIO_free)> bio(
          BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
      std::unique_ptr<X509, decltype(&X509_free)> cert(
          PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
      if (!cert) return bad;
      std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pub(X509_get_pubkey(cert.get()),
                                                              EVP_PKEY_free);
      if (!pub) return bad;
      std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
      PEM_write_bio_PUBKEY(out.get(), pub.get());
      char* data = nullptr;
      long len = BIO_get_mem_data(out.get(), &data);
      auto key = emu::jwt::RsaKey::FromPublicPem(std::string_view(data, static_cast<size_t>(len)));
      if (!key.ok()) return bad;
      keys.push_back(*key);
      continue;
    }
    auto key = emu::jwt::RsaKey::FromPublicPem(pem);
    if (!key.ok()) return bad;
    keys.push_back(*key);
  }
  return keys;
}

Status VerifyWithPemKeys(std::string_view jwt, const ServiceAccountClaims& claims,
                         const std::vector<emu::jwt::RsaKey>& keys, TimePoint now) {
  for (const auto& key : keys) {
    if (!emu::jwt::VerifyRs256(jwt, key)) continue;
    int64_t unix_now =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (claims.exp && unix_now > *claims.exp) return Internal("token is expired");
    if (claims.nbf && unix_now < *claims.nbf) return Internal("token is not yet valid");
    return Status::Ok();
  }
  // Vault collects one verification error per key in a multierror.
  std::string msg = std::to_string(keys.size()) +
                    (keys.size() == 1 ? " error occurred:\n" : " errors occurred:\n");
  for (size_t i = 0; i < keys.size(); ++i) msg += "\t* crypto/rsa: verification error\n";
  return Internal(msg + "\n");
}

}  // namespace vaultsync::vaultemu
