// FlowControl: classification into the suggested FlowSchemas and the seat count.
#include "flow_control.h"

#include <algorithm>

namespace vaultsync::kubeemu {
namespace {

bool InGroup(const UserInfo& user, const std::string& group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

}  // namespace

void FlowControl::Admit(const UserInfo& user, bool watch, const std::string& path,
                        emu::Admission* admission) {
  // Precedence as in the suggested configuration: exempt (1), probes (2),
  // kube-system-service-accounts (900), service-accounts (9000), global-default (9900).
  const Schema* schema = &global_fs_;
  const Level* level = &global_default_;
  bool master = InGroup(user, "system:masters");
  if (master) {
    schema = &exempt_fs_;
    level = &exempt_;
  } else if (path == "/healthz" || path == "/readyz" || path == "/livez") {
    schema = &probes_fs_;
    level = &exempt_;
  } else if (InGroup(user, "system:serviceaccounts:kube-system")) {
    schema = &kube_system_sa_fs_;
    level = &workload_high_;
  } else if (InGroup(user, "system:serviceaccounts")) {
    schema = &sa_fs_;
    level = &workload_low_;
  }
  // Go's http.Header.Set canonicalizes the names: this is how they appear on the wire.
  admission->headers.emplace_back("X-Kubernetes-Pf-Flowschema-Uid", schema->uid);
  admission->headers.emplace_back("X-Kubernetes-Pf-Prioritylevel-Uid", level->uid);

  std::lock_guard<std::mutex> lock(mu_);
  bool exempt = level->exempt && (!master || settings_.exempt_masters);
  if (settings_.max_inflight <= 0 || exempt) return;
  if (in_flight_ >= settings_.max_inflight) {
    ++rejected_;
    // tooManyRequests in the apiserver's filters: http.Error writes text/plain with
    // X-Content-Type-Options and a trailing newline.
    emu::ServerResponse r;
    r.status = 429;
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                 {"Retry-After", std::to_string(settings_.retry_after_seconds)},
                 {"X-Content-Type-Options", "nosniff"}};
    r.body = "Too many requests, please try again later.\n";
    admission->reject = std::move(r);
    return;
  }
  if (watch) return;  // initialized at once; a running watch holds no seat
  ++in_flight_;
  admission->seat = std::shared_ptr<void>(nullptr, [this](void*) {
    std::lock_guard<std::mutex> l(mu_);
    --in_flight_;
  });
}

FlowControl::Settings FlowControl::settings() const {
  std::lock_guard<std::mutex> lock(mu_);
  return settings_;
}

void FlowControl::Configure(const Settings& s) {
  std::lock_guard<std::mutex> lock(mu_);
  settings_ = s;
}

int FlowControl::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

int64_t FlowControl::rejected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}

}  // namespace vaultsync::kubeemu
