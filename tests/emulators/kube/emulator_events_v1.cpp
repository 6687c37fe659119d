// events.k8s.io/v1: the same stored Events as core/v1 (one storage, as in the apiserver),
// seen through the v1 field mapping of events_v1.h. A request is served by the core/v1
// handlers and its bodies are converted on the way in and out: objects, lists, tables, watch
// events and Status errors (whose messages then name events.events.k8s.io). Writes get the
// stricter events.k8s.io/v1 validation, and patches apply to the v1 form of the object.
// Simplification: managedFields of writes made through events.k8s.io (server-side apply
// included) are recorded in their core/v1 form (apiVersion v1, core field names), where the
// apiserver records the v1 ones.
#include <strings.h>

#include <cctype>

#include "emulator_internal.h"
#include "events_v1.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "patch.h"
#include "yaml_json.h"

namespace vaultsync::kubeemu {
namespace {

constexpr char kGroup[] = "events.k8s.io";

// Core field selector names for the v1 ones.
std::string CoreFieldSelector(std::string sel) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"regarding.", "involvedObject."},
                          {"reportingController", "reportingComponent"},
                          {"deprecatedSource", "source"},
                          {"note", "message"}}) {
    for (size_t pos = sel.find(from); pos != std::string::npos; pos = sel.find(from, pos)) {
      bool at_term = pos == 0 || sel[pos - 1] == ',' || sel[pos - 1] == '!';
      if (at_term) {
        sel.replace(pos, from.size(), to);
        pos += to.size();
      } else {
        pos += from.size();
      }
    }
  }
  return sel;
}

std::string PercentEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The request as the core/v1 handlers expect it.
ServerRequest CoreRequest(const ServerRequest& req) {
  ServerRequest c = req;
  const std::string prefix = std::string("/apis/") + kGroup + "/v1";
  if (c.path.rfind(prefix, 0) == 0) c.path = "/api/v1" + c.path.substr(prefix.size());
  bool present = false;
  std::string fs = req.Query("fieldSelector", &present);
  if (present) {
    std::string rest;
    std::string_view q = req.query;
    while (!q.empty()) {
      size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      if (pair.substr(0, pair.find('=')) != "fieldSelector") {
        rest += (rest.empty() ? "" : "&") + std::string(pair);
      }
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
    c.query =
        rest + (rest.empty() ? "" : "&") + "fieldSelector=" + PercentEncode(CoreFieldSelector(fs));
  }
  return c;
}

// A Status about core events, reworded for events.events.k8s.io.
void ConvertStatus(json::Document& d) {
  auto& a = d.GetAllocator();
  json::Value* details = MutableMember(d, "details");
  std::string kind = details != nullptr ? StringAt(*details, "kind") : "";
  if (kind != "events" && kind != "Event") return;
  if (json::Find(*details, "group") == nullptr) {
    json::Value rebuilt(rapidjson::kObjectType);
    bool placed = false;
    for (auto& m : details->GetObject()) {
      std::string key(json::View(m.name));
      if (!placed && key != "name") {
        rebuilt.AddMember("group", kGroup, a);
        placed = true;
      }
      rebuilt.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
    }
    if (!placed) rebuilt.AddMember("group", kGroup, a);
    *details = std::move(rebuilt);
  }
  std::string msg = StringAt(d, "message");
  for (auto [from, to] :
       {std::pair<std::string, std::string>{"events \"", "events.events.k8s.io \""},
        {"Event \"", "Event.events.k8s.io \""},
        {"Operation cannot be fulfilled on events \"",
         "Operation cannot be fulfilled on events.events.k8s.io \""}}) {
    if (msg.rfind(from, 0) == 0) {
      msg = to + msg.substr(from.size());
      break;
    }
  }
  SetString(d, "message", msg, a);
}

// Any core answer body (object, list, table, Status) in its events.k8s.io/v1 form.
std::string ConvertBody(const std::string& body) {
  auto doc = json::Parse(body);
  if (!doc.ok() || !doc->IsObject()) return body;
  std::string kind = StringAt(*doc, "kind");
  auto& a = doc->GetAllocator();
  if (kind == "Event") return Compact(CoreEventToV1(*doc));
  if (kind == "EventList") {
    SetString(*doc, "apiVersion", std::string(kGroup) + "/v1", a);
    if (json::Value* items = MutableMember(*doc, "items"); items != nullptr && items->IsArray()) {
      for (auto& item : items->GetArray()) {
        json::Document v1 = CoreEventToV1(item);
        item.CopyFrom(v1, a);
      }
    }
  } else if (kind == "Table") {
    if (json::Value* rows = MutableMember(*doc, "rows"); rows != nullptr && rows->IsArray()) {
      for (auto& row : rows->GetArray()) {
        json::Value* obj = MutableMember(row, "object");
        if (obj != nullptr && StringAt(*obj, "kind") == "Event") {
          json::Document v1 = CoreEventToV1(*obj);
          obj->CopyFrom(v1, a);
        }
      }
    }
  } else if (kind == "Status") {
    ConvertStatus(*doc);
  }
  return Compact(*doc);
}

// Converts each watch event line written through it.
class V1WatchWriter : public emu::StreamWriter {
 public:
  explicit V1WatchWriter(emu::StreamWriter& inner) : inner_(inner) {}
  bool Write(std::string_view chunk) override {
    std::string out;
    size_t start = 0;
    while (start < chunk.size()) {
      size_t nl = chunk.find('\n', start);
      std::string line(chunk.substr(start, nl == std::string_view::npos ? nl : nl - start));
      start = nl == std::string_view::npos ? chunk.size() : nl + 1;
      auto ev = json::Parse(line);
      json::Value* obj = ev.ok() ? MutableMember(*ev, "object") : nullptr;
      if (obj != nullptr) {
        std::string converted =
            StringAt(*obj, "kind") == "Event" && StringAt(*ev, "type") == "BOOKMARK"
                ? ""
                : ConvertBody(Compact(*obj));
        if (!converted.empty()) {
          auto parsed = json::Parse(converted);
          if (parsed.ok()) obj->CopyFrom(*parsed, ev->GetAllocator());
        } else {
          SetString(*obj, "apiVersion", std::string(kGroup) + "/v1", ev->GetAllocator());
        }
        line = Compact(*ev);
      }
      out += line + "\n";
    }
    return inner_.Write(out);
  }
  bool stopping() const override { return inner_.stopping(); }

 private:
  emu::StreamWriter& inner_;
};

ServerResponse ConvertAnswer(ServerResponse r) {
  if (r.stream) {
    auto inner = std::move(r.stream);
    r.stream = [inner](emu::StreamWriter& w) {
      V1WatchWriter v1(w);
      inner(v1);
    };
    return r;
  }
  r.body = ConvertBody(r.body);
  return r;
}

}  // namespace

