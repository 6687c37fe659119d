// The PKI engine's paths.
#include "pki.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "go_json.h"
#include "leases.h"
#include "util/base64.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {
namespace {

constexpr char kRequireCn[] =
    "the common_name field is required, or must be provided in a CSR with "
    "\"use_csr_common_name\" set to true, unless \"require_cn\" is set to false";

std::pair<std::string, std::string> SplitPrefix(std::string_view rel) {
  size_t slash = rel.find('/');
  if (slash == std::string_view::npos) return {std::string(rel), ""};
  return {std::string(rel.substr(0, slash)), std::string(rel.substr(slash + 1))};
}

int64_t Unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Vault's hostname rule: dot-separated labels of letters, digits and inner hyphens.
bool ValidHostname(std::string_view name) {
  if (name.empty()) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// glob.Glob semantics ('*' matches any run, including dots).
bool Glob(std::string_view pattern, std::string_view s) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == s;
  if (s.substr(0, star) != pattern.substr(0, star)) return false;
  std::string_view rest = pattern.substr(star + 1);
  for (size_t i = star; i <= s.size(); ++i) {
    if (Glob(rest, s.substr(i))) return true;
  }
  return false;
}

// validateNames of Vault 1.8 (without identity templates and token display names): the
// first name the role does not allow, or "" when all pass.
std::string FirstBadName(const PkiBackend::Role& role, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::string sanitized = name;
    bool wildcard = false;
    size_t at = name.find('@');
    if (at != std::string::npos) sanitized = name.substr(at + 1);  // an email: its domain
    if (sanitized.rfind("*.", 0) == 0) {
      sanitized = sanitized.substr(2);
      wildcard = true;
    }
    (void)wildcard;
    if (role.enforce_hostnames && !ValidHostname(sanitized)) return name;
    if (role.allow_any_name) continue;
    if (role.allow_localhost && (name == "localhost" || name == "localdomain" ||
                                 (at != std::string::npos && sanitized == "localhost"))) {
      continue;
    }
    bool valid = false;
    for (const std::string& domain : role.allowed_domains) {
      if (domain.empty()) continue;
      if (role.allow_bare_domains && (name == domain || sanitized == domain)) valid = true;
      if (role.allow_subdomains) {
        std::string suffix = "." + domain;
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          valid = true;
        }
      }
      if (role.allow_glob_domains && domain.find('*') != std::string::npos && Glob(domain, name)) {
        valid = true;
      }
      if (valid) break;
    }
    if (!valid) return name;
  }
  return "";
}

json::Value StringArray(const std::vector<std::string>& items, json::Document::AllocatorType& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& s : items) arr.PushBack(json::StringValue(s, a), a);
  return arr;
}

std::string RoleJson(const PkiBackend::Role& r) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto b = [&](const char* k, bool v) { d.AddMember(rapidjson::StringRef(k), json::Value(v), a); };
  auto n = [&](const char* k, int64_t v) {
    d.AddMember(rapidjson::StringRef(k), json::Value(static_cast<int64_t>(v)), a);
  };
  auto l = [&](const char* k, const std::vector<std::string>& v) {
    d.AddMember(rapidjson::StringRef(k), StringArray(v, a), a);
  };
  n("ttl", Seconds(r.ttl));
  n("max_ttl", Seconds(r.max_ttl));
  b("allow_localhost", r.allow_localhost);
  l("allowed_domains", r.allowed_domains);
  b("allowed_domains_template", r.allowed_domains_template);
  b("allow_bare_domains", r.allow_bare_domains);
  b("allow_token_displayname", false);
  b("allow_subdomains", r.allow_subdomains);
  b("allow_glob_domains", r.allow_glob_domains);
  b("allow_any_name", r.allow_any_name);
  b("enforce_hostnames", r.enforce_hostnames);
  b("allow_ip_sans", r.allow_ip_sans);
  b("server_flag", r.server_flag);
  b("client_flag", r.client_flag);
  b("code_signing_flag", r.code_signing_flag);
  b("email_protection_flag", r.email_protection_flag);
  b("use_csr_common_name", r.use_csr_common_name);
  b("use_csr_sans", r.use_csr_sans);
  d.AddMember("key_type", json::StringValue(r.key_type, a), a);
  n("key_bits", r.key_bits);
  l("key_usage", r.key_usage);
  l("ext_key_usage", r.ext_key_usage);
  l("ext_key_usage_oids", r.ext_key_usage_oids);
  l("ou", r.ou);
  l("organization", r.organization);
  l("country", r.country);
  l("locality", r.locality);
  l("province", r.province);
  l("street_address", r.street_address);
  l("postal_code", r.postal_code);
  b("no_store", r.no_store);
  l("allowed_other_sans", r.allowed_other_sans);
  l("allowed_serial_numbers", r.allowed_serial_numbers);
  l("allowed_uri_sans", r.allowed_uri_sans);
  b("require_cn", r.require_cn);
  l("policy_identifiers", r.policy_identifiers);
  b("basic_constraints_valid_for_non_ca", r.basic_constraints_valid_for_non_ca);
  n("not_before_duration", Seconds(r.not_before_duration));
  b("generate_lease", r.generate_lease);
  return GoJson(d);
}

