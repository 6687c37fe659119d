// The built-in definitions subset (see builtin_schemas.h), written in a small line format
// and expanded into OpenAPI v2 JSON once:
//
//   =NAME|GVK|TYPE|DESCRIPTION       a definition; GVK "group/version/Kind" ("" group for
//                                    core), "+list" adds NAME+"List"; TYPE "object" (fields
//                                    follow), "opaque" (object without properties) or a
//                                    primitive ("string:date-time")
//   FIELD|TYPE|FLAGS|DESCRIPTION     a field of the definition above
//
// Field types: string, string:FORMAT, integer:int32|int64, number:double, boolean, object
// (opaque: published without a type in v2, so clients treat it as an arbitrary value, and
// as `type: object` in v3), @NAME (a definition), []T (array), {}T (map of T). Flags
// (comma-separated): req (required), merge=KEY (patch strategy merge by KEY), mergeset (merge a
// list of scalars), retainkeys, listmap=K1;K2, atomic, set, mapatomic. Names may use the
// abbreviations of kAliases.
#include "builtin_schemas.h"

#include <map>
#include <sstream>
#include <vector>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

const std::vector<std::pair<std::string, std::string>> kAliases = {
    {"meta.", "io.k8s.apimachinery.pkg.apis.meta.v1."},
    {"core.", "io.k8s.api.core.v1."},
    {"apps.", "io.k8s.api.apps.v1."},
    {"coord.", "io.k8s.api.coordination.v1."},
    {"rbac.", "io.k8s.api.rbac.v1."},
    {"ext.", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."},
    {"authn.", "io.k8s.api.authentication.v1."},
    {"authz.", "io.k8s.api.authorization.v1."},
    {"events.", "io.k8s.api.events.v1."},
    {"autoscaling.", "io.k8s.api.autoscaling.v1."},
    {"net.", "io.k8s.api.networking.v1."},
    {"policy.", "io.k8s.api.policy.v1."},
    {"res.", "io.k8s.apimachinery.pkg.api.resource."},
    {"intstr.", "io.k8s.apimachinery.pkg.util.intstr."},
    {"rt.", "io.k8s.apimachinery.pkg.runtime."},
};

// Definition name prefix by API group.
const std::map<std::string, std::string>& GroupPrefixes() {
  static const std::map<std::string, std::string> m = {
      {"", "io.k8s.api.core.v1."},
      {"apps", "io.k8s.api.apps.v1."},
      {"coordination.k8s.io", "io.k8s.api.coordination.v1."},
      {"rbac.authorization.k8s.io", "io.k8s.api.rbac.v1."},
      {"apiextensions.k8s.io", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."},
      {"authentication.k8s.io", "io.k8s.api.authentication.v1."},
      {"authorization.k8s.io", "io.k8s.api.authorization.v1."},
      {"events.k8s.io", "io.k8s.api.events.v1."},
      {"autoscaling", "io.k8s.api.autoscaling.v1."},
      {"networking.k8s.io", "io.k8s.api.networking.v1."},
      {"policy", "io.k8s.api.policy.v1."},
  };
  return m;
}

// clang-format off
const char kSchemas[] = R"DSL(
=meta.Time||string:date-time|A point in time, serialized as an RFC 3339 string with second precision.
=meta.MicroTime||string:date-time|A point in time with microsecond precision, serialized as RFC 3339 with six fraction digits.
=meta.FieldsV1||opaque|The set of fields a manager owns, in the fieldsV1 trie format.
=meta.Patch||opaque|A patch body; its format is given by the request's Content-Type.
=res.Quantity||string|A fixed-point number with an optional suffix ("500m", "1Gi").
=intstr.IntOrString||string:int-or-string|A value that is either an integer or a string.
=rt.RawExtension||opaque|An embedded object of any kind.
=meta.ObjectMeta||object|Metadata every persisted object carries.
annotations|{}string||Unstructured key/value data stored with the object, not used for selection.
creationTimestamp|@meta.Time||When the server created the object; read-only.
deletionGracePeriodSeconds|integer:int64||Seconds allowed for graceful termination once deletion was requested; read-only.
deletionTimestamp|@meta.Time||When deletion was requested; set by the server, read-only.
finalizers|[]string|mergeset,set|Entries that must be removed before the object is deleted.
generateName|string||Prefix of a server-generated name, used when name is empty.
generation|integer:int64||Sequence number of changes to the desired state; read-only.
labels|{}string||Key/value pairs used to organize and select objects.
managedFields|[]@meta.ManagedFieldsEntry||Which managers own which fields, recorded by the server.
name|string||Unique name within the namespace (or cluster, for cluster-scoped kinds).
namespace|string||Namespace of the object; empty for cluster-scoped kinds.
ownerReferences|[]@meta.OwnerReference|merge=uid,listmap=uid|Objects this one depends on; the garbage collector deletes it when they are all gone.
resourceVersion|string||Opaque version of the object, for optimistic concurrency and watches.
selfLink|string||Deprecated and always empty.
uid|string||Unique identifier of this incarnation of the object; read-only.
=meta.ListMeta||object|Metadata of a list.
continue|string||Token to fetch the next page of a paged list.
remainingItemCount|integer:int64||Number of items after this page, when the server can tell.
resourceVersion|string||Version of the store the list was read at.
selfLink|string||Deprecated and always empty.
=meta.ManagedFieldsEntry||object|The fields one manager owns after one kind of operation.
apiVersion|string||Version of the schema the field set is expressed in.
fieldsType|string||Format of the field set; always FieldsV1.
fieldsV1|@meta.FieldsV1||The owned fields.
manager|string||Name of the manager (the fieldManager of its writes).
operation|string||Apply or Update.
subresource|string||Subresource the writes went to, empty for the main resource.
time|@meta.Time||When the entry last changed.
=meta.OwnerReference||object|Identifies an owner of an object, in the owner's namespace.
apiVersion|string|req|API version of the owner.
blockOwnerDeletion|boolean||When true, foreground deletion of the owner waits for this object.
controller|boolean||When true, this owner is the managing controller.
kind|string|req|Kind of the owner.
name|string|req|Name of the owner.
uid|string|req|UID of the owner.
=meta.LabelSelector||object|A label query; requirements are ANDed, an empty selector matches everything.
matchExpressions|[]@meta.LabelSelectorRequirement||Set-based requirements.
matchLabels|{}string||Equality requirements.
=meta.LabelSelectorRequirement||object|One set-based label requirement.
key|string|req|Label key.
operator|string|req|In, NotIn, Exists or DoesNotExist.
values|[]string||Values for In and NotIn; empty for Exists and DoesNotExist.
=meta.Status||object|The result of an operation that returns no object, and of every failure.
apiVersion|string||API version of this representation.
code|integer:int32||HTTP status code.
details|@meta.StatusDetails||Extra data about the failure.
kind|string||Kind of this representation.
message|string||Human-readable description of the result.
metadata|@meta.ListMeta||List metadata (continue tokens of expired lists).
reason|string||Machine-readable reason of a failure.
status|string||Success or Failure.
=meta.StatusDetails||object|Details of a failure.
causes|[]@meta.StatusCause||Individual causes, such as invalid fields.
group|string||API group of the resource concerned.
kind|string||Kind (resource) concerned.
name|string||Name of the object concerned.
retryAfterSeconds|integer:int32||Seconds to wait before retrying.
uid|string||UID of the object concerned.
=meta.StatusCause||object|One cause of a failure.
field|string||Path of the field concerned.
message|string||Human-readable description.
reason|string||Machine-readable description.
=meta.Preconditions||object|Conditions an object must meet for a delete to proceed.
resourceVersion|string||Required resourceVersion.
uid|string||Required UID.
=meta.DeleteOptions||object|Options of a delete.
apiVersion|string||API version of this representation.
dryRun|[]string||All: validate without persisting.
gracePeriodSeconds|integer:int64||Seconds before the object is deleted.
kind|string||Kind of this representation.
orphanDependents|boolean||Deprecated: use propagationPolicy.
preconditions|@meta.Preconditions||Must be met before deleting.
propagationPolicy|string||Orphan, Background or Foreground garbage collection of dependents.
=core.Secret|/v1/Secret+list|object|Holds secret data of a certain type; values are base64 encoded.
apiVersion|string||API version of this representation.
data|{}string:byte||Secret values by key, base64 encoded; keys consist of alphanumerics, '-', '_' or '.'.
immutable|boolean||When true the data cannot change.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
stringData|{}string||Write-only plain-text values, merged into data on write.
type|string||Used for programmatic handling of the data, e.g. Opaque or kubernetes.io/tls.
=core.ConfigMap|/v1/ConfigMap+list|object|Holds configuration data for workloads.
apiVersion|string||API version of this representation.
binaryData|{}string:byte||Binary values by key, base64 encoded.
data|{}string||UTF-8 values by key.
immutable|boolean||When true the data cannot change.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
=core.Namespace|/v1/Namespace+list|object|A scope for names; deleting it deletes its content.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@core.NamespaceSpec||Desired state of the namespace.
status|@core.NamespaceStatus||Observed state of the namespace.
=core.NamespaceSpec||object|Desired state of a namespace.
finalizers|[]string|atomic|Must be empty before the namespace is removed from storage.
=core.NamespaceStatus||object|Observed state of a namespace.
conditions|[]@core.NamespaceCondition|merge=type|Observations of the namespace's state.
phase|string||Active or Terminating.
=core.NamespaceCondition||object|One observation of a namespace's state.
lastTransitionTime|@meta.Time||When the status last changed.
message|string||Human-readable detail.
reason|string||Machine-readable reason.
status|string|req|True, False or Unknown.
type|string|req|Type of the condition.
=core.ServiceAccount|/v1/ServiceAccount+list|object|An identity for processes in pods.
apiVersion|string||API version of this representation.
automountServiceAccountToken|boolean||Whether pods using it get an API token mounted.
imagePullSecrets|[]@core.LocalObjectReference||Secrets for pulling images of pods that use it.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
secrets|[]@core.ObjectReference|merge=name|Secrets pods using it may use.
=core.ObjectReference||object|A reference to an object, possibly to a field within it.
apiVersion|string||API version of the referent.
fieldPath|string||A field within the referent, such as a container.
kind|string||Kind of the referent.
name|string||Name of the referent.
namespace|string||Namespace of the referent.
resourceVersion|string||Version of the referent the reference was made for.
uid|string||UID of the referent.
=core.LocalObjectReference||object|A reference to an object in the same namespace.
name|string||Name of the referent.
=core.Event|/v1/Event+list|object|A report of something that happened to an object.
action|string||What was done, or failed, about the object.
apiVersion|string||API version of this representation.
count|integer:int32||How many times it happened.
eventTime|@meta.MicroTime||When it was first observed.
firstTimestamp|@meta.Time||When it was first recorded.
involvedObject|@core.ObjectReference|req|The object it is about.
kind|string||Kind of this representation.
lastTimestamp|@meta.Time||When it was last recorded.
message|string||Human-readable description.
metadata|@meta.ObjectMeta|req|Standard object metadata.
reason|string||Short machine-readable reason.
related|@core.ObjectReference||A second object involved.
reportingComponent|string||Controller that emitted it.
reportingInstance|string||Instance of that controller.
series|@core.EventSeries||Data about a series of occurrences.
source|@core.EventSource||Component reporting it.
type|string||Normal or Warning.
=core.EventSource||object|The component that reports an event.
component|string||Component name.
host|string||Node name.
=core.EventSeries||object|A series of occurrences of one event.
count|integer:int32||Occurrences so far.
lastObservedTime|@meta.MicroTime||Time of the last occurrence.
=core.PodTemplateSpec||object|The pods a workload creates.
metadata|@meta.ObjectMeta||Metadata of the pods.
spec|@core.PodSpec||Specification of the pods.
=core.PodSpec||object|Specification of a pod.
activeDeadlineSeconds|integer:int64||Seconds a pod may be active before it is failed.
affinity|@core.Affinity||Scheduling constraints.
automountServiceAccountToken|boolean||Whether an API token is mounted.
containers|[]@core.Container|req,merge=name|Containers of the pod; at least one.
dnsConfig|@core.PodDNSConfig||DNS parameters.
dnsPolicy|string||ClusterFirst, ClusterFirstWithHostNet, Default or None.
enableServiceLinks|boolean||Whether service environment variables are injected.
ephemeralContainers|[]@core.EphemeralContainer|merge=name|Debugging containers added to a running pod.
hostAliases|[]@core.HostAlias|merge=ip|Extra /etc/hosts entries.
hostIPC|boolean||Use the host's IPC namespace.
hostNetwork|boolean||Use the host's network namespace.
hostPID|boolean||Use the host's PID namespace.
hostUsers|boolean||Use the host's user namespace.
hostname|string||Hostname of the pod.
imagePullSecrets|[]@core.LocalObjectReference|merge=name|Secrets for pulling images.
initContainers|[]@core.Container|merge=name|Containers run to completion before the others start.
nodeName|string||Node the pod is bound to.
nodeSelector|{}string|mapatomic|Labels a node must have.
os|@core.PodOS||Operating system of the containers.
overhead|{}@res.Quantity||Resources used by the pod sandbox.
preemptionPolicy|string||Whether the pod may preempt others.
priority|integer:int32||Priority value.
priorityClassName|string||Priority class.
readinessGates|[]@core.PodReadinessGate||Extra conditions for readiness.
resourceClaims|[]@core.PodResourceClaim|merge=name,retainkeys,listmap=name|Dynamic resource claims.
restartPolicy|string||Always, OnFailure or Never.
runtimeClassName|string||Runtime class.
schedulerName|string||Scheduler that places the pod.
schedulingGates|[]@core.PodSchedulingGate|merge=name,listmap=name|Gates that hold scheduling.
securityContext|@core.PodSecurityContext||Pod-level security attributes.
serviceAccount|string||Deprecated alias of serviceAccountName.
serviceAccountName|string||ServiceAccount the pod runs as.
setHostnameAsFQDN|boolean||Use the fully qualified name as hostname.
shareProcessNamespace|boolean||Share one process namespace between containers.
subdomain|string||Subdomain of the pod's hostname.
terminationGracePeriodSeconds|integer:int64||Seconds allowed for graceful termination.
tolerations|[]@core.Toleration||Taints the pod tolerates.
topologySpreadConstraints|[]@core.TopologySpreadConstraint|merge=topologyKey,listmap=topologyKey;whenUnsatisfiable|How pods spread across topology domains.
volumes|[]@core.Volume|merge=name,retainkeys|Volumes containers can mount.
=core.Container||object|A container of a pod.
args|[]string||Arguments to the entrypoint.
command|[]string||Entrypoint, replacing the image's.
env|[]@core.EnvVar|merge=name|Environment variables.
envFrom|[]@core.EnvFromSource||Sources of environment variables.
image|string||Container image.
imagePullPolicy|string||Always, Never or IfNotPresent.
lifecycle|@core.Lifecycle||Hooks run on lifecycle events.
livenessProbe|@core.Probe||Restarts the container when it fails.
name|string|req|Name of the container, unique in the pod.
ports|[]@core.ContainerPort|merge=containerPort,listmap=containerPort;protocol|Ports the container exposes.
readinessProbe|@core.Probe||Removes the pod from endpoints when it fails.
resources|@core.ResourceRequirements||Compute resources.
securityContext|@core.SecurityContext||Container security attributes.
startupProbe|@core.Probe||Holds the other probes until it succeeds.
stdin|boolean||Allocate a stdin buffer.
stdinOnce|boolean||Close stdin after the first attach ends.
terminationMessagePath|string||File the termination message is read from.
terminationMessagePolicy|string||File or FallbackToLogsOnError.
tty|boolean||Allocate a TTY.
volumeDevices|[]@core.VolumeDevice|merge=devicePath|Block devices to use.
volumeMounts|[]@core.VolumeMount|merge=mountPath|Volumes to mount.
workingDir|string||Working directory.
=core.ContainerPort||object|A network port of a container.
containerPort|integer:int32|req|Port number on the pod's IP.
hostIP|string||Host IP to bind an external port to.
hostPort|integer:int32||Port on the host.
name|string||Name of the port.
protocol|string||TCP, UDP or SCTP.
=core.EnvVar||object|An environment variable.
name|string|req|Name of the variable.
value|string||Value, with $(VAR) references expanded.
valueFrom|@core.EnvVarSource||Source of the value.
=core.VolumeMount||object|A volume mounted into a container.
mountPath|string|req|Path in the container.
mountPropagation|string||How mounts propagate.
name|string|req|Name of the volume.
readOnly|boolean||Mount read-only.
subPath|string||Path within the volume.
subPathExpr|string||subPath with $(VAR) references.
=core.ResourceRequirements||object|Compute resource requests and limits.
claims|[]@core.ResourceClaim|set|Dynamic resource claims used.
limits|{}@res.Quantity||Most that may be used.
requests|{}@res.Quantity||Least that is needed.
=core.Toleration||object|A taint the pod tolerates.
effect|string||Effect to match.
key|string||Taint key.
operator|string||Exists or Equal.
tolerationSeconds|integer:int64||How long a NoExecute taint is tolerated.
value|string||Taint value.
=core.Volume||object|A named volume of a pod; exactly one source is set.
awsElasticBlockStore|object||AWS EBS disk.
azureDisk|object||Azure data disk.
azureFile|object||Azure file share.
cephfs|object||CephFS mount.
cinder|object||OpenStack Cinder volume.
configMap|object||ConfigMap content.
csi|object||CSI driver volume.
downwardAPI|object||Pod information.
emptyDir|object||Empty directory sharing the pod's lifetime.
ephemeral|object||Volume provisioned for the pod.
fc|object||Fibre Channel disk.
flexVolume|object||Flex volume driver.
flocker|object||Flocker dataset.
gcePersistentDisk|object||GCE persistent disk.
gitRepo|object||Deprecated git checkout.
glusterfs|object||Glusterfs mount.
hostPath|object||Directory on the host.
iscsi|object||iSCSI disk.
name|string|req|Name of the volume.
nfs|object||NFS mount.
persistentVolumeClaim|object||A PersistentVolumeClaim.
photonPersistentDisk|object||Photon disk.
portworxVolume|object||Portworx volume.
projected|object||Several sources in one directory.
quobyte|object||Quobyte mount.
rbd|object||Rados block device.
scaleIO|object||ScaleIO volume.
secret|object||Secret content.
storageos|object||StorageOS volume.
vsphereVolume|object||vSphere volume.
=core.Affinity||opaque|Node, pod and anti-pod affinity scheduling rules.
=core.PodDNSConfig||opaque|DNS parameters of a pod.
=core.EphemeralContainer||opaque|A debugging container added to a running pod.
=core.HostAlias||opaque|An /etc/hosts entry.
=core.PodOS||opaque|The operating system of a pod.
=core.PodReadinessGate||opaque|An extra pod condition required for readiness.
=core.PodResourceClaim||opaque|A dynamic resource claim of a pod.
=core.PodSchedulingGate||opaque|A gate holding a pod's scheduling.
=core.PodSecurityContext||opaque|Security attributes of a pod.
=core.TopologySpreadConstraint||opaque|How pods spread across a topology.
=core.EnvFromSource||opaque|A source of environment variables (ConfigMap or Secret).
=core.EnvVarSource||opaque|A source of one environment variable's value.
=core.Lifecycle||opaque|Hooks run on container lifecycle events.
=core.Probe||opaque|A health check of a container.
=core.SecurityContext||opaque|Security attributes of a container.
=core.VolumeDevice||opaque|A raw block device of a container.
=core.ResourceClaim||opaque|A dynamic resource claim used by a container.
=core.PersistentVolumeClaimTemplate||opaque|A PersistentVolumeClaim a StatefulSet creates per pod.
=apps.Deployment|apps/v1/Deployment+list|object|Declarative updates of a set of identical pods.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@apps.DeploymentSpec||Desired state.
status|@apps.DeploymentStatus||Observed state.
=apps.DeploymentSpec||object|Desired state of a Deployment.
minReadySeconds|integer:int32||Seconds a new pod must be ready before it counts as available.
paused|boolean||Pauses rollouts.
progressDeadlineSeconds|integer:int32||Seconds before a stalled rollout is reported as failed.
replicas|integer:int32||Desired number of pods.
revisionHistoryLimit|integer:int32||Old ReplicaSets kept for rollback.
selector|@meta.LabelSelector|req|Selects the pods; must match the template's labels.
strategy|@apps.DeploymentStrategy|retainkeys|How pods are replaced.
template|@core.PodTemplateSpec|req|The pods to create.
=apps.DeploymentStrategy||object|How a Deployment replaces pods.
rollingUpdate|@apps.RollingUpdateDeployment||Parameters of a rolling update.
type|string||Recreate or RollingUpdate.
=apps.RollingUpdateDeployment||object|Parameters of a rolling update.
maxSurge|@intstr.IntOrString||Pods allowed above the desired count.
maxUnavailable|@intstr.IntOrString||Pods allowed to be unavailable.
=apps.DeploymentStatus||object|Observed state of a Deployment.
availableReplicas|integer:int32||Available pods.
collisionCount|integer:int32||Hash collisions of the template.
conditions|[]@apps.DeploymentCondition|merge=type|Observations of the rollout.
observedGeneration|integer:int64||Generation the controller observed.
readyReplicas|integer:int32||Ready pods.
replicas|integer:int32||Pods targeted.
unavailableReplicas|integer:int32||Pods not yet available.
updatedReplicas|integer:int32||Pods with the current template.
=apps.DeploymentCondition||object|One observation of a Deployment's state.
lastTransitionTime|@meta.Time||When the status last changed.
lastUpdateTime|@meta.Time||When it was last updated.
message|string||Human-readable detail.
reason|string||Machine-readable reason.
status|string|req|True, False or Unknown.
type|string|req|Type of the condition.
=apps.StatefulSet|apps/v1/StatefulSet+list|object|Pods with stable identities and storage.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@apps.StatefulSetSpec||Desired state.
status|@apps.StatefulSetStatus||Observed state.
=apps.StatefulSetSpec||object|Desired state of a StatefulSet.
minReadySeconds|integer:int32||Seconds a new pod must be ready before it counts as available.
ordinals|@apps.StatefulSetOrdinals||Numbering of the replicas.
persistentVolumeClaimRetentionPolicy|@apps.StatefulSetPersistentVolumeClaimRetentionPolicy||What happens to claims on scale-down and deletion.
podManagementPolicy|string||OrderedReady or Parallel.
replicas|integer:int32||Desired number of pods.
revisionHistoryLimit|integer:int32||Revisions kept.
selector|@meta.LabelSelector|req|Selects the pods.
serviceName|string|req|Governing Service.
template|@core.PodTemplateSpec|req|The pods to create.
updateStrategy|@apps.StatefulSetUpdateStrategy||How pods are updated.
volumeClaimTemplates|[]@core.PersistentVolumeClaimTemplate||Claims created for each pod.
=apps.StatefulSetUpdateStrategy||object|How a StatefulSet updates its pods.
rollingUpdate|object||Parameters of a rolling update.
type|string||OnDelete or RollingUpdate.
=apps.StatefulSetOrdinals||opaque|Numbering of a StatefulSet's replicas.
=apps.StatefulSetPersistentVolumeClaimRetentionPolicy||opaque|Retention of a StatefulSet's claims.
=apps.StatefulSetStatus||opaque|Observed state of a StatefulSet.
=apps.DaemonSet|apps/v1/DaemonSet+list|object|A pod on every selected node.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@apps.DaemonSetSpec||Desired state.
status|@apps.DaemonSetStatus||Observed state.
=apps.DaemonSetSpec||object|Desired state of a DaemonSet.
minReadySeconds|integer:int32||Seconds a new pod must be ready before it counts as available.
revisionHistoryLimit|integer:int32||Revisions kept.
selector|@meta.LabelSelector|req|Selects the pods.
template|@core.PodTemplateSpec|req|The pods to create.
updateStrategy|@apps.DaemonSetUpdateStrategy||How pods are updated.
=apps.DaemonSetUpdateStrategy||object|How a DaemonSet updates its pods.
rollingUpdate|object||Parameters of a rolling update.
type|string||OnDelete or RollingUpdate.
=apps.DaemonSetStatus||opaque|Observed state of a DaemonSet.
=apps.ReplicaSet|apps/v1/ReplicaSet+list|object|Keeps a number of identical pods running.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@apps.ReplicaSetSpec||Desired state.
status|object||Observed state.
=apps.ReplicaSetSpec||object|Desired state of a ReplicaSet.
minReadySeconds|integer:int32||Seconds a new pod must be ready before it counts as available.
replicas|integer:int32||Desired number of pods.
selector|@meta.LabelSelector|req|Selects the pods.
template|@core.PodTemplateSpec||The pods to create.
=apps.ControllerRevision|apps/v1/ControllerRevision+list|object|An immutable snapshot of a workload's state.
apiVersion|string||API version of this representation.
data|@rt.RawExtension||The snapshot.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
revision|integer:int64|req|Revision number.
=coord.Lease|coordination.k8s.io/v1/Lease+list|object|A lease held by one holder at a time (leader election).
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@coord.LeaseSpec||The lease.
=coord.LeaseSpec||object|The state of a lease.
acquireTime|@meta.MicroTime||When the current holder acquired it.
holderIdentity|string||Current holder.
leaseDurationSeconds|integer:int32||Seconds candidates wait before taking it over.
leaseTransitions|integer:int32||How many times the holder changed.
renewTime|@meta.MicroTime||When the holder last renewed it.
=rbac.PolicyRule||object|Actions allowed on resources or non-resource URLs.
apiGroups|[]string|atomic|API groups of the resources; "" is the core group.
nonResourceURLs|[]string|atomic|Non-resource URL paths; only in ClusterRoles.
resourceNames|[]string|atomic|Object names allowed; empty means all.
resources|[]string|atomic|Resources, "*" for all.
verbs|[]string|req,atomic|Verbs, "*" for all.
=rbac.Role|rbac.authorization.k8s.io/v1/Role+list|object|Namespaced permissions.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
rules|[]@rbac.PolicyRule||The permissions.
=rbac.ClusterRole|rbac.authorization.k8s.io/v1/ClusterRole+list|object|Cluster-wide permissions.
aggregationRule|@rbac.AggregationRule||Builds the rules from other ClusterRoles.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
rules|[]@rbac.PolicyRule||The permissions.
=rbac.AggregationRule||object|Selects ClusterRoles whose rules are aggregated.
clusterRoleSelectors|[]@meta.LabelSelector||Selectors of the ClusterRoles.
=rbac.RoleRef||object|The role a binding grants.
apiGroup|string|req|API group of the role.
kind|string|req|Role or ClusterRole.
name|string|req|Name of the role.
=rbac.Subject||object|A user, group or ServiceAccount a binding applies to.
apiGroup|string||API group of the subject.
kind|string|req|User, Group or ServiceAccount.
name|string|req|Name of the subject.
namespace|string||Namespace of a ServiceAccount.
=rbac.RoleBinding|rbac.authorization.k8s.io/v1/RoleBinding+list|object|Grants a role within a namespace.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
roleRef|@rbac.RoleRef|req|The role granted.
subjects|[]@rbac.Subject|atomic|Who gets it.
=rbac.ClusterRoleBinding|rbac.authorization.k8s.io/v1/ClusterRoleBinding+list|object|Grants a ClusterRole cluster-wide.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
roleRef|@rbac.RoleRef|req|The role granted.
subjects|[]@rbac.Subject|atomic|Who gets it.
=ext.CustomResourceDefinition|apiextensions.k8s.io/v1/CustomResourceDefinition+list|object|Defines a custom resource the API server then serves.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@ext.CustomResourceDefinitionSpec|req|The resource to serve.
status|@ext.CustomResourceDefinitionStatus||Observed state.
=ext.CustomResourceDefinitionSpec||object|What a CustomResourceDefinition defines.
conversion|@ext.CustomResourceConversion||How objects convert between versions.
group|string|req|API group of the resource.
names|@ext.CustomResourceDefinitionNames|req|Names of the resource and its kind.
preserveUnknownFields|boolean||Legacy: keep fields the schema does not know.
scope|string|req|Cluster or Namespaced.
versions|[]@ext.CustomResourceDefinitionVersion|req,atomic|Served versions, exactly one of them stored.
=ext.CustomResourceDefinitionNames||object|Names of a custom resource.
categories|[]string|atomic|Groups of resources it belongs to, such as all.
kind|string|req|Kind of the objects.
listKind|string||Kind of lists.
plural|string|req|Plural resource name used in URLs.
shortNames|[]string|atomic|Short aliases for kubectl.
singular|string||Singular name.
=ext.CustomResourceDefinitionVersion||object|One version of a custom resource.
additionalPrinterColumns|[]@ext.CustomResourceColumnDefinition|atomic|Extra columns of kubectl get.
deprecated|boolean||Whether the version is deprecated.
deprecationWarning|string||Warning sent to clients of a deprecated version.
name|string|req|Version name, such as v1alpha1.
schema|@ext.CustomResourceValidation||Schema of the objects.
served|boolean|req|Whether the version is served.
storage|boolean|req|Whether objects are stored in this version.
subresources|@ext.CustomResourceSubresources||Status and scale subresources.
=ext.CustomResourceValidation||object|Validation of custom objects.
openAPIV3Schema|@ext.JSONSchemaProps||Structural OpenAPI v3 schema.
=ext.JSONSchemaProps||opaque|A JSON schema (the OpenAPI v3 subset CustomResourceDefinitions use).
=ext.CustomResourceColumnDefinition||object|A column of kubectl get.
description|string||Description of the column.
format|string||Format of the values.
jsonPath|string|req|Simple JSONPath of the value in each object.
name|string|req|Column header.
priority|integer:int32||Shown with -o wide when greater than zero.
type|string|req|OpenAPI type of the values.
=ext.CustomResourceSubresources||object|Subresources of custom objects.
scale|@ext.CustomResourceSubresourceScale||Enables /scale.
status|@ext.CustomResourceSubresourceStatus||Enables /status.
=ext.CustomResourceSubresourceScale||object|Where the scale subresource reads and writes.
labelSelectorPath|string||JSON path of the label selector string.
specReplicasPath|string|req|JSON path of the desired replicas.
statusReplicasPath|string|req|JSON path of the observed replicas.
=ext.CustomResourceSubresourceStatus||opaque|Enables the status subresource; has no fields.
=ext.CustomResourceConversion||object|How custom objects convert between versions.
strategy|string|req|None or Webhook.
webhook|object||Webhook conversion settings.
=ext.CustomResourceDefinitionStatus||object|Observed state of a CustomResourceDefinition.
acceptedNames|@ext.CustomResourceDefinitionNames||Names actually served.
conditions|[]object|listmap=type|Observations of the definition's state.
storedVersions|[]string||Versions objects were ever stored in.
=authn.TokenReview|authentication.k8s.io/v1/TokenReview|object|Checks a token and says who it belongs to.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authn.TokenReviewSpec|req|The token.
status|@authn.TokenReviewStatus||The verdict.
=authn.TokenReviewSpec||object|A token to check.
audiences|[]string||Audiences the token must be valid for.
token|string||The token.
=authn.TokenReviewStatus||object|The verdict on a token.
audiences|[]string||Audiences the token is valid for.
authenticated|boolean||Whether the token is valid.
error|string||Why it is not.
user|@authn.UserInfo||Who it belongs to.
=authn.UserInfo||object|An authenticated user.
extra|{}[]string||Extra attributes.
groups|[]string||Groups of the user.
uid|string||Unique identifier.
username|string||User name.
=authn.TokenRequest|authentication.k8s.io/v1/TokenRequest|object|Asks for a token of a ServiceAccount.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authn.TokenRequestSpec|req|What the token is for.
status|@authn.TokenRequestStatus||The token.
=authn.TokenRequestSpec||object|What a requested token is for.
audiences|[]string|req|Intended audiences.
boundObjectRef|@authn.BoundObjectReference||Object whose deletion invalidates the token.
expirationSeconds|integer:int64||Requested lifetime.
=authn.TokenRequestStatus||object|An issued token.
expirationTimestamp|@meta.Time|req|When it expires.
token|string|req|The token.
=authn.BoundObjectReference||object|An object a token is bound to.
apiVersion|string||API version of the referent.
kind|string||Kind of the referent.
name|string||Name of the referent.
uid|string||UID of the referent.
=authz.ResourceAttributes||object|A resource request to authorize.
group|string||API group.
name|string||Object name.
namespace|string||Namespace.
resource|string||Resource.
subresource|string||Subresource.
verb|string||Verb.
version|string||API version.
=authz.NonResourceAttributes||object|A non-resource request to authorize.
path|string||URL path.
verb|string||HTTP verb in lower case.
=authz.SubjectAccessReviewStatus||object|The authorizer's answer.
allowed|boolean|req|Whether the request is allowed.
denied|boolean||Whether it is explicitly denied.
evaluationError|string||Errors met while deciding.
reason|string||Why it was allowed or denied.
=authz.SelfSubjectAccessReviewSpec||object|A request of the caller to authorize; exactly one attribute set.
nonResourceAttributes|@authz.NonResourceAttributes||A non-resource request.
resourceAttributes|@authz.ResourceAttributes||A resource request.
=authz.SelfSubjectAccessReview|authorization.k8s.io/v1/SelfSubjectAccessReview|object|Asks whether the caller may do something.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authz.SelfSubjectAccessReviewSpec|req|The request.
status|@authz.SubjectAccessReviewStatus||The answer.
=authz.SubjectAccessReviewSpec||object|A request of a user to authorize; exactly one attribute set.
extra|{}[]string||Extra attributes of the user.
groups|[]string||Groups of the user.
nonResourceAttributes|@authz.NonResourceAttributes||A non-resource request.
resourceAttributes|@authz.ResourceAttributes||A resource request.
uid|string||UID of the user.
user|string||The user.
=authz.SubjectAccessReview|authorization.k8s.io/v1/SubjectAccessReview|object|Asks whether a user may do something.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authz.SubjectAccessReviewSpec|req|The request.
status|@authz.SubjectAccessReviewStatus||The answer.
=authz.LocalSubjectAccessReview|authorization.k8s.io/v1/LocalSubjectAccessReview|object|Asks whether a user may do something in this namespace.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authz.SubjectAccessReviewSpec|req|The request.
status|@authz.SubjectAccessReviewStatus||The answer.
=authz.SelfSubjectRulesReviewSpec||object|Where to list the caller's rules.
namespace|string||Namespace to evaluate the rules in.
=authz.ResourceRule||object|Allowed actions on resources.
apiGroups|[]string||API groups.
resourceNames|[]string||Object names; empty means all.
resources|[]string||Resources.
verbs|[]string|req|Verbs.
=authz.NonResourceRule||object|Allowed actions on non-resource URLs.
nonResourceURLs|[]string||URL paths.
verbs|[]string|req|Verbs.
=authz.SubjectRulesReviewStatus||object|The caller's rules.
evaluationError|string||Errors met while listing.
incomplete|boolean|req|Whether the list may be incomplete.
nonResourceRules|[]@authz.NonResourceRule|req|Rules on non-resource URLs.
resourceRules|[]@authz.ResourceRule|req|Rules on resources.
=authz.SelfSubjectRulesReview|authorization.k8s.io/v1/SelfSubjectRulesReview|object|Lists what the caller may do in a namespace.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@authz.SelfSubjectRulesReviewSpec|req|Where.
status|@authz.SubjectRulesReviewStatus||The rules.
=events.Event|events.k8s.io/v1/Event+list|object|A report of something that happened to an object.
action|string||What was done, or failed, about the object.
apiVersion|string||API version of this representation.
deprecatedCount|integer:int32||Count of the core/v1 form.
deprecatedFirstTimestamp|@meta.Time||firstTimestamp of the core/v1 form.
deprecatedLastTimestamp|@meta.Time||lastTimestamp of the core/v1 form.
deprecatedSource|@core.EventSource||source of the core/v1 form.
eventTime|@meta.MicroTime|req|When it was first observed.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
note|string||Human-readable description.
reason|string||Why the action was taken.
regarding|@core.ObjectReference||The object it is about.
related|@core.ObjectReference||A second object involved.
reportingController|string||Controller that emitted it.
reportingInstance|string||Instance of that controller.
series|@events.EventSeries||Data about a series of occurrences.
type|string||Normal or Warning.
=events.EventSeries||object|A series of occurrences of one event.
count|integer:int32|req|Occurrences so far.
lastObservedTime|@meta.MicroTime|req|Time of the last occurrence.
=autoscaling.Scale|autoscaling/v1/Scale|object|The replica count of a scalable object.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@autoscaling.ScaleSpec||Desired replicas.
status|@autoscaling.ScaleStatus||Observed replicas.
=autoscaling.ScaleSpec||object|Desired replicas.
replicas|integer:int32||Desired number of instances.
=autoscaling.ScaleStatus||object|Observed replicas.
replicas|integer:int32|req|Observed number of instances.
selector|string||Label selector of the pods, in its string form.
=core.Pod|/v1/Pod+list|object|A group of containers scheduled together.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|@core.PodSpec||Desired state.
status|object||Observed state.
=core.PodTemplate|/v1/PodTemplate+list|object|A stored pod template.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
template|@core.PodTemplateSpec||The template.
=core.ReplicationController|/v1/ReplicationController+list|object|Legacy controller of identical pods.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=core.Service|/v1/Service+list|object|A stable network endpoint for a set of pods.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=core.Endpoints|/v1/Endpoints+list|object|Addresses behind a Service.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
subsets|[]object||Sets of addresses and ports.
=core.Node|/v1/Node+list|object|A worker machine.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=core.PersistentVolume|/v1/PersistentVolume+list|object|A piece of storage.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=core.PersistentVolumeClaim|/v1/PersistentVolumeClaim+list|object|A request for storage.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=core.LimitRange|/v1/LimitRange+list|object|Resource limits per object in a namespace.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||The limits.
=core.ResourceQuota|/v1/ResourceQuota+list|object|Aggregate resource limits of a namespace.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired quota.
status|object||Observed usage.
=core.ComponentStatus|/v1/ComponentStatus+list|object|Deprecated health of a control-plane component.
apiVersion|string||API version of this representation.
conditions|[]object|merge=type|Health observations.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
=core.Binding|/v1/Binding|object|Binds a pod to a node.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
target|@core.ObjectReference|req|The node.
=net.Ingress|networking.k8s.io/v1/Ingress+list|object|HTTP routing into Services.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||Desired state.
status|object||Observed state.
=net.IngressClass|networking.k8s.io/v1/IngressClass+list|object|A class of Ingress controller.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||The controller.
=net.NetworkPolicy|networking.k8s.io/v1/NetworkPolicy+list|object|Allowed network traffic of selected pods.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||The policy.
status|object||Observed state.
=policy.PodDisruptionBudget|policy/v1/PodDisruptionBudget+list|object|Limits voluntary disruption of selected pods.
apiVersion|string||API version of this representation.
kind|string||Kind of this representation.
metadata|@meta.ObjectMeta||Standard object metadata.
spec|object||The budget.
status|object||Observed state.
)DSL";
// clang-format on

std::string Expand(const std::string& name) {
  for (const auto& [alias, full] : kAliases) {
    if (name.rfind(alias, 0) == 0) return full + name.substr(alias.size());
  }
  return name;
}

std::vector<std::string> Split(const std::string& s, char sep, size_t max_parts) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() + 1 < max_parts) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) break;
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

