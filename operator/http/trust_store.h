// The certificate store that every TLS connection of one transport shares. cpprestsdk builds
// a fresh OpenSSL context for each connection and loads the system's root bundle into it
// (about 2.4 MB of allocations and a few ms of CPU) before our callback replaces it; swapping
// in one shared, reference-counted store keeps a pool of connections from holding one copy of
// the roots apiece, and SkipPerConnectionSystemRoots keeps each from parsing one at all.
#pragma once

#include <memory>
#include <string>

#include "util/status.h"

typedef struct x509_store_st X509_STORE;
typedef struct ssl_ctx_st SSL_CTX;

namespace vaultsync::http {

using TrustStore = std::shared_ptr<X509_STORE>;

// Trusts exactly the certificates in `ca_pem` when it is not empty (as client-go and Vault's
// Go client do with a configured CA), else the system's default roots — one store shared by
// every caller while any holds it. Fails naming the
// problem when `ca_pem` holds no certificate or cannot be parsed.
Result<TrustStore> NewTrustStore(const std::string& ca_pem);

// Called once at the start of a program, before any thread: records where the system's roots
// are (SSL_CERT_FILE, else OpenSSL's default file; SSL_CERT_DIR likewise), for NewTrustStore,
// and points SSL_CERT_FILE at an empty file, so that the bundle cpprestsdk loads into every
// new TLS context (only to have it replaced by ours) is empty. Measured: the operator's idle
// peak RSS 23.8 MB -> 18.5 MB against a TLS API server. Not thread-safe (setenv).
void SkipPerConnectionSystemRoots();

// Makes `ctx` verify peers against `store` (the context takes its own reference).
void UseTrustStore(SSL_CTX* ctx, const TrustStore& store);

}  // namespace vaultsync::http
