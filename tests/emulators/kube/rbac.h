// RBAC authorization (`kube-emulator --authorization-mode RBAC`): decides whether an
// authenticated user may perform a request from the Roles, ClusterRoles and bindings stored in
// the emulator, as the apiserver's RBAC authorizer does, and words the 403 the way it does.
// The admin token is system:masters (always allowed); every authenticated user may read the
// discovery endpoints and ask access reviews about itself (the bootstrap bindings).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api_errors.h"
#include "object_store.h"

namespace vaultsync::kubeemu {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  bool master = false;  // system:masters: bypasses authorization
};

// What is being asked: a resource request (resource non-empty) or a non-resource path.
struct Attributes {
  std::string verb;  // get list watch create update patch delete deletecollection
  std::string group;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::string path;  // non-resource requests
};

// True when some binding grants the request; *reason (when given) then names the binding as
// the RBAC authorizer does ("RBAC: allowed by ClusterRoleBinding ..."), and is empty for
// masters and denials. Reads the store (caller holds the lock).
bool RbacAllows(const ObjectStore& store, const UserInfo& user, const Attributes& attrs,
                std::string* reason = nullptr);

// The policy rules that apply to `user` in namespace `ns` (cluster bindings first), pointing
// into the stored roles (valid while the caller holds the lock).
std::vector<const json::Value*> RbacRulesFor(const ObjectStore& store, const UserInfo& user,
                                             const std::string& ns);

// The 403 Forbidden the apiserver answers for a denied request.
ApiError ForbiddenFor(const UserInfo& user, const Attributes& attrs);

// Bootstrap ClusterRoles of a fresh cluster that bindings commonly reference
// (cluster-admin, system:auth-delegator, system:basic-user, system:discovery,
// system:public-info-viewer), as JSON objects to create at start-up.
std::vector<std::string> BootstrapClusterRoles();
// Their bootstrap ClusterRoleBindings (cluster-admin to system:masters, the others to
// system:authenticated, so `kubectl auth can-i` works for every authenticated user).
std::vector<std::string> BootstrapClusterRoleBindings();

}  // namespace vaultsync::kubeemu
