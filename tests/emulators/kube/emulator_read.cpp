// Reads: GET, LIST (selectors, paging, resourceVersion rules) and WATCH streams.
#include <chrono>
#include <thread>

#include "builtin_semantics.h"
#include "emulator_internal.h"
#include "kube_emulator.h"
#include "object_json.h"
#include "selectors.h"
#include "table.h"
#include "util/base64.h"

namespace vaultsync::kubeemu {
namespace {

struct ContinueToken {
  int64_t rv = 0;
  std::string start;
};

std::string EncodeContinue(int64_t rv, const std::string& start) {
  std::string j = "{\"v\":\"meta.k8s.io/v1\",\"rv\":" + std::to_string(rv) +
                  ",\"start\":" + json::Quote(start + std::string(1, '\0')) + "}";
  // Go escapes NUL as \u0000, as json::Quote does.
  return base64::EncodeUrl(j);
}

std::optional<ContinueToken> DecodeContinue(const std::string& token) {
  auto raw = base64::DecodeUrl(token);
  if (!raw) return std::nullopt;
  auto doc = json::Parse(*raw);
  if (!doc.ok()) return std::nullopt;
  auto rv = json::Int64(*doc, "rv");
  auto start = json::String(*doc, "start");
  if (!rv.ok() || !start.ok()) return std::nullopt;
  ContinueToken t{*rv, std::string(*start)};
  if (!t.start.empty() && t.start.back() == '\0') t.start.pop_back();
  return t;
}

std::string ItemKey(const json::Value& obj, bool all_namespaces) {
  std::string name = StringAt(obj, "metadata.name");
  if (!all_namespaces) return name;
  std::string ns = StringAt(obj, "metadata.namespace");
  return ns.empty() ? name : ns + "/" + name;
}

// An item of a built-in list carries no kind/apiVersion; custom resources keep them.
std::string ListItem(const ResourceType& t, const json::Value& obj) {
  if (t.custom) return Compact(obj);
  json::Document d = Clone(obj);
  RemoveMember(d, "kind");
  RemoveMember(d, "apiVersion");
  return Compact(d);
}

std::string StatusEvent(const ApiError& e) {
  return "{\"type\":\"ERROR\",\"object\":" + e.Body() + "}\n";
}

}  // namespace

ServerResponse KubeEmulator::Get(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  ObjectPtr obj = store_.Get(type.StorageKey(), t.ns, t.name);
  if (obj == nullptr) return ErrorAnswer(NotFoundError(type.Ref(), t.name));
  if (WantsTable(req)) {
    TableOptions opts;
    opts.resource_version = StringAt(*obj, "metadata.resourceVersion");
    std::string inc = req.Query("includeObject");
    if (!inc.empty()) opts.include_object = inc;
    return JsonAnswer(200, TableJson(type, {obj}, opts, Now()));
  }
  return JsonAnswer(200, Compact(*obj));
}

ServerResponse KubeEmulator::List(const ServerRequest& req, const RequestTarget& t) {
  const ResourceType& type = *t.type;
  auto labels = LabelSelector::Parse(req.Query("labelSelector"));
  if (!labels.ok()) return ErrorAnswer(BadRequestError(labels.status().message()));
  auto fields = FieldSelector::Parse(req.Query("fieldSelector"), SupportedFieldSelectors(type));
  if (!fields.ok()) return ErrorAnswer(BadRequestError(fields.status().message()));

  int64_t list_rv = store_.current_rv();
  std::string rv_param = req.Query("resourceVersion");
  std::string match = req.Query("resourceVersionMatch");
  if (!rv_param.empty() && rv_param != "0") {
    std::optional<int64_t> parsed = ParseInt(rv_param);
    if (!parsed) {
      return ErrorAnswer(BadRequestError("invalid resource version \"" + rv_param + "\""));
    }
    int64_t rv = *parsed;
    if (match == "Exact" && !store_.RvRetained(rv)) {
      return ErrorAnswer(GoneError("The resourceVersion for the provided list is too old."));
    }
    if (rv > store_.current_rv()) {
      ApiError e;
      e.code = 504;
      e.reason = "Timeout";
      e.message = "Timeout: Too large resource version: " + rv_param +
                  ", current: " + std::to_string(store_.current_rv());
      e.has_details = true;
      e.causes.push_back({"ResourceVersionTooLarge", "Too large resource version", ""});
      e.retry_after_seconds = 1;
      return ErrorAnswer(e);
    }
  }
  bool all_ns = t.ns.empty();
  std::string start;
  std::string cont = req.Query("continue");
  if (!cont.empty()) {
    auto token = DecodeContinue(cont);
    if (!token)
      return ErrorAnswer(BadRequestError("continue key is not valid: illegal base64 data"));
    if (!store_.RvRetained(token->rv)) {
      ApiError e = GoneError(
          "The provided continue parameter is too old to display a consistent list result. You "
          "can start a new list without the continue parameter, or use the continue token in "
          "this response to retrieve the remainder of the results. Continuing with the provided "
          "token results in an inconsistent list - objects that were created, modified, or "
          "deleted between the time the first chunk was returned and now may show up in the "
          "list.");
      e.metadata_continue = EncodeContinue(-1, token->start);
      return ErrorAnswer(e);
    }
    list_rv = token->rv > 0 ? token->rv : list_rv;
    start = token->start;
  }
  int64_t limit = 0;
  // resourceVersion=0 is served whole from the watch cache: the limit is ignored.
  if (std::string l = req.Query("limit"); !l.empty() && rv_param != "0") {
    limit = ParseInt(l).value_or(0);
  }
  // One page, in etcd's order, from just after the continue token's key: the scan stops at
  // the first match past the page (with selectors) or counts what is left (without, for
  // remainingItemCount), so a page costs what it visits.
  const bool selective = !labels->empty() || !fields->empty();
  std::vector<ObjectPtr> matched;
  bool more = false;
  int64_t rest = 0;
  const std::string after = start.empty() || all_ns ? start : t.ns + "/" + start;
  store_.Scan(type.StorageKey(), t.ns, after, [&](const ObjectPtr& obj) {
    bool page_full = limit > 0 && static_cast<int64_t>(matched.size()) >= limit;
    if (page_full && !selective) {
      more = true;
      ++rest;
      return true;
    }
    if (!labels->Matches(*obj) || !fields->Matches(*obj)) return true;
    if (page_full) {
      more = true;
      return false;
    }
    matched.push_back(obj);
    return true;
  });
  std::string next;
  int64_t remaining = -1;
  if (more) {
    next = EncodeContinue(list_rv, ItemKey(*matched.back(), all_ns));
    if (!selective) remaining = rest;
  }
  if (WantsTable(req)) {
    TableOptions opts;
    opts.resource_version = std::to_string(list_rv);
    opts.continue_token = next;
    opts.remaining = remaining;
    std::string inc = req.Query("includeObject");
    if (!inc.empty()) opts.include_object = inc;
    return JsonAnswer(200, TableJson(type, matched, opts, Now()));
  }
  std::string items = "[";
  for (size_t i = 0; i < matched.size(); ++i) items += (i ? "," : "") + ListItem(type, *matched[i]);
  items += "]";
  std::string rv_str = json::Quote(std::to_string(list_rv));
  std::string body;
  if (type.custom) {
    body = "{\"apiVersion\":" + json::Quote(type.GroupVersion()) + ",\"items\":" + items +
           ",\"kind\":" + json::Quote(type.list_kind) +
           ",\"metadata\":{\"continue\":" + json::Quote(next) +
           (remaining > 0 ? ",\"remainingItemCount\":" + std::to_string(remaining) : "") +
           ",\"resourceVersion\":" + rv_str + "}}";
  } else {
    body = "{\"kind\":" + json::Quote(type.list_kind) +
           ",\"apiVersion\":" + json::Quote(type.GroupVersion()) +
           ",\"metadata\":{\"resourceVersion\":" + rv_str +
           (next.empty() ? "" : ",\"continue\":" + json::Quote(next)) +
           (remaining > 0 ? ",\"remainingItemCount\":" + std::to_string(remaining) : "") +
           "},\"items\":" + items + "}";
  }
  return JsonAnswer(200, body);
}

ServerResponse KubeEmulator::Watch(const ServerRequest& req, const RequestTarget& t) {
  auto type = t.type;
  auto labels = LabelSelector::Parse(req.Query("labelSelector"));
  if (!labels.ok()) return ErrorAnswer(BadRequestError(labels.status().message()));
  auto fields = FieldSelector::Parse(req.Query("fieldSelector"), SupportedFieldSelectors(*type));
  if (!fields.ok()) return ErrorAnswer(BadRequestError(fields.status().message()));
  std::string rv_param = req.Query("resourceVersion");
  int64_t timeout_s = 1800;
  if (std::string ts = req.Query("timeoutSeconds"); !ts.empty()) {
    timeout_s = ParseInt(ts).value_or(timeout_s);
  }
  bool bookmarks = QueryBool(req, "allowWatchBookmarks");

  // Decide the starting point under the lock.
  std::vector<ObjectPtr> initial;
  int64_t from = 0;
  std::string error_line;
  if (rv_param.empty() || rv_param == "0") {
    for (const ObjectPtr& obj : store_.List(type->StorageKey(), t.ns)) {
      if (labels->Matches(*obj) && fields->Matches(*obj)) initial.push_back(obj);
    }
    from = store_.current_rv();
  } else {
    std::optional<int64_t> parsed = ParseInt(rv_param);
    if (!parsed) {
      return ErrorAnswer(BadRequestError("invalid resource version \"" + rv_param + "\""));
    }
    from = *parsed;
    std::vector<WatchEvent> probe;
    int64_t oldest = 0;
    if (!store_.EventsSince(type->StorageKey(), from, &probe, &oldest)) {
      error_line = StatusEvent(
          GoneError("too old resource version: " + rv_param + " (" + std::to_string(oldest) + ")"));
    }
  }
  uint64_t generation = cut_generation_;
  std::string ns = t.ns;
  LabelSelector lsel = *labels;
  FieldSelector fsel = *fields;

  bool table = WantsTable(req);
  std::string include = req.Query("includeObject");
  ServerResponse resp = JsonAnswer(200, "");
  resp.stream = [this, type, ns, lsel, fsel, initial, from, error_line, generation, timeout_s,
                 bookmarks, table, include](emu::StreamWriter& w) {
    // With Accept as=Table each event carries a one-row Table; headers only in the first.
    bool headers_sent = false;
    auto render = [&](const ObjectPtr& obj) {
      if (!table) return Compact(*obj);
      TableOptions opts;
      opts.resource_version = StringAt(*obj, "metadata.resourceVersion");
      if (!include.empty()) opts.include_object = include;
      opts.no_headers = headers_sent;
      headers_sent = true;
      return TableJson(*type, {obj}, opts, Now());
    };
    if (!error_line.empty()) {
      w.Write(error_line);
      return;
    }
    std::string batch;
    for (const ObjectPtr& obj : initial) {
      batch += "{\"type\":\"ADDED\",\"object\":" + render(obj) + "}\n";
      if (batch.size() >= 256 * 1024) {
        if (!w.Write(batch)) return;
        batch.clear();
      }
    }
    if (!batch.empty() && !w.Write(batch)) return;
    batch.clear();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    auto next_bookmark = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int64_t last = from;
    const std::string key = type->StorageKey();
    while (true) {
      std::vector<WatchEvent> events;
      int64_t oldest = 0;
      bool ok = true;
      bool cut = false;
      int64_t current = 0;
      {
        std::unique_lock<std::mutex> lock(mu_);
        WatchersOf(key).wait_for(lock, std::chrono::milliseconds(200), [&] {
          return cut_generation_ != generation || store_.LatestRv(key) > last;
        });
        cut = cut_generation_ != generation;
        if (!cut) ok = store_.EventsSince(key, last, &events, &oldest);
        current = store_.current_rv();
      }
      if (cut || w.stopping()) return;
      if (!ok) {
        w.Write(StatusEvent(GoneError("too old resource version: " + std::to_string(last) + " (" +
                                      std::to_string(oldest) + ")")));
        return;
      }
      for (const WatchEvent& ev : events) {
        last = ev.rv;
        if (!ns.empty() && ev.ns != ns) continue;
        bool now_match =
            ev.type != "DELETED" && lsel.Matches(*ev.object) && fsel.Matches(*ev.object);
        bool was_match = ev.prev != nullptr && lsel.Matches(*ev.prev) && fsel.Matches(*ev.prev);
        std::string kind;
        ObjectPtr shown = ev.object;
        if (ev.type == "DELETED") {
          if (!was_match) continue;
          kind = "DELETED";
        } else if (ev.type == "ADDED") {
          if (!now_match) continue;
          kind = "ADDED";
        } else if (now_match && was_match) {
          kind = "MODIFIED";
        } else if (now_match) {
          kind = "ADDED";
        } else if (was_match) {
          // An object that stops matching the watch's selectors leaves it as DELETED carrying
          // its previous content (the version that matched) at this event's resourceVersion,
          // as the apiserver's cacheWatcher.convertToWatchEvent does; clients (Flux-style
          // shards) rely on it to forget an object without mistaking it for a deletion.
          kind = "DELETED";
          json::Document left = Clone(*ev.prev);
          SetString(EnsureObject(left, "metadata", left.GetAllocator()), "resourceVersion",
                    std::to_string(ev.rv), left.GetAllocator());
          shown = std::make_shared<const json::Document>(std::move(left));
        } else {
          continue;
        }
        // Every event ready now goes out in one write (one chunk): chunk boundaries mean
        // nothing to a watch client, and a burst then costs one hand-off, not one per event.
        batch += "{\"type\":\"" + kind + "\",\"object\":" + render(shown) + "}\n";
      }
      if (!batch.empty()) {
        if (!w.Write(batch)) return;
        batch.clear();
      }
      if (events.empty()) last = std::max(last, current);
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline || (bookmarks && now >= next_bookmark)) {
        if (bookmarks) {
          std::string md = "{\"resourceVersion\":" + json::Quote(std::to_string(last)) +
                           (type->custom ? "}" : ",\"creationTimestamp\":null}");
          if (!w.Write("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":" + json::Quote(type->kind) +
                       ",\"apiVersion\":" + json::Quote(type->GroupVersion()) +
                       ",\"metadata\":" + md + "}}\n")) {
            return;
          }
          next_bookmark = now + std::chrono::seconds(60);
        }
        if (now >= deadline) return;
      }
    }
  };
  return resp;
}

}  // namespace vaultsync::kubeemu
