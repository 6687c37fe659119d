// Built-in type rules: decoding checks, defaults, validation, field order.
#include "builtin_semantics.h"

#include <map>
#include <regex>

#include "object_json.h"
#include "util/base64.h"

namespace vaultsync::kubeemu {
namespace {

const char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char kConfigKeyMsg[] =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

bool IsSubdomain(const std::string& s) {
  static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  return std::regex_match(s, re);
}
bool IsLabel(const std::string& s) {
  static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  return std::regex_match(s, re);
}
bool IsConfigKey(const std::string& s) {
  static const std::regex re("[-._a-zA-Z0-9]+");
  return std::regex_match(s, re);
}

// The apiserver's MicroTime layout requires exactly six fraction digits.
std::optional<std::string> MicroTimeError(const std::string& kind, const std::string& version,
                                          const json::Value* v) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  std::string s(json::View(*v));
  static const std::regex ok(
      "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}(Z|[+-]\\d{2}:\\d{2})");
  if (std::regex_match(s, ok)) return std::nullopt;
  std::string rest = s.size() > 19 ? s.substr(19) : "";
  return kind + " in version \"" + version + "\" cannot be handled as a " + kind +
         ": parsing time \"" + s + "\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"" +
         rest + "\" as \".000000\"";
}

void SetDefault(json::Value& obj, const char* key, json::Value v, json::Allocator& a) {
  if (json::Find(obj, key) == nullptr) SetMember(obj, key, std::move(v), a);
}

void DefaultContainer(json::Value& c, json::Allocator& a) {
  if (!c.IsObject()) return;
  SetDefault(c, "resources", json::Value(rapidjson::kObjectType), a);
  SetDefault(c, "terminationMessagePath", json::StringValue("/dev/termination-log", a), a);
  SetDefault(c, "terminationMessagePolicy", json::StringValue("File", a), a);
  if (json::Find(c, "imagePullPolicy") == nullptr) {
    std::string image = StringAt(c, "image");
    size_t slash = image.rfind('/');
    std::string last = slash == std::string::npos ? image : image.substr(slash + 1);
    bool latest =
        last.find(':') == std::string::npos || last.substr(last.find(':') + 1) == "latest";
    if (image.find('@') != std::string::npos) latest = false;
    SetMember(c, "imagePullPolicy", json::StringValue(latest ? "Always" : "IfNotPresent", a), a);
  }
  OrderKeys(c,
            {"name",
             "image",
             "command",
             "args",
             "workingDir",
             "ports",
             "envFrom",
             "env",
             "resources",
             "volumeMounts",
             "volumeDevices",
             "livenessProbe",
             "readinessProbe",
             "startupProbe",
             "lifecycle",
             "terminationMessagePath",
             "terminationMessagePolicy",
             "imagePullPolicy",
             "securityContext",
             "stdin",
             "stdinOnce",
             "tty"},
            a);
}

void DefaultPodTemplate(json::Value& spec, json::Allocator& a) {
  json::Value& tmpl = EnsureObject(spec, "template", a);
  json::Value& md = EnsureObject(tmpl, "metadata", a);
  SetDefault(md, "creationTimestamp", json::Value(), a);
  OrderKeys(md, {"name", "namespace", "creationTimestamp", "labels", "annotations"}, a);
  json::Value& ps = EnsureObject(tmpl, "spec", a);
  for (const char* list : {"containers", "initContainers"}) {
    json::Value* cs = MutableMember(ps, list);
    if (cs != nullptr && cs->IsArray()) {
      for (auto& c : cs->GetArray()) DefaultContainer(c, a);
    }
  }
  SetDefault(ps, "restartPolicy", json::StringValue("Always", a), a);
  SetDefault(ps, "terminationGracePeriodSeconds", json::Value(30), a);
  SetDefault(ps, "dnsPolicy", json::StringValue("ClusterFirst", a), a);
  SetDefault(ps, "securityContext", json::Value(rapidjson::kObjectType), a);
  SetDefault(ps, "schedulerName", json::StringValue("default-scheduler", a), a);
  OrderKeys(ps,
            {"volumes",
             "initContainers",
             "containers",
             "ephemeralContainers",
             "restartPolicy",
             "terminationGracePeriodSeconds",
             "activeDeadlineSeconds",
             "dnsPolicy",
             "nodeSelector",
             "serviceAccountName",
             "serviceAccount",
             "automountServiceAccountToken",
             "nodeName",
             "hostNetwork",
             "hostPID",
             "hostIPC",
             "shareProcessNamespace",
             "securityContext",
             "imagePullSecrets",
             "hostname",
             "subdomain",
             "affinity",
             "schedulerName",
             "tolerations"},
            a);
  OrderKeys(tmpl, {"metadata", "spec"}, a);
}

json::Value Str(const char* s, json::Allocator& a) { return json::StringValue(s, a); }

// Top-level fields of built-in kinds; unknown ones are dropped like Go's decoder drops them.
const std::map<std::string, std::vector<std::string>>& KnownFields() {
  static const std::map<std::string, std::vector<std::string>> k = {
      {"Secret", {"data", "stringData", "type", "immutable"}},
      {"ConfigMap", {"data", "binaryData", "immutable"}},
      {"Namespace", {"spec", "status"}},
      {"ServiceAccount", {"secrets", "imagePullSecrets", "automountServiceAccountToken"}},
      {"Lease", {"spec"}},
      {"Deployment", {"spec", "status"}},
      {"StatefulSet", {"spec", "status"}},
      {"DaemonSet", {"spec", "status"}},
      {"CustomResourceDefinition", {"spec", "status"}},
      {"PodDisruptionBudget", {"spec", "status"}},
      {"NetworkPolicy", {"spec", "status"}},
      {"Event",
       {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
        "type", "eventTime", "series", "action", "related", "reportingComponent",
        "reportingInstance"}},
  };
  return k;
}

}  // namespace

