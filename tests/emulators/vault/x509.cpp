// X.509 with OpenSSL 3.
#include "x509.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace vaultsync::vaultemu::x509 {
namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::string Drain(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

time_t UnixTime(TimePoint t) {
  return static_cast<time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) return InvalidArgument("bad certificate extension value \"" + value + "\"");
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? Status::Ok() : Internal("adding a certificate extension failed");
}

}  // namespace

Result<Key> GenerateKey(std::string_view type, int bits) {
  if (type == "rsa") {
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      return InvalidArgument("unsupported bit length for RSA key: " + std::to_string(bits));
    }
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) <= 0 ||
        EVP_PKEY_keygen(ctx.get(), &raw) <= 0) {
      return Internal("RSA key generation failed");
    }
    return Key(raw);
  }
  if (type == "ec") {
    const char* curve = bits == 224   ? "P-224"
                        : bits == 256 ? "P-256"
                        : bits == 384 ? "P-384"
                        : bits == 521 ? "P-521"
                                      : nullptr;
    if (curve == nullptr) {
      return InvalidArgument("unsupported bit length for EC key: " + std::to_string(bits));
    }
    EVP_PKEY* raw = EVP_EC_gen(curve);
    if (raw == nullptr) return Internal("EC key generation failed");
    return Key(raw);
  }
  return InvalidArgument("unknown key type " + std::string(type));
}

Result<Cert> Issue(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                   EVP_PKEY* issuer_key) {
  if (spec.serial.empty()) return InvalidArgument("empty serial");
  Cert cert(X509_new());
  if (!cert) return Internal("X509_new failed");
  X509_set_version(cert.get(), 2);
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(spec.serial.data()),
                         static_cast<int>(spec.serial.size()), nullptr);
  ASN1_INTEGER* serial = bn == nullptr ? nullptr : BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  if (serial == nullptr) return Internal("serial conversion failed");
  X509_set_serialNumber(cert.get(), serial);
  ASN1_INTEGER_free(serial);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), UnixTime(spec.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), UnixTime(spec.not_after));
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!spec.common_name.empty()) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
  }
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (spec.is_ca) {
    VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
    VS_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  } else {
    VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage,
                                    "critical,digitalSignature,keyAgreement,keyEncipherment"));
    std::string eku;
    if (spec.server_auth) eku = "serverAuth";
    if (spec.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
    if (!eku.empty()) {
      VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, eku));
    }
  }
  std::string san;
  auto add = [&san](const char* kind, const std::string& v) {
    san += (san.empty() ? "" : ",") + std::string(kind) + ":" + v;
  };
  for (const auto& d : spec.dns_names) add("DNS", d);
  for (const auto& ip : spec.ip_addresses) add("IP", ip);
  for (const auto& u : spec.uris) add("URI", u);
  if (!san.empty()) {
    VS_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return Internal("certificate signing failed");
  }
  return cert;
}

std::string CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return TrimNewline(Drain(bio.get()));
}

std::string CertDer(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  i2d_X509_bio(bio.get(), cert);
  return Drain(bio.get());
}

Result<std::string> KeyPem(EVP_PKEY* key, bool pkcs8) {
  Bio bio(BIO_new(BIO_s_mem()));
  int ok =
      pkcs8 ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
            : PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                   nullptr);
  if (ok != 1) return Internal("private key encoding failed");
  return TrimNewline(Drain(bio.get()));
}

Result<std::string> KeyDer(EVP_PKEY* key, bool pkcs8) {
  Bio bio(BIO_new(BIO_s_mem()));
  int ok = pkcs8 ? i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                 : i2d_PrivateKey_bio(bio.get(), key);
  if (ok != 1) return Internal("private key encoding failed");
  return Drain(bio.get());
}

std::string KeyType(EVP_PKEY* key) { return EVP_PKEY_base_id(key) == EVP_PKEY_EC ? "ec" : "rsa"; }

Result<Cert> ParseCertPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return InvalidArgument("not a PEM certificate");
  return Cert(cert);
}

Result<Key> ParseKeyPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return InvalidArgument("not a PEM private key");
  return Key(key);
}

std::string SerialText(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    if (!out.empty()) out += ':';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

TimePoint NotAfter(X509* cert) {
  struct tm t {};
  ASN1_TIME_to_tm(X509_get0_notAfter(cert), &t);
  return TimePoint(std::chrono::seconds(timegm(&t)));
}

}  // namespace vaultsync::vaultemu::x509