std::string Ref(const std::string& name) { return "#/definitions/" + Expand(name); }

// The schema of a field type ("[]@core.Container", "{}string", "integer:int32").
json::Value TypeSchema(const std::string& type, json::Allocator& a) {
  json::Value s(rapidjson::kObjectType);
  if (type.rfind("[]", 0) == 0) {
    s.AddMember("type", "array", a);
    s.AddMember("items", TypeSchema(type.substr(2), a), a);
  } else if (type.rfind("{}", 0) == 0) {
    s.AddMember("type", "object", a);
    s.AddMember("additionalProperties", TypeSchema(type.substr(2), a), a);
  } else if (type.rfind('@', 0) == 0) {
    s.AddMember("$ref", json::StringValue(Ref(type.substr(1)), a), a);
  } else if (type == "object") {
    // An opaque nested object: arbitrary in v2, `type: object` in v3 (see "opaque").
  } else {
    size_t colon = type.find(':');
    s.AddMember("type", json::StringValue(type.substr(0, colon), a), a);
    if (colon != std::string::npos) {
      s.AddMember("format", json::StringValue(type.substr(colon + 1), a), a);
    }
  }
  return s;
}

json::Value StringList(const std::string& joined, char sep, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& k : Split(joined, sep, 100)) arr.PushBack(json::StringValue(k, a), a);
  return arr;
}

