// Building the shared trust store (see trust_store.h) with OpenSSL directly.
#include "http/trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>

namespace vaultsync::http {
namespace {

std::string OpenSslReason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no certificate found";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// The system's roots, loaded once for every transport that uses them while any is alive
// (X509_STORE is safe to share between contexts and threads).
Result<TrustStore> SystemRoots() {
  static std::mutex mu;
  static std::weak_ptr<X509_STORE> shared;
  std::lock_guard<std::mutex> lock(mu);
  if (TrustStore store = shared.lock()) return store;
  TrustStore store(X509_STORE_new(), X509_STORE_free);
  if (store == nullptr) return Internal("cannot allocate a certificate store");
  if (X509_STORE_set_default_paths(store.get()) != 1) {
    return Internal("cannot load the system's root certificates: " + OpenSslReason());
  }
  shared = store;
  return store;
}

}  // namespace

Result<TrustStore> NewTrustStore(const std::string& ca_pem) {
  if (ca_pem.empty()) return SystemRoots();
  TrustStore store(X509_STORE_new(), X509_STORE_free);
  if (store == nullptr) return Internal("cannot allocate a certificate store");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())), BIO_free);
  if (bio == nullptr) return Internal("cannot read the CA certificates");
  int added = 0;
  ERR_clear_error();
  for (int guard = 0; guard < 100000; ++guard) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    int ok = X509_STORE_add_cert(store.get(), cert);
    X509_free(cert);
    if (ok != 1) {
      // A certificate listed twice is harmless; anything else is an error.
      unsigned long code = ERR_peek_last_error();
      if (ERR_GET_REASON(code) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        return InvalidArgument("invalid CA certificate: " + OpenSslReason());
      }
      ERR_clear_error();
    }
    ++added;
  }
  // PEM_read_bio_X509 ends with "no start line" at the end of the input: not an error.
  unsigned long last = ERR_peek_last_error();
  if (last != 0 &&
      !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)) {
    return InvalidArgument("invalid CA certificate PEM: " + OpenSslReason());
  }
  ERR_clear_error();
  if (added == 0) return InvalidArgument("the CA PEM holds no certificate");
  return store;
}

void UseTrustStore(SSL_CTX* ctx, const TrustStore& store) {
  SSL_CTX_set1_cert_store(ctx, store.get());
}

}  // namespace vaultsync::http
