// API Priority and Fairness as far as clients can see it: every authenticated request is
// classified into a FlowSchema and a PriorityLevel whose UIDs the answer carries
// (X-Kubernetes-PF-FlowSchema-UID / -PriorityLevel-UID, as v1.26 sets them on every
// response after authentication), and, when an in-flight limit is set, a request that finds
// every seat taken is rejected the way the apiserver's filter rejects it: 429, Retry-After,
// and a plain-text body (http.Error, not a Status).
//
// A subset, said plainly: one pool of N seats shared by every non-exempt request (the real
// server has seats per priority level and queues before it rejects; here a request is
// rejected at once when the seats are taken, as with full queues). A watch needs a free seat
// to start but holds none while it streams (APF counts only its initialization). The
// suggested FlowSchemas modelled are exempt (system:masters), probes (/healthz, /readyz,
// /livez), kube-system-service-accounts, service-accounts and global-default. system:masters
// is exempt on a real server; here it is limited too unless `exempt_masters` is set, so that
// tests running a client with the admin token can still overload it.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "http_server.h"
#include "rbac.h"

namespace vaultsync::kubeemu {

class FlowControl {
 public:
  struct Settings {
    int max_inflight = 0;  // 0 = unlimited
    int retry_after_seconds = 1;
    bool exempt_masters = false;
  };

  // `uids` makes the UIDs of the FlowSchema and PriorityLevel objects (random per emulator).
  template <typename UidFn>
  explicit FlowControl(UidFn uids) {
    for (Level* l : {&exempt_, &workload_high_, &workload_low_, &global_default_}) l->uid = uids();
    for (Schema* s : {&exempt_fs_, &probes_fs_, &kube_system_sa_fs_, &sa_fs_, &global_fs_}) {
      s->uid = uids();
    }
  }

  // Classifies an authenticated request and takes a seat for it (into admission->seat), or
  // fills admission->reject when none is free. `watch`: a watch request; `path`: its path.
  void Admit(const UserInfo& user, bool watch, const std::string& path, emu::Admission* admission);

  Settings settings() const;
  void Configure(const Settings& s);
  int in_flight() const;
  int64_t rejected() const;

 private:
  struct Level {
    std::string uid;
    bool exempt = false;
  };
  struct Schema {
    std::string uid;
  };

  mutable std::mutex mu_;
  Settings settings_;
  int in_flight_ = 0;
  int64_t rejected_ = 0;
  Level exempt_{"", true}, workload_high_, workload_low_, global_default_;
  Schema exempt_fs_, probes_fs_, kube_system_sa_fs_, sa_fs_, global_fs_;
};

}  // namespace vaultsync::kubeemu
