// The force-sync annotation (`vaultsync.io/force-sync`, any new value) for every kind: the
// decoder keeps a digest of its value in ObjectMeta::force_sync, the predicate
// SpecOrLifecycleChanged (predicates.h) lets a new value through to the work queue, where
// it is processed at once (an Add jumps over a pending refresh or backoff), and this tracker
// tells the reconcile that it is the forced one, so that it bypasses what it would otherwise
// share (the read cache). A kind uses the three pieces; nothing else is needed.
//
// The tracker is memory only: after an operator restart, a resource that carries the
// annotation looks forced once, which costs one unshared read at start-up and nothing else.
// That is fine for a read, not for a sync that mints: VaultDynamicSecret (new credentials)
// and VaultPKISecret (a new certificate) do not use the tracker but record the value they
// answered in status.forceSync, and compare the annotation with that, so a restart never
// mints for a value already answered and a forced sync that failed is tried again. Every new
// set of credentials or certificate records the value it answers, "" when there is none, so
// a status without the key was written before status.forceSync existed (or by a CRD that
// drops the field): ForceSyncAnswer::Adopt then takes the current value as answered, and an
// upgrade (or any restart under such a CRD) mints nothing for it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "controller/resources.h"

namespace vaultsync::controller {

// For VaultDynamicSecret and VaultPKISecret (kinds that mint): the force-sync value the
// credentials or certificate of one resource answer, as status.forceSync records it, and
// whether this process has written it there. Part of each reconciler's per-resource memory.
class ForceSyncAnswer {
 public:
  // An operator with no memory of the resource reads status: `status_digest` is ShortDigest
  // of status.forceSync (0: the key is absent), `has_credentials` that status describes
  // credentials (or a certificate) already written, `annotation` the value now. A status
  // without the key on such a resource predates status.forceSync: nothing is owed for the
  // value it carries.
  void Adopt(uint32_t status_digest, bool has_credentials, const std::string& annotation) {
    digest_ = status_digest;
    if (status_digest == 0 && has_credentials) Answer(annotation);
  }
  // New credentials answer the value the resource carries now ("" when none).
  void Answer(const std::string& annotation) {
    digest_ = ShortDigest(annotation);
    value_ = annotation;
  }
  // The annotation (`annotation`, whose digest is `annotation_digest`) asks for new
  // credentials: a non-empty value these do not answer.
  bool Forces(const std::string& annotation, uint32_t annotation_digest) const {
    return !annotation.empty() && annotation_digest != digest_;
  }
  // Status says what this answers, or was told once (a CRD that drops status.forceSync must
  // not make every reconcile write it again).
  bool InStatus(uint32_t status_digest) const {
    return status_digest == digest_ || sent_ == digest_;
  }
  // status.forceSync to write with the next status patch, if any.
  std::optional<std::string> ToWrite(uint32_t status_digest) const {
    if (status_digest == digest_ || digest_ == 0) return std::nullopt;
    return value_;
  }
  // The patch carrying ToWrite's value succeeded.
  void Written() { sent_ = digest_; }

 private:
  uint32_t digest_ = 0;  // ShortDigest of the value answered; 0: unknown
  std::string value_;    // that value, once this process answered it or took it from status
  uint32_t sent_ = 0;    // digest_ as last written into status
};

// Thread-safe.
class ForceSyncTracker {
 public:
  // True when `meta` carries a force-sync value this tracker has not yet seen for its key
  // (and remembers it, so the next reconcile is an ordinary one again).
  bool Take(const ObjectMeta& meta);
  // The resource is gone.
  void Forget(const std::string& key);

 private:
  std::mutex mu_;
  std::map<std::string, uint32_t> seen_;  // key -> digest last taken
};

}  // namespace vaultsync::controller
