// Table conversion for the kube emulator.
#include "table.h"

#include <functional>

#include "builtin_semantics.h"
#include "object_json.h"
#include "util/time_format.h"

namespace vaultsync::kubeemu {
namespace {

const char kNameDesc[] =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "http://kubernetes.io/docs/user-guide/identifiers#names";
const char kCreationDesc[] =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

struct Column {
  std::string name, type, format, description;
  int priority = 0;
};

using CellFn = std::function<std::string(const json::Value&)>;  // returns cell JSON

std::string Q(const std::string& s) { return json::Quote(s); }

std::string AgeOf(const json::Value& obj, TimePoint now,
                  const char* field = "metadata.creationTimestamp") {
  std::string ts = StringAt(obj, field);
  auto t = ParseRfc3339(ts);
  if (!t.ok()) return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

int64_t MapSize(const json::Value& obj, const char* field) {
  const json::Value* v = json::Find(obj, field);
  return v != nullptr && v->IsObject() ? v->MemberCount() : 0;
}

int64_t IntOr0(const json::Value& obj, const char* path) { return IntAt(obj, path).value_or(0); }

std::string Containers(const json::Value& obj, const char* what) {
  const json::Value* cs = At(obj, "spec.template.spec.containers");
  std::string s;
  if (cs != nullptr && cs->IsArray()) {
    for (const auto& c : cs->GetArray()) s += (s.empty() ? "" : ",") + StringAt(c, what);
  }
  return s;
}

std::string SelectorString(const json::Value& obj) {
  const json::Value* ml = At(obj, "spec.selector.matchLabels");
  std::string s;
  if (ml != nullptr && ml->IsObject()) {
    for (const auto& m : ml->GetObject()) {
      if (m.value.IsString())
        s += (s.empty() ? "" : ",") + std::string(json::View(m.name)) + "=" +
             std::string(json::View(m.value));
    }
  }
  return s;
}

// Go's fmt %v-ish printing of a JSON value as the jsonpath printer does for string columns.
std::string PrintValue(const json::Value& v) {
  if (v.IsString()) return std::string(json::View(v));
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  return Compact(v);
}

std::string CustomCell(const json::Value& obj, const std::string& type, const std::string& path,
                       TimePoint now) {
  auto results = EvalJsonPath(obj, path);
  if (results.empty() || results[0] == nullptr) return "null";
  const json::Value& v = *results[0];
  if (type == "string") return Q(PrintValue(v));
  if (type == "integer") return v.IsInt64() ? std::to_string(v.GetInt64()) : "null";
  if (type == "number") return v.IsNumber() ? Compact(v) : "null";
  if (type == "boolean") return v.IsBool() ? (v.GetBool() ? "true" : "false") : "null";
  if (type == "date") {
    if (!v.IsString()) return "null";
    auto t = ParseRfc3339(json::View(v));
    if (!t.ok()) return "null";
    return Q(HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t)));
  }
  return Compact(v);
}

void BuiltinColumns(const ResourceType& t, TimePoint now, std::vector<Column>* cols,
                    std::vector<CellFn>* cells) {
  auto add = [&](Column c, CellFn f) {
    cols->push_back(std::move(c));
    cells->push_back(std::move(f));
  };
  auto name = [](const json::Value& o) { return Q(StringAt(o, "metadata.name")); };
  auto age = [now](const json::Value& o) { return Q(AgeOf(o, now)); };
  Column name_col{"Name", "string", "name", kNameDesc, 0};
  Column age_col{"Age", "string", "", kCreationDesc, 0};
  const std::string& k = t.kind;
  if (k == "Secret") {
    add(name_col, name);
    add({"Type", "string", "",
         "Used to facilitate programmatic handling of secret data. More info: "
         "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"},
        [](const json::Value& o) { return Q(StringAt(o, "type")); });
    add({"Data", "string", "",
         "Data contains the secret data. Each key must consist of alphanumeric characters, '-', "
         "'_' or '.'. The serialized form of the secret data is a base64 encoded string, "
         "representing the arbitrary (possibly non-string) data value here. Described in "
         "https://tools.ietf.org/html/rfc4648#section-4"},
        [](const json::Value& o) { return std::to_string(MapSize(o, "data")); });
    add(age_col, age);
  } else if (k == "ConfigMap") {
    add(name_col, name);
    add({"Data", "string", "", "Data contains the configuration data."}, [](const json::Value& o) {
      return std::to_string(MapSize(o, "data") + MapSize(o, "binaryData"));
    });
    add(age_col, age);
  } else if (k == "Namespace") {
    add(name_col, name);
    add({"Status", "string", "", "The status of the namespace"},
        [](const json::Value& o) { return Q(StringAt(o, "status.phase")); });
    add(age_col, age);
  } else if (k == "ServiceAccount") {
    add(name_col, name);
    add({"Secrets", "string", "",
         "Secrets is a list of the secrets in the same namespace that pods running using this "
         "ServiceAccount are allowed to use."},
        [](const json::Value& o) {
          const json::Value* s = json::Find(o, "secrets");
          return std::to_string(s != nullptr && s->IsArray() ? s->Size() : 0);
        });
    add(age_col, age);
  } else if (k == "Event") {
    auto last_seen = [now](const json::Value& o) {
      if (!StringAt(o, "lastTimestamp").empty()) return Q(AgeOf(o, now, "lastTimestamp"));
      if (!StringAt(o, "eventTime").empty()) return Q(AgeOf(o, now, "eventTime"));
      return Q(AgeOf(o, now));
    };
    add({"Last Seen", "string", "", "Time when last this event was observed."}, last_seen);
    add({"Type", "string", "",
         "Type of this event (Normal, Warning), new types could be added in the future."},
        [](const json::Value& o) { return Q(StringAt(o, "type")); });
    add({"Reason", "string", "",
         "This should be a short, machine understandable string that gives the reason for the "
         "transition into the object's current status."},
        [](const json::Value& o) { return Q(StringAt(o, "reason")); });
    add({"Object", "string", "", "The object that this event is about."}, [](const json::Value& o) {
      std::string kind = StringAt(o, "involvedObject.kind");
      for (auto& c : kind) c = static_cast<char>(::tolower(c));
      return Q(kind + "/" + StringAt(o, "involvedObject.name"));
    });
    add({"Subobject", "string", "", "The object field this event is about.", 1},
        [](const json::Value& o) { return Q(StringAt(o, "involvedObject.fieldPath")); });
    add({"Source", "string", "",
         "The component reporting this event. Should be a short machine understandable string.", 1},
        [](const json::Value& o) {
          std::string s = StringAt(o, "source.component");
          if (!StringAt(o, "source.host").empty()) s += ", " + StringAt(o, "source.host");
          if (s.empty()) s = StringAt(o, "reportingComponent");
          return Q(s);
        });
    add({"Message", "string", "", "A human-readable description of the status of this operation."},
        [](const json::Value& o) { return Q(StringAt(o, "message")); });
    add({"First Seen", "string", "",
         "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
         1},
        [now](const json::Value& o) { return Q(AgeOf(o, now, "firstTimestamp")); });
    add({"Count", "string", "", "The number of times this event has occurred.", 1},
        [](const json::Value& o) { return std::to_string(IntOr0(o, "count")); });
    add({"Name", "string", "name", kNameDesc, 1}, name);
  } else if (k == "Lease") {
    add(name_col, name);
    add({"Holder", "string", "", "The holder of the lease."},
        [](const json::Value& o) { return Q(StringAt(o, "spec.holderIdentity")); });
    add(age_col, age);
  } else if (k == "Deployment" || k == "StatefulSet" || k == "DaemonSet") {
    add(name_col, name);
    if (k == "DaemonSet") {
      for (const char* f : {"desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                            "updatedNumberScheduled", "numberAvailable"}) {
        std::string col = std::string(f) == "desiredNumberScheduled"   ? "Desired"
                          : std::string(f) == "currentNumberScheduled" ? "Current"
                          : std::string(f) == "numberReady"            ? "Ready"
                          : std::string(f) == "updatedNumberScheduled" ? "Up-to-date"
                                                                       : "Available";
        std::string path = std::string("status.") + f;
        add({col, "integer", "", col},
            [path](const json::Value& o) { return std::to_string(IntOr0(o, path.c_str())); });
      }
      add({"Node Selector", "string", "",
           "NodeSelector is a selector which must be true for the pod to fit on a node."},
          [](const json::Value& o) {
            const json::Value* ns = At(o, "spec.template.spec.nodeSelector");
            std::string s;
            if (ns != nullptr && ns->IsObject()) {
              for (const auto& m : ns->GetObject())
                s += (s.empty() ? "" : ",") + std::string(json::View(m.name)) + "=" +
                     PrintValue(m.value);
            }
            return Q(s.empty() ? "<none>" : s);
          });
    } else {
      add({"Ready", "string", "", "Number of the pod with ready state"}, [](const json::Value& o) {
        int64_t want = IntAt(o, "spec.replicas").value_or(1);
        return Q(std::to_string(IntOr0(o, "status.readyReplicas")) + "/" + std::to_string(want));
      });
      if (k == "Deployment") {
        add({"Up-to-date", "string", "",
             "Total number of non-terminated pods targeted by this deployment that have the "
             "desired template spec."},
            [](const json::Value& o) {
              return std::to_string(IntOr0(o, "status.updatedReplicas"));
            });
        add({"Available", "string", "",
             "Total number of available pods (ready for at least minReadySeconds) targeted by this "
             "deployment."},
            [](const json::Value& o) {
              return std::to_string(IntOr0(o, "status.availableReplicas"));
            });
      }
    }
    add(age_col, age);
    add({"Containers", "string", "", "Names of each container in the template.", 1},
        [](const json::Value& o) { return Q(Containers(o, "name")); });
    add({"Images", "string", "", "Images referenced by each container in the template.", 1},
        [](const json::Value& o) { return Q(Containers(o, "image")); });
    if (k != "StatefulSet") {
      add({"Selector", "string", "",
           "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
           "the ones affected by this deployment.",
           1},
          [](const json::Value& o) { return Q(SelectorString(o)); });
    }
  } else {
    add(name_col, name);
    add({"Created At", "date", "", kCreationDesc},
        [](const json::Value& o) { return Q(StringAt(o, "metadata.creationTimestamp")); });
  }
}

void CustomColumns(const ResourceType& t, TimePoint now, std::vector<Column>* cols,
                   std::vector<CellFn>* cells) {
  cols->push_back({"Name", "string", "name", kNameDesc, 0});
  cells->push_back([](const json::Value& o) { return Q(StringAt(o, "metadata.name")); });
  const json::Value* printer = nullptr;
  if (t.crd != nullptr) {
    const json::Value* versions = At(*t.crd, "spec.versions");
    if (versions != nullptr && versions->IsArray()) {
      for (const auto& v : versions->GetArray()) {
        if (StringAt(v, "name") == t.version) printer = json::Find(v, "additionalPrinterColumns");
      }
    }
  }
  if (printer == nullptr || !printer->IsArray()) {
    cols->push_back({"Age", "date", "", kCreationDesc, 0});
    cells->push_back([now](const json::Value& o) { return Q(AgeOf(o, now)); });
    return;
  }
  for (const auto& c : printer->GetArray()) {
    Column col;
    col.name = StringAt(c, "name");
    col.type = StringAt(c, "type");
    col.format = StringAt(c, "format");
    std::string path = StringAt(c, "jsonPath");
    col.description = StringAt(c, "description");
    if (col.description.empty()) {
      col.description = "Custom resource definition column (in JSONPath format): " + path;
    }
    col.priority = static_cast<int>(IntAt(c, "priority").value_or(0));
    std::string type = col.type;
    cols->push_back(col);
    cells->push_back(
        [type, path, now](const json::Value& o) { return CustomCell(o, type, path, now); });
  }
}

std::string PartialMetadata(const json::Value& obj) {
  json::Document md;
  const json::Value* m = json::Find(obj, "metadata");
  if (m == nullptr) return "{}";
  md.CopyFrom(*m, md.GetAllocator());
  CanonicalizeMetadata(md, md.GetAllocator());
  json::Value* mf = MutableMember(md, "managedFields");
  if (mf != nullptr && mf->IsArray()) {
    for (auto& e : mf->GetArray()) {
      OrderKeys(
          e,
          {"manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"},
          md.GetAllocator());
    }
  }
  return "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":" +
         Compact(md) + "}";
}

}  // namespace

std::string HumanDuration(std::chrono::seconds d) {
  int64_t seconds = d.count();
  auto f = [](int64_t a, const char* ua, int64_t b, const char* ub) {
    return std::to_string(a) + ua + (b == 0 ? "" : std::to_string(b) + ub);
  };
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) return f(minutes, "m", seconds % 60, "s");
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  int64_t hours = seconds / 3600;
  if (hours < 8) return f(hours, "h", minutes % 60, "m");
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) return f(hours / 24, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) return f(hours / 24 / 365, "y", (hours / 24) % 365, "d");
  return std::to_string(hours / 24 / 365) + "y";
}

