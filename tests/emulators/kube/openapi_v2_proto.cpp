// gnostic openapi.v2 protobuf encoding of a swagger JSON document. Field numbers follow
// google/gnostic openapiv2/OpenAPIv2.proto.
#include "openapi_v2_proto.h"

#include <cstring>

#include "object_json.h"

namespace vaultsync::kubeemu {
namespace {

// Appends protobuf fields to a message buffer.
class Message {
 public:
  void Varint(int field, uint64_t v) {
    Key(field, 0);
    Raw(v);
  }
  void Bool(int field, bool v) {
    if (v) Varint(field, 1);
  }
  void Double(int field, double v) {
    if (v == 0) return;
    Key(field, 1);
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
  }
  void String(int field, std::string_view s) {
    if (s.empty()) return;
    Bytes(field, s);
  }
  void Bytes(int field, std::string_view s) {
    Key(field, 2);
    Raw(s.size());
    out_.append(s.data(), s.size());
  }
  void Sub(int field, const Message& m) { Bytes(field, m.out_); }
  const std::string& str() const { return out_; }

 private:
  void Key(int field, int wire) { Raw((static_cast<uint64_t>(field) << 3) | wire); }
  void Raw(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  std::string out_;
};

std::string Str(const json::Value& obj, const char* key) { return StringAt(obj, key); }

bool BoolAt(const json::Value& obj, const char* key) {
  const json::Value* v = json::Find(obj, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

// gnostic Any: {value: google.protobuf.Any (unused), yaml: 2}. JSON is YAML.
Message Any(const json::Value& v) {
  Message m;
  m.String(2, Compact(v) + "\n");
  return m;
}

void VendorExtensions(Message& m, int field, const json::Value& obj) {
  for (const auto& member : obj.GetObject()) {
    std::string_view name = json::View(member.name);
    if (name.rfind("x-", 0) != 0) continue;
    Message named;
    named.String(1, name);
    named.Sub(2, Any(member.value));
    m.Sub(field, named);
  }
}

void Strings(Message& m, int field, const json::Value& obj, const char* key) {
  const json::Value* arr = json::Find(obj, key);
  if (arr == nullptr || !arr->IsArray()) return;
  for (const auto& s : arr->GetArray()) {
    if (s.IsString()) m.Bytes(field, json::View(s));
  }
}

Message Schema(const json::Value& s);

Message NamedSchemas(const json::Value& props) {
  Message m;
  for (const auto& p : props.GetObject()) {
    Message named;
    named.String(1, json::View(p.name));
    named.Sub(2, Schema(p.value));
    m.Sub(1, named);
  }
  return m;
}

Message Schema(const json::Value& s) {
  Message m;
  if (!s.IsObject()) return m;
  m.String(1, Str(s, "$ref"));
  m.String(2, Str(s, "format"));
  m.String(3, Str(s, "title"));
  m.String(4, Str(s, "description"));
  if (const json::Value* d = json::Find(s, "default")) m.Sub(5, Any(*d));
  auto number = [&](int field, const char* key) {
    const json::Value* v = json::Find(s, key);
    if (v != nullptr && v->IsNumber()) m.Double(field, v->GetDouble());
  };
  auto integer = [&](int field, const char* key) {
    const json::Value* v = json::Find(s, key);
    if (v != nullptr && v->IsInt64()) m.Varint(field, static_cast<uint64_t>(v->GetInt64()));
  };
  number(6, "multipleOf");
  number(7, "maximum");
  m.Bool(8, BoolAt(s, "exclusiveMaximum"));
  number(9, "minimum");
  m.Bool(10, BoolAt(s, "exclusiveMinimum"));
  integer(11, "maxLength");
  integer(12, "minLength");
  m.String(13, Str(s, "pattern"));
  integer(14, "maxItems");
  integer(15, "minItems");
  m.Bool(16, BoolAt(s, "uniqueItems"));
  integer(17, "maxProperties");
  integer(18, "minProperties");
  Strings(m, 19, s, "required");
  if (const json::Value* e = json::Find(s, "enum"); e != nullptr && e->IsArray()) {
    for (const auto& v : e->GetArray()) m.Sub(20, Any(v));
  }
  if (const json::Value* ap = json::Find(s, "additionalProperties")) {
    Message item;
    if (ap->IsBool()) {
      item.Varint(2, ap->GetBool() ? 1 : 0);
    } else {
      item.Sub(1, Schema(*ap));
    }
    m.Sub(21, item);
  }
  if (const json::Value* t = json::Find(s, "type")) {
    Message type;
    if (t->IsString()) type.Bytes(1, json::View(*t));
    if (t->IsArray()) Strings(type, 1, s, "type");
    m.Sub(22, type);
  }
  if (const json::Value* items = json::Find(s, "items")) {
    Message item;
    if (items->IsArray()) {
      for (const auto& i : items->GetArray()) item.Sub(1, Schema(i));
    } else {
      item.Sub(1, Schema(*items));
    }
    m.Sub(23, item);
  }
  if (const json::Value* all = json::Find(s, "allOf"); all != nullptr && all->IsArray()) {
    for (const auto& i : all->GetArray()) m.Sub(24, Schema(i));
  }
  if (const json::Value* props = json::Find(s, "properties");
      props != nullptr && props->IsObject()) {
    m.Sub(25, NamedSchemas(*props));
  }
  m.String(26, Str(s, "discriminator"));
  m.Bool(27, BoolAt(s, "readOnly"));
  if (const json::Value* ex = json::Find(s, "example")) m.Sub(30, Any(*ex));
  VendorExtensions(m, 31, s);
  return m;
}

// A query (3) or path (4) parameter of NonBodyParameter; both sub-schemas share the layout
// up to `name`, then differ by allow_empty_value (query only).
Message NonBody(const json::Value& p) {
  bool query = Str(p, "in") != "path";
  Message sub;
  sub.Bool(1, BoolAt(p, "required"));
  sub.String(2, Str(p, "in"));
  sub.String(3, Str(p, "description"));
  sub.String(4, Str(p, "name"));
  int base = query ? 6 : 5;
  sub.String(base, Str(p, "type"));
  sub.String(base + 1, Str(p, "format"));
  sub.Bool(query ? 20 : 19, BoolAt(p, "uniqueItems"));
  VendorExtensions(sub, query ? 23 : 22, p);
  Message nb;
  nb.Sub(query ? 3 : 4, sub);
  return nb;
}

Message ParametersItem(const json::Value& p) {
  Message param;
  if (Str(p, "in") == "body") {
    Message body;
    body.String(1, Str(p, "description"));
    body.String(2, Str(p, "name"));
    body.String(3, Str(p, "in"));
    body.Bool(4, BoolAt(p, "required"));
    if (const json::Value* s = json::Find(p, "schema")) body.Sub(5, Schema(*s));
    VendorExtensions(body, 6, p);
    param.Sub(1, body);
  } else {
    param.Sub(2, NonBody(p));
  }
  Message item;
  item.Sub(1, param);
  return item;
}

Message Operation(const json::Value& op) {
  Message m;
  Strings(m, 1, op, "tags");
  m.String(2, Str(op, "summary"));
  m.String(3, Str(op, "description"));
  m.String(5, Str(op, "operationId"));
  Strings(m, 6, op, "produces");
  Strings(m, 7, op, "consumes");
  if (const json::Value* ps = json::Find(op, "parameters"); ps != nullptr && ps->IsArray()) {
    for (const auto& p : ps->GetArray()) m.Sub(8, ParametersItem(p));
  }
  if (const json::Value* rs = json::Find(op, "responses"); rs != nullptr && rs->IsObject()) {
    Message responses;
    for (const auto& r : rs->GetObject()) {
      Message response;
      response.String(1, Str(r.value, "description"));
      if (const json::Value* s = json::Find(r.value, "schema")) {
        Message item;
        item.Sub(1, Schema(*s));
        response.Sub(2, item);
      }
      Message value;
      value.Sub(1, response);
      Message named;
      named.String(1, json::View(r.name));
      named.Sub(2, value);
      responses.Sub(1, named);
    }
    m.Sub(9, responses);
  }
  Strings(m, 10, op, "schemes");
  m.Bool(11, BoolAt(op, "deprecated"));
  VendorExtensions(m, 13, op);
  return m;
}

Message PathItem(const json::Value& item) {
  Message m;
  const std::pair<const char*, int> methods[] = {{"get", 2},    {"put", 3},     {"post", 4},
                                                 {"delete", 5}, {"options", 6}, {"head", 7},
                                                 {"patch", 8}};
  for (const auto& [method, field] : methods) {
    if (const json::Value* op = json::Find(item, method)) m.Sub(field, Operation(*op));
  }
  if (const json::Value* ps = json::Find(item, "parameters"); ps != nullptr && ps->IsArray()) {
    for (const auto& p : ps->GetArray()) m.Sub(9, ParametersItem(p));
  }
  VendorExtensions(m, 10, item);
  return m;
}

}  // namespace

std::string EncodeOpenApiV2Proto(const json::Value& doc) {
  Message m;
  m.String(1, StringAt(doc, "swagger"));
  if (const json::Value* info = json::Find(doc, "info")) {
    Message i;
    i.String(1, StringAt(*info, "title"));
    i.String(2, StringAt(*info, "version"));
    i.String(3, StringAt(*info, "description"));
    m.Sub(2, i);
  }
  if (const json::Value* paths = json::Find(doc, "paths"); paths != nullptr && paths->IsObject()) {
    Message p;
    for (const auto& entry : paths->GetObject()) {
      Message named;
      named.String(1, json::View(entry.name));
      named.Sub(2, PathItem(entry.value));
      p.Sub(2, named);
    }
    m.Sub(8, p);
  }
  if (const json::Value* defs = json::Find(doc, "definitions");
      defs != nullptr && defs->IsObject()) {
    m.Sub(9, NamedSchemas(*defs));
  }
  if (const json::Value* sec = json::Find(doc, "security"); sec != nullptr && sec->IsArray()) {
    for (const auto& req : sec->GetArray()) {
      Message r;
      for (const auto& entry : req.GetObject()) {
        Message arr;
        if (entry.value.IsArray()) {
          for (const auto& s : entry.value.GetArray()) {
            if (s.IsString()) arr.Bytes(1, json::View(s));
          }
        }
        Message named;
        named.String(1, json::View(entry.name));
        named.Sub(2, arr);
        r.Sub(1, named);
      }
      m.Sub(12, r);
    }
  }
  if (const json::Value* sd = json::Find(doc, "securityDefinitions");
      sd != nullptr && sd->IsObject()) {
    Message defs;
    for (const auto& entry : sd->GetObject()) {
      Message key;
      key.String(1, StringAt(entry.value, "type"));
      key.String(2, StringAt(entry.value, "name"));
      key.String(3, StringAt(entry.value, "in"));
      key.String(4, StringAt(entry.value, "description"));
      Message item;
      item.Sub(2, key);
      Message named;
      named.String(1, json::View(entry.name));
      named.Sub(2, item);
      defs.Sub(1, named);
    }
    m.Sub(13, defs);
  }
  return m.str();
}

}  // namespace vaultsync::kubeemu