// Vault's error for an unsupported key size or type, checked when a role is written and
// when a root is generated.
Status ValidateKey(std::string& type, int64_t& bits) {
  if (type == "rsa") {
    if (bits == 0) bits = 2048;
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      return InvalidArgument("unsupported bit length for RSA key: " + std::to_string(bits));
    }
  } else if (type == "ec") {
    if (bits == 0) bits = 256;
    if (bits != 224 && bits != 256 && bits != 384 && bits != 521) {
      return InvalidArgument("unsupported bit length for EC key: " + std::to_string(bits));
    }
  } else {
    return InvalidArgument("unknown key type " + type);
  }
  return Status::Ok();
}

std::string NormalizeSerial(std::string serial) {
  std::transform(serial.begin(), serial.end(), serial.begin(), [](unsigned char ch) {
    return ch == '-' ? ':' : static_cast<char>(std::tolower(ch));
  });
  return serial;
}

}  // namespace

Duration PkiBackend::MountDefault() const { return MountDefaultTtl(s_, mount_); }
Duration PkiBackend::MountMax() const { return MountMaxTtl(s_, mount_); }

std::string PkiBackend::NewSerial() {
  // certutil.GenerateSerialNumber: a random number below 2^159, so 20 bytes or fewer.
  std::string bytes = s_.ids.RandomBytes(20);
  bytes[0] = static_cast<char>(bytes[0] & 0x7f);
  size_t lead = bytes.find_first_not_of('\0');
  return lead == std::string::npos ? std::string(1, '\x01') : bytes.substr(lead);
}

bool PkiBackend::Exists(std::string_view rel) const {
  auto [prefix, name] = SplitPrefix(rel);
  if (prefix == "roles") return roles_.count(name) > 0;
  return true;
}

bool PkiBackend::Unauthenticated(std::string_view rel) const {
  return rel == "ca" || rel == "ca/pem" || rel == "ca_chain" || rel == "crl" || rel == "crl/pem" ||
         rel.rfind("cert/", 0) == 0;
}

Reply PkiBackend::Handle(Call& c) {
  std::string rel = c.rel;
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  if (rel == "root/generate/internal" || rel == "root/generate/exported") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return GenerateRoot(c, rel == "root/generate/exported");
  }
  if (rel == "root") {
    if (c.op != Op::kDelete) return Unsupported();
    ca_key_.reset();
    ca_cert_.reset();
    ca_serial_.clear();
    return NoContent();
  }
  auto [prefix, name] = SplitPrefix(rel);
  if (prefix == "roles") return RoleOp(c, name);
  if (prefix == "issue" && !name.empty()) {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return Issue(c, name);
  }
  if (rel == "revoke") {
    if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
    return Revoke(c);
  }
  if (prefix == "certs" && name.empty()) {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [serial, issued] : certs_) {
      std::string k = serial;
      std::replace(k.begin(), k.end(), ':', '-');
      keys.push_back(k);
    }
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  if (rel == "ca" || rel == "ca/pem" || prefix == "cert") {
    if (c.op != Op::kRead) return Unsupported();
    return Fetch(c, rel);
  }
  return Error(404, {MultiError("unsupported path")});
}

