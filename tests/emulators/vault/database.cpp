// The database engine's config/, roles/ and creds/ paths.
#include "database.h"

#include <algorithm>
#include <set>

#include "go_json.h"
#include "leases.h"

namespace vaultsync::vaultemu {
namespace {

std::pair<std::string, std::string> SplitPrefix(std::string_view rel) {
  size_t slash = rel.find('/');
  if (slash == std::string_view::npos) return {std::string(rel), ""};
  return {std::string(rel.substr(0, slash)), std::string(rel.substr(slash + 1))};
}

Reply ListOf(const std::vector<std::string>& keys) {
  if (keys.empty()) return Error(404, {});
  return DataJson("{\"keys\":" + GoStringList(keys) + "}");
}

// strutil.StrListContainsGlob: "*" anywhere in an entry matches any run of characters.
bool GlobMatch(std::string_view pattern, std::string_view s) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == s;
  if (s.substr(0, star) != pattern.substr(0, star)) return false;
  std::string_view rest = pattern.substr(star + 1);
  for (size_t i = star; i <= s.size(); ++i) {
    if (GlobMatch(rest, s.substr(i))) return true;
  }
  return false;
}

std::string Truncate(std::string_view s, size_t n) { return std::string(s.substr(0, n)); }

}  // namespace

bool DatabaseBackend::Exists(std::string_view rel) const {
  auto [prefix, name] = SplitPrefix(rel);
  if (prefix == "config") return connections_.count(name) > 0;
  if (prefix == "roles") return roles_.count(name) > 0;
  return true;
}

Reply DatabaseBackend::Handle(Call& c) {
  auto [prefix, name] = SplitPrefix(c.rel);
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (prefix == "config") return Config(c, name);
  if (prefix == "roles") return RoleOp(c, name);
  if (prefix == "creds" && !name.empty()) return Creds(c, name);
  return Error(404, {MultiError("unsupported path")});
}

Reply DatabaseBackend::Config(Call& c, const std::string& name) {
  if (name.empty()) {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [k, v] : connections_) keys.push_back(k);
    return ListOf(keys);
  }
  switch (c.op) {
    case Op::kRead: {
      auto it = connections_.find(name);
      if (it == connections_.end()) return Error(404, {});
      const Connection& conn = it->second;
      std::string details = "{\"connection_url\":" + GoQuote(conn.connection_url);
      if (!conn.username.empty()) details += ",\"username\":" + GoQuote(conn.username);
      details += "}";
      return DataJson("{\"allowed_roles\":" + GoStringList(conn.allowed_roles) +
                      ",\"connection_details\":" + details + ",\"password_policy\":\"\"" +
                      ",\"plugin_name\":" + GoQuote(conn.plugin_name) +
                      ",\"root_credentials_rotate_statements\":[]}");
    }
    case Op::kCreate:
    case Op::kUpdate: {
      Connection conn = connections_.count(name) ? connections_[name] : Connection{};
      for (Status st : {BodyString(c, "plugin_name", conn.plugin_name),
                        BodyString(c, "connection_url", conn.connection_url),
                        BodyString(c, "username", conn.username),
                        BodyStringList(c, "allowed_roles", conn.allowed_roles)}) {
        if (!st.ok()) return Error(400, {st.message()});
      }
      if (conn.plugin_name.empty()) return Error(400, {"empty plugin name"});
      connections_[name] = std::move(conn);
      return NoContent();
    }
    case Op::kDelete:
      connections_.erase(name);
      return NoContent();
    case Op::kList:
      return Unsupported();
  }
  return Unsupported();
}

