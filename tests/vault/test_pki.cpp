// Certificate generation with OpenSSL's X509 API.
#include "test_pki.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace vaultsync::vault::testing {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

PkeyPtr NewKey() { return PkeyPtr(EVP_EC_gen("P-256")); }

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

bool AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

X509Ptr NewCert(const std::string& cn, EVP_PKEY* key, long serial) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

Result<PkeyPtr> ReadKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Internal("cannot read CA key");
  return key;
}

Result<X509Ptr> ReadCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Internal("cannot read CA certificate");
  return cert;
}

}  // namespace

Result<TestCa> MakeCa(const std::string& common_name) {
  PkeyPtr key = NewKey();
  if (!key) return Internal("key generation failed");
  X509Ptr cert = NewCert(common_name, key.get(), 1);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  if (!AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash")) {
    return Internal("cannot add CA extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Internal("CA signing failed");
  return TestCa{CertPem(cert.get()), KeyPem(key.get())};
}

Result<TestServerCert> MakeServerCert(const TestCa& ca, const std::string& common_name,
                                      const std::vector<std::string>& dns_names,
                                      const std::vector<std::string>& ip_addresses) {
  VS_ASSIGN_OR_RETURN(PkeyPtr ca_key, ReadKey(ca.key_pem));
  VS_ASSIGN_OR_RETURN(X509Ptr ca_cert, ReadCert(ca.cert_pem));
  PkeyPtr key = NewKey();
  if (!key) return Internal("key generation failed");
  X509Ptr cert = NewCert(common_name, key.get(), 2);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!AddExt(cert.get(), ca_cert.get(), NID_basic_constraints, "CA:FALSE") ||
      !AddExt(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth") ||
      (!san.empty() && !AddExt(cert.get(), ca_cert.get(), NID_subject_alt_name, san))) {
    return Internal("cannot add server certificate extensions");
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) {
    return Internal("server certificate signing failed");
  }
  return TestServerCert{CertPem(cert.get()), KeyPem(key.get())};
}

}  // namespace vaultsync::vault::testing