std::vector<const json::Value*> EvalJsonPath(const json::Value& root, const std::string& path) {
  std::vector<const json::Value*> cur = {&root};
  size_t i = 0;
  std::string p = path;
  if (!p.empty() && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  while (i < p.size()) {
    std::vector<const json::Value*> next;
    if (p[i] == '.') {
      size_t j = i + 1;
      while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
      std::string key = p.substr(i + 1, j - i - 1);
      for (const json::Value* v : cur) {
        if (key.empty()) {
          next.push_back(v);
          continue;
        }
        const json::Value* m = v->IsObject() ? json::Find(*v, key) : nullptr;
        if (m != nullptr) next.push_back(m);
      }
      i = j;
    } else if (p[i] == '[') {
      size_t j = p.find(']', i);
      if (j == std::string::npos) return {};
      std::string inner = p.substr(i + 1, j - i - 1);
      if (inner.rfind("?(", 0) == 0) {
        // [?(@.key=="value")] or !=
        std::string cond = inner.substr(2, inner.size() - 3);
        bool neq = cond.find("!=") != std::string::npos;
        size_t op = cond.find(neq ? "!=" : "==");
        if (op == std::string::npos || cond.rfind("@.", 0) != 0) return {};
        std::string field = cond.substr(2, op - 2);
        std::string want = cond.substr(op + 2);
        if (want.size() >= 2 && (want.front() == '"' || want.front() == '\''))
          want = want.substr(1, want.size() - 2);
        for (const json::Value* v : cur) {
          if (!v->IsArray()) continue;
          for (const auto& e : v->GetArray()) {
            const json::Value* f = At(e, field);
            bool eq = f != nullptr && PrintValue(*f) == want;
            if (eq != neq && f != nullptr) next.push_back(&e);
          }
        }
      } else if (inner == "*") {
        for (const json::Value* v : cur) {
          if (v->IsArray()) {
            for (const auto& e : v->GetArray()) next.push_back(&e);
          } else if (v->IsObject()) {
            for (const auto& m : v->GetObject()) next.push_back(&m.value);
          }
        }
      } else {
        int idx = std::atoi(inner.c_str());
        for (const json::Value* v : cur) {
          if (!v->IsArray()) continue;
          int n = static_cast<int>(v->Size());
          int k = idx < 0 ? n + idx : idx;
          if (k >= 0 && k < n) next.push_back(&(*v)[static_cast<rapidjson::SizeType>(k)]);
        }
      }
      i = j + 1;
    } else {
      return {};
    }
    cur = std::move(next);
    if (cur.empty()) break;
  }
  return cur;
}

std::string TableJson(const ResourceType& t, const std::vector<ObjectPtr>& objects,
                      const TableOptions& opts, TimePoint now) {
  std::vector<Column> cols;
  std::vector<CellFn> cells;
  if (t.custom) {
    CustomColumns(t, now, &cols, &cells);
  } else {
    BuiltinColumns(t, now, &cols, &cells);
  }
  std::string s = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{";
  s += "\"resourceVersion\":" + Q(opts.resource_version);
  if (!opts.continue_token.empty()) s += ",\"continue\":" + Q(opts.continue_token);
  if (opts.remaining > 0) s += ",\"remainingItemCount\":" + std::to_string(opts.remaining);
  s += opts.no_headers ? "},\"columnDefinitions\":null" : "},\"columnDefinitions\":[";
  for (size_t i = 0; i < cols.size() && !opts.no_headers; ++i) {
    s += (i ? "," : "") + std::string("{\"name\":") + Q(cols[i].name) +
         ",\"type\":" + Q(cols[i].type) + ",\"format\":" + Q(cols[i].format) +
         ",\"description\":" + Q(cols[i].description) +
         ",\"priority\":" + std::to_string(cols[i].priority) + "}";
  }
  s += opts.no_headers ? ",\"rows\":[" : "],\"rows\":[";
  for (size_t r = 0; r < objects.size(); ++r) {
    s += r ? ",{\"cells\":[" : "{\"cells\":[";
    for (size_t c = 0; c < cells.size(); ++c) s += (c ? "," : "") + cells[c](*objects[r]);
    s += "]";
    if (opts.include_object == "Object") {
      s += ",\"object\":" + Compact(*objects[r]);
    } else if (opts.include_object != "None") {
      s += ",\"object\":" + PartialMetadata(*objects[r]);
    }
    s += "}";
  }
  return s + "]}";
}

}  // namespace vaultsync::kubeemu
