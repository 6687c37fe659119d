// Conversion and validation of events.k8s.io/v1 Events (see events_v1.h). Reconstructed from
// the apiserver's source (pkg/apis/events/v1, pkg/apis/core/validation/events.go), not
// recorded.
#include "events_v1.h"

#include <regex>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

constexpr size_t kReportingInstanceLimit = 128;
constexpr size_t kActionLimit = 128;
constexpr size_t kReasonLimit = 128;
constexpr size_t kNoteLimit = 1024;

// Copies src[from] to dst[to] when present.
void Move(const json::Value& src, const char* from, json::Value& dst, const char* to,
          json::Allocator& a) {
  const json::Value* v = json::Find(src, from);
  if (v != nullptr) dst.AddMember(json::StringValue(to, a), json::Value(*v, a), a);
}

bool Unset(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  if (v == nullptr || v->IsNull()) return true;
  if (v->IsString()) return v->GetStringLength() == 0;
  if (v->IsInt64()) return v->GetInt64() == 0;
  if (v->IsObject()) return v->ObjectEmpty();
  return false;
}

std::string Str(const json::Value& obj, const char* key) { return StringAt(obj, key); }

// validation.IsQualifiedName's messages for a reportingController value.
std::vector<std::string> QualifiedNameErrors(const std::string& value) {
  static const std::regex name_re("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  static const std::regex prefix_re(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  std::vector<std::string> errs;
  std::string name = value, prefix;
  size_t slash = value.find('/');
  if (slash != std::string::npos) {
    prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else if (!std::regex_match(prefix, prefix_re)) {
      errs.push_back(
          "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
          "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
          "'example.com', regex used for validation is "
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else {
    if (name.size() > 63) errs.push_back("name part must be no more than 63 characters");
    if (!std::regex_match(name, name_re)) {
      errs.push_back(
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
          "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
          "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }
  }
  return errs;
}

// legacyValidateEvent for an event whose eventTime is set (events.k8s.io writes must set it;
// without one the create check reports it as required).
void LegacyChecks(const json::Value& e, const std::string& ns, std::vector<StatusCause>* out) {
  if (Unset(e, "eventTime")) {
    std::string involved_ns = StringAt(e, "involvedObject.namespace");
    if (involved_ns.empty() ? (!ns.empty() && ns != "default") : involved_ns != ns) {
      out->push_back(InvalidCause("involvedObject.namespace", json::Quote(involved_ns),
                                  "does not match event.namespace"));
    }
    return;
  }
  if (StringAt(e, "involvedObject.namespace").empty() && ns != "default" && ns != "kube-system") {
    out->push_back(
        InvalidCause("involvedObject.namespace", "\"\"", "does not match event.namespace"));
  }
  std::string controller = Str(e, "reportingComponent");
  if (controller.empty()) out->push_back(RequiredCause("reportingController"));
  for (const auto& msg : QualifiedNameErrors(controller)) {
    out->push_back(InvalidCause("reportingController", json::Quote(controller), msg));
  }
  auto limited = [&](const char* key, const char* field, size_t limit, bool required) {
    std::string v = Str(e, key);
    if (required && v.empty()) out->push_back(RequiredCause(field));
    if (v.size() > limit) {
      out->push_back(
          InvalidCause(field, "\"\"", "can have at most " + std::to_string(limit) + " characters"));
    }
  };
  limited("reportingInstance", "reportingInstance", kReportingInstanceLimit, true);
  limited("action", "action", kActionLimit, true);
  limited("reason", "reason", kReasonLimit, true);
  limited("message", "message", kNoteLimit, false);
}

void SeriesChecks(const json::Value& e, std::vector<StatusCause>* out) {
  const json::Value* series = json::Find(e, "series");
  if (series == nullptr || !series->IsObject()) return;
  if (IntAt(*series, "count").value_or(0) < 2) {
    out->push_back(InvalidCause("series.count", "\"\"", "should be at least 2"));
  }
  if (StringAt(*series, "lastObservedTime").empty()) {
    out->push_back(RequiredCause("series.lastObservedTime"));
  }
}

}  // namespace

json::Document CoreEventToV1(const json::Value& core) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  if (json::Find(core, "kind") != nullptr) d.AddMember("kind", "Event", a);
  if (json::Find(core, "apiVersion") != nullptr) d.AddMember("apiVersion", "events.k8s.io/v1", a);
  Move(core, "metadata", d, "metadata", a);
  const json::Value* et = json::Find(core, "eventTime");
  d.AddMember("eventTime", et != nullptr ? json::Value(*et, a) : json::Value(), a);
  Move(core, "series", d, "series", a);
  for (auto [from, to] : {std::pair{"reportingComponent", "reportingController"},
                          std::pair{"reportingInstance", "reportingInstance"},
                          std::pair{"action", "action"}, std::pair{"reason", "reason"}}) {
    std::string v = Str(core, from);
    if (!v.empty()) d.AddMember(json::StringValue(to, a), json::StringValue(v, a), a);
  }
  const json::Value* involved = json::Find(core, "involvedObject");
  d.AddMember("regarding",
              involved != nullptr ? json::Value(*involved, a) : json::Value(rapidjson::kObjectType),
              a);
  Move(core, "related", d, "related", a);
  for (auto [from, to] : {std::pair{"message", "note"}, std::pair{"type", "type"}}) {
    std::string v = Str(core, from);
    if (!v.empty()) d.AddMember(json::StringValue(to, a), json::StringValue(v, a), a);
  }
  const json::Value* source = json::Find(core, "source");
  d.AddMember("deprecatedSource",
              source != nullptr ? json::Value(*source, a) : json::Value(rapidjson::kObjectType), a);
  for (auto [from, to] : {std::pair{"firstTimestamp", "deprecatedFirstTimestamp"},
                          std::pair{"lastTimestamp", "deprecatedLastTimestamp"}}) {
    const json::Value* v = json::Find(core, from);
    d.AddMember(json::StringValue(to, a), v != nullptr ? json::Value(*v, a) : json::Value(), a);
  }
  if (auto count = IntAt(core, "count"); count && *count != 0) {
    d.AddMember("deprecatedCount", json::Value(*count), a);
  }
  return d;
}

json::Document V1EventToCore(const json::Value& v1) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  d.AddMember("kind", "Event", a);
  d.AddMember("apiVersion", "v1", a);
  Move(v1, "metadata", d, "metadata", a);
  Move(v1, "regarding", d, "involvedObject", a);
  Move(v1, "reason", d, "reason", a);
  Move(v1, "note", d, "message", a);
  Move(v1, "deprecatedSource", d, "source", a);
  Move(v1, "deprecatedFirstTimestamp", d, "firstTimestamp", a);
  Move(v1, "deprecatedLastTimestamp", d, "lastTimestamp", a);
  Move(v1, "deprecatedCount", d, "count", a);
  Move(v1, "type", d, "type", a);
  Move(v1, "eventTime", d, "eventTime", a);
  Move(v1, "series", d, "series", a);
  Move(v1, "action", d, "action", a);
  Move(v1, "related", d, "related", a);
  Move(v1, "reportingController", d, "reportingComponent", a);
  Move(v1, "reportingInstance", d, "reportingInstance", a);
  return d;
}

std::vector<StatusCause> ValidateEventsV1Create(const json::Value& e, const std::string& ns) {
  std::vector<StatusCause> causes;
  LegacyChecks(e, ns, &causes);
  SeriesChecks(e, &causes);
  if (Unset(e, "eventTime")) causes.push_back(RequiredCause("eventTime"));
  std::string type = Str(e, "type");
  if (type != "Normal" && type != "Warning") {
    causes.push_back(InvalidCause("type", "\"\"", "has invalid value: " + type));
  }
  for (const char* f : {"firstTimestamp", "lastTimestamp", "count"}) {
    if (!Unset(e, f)) causes.push_back(InvalidCause(f, "\"\"", "needs to be unset"));
  }
  if (!StringAt(e, "source.component").empty() || !StringAt(e, "source.host").empty()) {
    causes.push_back(InvalidCause("source", "\"\"", "needs to be unset"));
  }
  return causes;
}

std::vector<StatusCause> ValidateEventsV1Update(const json::Value& e, const json::Value& old,
                                                const std::string& ns) {
  std::vector<StatusCause> causes;
  LegacyChecks(e, ns, &causes);
  const json::Value* s_new = json::Find(e, "series");
  const json::Value* s_old = json::Find(old, "series");
  bool series_changed = (s_new == nullptr) != (s_old == nullptr) ||
                        (s_new != nullptr && s_old != nullptr && !(*s_new == *s_old));
  if (series_changed) SeriesChecks(e, &causes);
  for (const char* f :
       {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
        "type", "eventTime", "action", "related", "reportingComponent", "reportingInstance"}) {
    const json::Value* x = json::Find(e, f);
    const json::Value* y = json::Find(old, f);
    bool same =
        (x == nullptr || x->IsNull()) ? (y == nullptr || y->IsNull()) : (y != nullptr && *x == *y);
    if (!same) {
      std::string field = std::string(f) == "reportingComponent" ? "reportingController" : f;
      causes.push_back(
          InvalidCause(field, x != nullptr ? GoValueString(*x) : "\"\"", "field is immutable"));
    }
  }
  return causes;
}

}  // namespace vaultsync::kubeemu
