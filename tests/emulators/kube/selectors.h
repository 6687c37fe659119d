// Label and field selectors as list and watch accept them (`labelSelector=app=demo,tier in
// (a,b)`, `fieldSelector=metadata.name=x`), parsed once per request and matched per object.
#pragma once

#include <string>
#include <vector>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kubeemu {

class LabelSelector {
 public:
  // Grammar: comma-separated requirements `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
  // `k notin (a,b)`. An error (kInvalidArgument) carries the apiserver's message text.
  static Result<LabelSelector> Parse(const std::string& text);
  // True when every requirement holds for the object's metadata.labels.
  bool Matches(const json::Value& object) const;
  bool empty() const { return reqs_.empty(); }

 private:
  enum class Op { kExists, kNotExists, kEquals, kNotEquals, kIn, kNotIn };
  struct Req {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Req> reqs_;
};

class FieldSelector {
 public:
  // `allowed` are the field paths this resource supports (metadata.name and
  // metadata.namespace are always allowed). An unsupported field is a kInvalidArgument with
  // the apiserver's wording.
  static Result<FieldSelector> Parse(const std::string& text,
                                     const std::vector<std::string>& allowed);
  bool Matches(const json::Value& object) const;
  bool empty() const { return reqs_.empty(); }
  // The metadata.name this selector pins, or "" (kubectl delete --wait watches by name).
  std::string PinnedName() const;

 private:
  struct Req {
    std::string field;
    bool equals = true;
    std::string value;
  };
  std::vector<Req> reqs_;
};

}  // namespace vaultsync::kubeemu
