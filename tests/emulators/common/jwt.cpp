// RS256 signing and verification over OpenSSL 3's EVP interface.
#include "jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "util/base64.h"

namespace vaultsync::emu::jwt {

struct RsaKey::Pkey {
  EVP_PKEY* p = nullptr;
  ~Pkey() { EVP_PKEY_free(p); }
};

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, size_t(n)) : std::string();
}

}  // namespace

Result<RsaKey> RsaKey::Generate(int bits) {
  RsaKey k;
  k.key_ = std::make_shared<Pkey>();
  k.key_->p = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (k.key_->p == nullptr) return Internal("RSA key generation failed");
  k.has_private_ = true;
  return k;
}

Result<RsaKey> RsaKey::FromPrivatePem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
  RsaKey k;
  k.key_ = std::make_shared<Pkey>();
  k.key_->p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (k.key_->p == nullptr) return InvalidArgument("not a PEM private key");
  k.has_private_ = true;
  return k;
}

Result<RsaKey> RsaKey::FromPublicPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
  RsaKey k;
  k.key_ = std::make_shared<Pkey>();
  k.key_->p = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (k.key_->p == nullptr) return InvalidArgument("not a PEM public key");
  return k;
}

std::string RsaKey::PublicPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key_->p);
  return BioString(bio.get());
}

std::string RsaKey::PrivatePem() const {
  if (!has_private_) return {};
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key_->p, nullptr, nullptr, 0, nullptr, nullptr);
  return BioString(bio.get());
}

std::string RsaKey::KeyId() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_->p, &der);
  if (len <= 0) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  EVP_Digest(der, size_t(len), digest, &dlen, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  return base64::EncodeUrl(std::string_view(reinterpret_cast<char*>(digest), dlen));
}

Result<std::string> RsaKey::Sign(std::string_view data) const {
  if (!has_private_) return InvalidArgument("key has no private part");
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t siglen = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->p) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &siglen,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return Internal("signing failed");
  }
  std::string sig(siglen, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &siglen,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return Internal("signing failed");
  }
  sig.resize(siglen);
  return sig;
}

bool RsaKey::Verify(std::string_view data, std::string_view signature) const {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->p) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

Result<std::string> SignRs256(const RsaKey& key, std::string_view header_json,
                              std::string_view claims_json) {
  std::string input = base64::EncodeUrl(header_json) + "." + base64::EncodeUrl(claims_json);
  VS_ASSIGN_OR_RETURN(std::string sig, key.Sign(input));
  return input + "." + base64::EncodeUrl(sig);
}

Result<Parsed> ParseUnverified(std::string_view token) {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      token.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgument("token is not a compact JWS (three dot-separated parts)");
  }
  auto header = base64::DecodeUrl(token.substr(0, d1));
  auto claims = base64::DecodeUrl(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64::DecodeUrl(token.substr(d2 + 1));
  if (!header || !claims || !sig) return InvalidArgument("token part is not base64url");
  Parsed p;
  p.header_json = std::move(*header);
  p.claims_json = std::move(*claims);
  p.signing_input = std::string(token.substr(0, d2));
  p.signature = std::move(*sig);
  return p;
}

bool VerifyRs256(std::string_view token, const RsaKey& key) {
  auto p = ParseUnverified(token);
  if (!p.ok()) return false;
  if (p->header_json.find("\"RS256\"") == std::string::npos) return false;
  return key.Verify(p->signing_input, p->signature);
}

}  // namespace vaultsync::emu::jwt