void AddFlags(json::Value& s, const std::string& flags, json::Allocator& a, bool* required) {
  for (const auto& f : Split(flags, ',', 100)) {
    if (f.empty()) continue;
    if (f == "req") {
      *required = true;
    } else if (f.rfind("merge=", 0) == 0) {
      s.AddMember("x-kubernetes-patch-merge-key", json::StringValue(f.substr(6), a), a);
      s.AddMember("x-kubernetes-patch-strategy", "merge", a);
    } else if (f == "mergeset") {
      s.AddMember("x-kubernetes-patch-strategy", "merge", a);
    } else if (f == "retainkeys") {
      json::Value* strategy = MutableMember(s, "x-kubernetes-patch-strategy");
      if (strategy != nullptr) {
        *strategy = json::StringValue("merge,retainKeys", a);
      } else {
        s.AddMember("x-kubernetes-patch-strategy", "retainKeys", a);
      }
    } else if (f.rfind("listmap=", 0) == 0) {
      s.AddMember("x-kubernetes-list-map-keys", StringList(f.substr(8), ';', a), a);
      s.AddMember("x-kubernetes-list-type", "map", a);
    } else if (f == "atomic" || f == "set") {
      s.AddMember("x-kubernetes-list-type", json::StringValue(f, a), a);
    } else if (f == "mapatomic") {
      s.AddMember("x-kubernetes-map-type", "atomic", a);
    }
  }
}

