// Building the shared trust store (see trust_store.h) with OpenSSL directly.
#include "http/trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdlib>
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

// Where the system's roots are, once SkipPerConnectionSystemRoots has moved OpenSSL's
// default away from them (written before any thread starts, read after).
struct SystemRootPaths {
  bool recorded = false;
  std::string file;
  std::string dir;
};
SystemRootPaths& RecordedRootPaths() {
  static SystemRootPaths paths;
  return paths;
}

// The same as X509_STORE_set_default_paths on the recorded paths: a missing file or
// directory is no error (the store then trusts what the other holds).
bool LoadSystemRoots(X509_STORE* store) {
  const SystemRootPaths& paths = RecordedRootPaths();
  if (!paths.recorded) return X509_STORE_set_default_paths(store) == 1;
  X509_LOOKUP* file = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  X509_LOOKUP* dir = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
  if (file == nullptr || dir == nullptr) return false;
  X509_LOOKUP_load_file(file, paths.file.c_str(), X509_FILETYPE_PEM);
  X509_LOOKUP_add_dir(dir, paths.dir.c_str(), X509_FILETYPE_PEM);
  ERR_clear_error();
  return true;
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
  if (!LoadSystemRoots(store.get())) {
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

void SkipPerConnectionSystemRoots() {
  SystemRootPaths& paths = RecordedRootPaths();
  if (paths.recorded) return;
  const char* file = std::getenv(X509_get_default_cert_file_env());
  const char* dir = std::getenv(X509_get_default_cert_dir_env());
  paths.file = file != nullptr ? file : X509_get_default_cert_file();
  paths.dir = dir != nullptr ? dir : X509_get_default_cert_dir();
  paths.recorded = true;
  setenv(X509_get_default_cert_file_env(), "/dev/null", 1);
}

void UseTrustStore(SSL_CTX* ctx, const TrustStore& store) {
  SSL_CTX_set1_cert_store(ctx, store.get());
}

}  // namespace vaultsync::http