Reply PkiBackend::GenerateRoot(Call& c, bool exported) {
  if (ca_cert_) {
    Reply r;
    r.status = 200;
    r.envelope.emplace();
    r.envelope->warnings.push_back(
        "Refusing to generate a root certificate over an existing root certificate. If you "
        "really want to destroy the original root certificate, please issue a delete against " +
        mount_ + "root.");
    return r;
  }
  std::string cn, format = "pem", key_format, alt_names, ip_sans, key_type = "rsa";
  int64_t key_bits = 0;
  Duration ttl{0};
  for (Status st :
       {BodyString(c, "common_name", cn), BodyString(c, "format", format),
        BodyString(c, "private_key_format", key_format), BodyString(c, "key_type", key_type),
        BodyInt(c, "key_bits", key_bits), BodyDuration(c, "ttl", ttl)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (format != "pem" && format != "der" && format != "pem_bundle") {
    return Error(400, {"the \"format\" path parameter must be \"pem\", \"der\" or \"pem_bundle\""});
  }
  if (Status st = ValidateKey(key_type, key_bits); !st.ok()) return Error(400, {st.message()});
  if (cn.empty()) return Error(400, {kRequireCn});
  std::vector<std::string> alt, ips;
  for (Status st : {BodyStringList(c, "alt_names", alt), BodyStringList(c, "ip_sans", ips)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  Duration max = MountMax();
  if (ttl.count() == 0) ttl = MountDefault();
  if (ttl > max) ttl = max;
  TimePoint now = s_.clock.Now();
  auto key = x509::GenerateKey(key_type, static_cast<int>(key_bits));
  if (!key.ok()) return Error(400, {key.status().message()});
  x509::CertSpec spec;
  spec.common_name = cn;
  spec.dns_names = alt;
  if (!IsIp(cn)) spec.dns_names.insert(spec.dns_names.begin(), cn);
  spec.ip_addresses = ips;
  spec.not_before = now - std::chrono::seconds(30);
  spec.not_after = now + std::chrono::duration_cast<std::chrono::seconds>(ttl);
  spec.serial = NewSerial();
  spec.is_ca = true;
  auto cert = x509::Issue(spec, key->get(), nullptr, key->get());
  if (!cert.ok()) return Error(500, {cert.status().message()});
  ca_key_ = std::move(key).value();
  ca_cert_ = std::move(cert).value();
  ca_serial_ = x509::SerialText(ca_cert_.get());
  Issued stored;
  stored.cert.reset(X509_dup(ca_cert_.get()));
  certs_[ca_serial_] = std::move(stored);

  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  std::string pem = x509::CertPem(ca_cert_.get());
  std::string cert_text = format == "der" ? base64::Encode(x509::CertDer(ca_cert_.get())) : pem;
  d.AddMember("certificate", json::StringValue(cert_text, a), a);
  d.AddMember("issuing_ca", json::StringValue(cert_text, a), a);
  d.AddMember("expiration", json::Value(static_cast<int64_t>(Unix(x509::NotAfter(ca_cert_.get())))),
              a);
  d.AddMember("serial_number", json::StringValue(ca_serial_, a), a);
  if (exported) {
    bool pkcs8 = key_format == "pkcs8";
    auto k =
        format == "der" ? x509::KeyDer(ca_key_.get(), pkcs8) : x509::KeyPem(ca_key_.get(), pkcs8);
    if (!k.ok()) return Error(500, {k.status().message()});
    std::string key_text = format == "der" ? base64::Encode(*k) : *k;
    d.AddMember("private_key", json::StringValue(key_text, a), a);
    d.AddMember("private_key_type", json::StringValue(x509::KeyType(ca_key_.get()), a), a);
    if (format == "pem_bundle") {
      std::string bundle = key_text + "\n" + pem;
      d["certificate"].SetString(bundle.data(), static_cast<rapidjson::SizeType>(bundle.size()), a);
    }
  }
  return Data(d);
}

Reply PkiBackend::RoleOp(Call& c, const std::string& name) {
  if (name.empty()) {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [k, v] : roles_) keys.push_back(k);
    if (keys.empty()) return Error(404, {});
    return DataJson("{\"keys\":" + GoStringList(keys) + "}");
  }
  switch (c.op) {
    case Op::kRead: {
      auto it = roles_.find(name);
      if (it == roles_.end()) return Error(404, {});
      return DataJson(RoleJson(it->second));
    }
    case Op::kCreate:
    case Op::kUpdate: {
      // Vault 1.8 rebuilds the role from the request (unset fields take their defaults).
      Role r;
      for (Status st :
           {BodyDuration(c, "ttl", r.ttl),
            BodyDuration(c, "max_ttl", r.max_ttl),
            BodyBool(c, "allow_localhost", r.allow_localhost),
            BodyStringList(c, "allowed_domains", r.allowed_domains),
            BodyBool(c, "allowed_domains_template", r.allowed_domains_template),
            BodyBool(c, "allow_bare_domains", r.allow_bare_domains),
            BodyBool(c, "allow_subdomains", r.allow_subdomains),
            BodyBool(c, "allow_glob_domains", r.allow_glob_domains),
            BodyBool(c, "allow_any_name", r.allow_any_name),
            BodyBool(c, "enforce_hostnames", r.enforce_hostnames),
            BodyBool(c, "allow_ip_sans", r.allow_ip_sans),
            BodyStringList(c, "allowed_uri_sans", r.allowed_uri_sans),
            BodyStringList(c, "allowed_other_sans", r.allowed_other_sans),
            BodyStringList(c, "allowed_serial_numbers", r.allowed_serial_numbers),
            BodyBool(c, "server_flag", r.server_flag),
            BodyBool(c, "client_flag", r.client_flag),
            BodyBool(c, "code_signing_flag", r.code_signing_flag),
            BodyBool(c, "email_protection_flag", r.email_protection_flag),
            BodyString(c, "key_type", r.key_type),
            BodyInt(c, "key_bits", r.key_bits),
            BodyStringList(c, "key_usage", r.key_usage),
            BodyStringList(c, "ext_key_usage", r.ext_key_usage),
            BodyStringList(c, "ext_key_usage_oids", r.ext_key_usage_oids),
            BodyBool(c, "use_csr_common_name", r.use_csr_common_name),
            BodyBool(c, "use_csr_sans", r.use_csr_sans),
            BodyStringList(c, "ou", r.ou),
            BodyStringList(c, "organization", r.organization),
            BodyStringList(c, "country", r.country),
            BodyStringList(c, "locality", r.locality),
            BodyStringList(c, "province", r.province),
            BodyStringList(c, "street_address", r.street_address),
            BodyStringList(c, "postal_code", r.postal_code),
            BodyBool(c, "generate_lease", r.generate_lease),
            BodyBool(c, "no_store", r.no_store),
            BodyBool(c, "require_cn", r.require_cn),
            BodyStringList(c, "policy_identifiers", r.policy_identifiers),
            BodyBool(c, "basic_constraints_valid_for_non_ca", r.basic_constraints_valid_for_non_ca),
            BodyDuration(c, "not_before_duration", r.not_before_duration)}) {
        if (!st.ok()) return Error(400, {st.message()});
      }
      if (r.max_ttl.count() > 0 && r.ttl > r.max_ttl) {
        return Error(400, {"\"ttl\" value must be less than \"max_ttl\" value"});
      }
      // Unlike root generation, a role keeps key_bits' default of 2048 for EC too, which
      // Vault 1.8 then refuses: EC roles must name their key_bits.
      std::string type = r.key_type;
      int64_t bits = r.key_bits;
      if (Status st = ValidateKey(type, bits); !st.ok()) return Error(400, {st.message()});
      if (r.no_store) r.generate_lease = false;
      roles_[name] = std::move(r);
      return NoContent();
    }
    case Op::kDelete:
      roles_.erase(name);
      return NoContent();
    case Op::kList:
      return Unsupported();
  }
  return Unsupported();
}

Reply PkiBackend::Issue(Call& c, const std::string& role_name) {
  auto role_it = roles_.find(role_name);
  if (role_it == roles_.end()) return Error(400, {"unknown role: " + role_name});
  const Role& role = role_it->second;
  std::string format = "pem", key_format, cn;
  bool exclude_cn = false;
  Duration ttl{0};
  std::vector<std::string> alt, ips, uris;
  for (Status st :
       {BodyString(c, "format", format), BodyString(c, "private_key_format", key_format),
        BodyString(c, "common_name", cn), BodyBool(c, "exclude_cn_from_sans", exclude_cn),
        BodyDuration(c, "ttl", ttl), BodyStringList(c, "alt_names", alt),
        BodyStringList(c, "ip_sans", ips), BodyStringList(c, "uri_sans", uris)}) {
    if (!st.ok()) return Error(400, {st.message()});
  }
  if (format != "pem" && format != "der" && format != "pem_bundle") {
    return Error(400, {"the \"format\" path parameter must be \"pem\", \"der\" or \"pem_bundle\""});
  }
  if (!ca_cert_) {
    return Error(400, {"could not fetch the CA certificate (was one set?): backend must be "
                       "configured with a CA certificate/key"});
  }
  if (cn.empty() && role.require_cn) return Error(400, {kRequireCn});
  if (!cn.empty()) {
    std::string bad = FirstBadName(role, {cn});
    if (!bad.empty()) return Error(400, {"common name " + bad + " not allowed by this role"});
  }
  std::vector<std::string> alt_dns, emails;
  for (const auto& name : alt) {
    (name.find('@') != std::string::npos ? emails : alt_dns).push_back(name);
  }
  std::string bad = FirstBadName(role, alt_dns);
  if (!bad.empty()) {
    return Error(400, {"subject alternate name " + bad + " not allowed by this role"});
  }
  bad = FirstBadName(role, emails);
  if (!bad.empty()) return Error(400, {"email " + bad + " not allowed by this role"});
  std::vector<std::string> dns;
  if (!cn.empty() && !exclude_cn && cn.find('@') == std::string::npos && !IsIp(cn)) {
    dns.push_back(cn);
  }
  dns.insert(dns.end(), alt_dns.begin(), alt_dns.end());
  if (!ips.empty()) {
    if (!role.allow_ip_sans) {
      std::string shown = "[";
      for (size_t i = 0; i < ips.size(); ++i) shown += (i ? " " : "") + ips[i];
      return Error(400, {"IP Subject Alternative Names are not allowed in this role, but was "
                         "provided " +
                         shown + "]"});
    }
    for (const auto& ip : ips) {
      if (!IsIp(ip)) return Error(400, {"the value \"" + ip + "\" is not a valid IP address"});
    }
  }
  if (!uris.empty()) {
    if (role.allowed_uri_sans.empty()) {
      return Error(400, {"URI Subject Alternative Names are not allowed in this role, but were "
                         "provided via the API"});
    }
    for (const auto& u : uris) {
      bool ok = std::any_of(role.allowed_uri_sans.begin(), role.allowed_uri_sans.end(),
                            [&](const std::string& p) { return Glob(p, u); });
      if (!ok) {
        return Error(400, {"URI Subject Alternative Names were provided via the API but are not "
                           "allowed by this role"});
      }
    }
  }
  // The TTL: the request's, else the role's, else the mount's default; capped by the role's
  // max TTL (else the mount's) and never past the mount's max.
  if (ttl.count() == 0) ttl = role.ttl;
  if (ttl.count() == 0) ttl = MountDefault();
  Duration max = role.max_ttl.count() > 0 ? std::min(role.max_ttl, MountMax()) : MountMax();
  if (ttl > max) ttl = max;
  TimePoint now = s_.clock.Now();
  TimePoint not_after = now + std::chrono::duration_cast<std::chrono::seconds>(ttl);
  TimePoint ca_not_after = x509::NotAfter(ca_cert_.get());
  if (not_after > ca_not_after) {
    return Error(400, {"cannot satisfy request, as TTL would result in notAfter " +
                       FormatRfc3339Nano(not_after) +
                       " that is beyond the expiration of the CA certificate at " +
                       FormatRfc3339Nano(ca_not_after)});
  }
  auto key = x509::GenerateKey(role.key_type, static_cast<int>(role.key_bits));
  if (!key.ok()) return Error(400, {key.status().message()});
  x509::CertSpec spec;
  spec.common_name = cn;
  spec.dns_names = dns;
  spec.ip_addresses = ips;
  spec.uris = uris;
  spec.not_before = now - role.not_before_duration;
  spec.not_after = not_after;
  spec.serial = NewSerial();
  spec.server_auth = role.server_flag;
  spec.client_auth = role.client_flag;
  auto cert = x509::Issue(spec, key->get(), ca_cert_.get(), ca_key_.get());
  if (!cert.ok()) return Error(500, {cert.status().message()});
  std::string serial = x509::SerialText(cert->get());

  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  bool pkcs8 = key_format == "pkcs8";
  std::string cert_pem = x509::CertPem(cert->get());
  std::string ca_pem = x509::CertPem(ca_cert_.get());
  auto key_text =
      format == "der" ? x509::KeyDer(key->get(), pkcs8) : x509::KeyPem(key->get(), pkcs8);
  if (!key_text.ok()) return Error(500, {key_text.status().message()});
  if (format == "der") {
    d.AddMember("certificate", json::StringValue(base64::Encode(x509::CertDer(cert->get())), a), a);
    d.AddMember("issuing_ca", json::StringValue(base64::Encode(x509::CertDer(ca_cert_.get())), a),
                a);
    d.AddMember("private_key", json::StringValue(base64::Encode(*key_text), a), a);
  } else {
    // pem_bundle: the key, then the certificate, then the issuing CA, in one PEM string.
    std::string bundle = *key_text + "\n" + cert_pem + "\n" + ca_pem;
    d.AddMember("certificate", json::StringValue(format == "pem" ? cert_pem : bundle, a), a);
    d.AddMember("issuing_ca", json::StringValue(ca_pem, a), a);
    d.AddMember("private_key", json::StringValue(*key_text, a), a);
  }
  // A certificate issued straight from a root has no ca_chain in 1.8: GetCAChain leaves
  // the root authority out.
  d.AddMember("private_key_type", json::StringValue(x509::KeyType(key->get()), a), a);
  d.AddMember("serial_number", json::StringValue(serial, a), a);
  d.AddMember("expiration", json::Value(static_cast<int64_t>(Unix(x509::NotAfter(cert->get())))),
              a);
  if (!role.no_store) {
    Issued stored;
    stored.cert = std::move(cert).value();
    certs_[serial] = std::move(stored);
  }
  return Data(d);
}

Reply PkiBackend::Revoke(Call& c) {
  std::string serial;
  if (Status st = BodyString(c, "serial_number", serial); !st.ok()) {
    return Error(400, {st.message()});
  }
  if (serial.empty()) return Error(400, {"The serial number must be provided"});
  serial = NormalizeSerial(serial);
  if (!ca_serial_.empty() && serial == ca_serial_) {
    return Error(400, {"adding CA to CRL is not allowed"});
  }
  auto it = certs_.find(serial);
  if (it == certs_.end()) return Error(400, {"certificate with serial " + serial + " not found"});
  Issued& issued = it->second;
  TimePoint now = s_.clock.Now();
  if (!issued.revoked_at) {
    if (x509::NotAfter(issued.cert.get()) < now) return NoContent();  // expired: nothing to do
    issued.revoked_at = now;
    issued.revocation_time = Unix(now);
  }
  return DataJson("{\"revocation_time\":" + std::to_string(issued.revocation_time) +
                  ",\"revocation_time_rfc3339\":" + GoQuote(FormatRfc3339Nano(*issued.revoked_at)) +
                  "}");
}

Reply PkiBackend::Fetch(Call&, const std::string& what) {
  if (what == "ca" || what == "ca/pem") {
    // Raw answers: the CA in DER or PEM (no trailing newline), 204-free even without a CA.
    Reply r;
    r.status = 200;
    r.response.status = 200;
    r.response.headers.emplace_back("Cache-Control", "no-store");
    r.response.headers.emplace_back("Content-Type", "application/pkix-cert");
    if (ca_cert_) {
      r.response.body =
          what == "ca" ? x509::CertDer(ca_cert_.get()) : x509::CertPem(ca_cert_.get());
    }
    return r;
  }
  std::string serial = NormalizeSerial(what.substr(std::string("cert/").size()));
  X509* cert = nullptr;
  int64_t revoked = 0;
  if (serial == "ca") {
    cert = ca_cert_.get();
  } else if (auto it = certs_.find(serial); it != certs_.end()) {
    cert = it->second.cert.get();
    revoked = it->second.revocation_time;
  }
  if (cert == nullptr) return Error(404, {});
  return DataJson("{\"certificate\":" + GoQuote(x509::CertPem(cert)) +
                  ",\"revocation_time\":" + std::to_string(revoked) + "}");
}

}  // namespace vaultsync::vaultemu