int Base64ErrorOffset(std::string_view src) {
  auto valid = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  };
  size_t si = 0;
  while (si < src.size()) {
    int j = 0;
    while (j < 4) {
      if (si == src.size()) {
        if (j == 0) return -1;
        return static_cast<int>(si - j);
      }
      char in = src[si++];
      if (valid(in)) {
        ++j;
        continue;
      }
      if (in == '\n' || in == '\r') continue;
      if (in != '=') return static_cast<int>(si - 1);
      // Padding.
      if (j < 2) return static_cast<int>(si - 1);
      if (j == 2) {
        while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
        if (si == src.size()) return static_cast<int>(src.size());
        if (src[si] != '=') return static_cast<int>(si - 1);
        ++si;
      }
      while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
      if (si < src.size()) return static_cast<int>(si);
      return -1;
    }
  }
  return -1;
}

std::optional<ApiError> CheckDecodable(const ResourceType& t, const json::Value& obj) {
  if (t.custom) return std::nullopt;
  if (t.kind == "Secret") {
    for (const char* field : {"data"}) {
      const json::Value* data = json::Find(obj, field);
      if (data == nullptr || !data->IsObject()) continue;
      for (const auto& m : data->GetObject()) {
        if (!m.value.IsString()) continue;
        int off = Base64ErrorOffset(json::View(m.value));
        if (off >= 0) {
          return BadRequestError(
              "Secret in version \"v1\" cannot be handled as a Secret: "
              "illegal base64 data at input byte " +
              std::to_string(off));
        }
      }
    }
  }
  if (t.kind == "Lease") {
    for (const char* f : {"spec.acquireTime", "spec.renewTime"}) {
      if (auto err = MicroTimeError("Lease", t.version, At(obj, f))) return BadRequestError(*err);
    }
  }
  if (t.kind == "Event") {
    if (auto err = MicroTimeError("Event", t.version, At(obj, "eventTime"))) {
      return BadRequestError(*err);
    }
  }
  return std::nullopt;
}

std::vector<std::string> UnknownBuiltinFields(const ResourceType& t, const json::Value& obj) {
  std::vector<std::string> out;
  auto it = KnownFields().find(t.kind);
  if (t.custom || it == KnownFields().end() || !obj.IsObject()) return out;
  for (const auto& m : obj.GetObject()) {
    std::string name(json::View(m.name));
    if (name == "apiVersion" || name == "kind" || name == "metadata") continue;
    bool known = false;
    for (const auto& f : it->second) known = known || f == name;
    if (!known) out.push_back(name);
  }
  return out;
}

