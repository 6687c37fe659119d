// Destination Secret writes and the ownership rules.
#include "controller/destination_writer.h"

#include "util/base64.h"
#include "util/redact.h"

namespace vaultsync::controller {

std::string_view WriteOutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kCreated:
      return "created";
    case WriteOutcome::kUpdated:
      return "updated";
    case WriteOutcome::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

Result<WriteResult> DestinationWriter::Write(const SecretOwner& owner, const SecretTarget& target,
                                             const SecretData& data, const std::string& mac,
                                             WriteFailure* failure) {
  const std::string& ns = owner.meta->namespace_;
  const std::string& dest = target.name;
  const uint64_t mac_digest = MacDigest(mac);
  auto cached = managed_.Get(ns + "/" + dest);
  auto ours = [&](const ManagedSecret& s) {
    return s.owner_uid == owner.meta->uid && s.OwnerKind() == owner.kind;
  };
  if (cached != nullptr && ours(*cached) && cached->data_mac == mac_digest &&
      MetadataInSync(*cached, owner, target)) {
    return WriteResult{WriteOutcome::kUnchanged, false};
  }
  auto fail = [&](const char* reason, Status st) -> Status {
    *failure = WriteFailure{reason, st};
    return st;
  };
  auto write_failed = [&](const Status& st) {
    // An admission webhook or a proxy may quote the request in its refusal: whatever it says
    // reaches the condition, an Event and the log only without the values we sent (as they
    // are and base64-encoded, as they travel).
    std::vector<std::string> sent;
    sent.reserve(data.size() * 2);
    for (const auto& [key, value] : data) {
      sent.push_back(value);
      sent.push_back(base64::Encode(value));
    }
    Status redacted(st.code(), Redact(st.message(), sent), st.http_status());
    if (auto ra = st.retry_after_seconds()) redacted.set_retry_after_seconds(*ra);
    return fail(kReasonSecretWriteFailed, redacted.WithPrefix("writing Secret " + dest + ": "));
  };
  if (cached == nullptr && target.create) {
    // Not among the Secrets we manage, so most likely absent (a first sync): create it
    // without reading first, which saves one request per resource on a cold start. A Secret
    // that exists after all (someone else's, or the cache is behind) answers AlreadyExists
    // and takes the live path below, with its ownership and overwrite rules.
    Status st = cluster_.CreateSecret(ns, NewSecret(owner, target, data));
    if (st.ok()) return WriteResult{WriteOutcome::kCreated, false};
    if (st.code() != StatusCode::kAlreadyExists) return write_failed(st);
  }
  // The cache says a write may be needed (or does not know the Secret): decide on a live read.
  auto live = cluster_.GetSecret(ns, dest);
  if (!live.ok()) return write_failed(live.status());
  if (!live->has_value()) {
    if (!target.create) {
      return fail(
          kReasonDestinationNotFound,
          NotFound("Secret " + dest + " does not exist and spec.destination.create is false"));
    }
    Status st = cluster_.CreateSecret(ns, NewSecret(owner, target, data));
    if (!st.ok()) return write_failed(st);
    return WriteResult{WriteOutcome::kCreated, false};
  }
  json::Document& doc = **live;
  const std::string owner_uid = OwnerUid(doc);
  const auto [other_kind, other_name] = OwnerOf(doc);
  const bool mine = owner_uid == owner.meta->uid && other_kind == owner.kind;
  if (!mine) {
    if (!owner_uid.empty() && !other_name.empty()) {
      // Managed by another resource that still exists: never fight over it, overwrite or not.
      Result<std::optional<std::string>> other_uid =
          owners_ ? owners_(other_kind, ns + "/" + other_name)
                  : Result<std::optional<std::string>>(std::nullopt);
      if (!other_uid.ok()) {
        return write_failed(other_uid.status().WithPrefix("reading its owner " + other_kind + " " +
                                                          other_name + ": "));
      }
      if (*other_uid && **other_uid == owner_uid) {
        return fail(kReasonSecretConflict,
                    Status(StatusCode::kAlreadyExists,
                           "Secret " + dest + " is managed by " + other_kind + " " + other_name));
      }
    }
    if (!target.overwrite) {
      return fail(kReasonSecretConflict,
                  Status(StatusCode::kAlreadyExists,
                         "Secret " + dest + " exists and is not managed by this " + owner.kind +
                             "; set spec.destination.overwrite: true to take it over"));
    }
  }
  auto live_state = ManagedSecretDecoder(&hmac_key_)(doc);
  if (!live_state.ok()) return write_failed(live_state.status());
  if (mine && live_state->data_mac == mac_digest && MetadataInSync(*live_state, owner, target)) {
    return WriteResult{WriteOutcome::kUnchanged, false};  // the cache was behind
  }
  const bool data_changed = live_state->data_mac != mac_digest;
  UpdateSecret(doc, owner, target, data, /*add_owner_reference=*/false);
  Status st = cluster_.UpdateSecret(ns, dest, doc);
  if (!st.ok()) return write_failed(st);
  return WriteResult{WriteOutcome::kUpdated, data_changed};
}

Status DestinationWriter::FollowShard(const SecretOwner& owner, const std::string& name,
                                      json::Document& live) {
  if (ShardLabelInSync(live, *owner.meta)) return Status::Ok();
  SetShardLabel(live, *owner.meta);
  live["metadata"].RemoveMember("managedFields");  // SetShardLabel made metadata an object
  Status st = cluster_.UpdateSecret(owner.meta->namespace_, name, live);
  if (!st.ok()) return st.WithPrefix("labelling Secret " + name + " for its shard: ");
  return st;
}

}  // namespace vaultsync::controller
