// A small evaluator of CEL (the Common Expression Language) for the x-kubernetes-validations
// rules of CustomResourceDefinitions, which a v1.26 apiserver enforces by default. It covers
// the subset these rules use:
//   literals (int, uint, double, string, bool, null, lists, maps), `self` and `oldSelf`
//   (transition rules), field selection and indexing, has(), == != < <= > >=, && || !
//   (with CEL's error-absorbing && and ||), ?:, + - * / %, `in` on lists and maps, size()
//   and .size(), .startsWith(), .endsWith(), .contains(), .matches() (ECMAScript regex
//   standing in for RE2), and the all/exists/exists_one macros over lists (elements) and
//   maps (keys).
// Anything else (other functions, macros such as map/filter, bytes, comprehensions over
// other types) fails to compile with a message naming the construct, so a CRD using it is
// refused instead of silently not enforced. Compilation also checks the fields a rule selects
// from `self` against the schema ("undefined field"), as the apiserver's type checker does.
#pragma once

#include <memory>
#include <string>

#include "util/json.h"
#include "util/status.h"

namespace vaultsync::kubeemu::cel {

struct Node;

class Program {
 public:
  // Parses and checks `rule` for a schema node (`schema` may be nullptr: no field checks).
  // On failure the status message is worded like cel-go's:
  //   "ERROR: <input>:1:6: undefined field 'foo'\n | self.foo\n | .....^"
  static Result<Program> Compile(const std::string& rule, const json::Value* schema);

  // Evaluates the rule with `self` (and `old_self`, nullptr when absent). Returns the boolean
  // result, or an error status whose message is the runtime error ("no such key: version").
  // A non-boolean result is an error too.
  Result<bool> Evaluate(const json::Value& self, const json::Value* old_self) const;

  // Whether the rule refers to oldSelf (a transition rule: evaluated on updates only).
  bool uses_old_self() const { return uses_old_self_; }

 private:
  std::shared_ptr<const Node> root_;
  bool uses_old_self_ = false;
};

}  // namespace vaultsync::kubeemu::cel
