// Implementations of the lease and certificate fakes.
#include "dynamic_fakes.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "controller/certificate_pem.h"

namespace vaultsync::controller::testing {
namespace {

using std::chrono::seconds;

seconds Left(TimePoint end, TimePoint now) {
  return std::chrono::duration_cast<seconds>(end - now);
}

time_t Unix(TimePoint t) {
  return static_cast<time_t>(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
}

EVP_PKEY* NewKey() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); }

std::string Pem(X509* x) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* p = nullptr;
  long n = BIO_get_mem_data(b, &p);
  std::string out(p, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

std::string KeyPem(EVP_PKEY* k, bool pkcs1) {
  BIO* b = BIO_new(BIO_s_mem());
  if (pkcs1) {
    PEM_write_bio_PrivateKey_traditional(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PKCS8PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  }
  char* p = nullptr;
  long n = BIO_get_mem_data(b, &p);
  std::string out(p, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

X509* NewCert(EVP_PKEY* key, EVP_PKEY* signer, X509* issuer, const std::string& cn, long serial,
              TimePoint not_before, TimePoint not_after) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  ASN1_TIME_set(X509_getm_notBefore(x), Unix(not_before));
  ASN1_TIME_set(X509_getm_notAfter(x), Unix(not_after));
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_sign(x, signer, EVP_sha256());
  return x;
}

}  // namespace

Result<LeasedCredentials> FakeLeaseSource::Read(const VaultIdentity&,
                                                const LeasedReadRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  ++reads;
  requests.push_back(request);
  const TimePoint now = clock_->Now();
  LeasedCredentials out;
  const std::string n = std::to_string(reads);
  out.entries = {{"password", true, "pw-" + n}, {"username", true, "user-" + n}};
  seconds granted = std::min(ttl, max_ttl);
  out.lease_duration = granted;
  if (!with_lease) return out;
  out.lease_id = request.mount + "/" + request.path + "/lease-" + n;
  out.renewable = renewable;
  leases_[out.lease_id] = Lease{now, now + granted};
  last_id_ = out.lease_id;
  return out;
}

Result<LeaseLookupResult> FakeLeaseSource::Lookup(const VaultIdentity&,
                                                  const std::string& lease_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  ++lookups;
  const TimePoint now = clock_->Now();
  auto it = leases_.find(lease_id);
  if (it == leases_.end() || it->second.expire <= now) {
    return Status(StatusCode::kNotFound, "lease " + lease_id + " is unknown to Vault", 400);
  }
  return LeaseLookupResult{Left(it->second.expire, now), renewable};
}

Result<LeaseRenewResult> FakeLeaseSource::Renew(const VaultIdentity&, const std::string& lease_id,
                                                seconds increment) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  ++renewals;
  increments.push_back(increment);
  const TimePoint now = clock_->Now();
  auto it = leases_.find(lease_id);
  if (it == leases_.end() || it->second.expire <= now) {
    return Status(StatusCode::kNotFound, "lease not found or lease is not renewable", 400);
  }
  if (!renewable) return Status(StatusCode::kFailedPrecondition, "lease is not renewable", 400);
  seconds want = increment.count() > 0 ? increment : ttl;
  seconds left = Left(it->second.issued + max_ttl, now);
  if (left.count() <= 0) {
    return Status(StatusCode::kFailedPrecondition, "past the max TTL, cannot renew", 400);
  }
  seconds granted = std::min(want, left);
  it->second.expire = now + granted;
  return LeaseRenewResult{granted, true};
}

Status FakeLeaseSource::Revoke(const VaultIdentity&, const std::string& lease_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  if (!refuse_revoke.ok()) return refuse_revoke;
  revoked.push_back(lease_id);
  leases_.erase(lease_id);
  return Status::Ok();
}

bool FakeLeaseSource::Alive(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = leases_.find(id);
  return it != leases_.end() && it->second.expire > clock_->Now();
}

struct FakeCertificateSource::Ca {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string pem;
  long next_serial = 4096;
};

FakeCertificateSource::FakeCertificateSource(const Clock* clock) : clock_(clock), ca_(new Ca) {
  ca_->key = NewKey();
  const TimePoint now = clock_->Now();
  ca_->cert = NewCert(ca_->key, ca_->key, nullptr, "Fake Root CA", 1, now - std::chrono::hours(1),
                      now + std::chrono::hours(24 * 3650));
  ca_->pem = Pem(ca_->cert);
}

FakeCertificateSource::~FakeCertificateSource() {
  X509_free(ca_->cert);
  EVP_PKEY_free(ca_->key);
  delete ca_;
}

Result<IssuedCertificateData> FakeCertificateSource::Issue(const VaultIdentity&,
                                                           const CertificateIssueRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  ++issued;
  requests.push_back(request);
  const TimePoint now = clock_->Now();
  seconds ttl = std::min(request.ttl.value_or(role_ttl), role_max_ttl);
  EVP_PKEY* key = NewKey();
  X509* x = NewCert(key, ca_->key, ca_->cert, request.common_name, ca_->next_serial++,
                    now - seconds(30), now + ttl);
  IssuedCertificateData out;
  out.certificate = Pem(x);
  out.issuing_ca = ca_->pem;
  out.ca_chain = chain;
  out.private_key = KeyPem(key, request.pkcs1);
  out.serial_number = ParseFirstCertificate(out.certificate)->serial_number;
  serials.push_back(out.serial_number);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

Status FakeCertificateSource::Revoke(const VaultIdentity&, const std::string&,
                                     const std::string& serial_number) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!down.ok()) return down;
  revoked.push_back(serial_number);
  return Status::Ok();
}

void MergePatch(json::Value& target, const json::Value& patch, json::Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
    if (it->value.IsNull()) {
      target.RemoveMember(it->name);
      continue;
    }
    auto existing = target.FindMember(it->name);
    if (existing == target.MemberEnd()) {
      json::Value name(it->name, a);
      json::Value value(rapidjson::kObjectType);
      MergePatch(value, it->value, a);
      target.AddMember(name, value, a);
    } else {
      MergePatch(existing->value, it->value, a);
    }
  }
}

}  // namespace vaultsync::controller::testing