json::Value Gvk(const std::string& gvk, json::Allocator& a) {
  auto parts = Split(gvk, '/', 3);
  json::Value e(rapidjson::kObjectType);
  e.AddMember("group", json::StringValue(parts[0], a), a);
  e.AddMember("kind", json::StringValue(parts.size() > 2 ? parts[2] : "", a), a);
  e.AddMember("version", json::StringValue(parts.size() > 1 ? parts[1] : "", a), a);
  json::Value arr(rapidjson::kArrayType);
  arr.PushBack(e, a);
  return arr;
}

json::Value ListDefinition(const std::string& item, const std::string& list_gvk,
                           json::Allocator& a) {
  std::string kind = Split(list_gvk, '/', 3).back();
  std::string item_kind = kind.substr(0, kind.size() - 4);
  json::Value d(rapidjson::kObjectType);
  d.AddMember("description", json::StringValue("A list of " + item_kind + " objects.", a), a);
  json::Value props(rapidjson::kObjectType);
  json::Value api = TypeSchema("string", a);
  api.AddMember("description", "API version of this representation.", a);
  props.AddMember("apiVersion", api, a);
  json::Value items = TypeSchema("[]@" + item, a);
  items.AddMember("description", json::StringValue("The " + item_kind + " objects.", a), a);
  props.AddMember("items", items, a);
  json::Value k = TypeSchema("string", a);
  k.AddMember("description", "Kind of this representation.", a);
  props.AddMember("kind", k, a);
  json::Value md = TypeSchema("@meta.ListMeta", a);
  md.AddMember("description", "Standard list metadata.", a);
  props.AddMember("metadata", md, a);
  d.AddMember("properties", props, a);
  json::Value req(rapidjson::kArrayType);
  req.PushBack("items", a);
  d.AddMember("required", req, a);
  d.AddMember("type", "object", a);
  d.AddMember("x-kubernetes-group-version-kind", Gvk(list_gvk, a), a);
  return d;
}