ServerResponse KubeEmulator::EventsV1(const ServerRequest& req, const RequestTarget& t,
                                      const UserInfo& user, std::unique_lock<std::mutex>& lock) {
  RequestTarget ct = t;
  ct.type = registry_.Find("", "v1", "events");
  ServerRequest creq = CoreRequest(req);
  const ResourceType& v1_type = *t.type;
  auto invalid = [&](const json::Value& obj, const std::vector<StatusCause>& causes) {
    return ErrorAnswer(InvalidError("Event", kGroup, StringAt(obj, "metadata.name"), causes));
  };
  if (t.subresource.empty() && (t.verb == "create" || t.verb == "update")) {
    auto body = json::Parse(req.body);
    if (!body.ok() || !body->IsObject()) {
      return ErrorAnswer(BadRequestError(
          "the object provided is unrecognized (must be of type Event): couldn't get "
          "version/kind; json parse error: unexpected end of JSON input"));
    }
    json::Document core = V1EventToCore(*body);
    std::vector<StatusCause> causes;
    if (t.verb == "create") {
      causes = ValidateEventsV1Create(core, t.ns);
    } else {
      ObjectPtr old = store_.Get(ct.type->StorageKey(), t.ns, t.name);
      if (old == nullptr) return ErrorAnswer(NotFoundError(v1_type.Ref(), t.name));
      causes = ValidateEventsV1Update(core, *old, t.ns);
    }
    if (!causes.empty()) return invalid(core, causes);
    creq.body = Compact(core);
    std::erase_if(creq.headers,
                  [](const auto& h) { return strcasecmp(h.first.c_str(), "Content-Type") == 0; });
    creq.headers.emplace_back("Content-Type", "application/json");
    return ConvertAnswer(t.verb == "create" ? Create(creq, ct) : Update(creq, ct));
  }
  if (t.subresource.empty() && t.verb == "patch" &&
      MediaTypeOf(req) != "application/apply-patch+yaml") {
    ObjectPtr old = store_.Get(ct.type->StorageKey(), t.ns, t.name);
    if (old == nullptr) return ErrorAnswer(NotFoundError(v1_type.Ref(), t.name));
    json::Document v1 = CoreEventToV1(*old);
    if (auto e = ApplyPatchRequest(MediaTypeOf(req), req.body, false, v1)) {
      return ErrorAnswer(*e);
    }
    json::Document core = V1EventToCore(v1);
    std::vector<StatusCause> causes = ValidateEventsV1Update(core, *old, t.ns);
    if (!causes.empty()) return invalid(core, causes);
    return ConvertAnswer(WriteUpdate(creq, ct, std::move(core), old));
  }
  if (t.subresource.empty() && t.verb == "patch") {  // server-side apply of the v1 form
    auto docs = vaultsync::testing::YamlToJson(req.body);
    auto config = docs.ok() && !docs->empty() ? json::Parse((*docs)[0]) : json::Parse("");
    if (config.ok() && config->IsObject() &&
        StringAt(*config, "apiVersion") == std::string(kGroup) + "/v1") {
      creq.body = Compact(V1EventToCore(*config));
    }
    return ConvertAnswer(Apply(creq, ct));
  }
  return ConvertAnswer(Dispatch(creq, ct, user, lock));
}

}  // namespace vaultsync::kubeemu