void ApplyBuiltinDefaults(const ResourceType& t, json::Document& obj) {
  auto& a = obj.GetAllocator();
  if (t.custom || !obj.IsObject()) return;
  const std::string& k = t.kind;
  if (k == "Secret") {
    const json::Value* sd = json::Find(obj, "stringData");
    if (sd != nullptr && sd->IsObject()) {
      json::Value& data = EnsureObject(obj, "data", a);
      for (const auto& m : sd->GetObject()) {
        if (!m.value.IsString()) continue;
        SetString(data, json::View(m.name), base64::Encode(json::View(m.value)), a);
      }
    }
    RemoveMember(obj, "stringData");
    const json::Value* type = json::Find(obj, "type");
    if (type == nullptr || !type->IsString() || type->GetStringLength() == 0) {
      SetString(obj, "type", "Opaque", a);
    }
  } else if (k == "Namespace") {
    std::string name = StringAt(obj, "metadata.name");
    json::Value& labels = EnsureObject(EnsureObject(obj, "metadata", a), "labels", a);
    SetString(labels, "kubernetes.io/metadata.name", name, a);
    json::Value& spec = EnsureObject(obj, "spec", a);
    if (json::Find(spec, "finalizers") == nullptr) {
      json::Value fins(rapidjson::kArrayType);
      fins.PushBack(Str("kubernetes", a), a);
      SetMember(spec, "finalizers", std::move(fins), a);
    }
    json::Value& status = EnsureObject(obj, "status", a);
    if (json::Find(status, "phase") == nullptr) SetString(status, "phase", "Active", a);
  } else if (k == "Event") {
    SetDefault(obj, "involvedObject", json::Value(rapidjson::kObjectType), a);
    SetDefault(obj, "source", json::Value(rapidjson::kObjectType), a);
    SetDefault(obj, "firstTimestamp", json::Value(), a);
    SetDefault(obj, "lastTimestamp", json::Value(), a);
    SetDefault(obj, "eventTime", json::Value(), a);
    SetDefault(obj, "reportingComponent", Str("", a), a);
    SetDefault(obj, "reportingInstance", Str("", a), a);
  } else if (k == "Deployment" || k == "StatefulSet" || k == "DaemonSet") {
    json::Value& spec = EnsureObject(obj, "spec", a);
    if (k != "DaemonSet") SetDefault(spec, "replicas", json::Value(1), a);
    DefaultPodTemplate(spec, a);
    if (k == "Deployment") {
      json::Value& strategy = EnsureObject(spec, "strategy", a);
      SetDefault(strategy, "type", Str("RollingUpdate", a), a);
      if (StringAt(strategy, "type") == "RollingUpdate") {
        json::Value& ru = EnsureObject(strategy, "rollingUpdate", a);
        SetDefault(ru, "maxUnavailable", Str("25%", a), a);
        SetDefault(ru, "maxSurge", Str("25%", a), a);
        OrderKeys(ru, {"maxUnavailable", "maxSurge"}, a);
      }
      OrderKeys(strategy, {"type", "rollingUpdate"}, a);
      SetDefault(spec, "revisionHistoryLimit", json::Value(10), a);
      SetDefault(spec, "progressDeadlineSeconds", json::Value(600), a);
      OrderKeys(spec,
                {"replicas", "selector", "template", "strategy", "minReadySeconds",
                 "revisionHistoryLimit", "paused", "progressDeadlineSeconds"},
                a);
    } else if (k == "StatefulSet") {
      SetDefault(spec, "podManagementPolicy", Str("OrderedReady", a), a);
      json::Value& us = EnsureObject(spec, "updateStrategy", a);
      SetDefault(us, "type", Str("RollingUpdate", a), a);
      if (StringAt(us, "type") == "RollingUpdate") {
        json::Value& ru = EnsureObject(us, "rollingUpdate", a);
        SetDefault(ru, "partition", json::Value(0), a);
      }
      SetDefault(spec, "revisionHistoryLimit", json::Value(10), a);
      OrderKeys(
          spec,
          {"replicas", "selector", "template", "volumeClaimTemplates", "serviceName",
           "podManagementPolicy", "updateStrategy", "revisionHistoryLimit", "minReadySeconds"},
          a);
    } else {
      json::Value& us = EnsureObject(spec, "updateStrategy", a);
      SetDefault(us, "type", Str("RollingUpdate", a), a);
      if (StringAt(us, "type") == "RollingUpdate") {
        json::Value& ru = EnsureObject(us, "rollingUpdate", a);
        SetDefault(ru, "maxUnavailable", json::Value(1), a);
        SetDefault(ru, "maxSurge", json::Value(0), a);
      }
      SetDefault(spec, "revisionHistoryLimit", json::Value(10), a);
      OrderKeys(
          spec,
          {"selector", "template", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"}, a);
    }
    SetDefault(obj, "status", json::Value(rapidjson::kObjectType), a);
  } else if (k == "PodDisruptionBudget") {
    // The four counters have no omitempty: a new PDB shows them as zeros.
    json::Value& status = EnsureObject(obj, "status", a);
    for (const char* f : {"disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"})
      SetDefault(status, f, json::Value(0), a);
    OrderKeys(status,
              {"observedGeneration", "disruptedPods", "disruptionsAllowed", "currentHealthy",
               "desiredHealthy", "expectedPods", "conditions"},
              a);
  } else if (k == "NetworkPolicy") {
    // SetDefaults_NetworkPolicy: policyTypes [Ingress] (+ Egress when egress rules are given);
    // SetDefaults_NetworkPolicyPort: protocol TCP.
    json::Value& spec = EnsureObject(obj, "spec", a);
    const json::Value* types = json::Find(spec, "policyTypes");
    if (types == nullptr || !types->IsArray() || types->Empty()) {
      const json::Value* egress = json::Find(spec, "egress");
      json::Value list(rapidjson::kArrayType);
      list.PushBack(Str("Ingress", a), a);
      if (egress != nullptr && egress->IsArray() && !egress->Empty()) {
        list.PushBack(Str("Egress", a), a);
      }
      SetMember(spec, "policyTypes", std::move(list), a);
    }
    for (const char* dir : {"ingress", "egress"}) {
      json::Value* rules = MutableMember(spec, dir);
      if (rules == nullptr || !rules->IsArray()) continue;
      for (auto& rule : rules->GetArray()) {
        json::Value* ports = rule.IsObject() ? MutableMember(rule, "ports") : nullptr;
        if (ports == nullptr || !ports->IsArray()) continue;
        for (auto& port : ports->GetArray()) {
          if (port.IsObject()) SetDefault(port, "protocol", Str("TCP", a), a);
        }
      }
    }
    OrderKeys(spec, {"podSelector", "ingress", "egress", "policyTypes"}, a);
    // v1.26 drops status unless the alpha NetworkPolicyStatus gate is on; the empty struct
    // is still written.
    SetMember(obj, "status", json::Value(rapidjson::kObjectType), a);
  }
}

std::vector<StatusCause> ValidateObjectName(const ResourceType& t, const json::Value& obj) {
  std::vector<StatusCause> causes;
  std::string name = StringAt(obj, "metadata.name");
  if (name.empty()) {
    causes.push_back(RequiredCause("metadata.name", "name or generateName is required"));
    return causes;
  }
  if (t.kind == "CustomResourceDefinition") return causes;  // checked against its spec
  bool label = t.kind == "Namespace";
  std::string quoted = json::Quote(name);
  if (label) {
    if (name.size() > 63)
      causes.push_back(InvalidCause("metadata.name", quoted, "must be no more than 63 characters"));
    if (!IsLabel(name)) causes.push_back(InvalidCause("metadata.name", quoted, kLabelMsg));
  } else {
    if (name.size() > 253)
      causes.push_back(
          InvalidCause("metadata.name", quoted, "must be no more than 253 characters"));
    if (!IsSubdomain(name)) causes.push_back(InvalidCause("metadata.name", quoted, kSubdomainMsg));
  }
  return causes;
}

std::vector<StatusCause> ValidateBuiltin(const ResourceType& t, const json::Value& obj,
                                         const json::Value* old) {
  std::vector<StatusCause> causes;
  if (t.custom) return causes;
  if (t.kind == "Secret" || t.kind == "ConfigMap") {
    for (const char* field : {"data", "binaryData"}) {
      const json::Value* data = json::Find(obj, field);
      if (data == nullptr || !data->IsObject()) continue;
      for (const auto& m : data->GetObject()) {
        std::string key(json::View(m.name));
        if (!IsConfigKey(key)) {
          causes.push_back(
              InvalidCause(std::string(field) + "[" + key + "]", json::Quote(key), kConfigKeyMsg));
        }
      }
    }
    if (old != nullptr && t.kind == "Secret" && StringAt(obj, "type") != StringAt(*old, "type")) {
      causes.push_back(
          InvalidCause("type", json::Quote(StringAt(obj, "type")), "field is immutable"));
    }
    if (old != nullptr) {
      const json::Value* imm = json::Find(*old, "immutable");
      if (imm != nullptr && imm->IsBool() && imm->GetBool()) {
        const json::Value* nd = json::Find(obj, "data");
        const json::Value* od = json::Find(*old, "data");
        bool same =
            (nd == nullptr && od == nullptr) || (nd != nullptr && od != nullptr && *nd == *od);
        if (!same)
          causes.push_back(ForbiddenCause("data", "field is immutable when `immutable` is set"));
      }
    }
  }
  if (t.kind == "Deployment" || t.kind == "StatefulSet" || t.kind == "DaemonSet") {
    const json::Value* sel = At(obj, "spec.selector");
    if (sel == nullptr || !sel->IsObject() || sel->MemberCount() == 0) {
      causes.push_back(RequiredCause("spec.selector"));
    } else {
      const json::Value* ml = json::Find(*sel, "matchLabels");
      const json::Value* tl = At(obj, "spec.template.metadata.labels");
      bool match = true;
      if (ml != nullptr && ml->IsObject()) {
        for (const auto& m : ml->GetObject()) {
          const json::Value* v =
              tl != nullptr && tl->IsObject() ? json::Find(*tl, json::View(m.name)) : nullptr;
          match = match && v != nullptr && *v == m.value;
        }
      }
      if (!match) {
        causes.push_back(InvalidCause("spec.template.metadata.labels",
                                      tl != nullptr ? Compact(*tl) : std::string("{}"),
                                      "`selector` does not match template `labels`"));
      }
    }
    const json::Value* cs = At(obj, "spec.template.spec.containers");
    if (cs == nullptr || !cs->IsArray() || cs->Size() == 0) {
      causes.push_back(RequiredCause("spec.template.spec.containers"));
    } else {
      for (rapidjson::SizeType i = 0; i < cs->Size(); ++i) {
        std::string base = "spec.template.spec.containers[" + std::to_string(i) + "]";
        if (StringAt((*cs)[i], "name").empty()) causes.push_back(RequiredCause(base + ".name"));
        if (StringAt((*cs)[i], "image").empty()) causes.push_back(RequiredCause(base + ".image"));
      }
    }
  }
  return causes;
}

std::vector<std::string> SupportedFieldSelectors(const ResourceType& t) {
  if (t.kind == "Secret") return {"type"};
  if (t.kind == "Event") {
    return {"involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type"};
  }
  if (t.kind == "Namespace") return {"status.phase"};
  return {};
}

void CanonicalizeMetadata(json::Value& md, json::Allocator& a) {
  // Go's omitempty: empty maps and lists are not written.
  for (const char* m : {"labels", "annotations", "finalizers", "ownerReferences"}) {
    const json::Value* v = json::Find(md, m);
    if (v != nullptr &&
        ((v->IsObject() && v->ObjectEmpty()) || (v->IsArray() && v->Empty()) || v->IsNull())) {
      RemoveMember(md, m);
    }
  }
  for (const char* m : {"labels", "annotations"}) {
    json::Value* v = MutableMember(md, m);
    if (v != nullptr && v->IsObject()) SortKeys(*v);
  }
  if (json::Value* refs = MutableMember(md, "ownerReferences");
      refs != nullptr && refs->IsArray()) {
    for (auto& r : refs->GetArray()) {
      OrderKeys(r, {"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"}, a);
    }
  }
  OrderKeys(md,
            {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
             "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
             "labels", "annotations", "ownerReferences", "finalizers", "managedFields"},
            a);
}

void CanonicalizeBuiltin(const ResourceType& t, json::Document& obj) {
  auto& a = obj.GetAllocator();
  if (json::Value* md = MutableMember(obj, "metadata"); md != nullptr) {
    CanonicalizeMetadata(*md, a);
  }
  if (t.custom) {
    SortKeys(obj);
    return;
  }
  for (const char* m : {"data", "binaryData"}) {
    json::Value* v = MutableMember(obj, m);
    if (v != nullptr && v->IsObject()) SortKeys(*v);
    if (v != nullptr && ((v->IsObject() && v->ObjectEmpty()) || v->IsNull())) RemoveMember(obj, m);
  }
  std::vector<std::string_view> order = {"kind", "apiVersion", "metadata"};
  const std::string& k = t.kind;
  if (k == "Secret") order.insert(order.end(), {"immutable", "data", "type"});
  if (k == "ConfigMap") order.insert(order.end(), {"immutable", "data", "binaryData"});
  if (k == "ServiceAccount")
    order.insert(order.end(), {"secrets", "imagePullSecrets", "automountServiceAccountToken"});
  if (k == "Event") {
    if (json::Value* io = MutableMember(obj, "involvedObject"); io != nullptr) {
      OrderKeys(*io,
                {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"},
                a);
    }
    order.insert(order.end(), {"involvedObject", "reason", "message", "source", "firstTimestamp",
                               "lastTimestamp", "count", "type", "eventTime", "series", "action",
                               "related", "reportingComponent", "reportingInstance"});
  }
  if (k == "Lease") {
    if (json::Value* s = MutableMember(obj, "spec"); s != nullptr) {
      OrderKeys(*s,
                {"holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime",
                 "leaseTransitions"},
                a);
    }
  }
  order.insert(order.end(), {"spec", "status"});
  OrderKeys(obj, order, a);
}

}  // namespace vaultsync::kubeemu