json::Document Build() {
  json::Document defs;
  defs.SetObject();
  auto& a = defs.GetAllocator();
  std::istringstream in(kSchemas);
  json::Value* current = nullptr;
  std::string line;
  auto finish = [&]() {
    if (current == nullptr) return;
    json::Value* req = MutableMember(*current, "required");
    if (req != nullptr && req->Empty()) RemoveMember(*current, "required");
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '=') {
      finish();
      auto p = Split(line.substr(1), '|', 4);
      std::string name = Expand(p[0]);
      std::string gvk = p[1];
      bool list = false;
      if (size_t plus = gvk.find("+list"); plus != std::string::npos) {
        gvk = gvk.substr(0, plus);
        list = true;
      }
      json::Value d(rapidjson::kObjectType);
      d.AddMember("description", json::StringValue(p[3], a), a);
      if (p[2] == "object") {
        d.AddMember("properties", json::Value(rapidjson::kObjectType), a);
        d.AddMember("required", json::Value(rapidjson::kArrayType), a);
        d.AddMember("type", "object", a);
      } else if (p[2] == "opaque") {
        // No type: an arbitrary value in v2 (clients neither validate nor look up patch
        // metadata inside it); v3 publishes it as `type: object`.
      } else {
        json::Value t = TypeSchema(p[2], a);
        for (auto& m : t.GetObject()) d.AddMember(m.name, m.value, a);
      }
      if (!gvk.empty()) d.AddMember("x-kubernetes-group-version-kind", Gvk(gvk, a), a);
      defs.AddMember(json::StringValue(name, a), d, a);
      current = &(defs.MemberEnd() - 1)->value;
      if (list) {
        defs.AddMember(json::StringValue(name + "List", a), ListDefinition(p[0], gvk + "List", a),
                       a);
        current = &(defs.MemberEnd() - 2)->value;
      }
      continue;
    }
    if (current == nullptr) continue;
    auto p = Split(line, '|', 4);
    if (p.size() < 4) continue;
    json::Value s = TypeSchema(p[1], a);
    bool required = false;
    AddFlags(s, p[2], a, &required);
    s.AddMember("description", json::StringValue(p[3], a), a);
    json::Value* props = MutableMember(*current, "properties");
    if (props == nullptr) continue;
    props->AddMember(json::StringValue(p[0], a), s, a);
    if (required) {
      MutableMember(*current, "required")->PushBack(json::StringValue(p[0], a), a);
    }
  }
  finish();
  SortKeys(defs);
  return defs;
}

}  // namespace

const json::Document& BuiltinDefinitionsV2() {
  static const json::Document defs = Build();
  return defs;
}

std::string BuiltinDefinitionName(const std::string& group, const std::string& version,
                                  const std::string& kind) {
  const auto& prefixes = GroupPrefixes();
  auto it = prefixes.find(group);
  if (it == prefixes.end() || version != "v1") return "";
  std::string name = it->second + kind;
  return json::Find(BuiltinDefinitionsV2(), name) != nullptr ? name : "";
}

}  // namespace vaultsync::kubeemu
