// The lease table and sys/leases/*.
#include "leases.h"

#include "go_json.h"
#include "state.h"
#include "token_store.h"
#include "util/json.h"
#include "util/time_format.h"

namespace vaultsync::vaultemu {
namespace {

Duration TruncateToSeconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

TimePoint TruncateToSeconds(TimePoint t) {
  return TimePoint(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()));
}

// Go's int64(d.Seconds()): toward zero.
int64_t WholeSeconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

std::string LeaseIdParam(const Call& c) {
  std::string id;
  (void)BodyString(c, "lease_id", id);
  return id;
}

Reply Lookup(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  std::string id = LeaseIdParam(c);
  if (id.empty()) return Error(400, {"lease_id must be specified"});
  TimePoint now = s.clock.Now();
  Lease* l = s.leases.Find(id, now);
  if (l == nullptr) return Error(400, {"invalid lease"});
  std::string out = "{\"expire_time\":" + GoQuote(FormatRfc3339Nano(l->expire_time));
  out += ",\"id\":" + GoQuote(l->id);
  out += ",\"issue_time\":" + GoQuote(FormatRfc3339Nano(l->issue_time));
  out += ",\"last_renewal\":" +
         (l->last_renewal ? GoQuote(FormatRfc3339Nano(*l->last_renewal)) : std::string("null"));
  out += std::string(",\"renewable\":") + (l->renewable ? "true" : "false");
  out += ",\"ttl\":" + std::to_string(WholeSeconds(l->expire_time - now)) + "}";
  return DataJson(out);
}

Reply Renew(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  std::string id = LeaseIdParam(c);
  if (id.empty()) return Error(400, {"lease_id must be specified"});
  Duration increment{0};
  if (Status st = BodyDuration(c, "increment", increment); !st.ok()) {
    return Error(400, {st.message()});
  }
  TimePoint now = s.clock.Now();
  Lease* l = s.leases.Find(id, now);
  if (l == nullptr) return Error(400, {"lease not found or lease is not renewable"});
  if (!l->renewable) return Error(400, {"lease is not renewable"});
  auto granted =
      CalculateTtl(s, l->mount_path, increment, l->default_ttl, l->max_ttl, l->issue_time);
  if (!granted.ok()) return Error(400, {granted.status().message()});
  l->expire_time = now + granted->ttl;
  l->last_renewal = now;
  Reply r;
  r.status = 200;
  r.envelope.emplace();
  r.envelope->lease_id = l->id;
  r.envelope->renewable = l->renewable;
  r.envelope->lease_duration = WholeSeconds(granted->ttl);
  r.envelope->warnings = std::move(granted->warnings);
  return r;
}

Reply Revoke(State& s, Call& c) {
  if (c.op != Op::kCreate && c.op != Op::kUpdate) return Unsupported();
  std::string id = LeaseIdParam(c);
  if (id.empty()) return Error(400, {"invalid request"});
  s.leases.Expire(s.clock.Now());
  s.leases.Revoke(id);  // an unknown lease is no error, as in Vault
  return NoContent();
}

}  // namespace

const Lease& LeaseTable::Add(Lease lease) {
  ++issued_[lease.issued_path];
  std::string id = lease.id;
  return leases_[id] = std::move(lease);
}

Lease* LeaseTable::Find(std::string_view id, TimePoint now) {
  Expire(now);
  auto it = leases_.find(id);
  return it == leases_.end() ? nullptr : &it->second;
}

bool LeaseTable::Revoke(std::string_view id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return false;
  leases_.erase(it);
  ++revoked_;
  return true;
}

void LeaseTable::Expire(TimePoint now) {
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (it->second.expire_time <= now) {
      it = leases_.erase(it);
      ++expired_;
    } else {
      ++it;
    }
  }
}

Duration MountDefaultTtl(const State& s, std::string_view mount_path) {
  for (const auto& m : s.mounts.all()) {
    if (m->path == mount_path && m->default_lease_ttl.count() > 0) return m->default_lease_ttl;
  }
  return kSystemMaxTtl;
}

Duration MountMaxTtl(const State& s, std::string_view mount_path) {
  for (const auto& m : s.mounts.all()) {
    if (m->path == mount_path && m->max_lease_ttl.count() > 0) return m->max_lease_ttl;
  }
  return kSystemMaxTtl;
}

Result<GrantedTtl> CalculateTtl(const State& s, std::string_view mount_path, Duration increment,
                                Duration backend_ttl, Duration backend_max_ttl,
                                TimePoint start_time) {
  TimePoint now = TruncateToSeconds(s.clock.Now());
  start_time = TruncateToSeconds(start_time);
  Duration max_ttl = MountMaxTtl(s, mount_path);
  if (backend_max_ttl.count() > 0 && backend_max_ttl < max_ttl) max_ttl = backend_max_ttl;
  GrantedTtl g;
  if (increment.count() > 0) {
    g.ttl = increment;
  } else if (backend_ttl.count() > 0) {
    g.ttl = backend_ttl;
  } else {
    g.ttl = MountDefaultTtl(s, mount_path);
  }
  Duration max_valid = (start_time + max_ttl) - now;
  if (max_valid.count() <= 0) return InvalidArgument("past the max TTL, cannot renew");
  if (max_valid < g.ttl) {
    g.warnings.push_back("TTL of \"" + HumanDuration(TruncateToSeconds(g.ttl)) +
                         "\" exceeded the effective max_ttl of \"" +
                         HumanDuration(TruncateToSeconds(max_valid)) +
                         "\"; TTL value is capped accordingly");
    g.ttl = max_valid;
  }
  return g;
}

Reply HandleSysLeases(State& s, Call& c, std::string_view sub) {
  while (!sub.empty() && sub.back() == '/') sub.remove_suffix(1);
  if (sub == "lookup") return Lookup(s, c);
  if (sub == "renew") return Renew(s, c);
  if (sub == "revoke") return Revoke(s, c);
  return Error(404, {MultiError("unsupported path")});
}

std::string RenderLeaseControl(State& s) {
  TimePoint now = s.clock.Now();
  s.leases.Expire(now);
  std::string out = "{\"issued\":{";
  bool first = true;
  for (const auto& [path, n] : s.leases.issued()) {
    if (!first) out += ",";
    first = false;
    out += json::Quote(path) + ":" + std::to_string(n);
  }
  out += "},\"revoked\":" + std::to_string(s.leases.revoked());
  out += ",\"expired\":" + std::to_string(s.leases.expired()) + ",\"leases\":[";
  first = true;
  for (const auto& [id, l] : s.leases.all()) {
    if (!first) out += ",";
    first = false;
    out += "{\"lease_id\":" + json::Quote(id);
    out += ",\"issue_time\":" + json::Quote(FormatRfc3339Nano(l.issue_time));
    out += ",\"expire_time\":" + json::Quote(FormatRfc3339Nano(l.expire_time));
    out += ",\"ttl\":" + std::to_string(WholeSeconds(l.expire_time - now));
    out += std::string(",\"renewable\":") + (l.renewable ? "true" : "false") + "}";
  }
  return out + "]}";
}

}  // namespace vaultsync::vaultemu
