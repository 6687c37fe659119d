// PEM certificate parsing over OpenSSL.
#include "controller/certificate_pem.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <vector>

namespace vaultsync::controller {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

std::unique_ptr<X509, X509Free> FirstCert(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

Result<TimePoint> ToTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return InvalidArgument("bad validity time");
  return TimePoint(std::chrono::seconds(timegm(&tm)));
}

}  // namespace

Result<CertificateInfo> ParseFirstCertificate(std::string_view pem) {
  auto cert = FirstCert(pem);
  if (!cert) return InvalidArgument("no PEM certificate could be read");
  CertificateInfo out;
  VS_ASSIGN_OR_RETURN(out.not_before, ToTime(X509_get0_notBefore(cert.get())));
  VS_ASSIGN_OR_RETURN(out.not_after, ToTime(X509_get0_notAfter(cert.get())));
  std::unique_ptr<BIGNUM, BnFree> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  if (!bn) return InvalidArgument("bad serial number");
  std::vector<unsigned char> bytes(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), bytes.data());
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out.serial_number += ':';
    out.serial_number += kHex[bytes[i] >> 4];
    out.serial_number += kHex[bytes[i] & 15];
  }
  return out;
}

bool KeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem) {
  auto cert = FirstCert(cert_pem);
  if (!cert) return false;
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return false;
  return X509_check_private_key(cert.get(), key.get()) == 1;
}

}  // namespace vaultsync::controller
