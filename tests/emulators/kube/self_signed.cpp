// Self-signed certificate generation with OpenSSL 3.
#include "self_signed.h"

#include <arpa/inet.h>

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace vaultsync::kubeemu {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

bool IsIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

}  // namespace

Result<CertAndKey> MakeSelfSignedCert(const std::string& host) {
  std::unique_ptr<EVP_PKEY_CTX, Free> kctx(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(kctx.get(), 2048) <= 0 ||
      EVP_PKEY_keygen(kctx.get(), &raw_key) <= 0) {
    return Internal("RSA key generation failed");
  }
  std::unique_ptr<EVP_PKEY, Free> key(raw_key);
  std::unique_ptr<X509, Free> cert(X509_new());
  if (!cert) return Internal("X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("kube-emulator"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san = "IP:127.0.0.1,DNS:localhost";
  if (!host.empty() && host != "127.0.0.1" && host != "localhost") {
    san += std::string(IsIp(host) ? ",IP:" : ",DNS:") + host;
  }
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair<int, std::string>{NID_subject_alt_name, san},
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign"},
        {NID_ext_key_usage, "serverAuth"}}) {
    std::unique_ptr<X509_EXTENSION, Free> ext(
        X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
      return Internal("adding a certificate extension failed");
    }
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Internal("signing failed");
  std::unique_ptr<BIO, Free> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, Free> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return Internal("PEM encoding failed");
  }
  return CertAndKey{BioString(cert_bio.get()), BioString(key_bio.get())};
}

}  // namespace vaultsync::kubeemu