Reply DatabaseBackend::RoleOp(Call& c, const std::string& name) {
  if (name.empty()) {
    if (c.op != Op::kList) return Unsupported();
    std::vector<std::string> keys;
    for (const auto& [k, v] : roles_) keys.push_back(k);
    return ListOf(keys);
  }
  switch (c.op) {
    case Op::kRead: {
      auto it = roles_.find(name);
      if (it == roles_.end()) return Error(404, {});
      const Role& r = it->second;
      std::string out = "{\"creation_statements\":" + GoStringList(r.creation_statements);
      out += ",\"db_name\":" + GoQuote(r.db_name);
      out += ",\"default_ttl\":" + std::to_string(Seconds(r.default_ttl));
      out += ",\"max_ttl\":" + std::to_string(Seconds(r.max_ttl));
      out += ",\"renew_statements\":" + GoStringList(r.renew_statements);
      out += ",\"revocation_statements\":" + GoStringList(r.revocation_statements);
      out += ",\"rollback_statements\":" + GoStringList(r.rollback_statements) + "}";
      return DataJson(out);
    }
    case Op::kCreate:
    case Op::kUpdate: {
      Role r = roles_.count(name) ? roles_[name] : Role{};
      for (Status st :
           {BodyString(c, "db_name", r.db_name), BodyDuration(c, "default_ttl", r.default_ttl),
            BodyDuration(c, "max_ttl", r.max_ttl),
            BodyStringList(c, "creation_statements", r.creation_statements),
            BodyStringList(c, "revocation_statements", r.revocation_statements),
            BodyStringList(c, "rollback_statements", r.rollback_statements),
            BodyStringList(c, "renew_statements", r.renew_statements)}) {
        if (!st.ok()) return Error(400, {st.message()});
      }
      if (r.db_name.empty()) return Error(400, {"database name is required"});
      if (r.max_ttl.count() > 0 && r.default_ttl > r.max_ttl) {
        return Error(400, {"ttl cannot be greater than max_ttl"});
      }
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

Reply DatabaseBackend::Creds(Call& c, const std::string& name) {
  if (c.op != Op::kRead) return Unsupported();
  auto role = roles_.find(name);
  if (role == roles_.end()) return Error(400, {"unknown role: " + name});
  auto conn = connections_.find(role->second.db_name);
  if (conn == connections_.end()) {
    return Error(
        500, {"failed to find entry for connection with name: \"" + role->second.db_name + "\""});
  }
  const auto& allowed = conn->second.allowed_roles;
  bool permitted = std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
    return a == "*" || GlobMatch(a, name);
  });
  if (!permitted) return Error(500, {"\"" + name + "\" is not an allowed role"});

  auto ttl = CalculateTtl(s_, mount_, Duration(0), role->second.default_ttl, role->second.max_ttl,
                          s_.clock.Now());
  if (!ttl.ok()) return Error(500, {ttl.status().message()});
  TimePoint now = s_.clock.Now();
  // The shapes of Vault's SQL plugins: v-<display name>-<role>-<random>-<unix time>, and a
  // 20-character password from the default password policy.
  std::string display = c.token != nullptr ? c.token->display_name : "token";
  std::string username =
      "v-" + Truncate(display, 8) + "-" + Truncate(name, 8) + "-" +
      s_.ids.Accessor().substr(0, 20) + "-" +
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::string password = s_.ids.Accessor().substr(0, 4) + "-" + s_.ids.Accessor().substr(0, 15);

  Lease lease;
  lease.issued_path = c.path;
  lease.id = c.path + "/" + s_.ids.Accessor();
  lease.mount_path = mount_;
  lease.issue_time = now;
  lease.expire_time = now + ttl->ttl;
  lease.default_ttl = role->second.default_ttl;
  lease.max_ttl = role->second.max_ttl;
  const Lease& l = s_.leases.Add(std::move(lease));

  Reply r =
      DataJson("{\"password\":" + GoQuote(password) + ",\"username\":" + GoQuote(username) + "}");
  r.envelope->lease_id = l.id;
  r.envelope->renewable = true;
  r.envelope->lease_duration = Seconds(ttl->ttl);
  r.envelope->warnings = std::move(ttl->warnings);
  return r;
}

}  // namespace vaultsync::vaultemu
