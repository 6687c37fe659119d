// The CEL subset of CRD validation rules, table-driven: each expression against a `self`
// (and `oldSelf`), with its value, its runtime error, or its compilation error.
#include "cel.h"

#include <gtest/gtest.h>

namespace vaultsync::kubeemu::cel {
namespace {

json::Document Doc(const char* text) {
  json::Document d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

constexpr char kSelf[] =
    R"({"type":"kv-v2","version":3,"path":"app/db","ratio":0.5,"tags":["a","b"],)"
    R"("labels":{"env":"prod","tier":"db"},"items":[{"name":"x","size":1},{"name":"y","size":5}],)"
    R"("enabled":true,"empty":"","unicode":"h\u00e9llo"})";

struct Case {
  const char* rule;
  bool want;
};

TEST(Cel, EvaluatesTheSubset) {
  const Case cases[] = {
      {"self.type == 'kv-v2'", true},
      {"self.type != \"kv-v2\"", false},
      {"!(self.type == 'kv-v1' && has(self.version))", true},
      {"has(self.version) && !has(self.missing)", true},
      {"self.version > 2 && self.version >= 3 && self.version < 4 && self.version <= 3", true},
      {"self.ratio < 1.0 && self.ratio > 0.25", true},
      {"self.version == 3.0", true},
      {"self.path.startsWith('app/') && self.path.endsWith('/db') && self.path.contains('p/d')",
       true},
      {"!self.path.startsWith('/') && !self.path.contains('..')", true},
      {"self.path.matches('^[a-z]+/[a-z]+$')", true},
      {"self.path.matches('^[0-9]+$')", false},
      {"size(self.tags) == 2 && self.tags.size() == 2 && self.labels.size() == 2", true},
      {"self.unicode.size() == 5", true},
      {"'a' in self.tags && !('z' in self.tags)", true},
      {"'env' in self.labels", true},
      {"self.type in ['kv-v1', 'kv-v2']", true},
      {"self.items.all(i, i.size > 0) && self.items.exists(i, i.name == 'y')", true},
      {"self.items.all(i, i.size > 1)", false},
      {"self.items.exists_one(i, i.size > 1)", true},
      {"self.labels.all(k, k.size() > 2) && self.labels.exists(k, self.labels[k] == 'db')", true},
      {"self.items[1].name == 'y' && self.tags[0] == 'a'", true},
      {"self.enabled ? self.version == 3 : false", true},
      {"self.version + 1 == 4 && self.version * 2 - 1 == 5 && self.version / 2 == 1 && "
       "self.version % 2 == 1",
       true},
      {"self.path + '!' == 'app/db!'", true},
      {"self.empty == '' && size(self.empty) == 0", true},
      {"[1, 2] == [1, 2] && {'a': 1}['a'] == 1", true},
      {"self.missing == 1 || true", true},    // || absorbs the error
      {"false && self.missing == 1", false},  // && absorbs the error
      {"-self.version == -3 && !false", true},
      {"null == null && self.tags != null", true},
  };
  json::Document self = Doc(kSelf);
  for (const auto& c : cases) {
    auto p = Program::Compile(c.rule, nullptr);
    ASSERT_TRUE(p.ok()) << c.rule << ": " << p.status().message();
    auto r = p->Evaluate(self, nullptr);
    ASSERT_TRUE(r.ok()) << c.rule << ": " << r.status().message();
    EXPECT_EQ(*r, c.want) << c.rule;
  }
}

TEST(Cel, RuntimeErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"self.missing == 1", "no such key: missing"},
      {"self.labels['nope'] == 'x'", "no such key: nope"},
      {"self.tags[5] == 'a'", "index out of bounds: 5"},
      {"self.version / 0 == 1", "division by zero"},
      {"self.path > 1", "no such overload: _>_"},
      {"self.version.startsWith('a')", "no such overload: startsWith"},
      {"self.missing == 1 && true", "no such key: missing"},
      {"self.version", "no such overload"},
  };
  json::Document self = Doc(kSelf);
  for (const auto& [rule, error] : cases) {
    auto p = Program::Compile(rule, nullptr);
    ASSERT_TRUE(p.ok()) << rule << ": " << p.status().message();
    auto r = p->Evaluate(self, nullptr);
    ASSERT_FALSE(r.ok()) << rule;
    EXPECT_EQ(r.status().message(), error) << rule;
  }
}

TEST(Cel, TransitionRulesSeeOldSelf) {
  auto p = Program::Compile("self.version >= oldSelf.version", nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->uses_old_self());
  json::Document now = Doc(R"({"version":3})"), before = Doc(R"({"version":4})");
  EXPECT_FALSE(*p->Evaluate(now, &before));
  EXPECT_TRUE(*p->Evaluate(before, &now));
  EXPECT_FALSE(Program::Compile("self.version > 1", nullptr)->uses_old_self());
}

TEST(Cel, RefusesWhatItDoesNotImplementAndUnknownNames) {
  json::Document schema = Doc(
      R"({"type":"object","properties":{"path":{"type":"string"},"tags":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},"extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}})");
  const std::pair<const char*, const char*> cases[] = {
      {"self.path.lowerAscii() == 'x'",
       "ERROR: <input>:1:21: the kube emulator's CEL subset does not support 'lowerAscii' here\n"
       " | self.path.lowerAscii() == 'x'\n | ....................^"},
      {"self.tags.map(t, t.name).size() > 0",
       "ERROR: <input>:1:14: the kube emulator's CEL subset does not support 'map' here\n"
       " | self.tags.map(t, t.name).size() > 0\n | .............^"},
      {"self.nope == 1", "ERROR: <input>:1:5: undefined field 'nope'\n | self.nope == 1\n | ....^"},
      {"self.tags.all(t, t.nme == 'x')",
       "ERROR: <input>:1:19: undefined field 'nme'\n | self.tags.all(t, t.nme == 'x')\n | "
       "..................^"},
      {"other.path == 'x'",
       "ERROR: <input>:1:1: undeclared reference to 'other' (in container '')\n | other.path == "
       "'x'\n | ^"},
      {"frobnicate(self.path)",
       "ERROR: <input>:1:11: undeclared reference to 'frobnicate' (in container '')\n | "
       "frobnicate(self.path)\n | ..........^"},
      {"self.path ==", nullptr},
      {"b'abc' == self.path", nullptr},
  };
  for (const auto& [rule, error] : cases) {
    auto p = Program::Compile(rule, &schema);
    ASSERT_FALSE(p.ok()) << rule;
    if (error != nullptr) {
      EXPECT_EQ(p.status().message(), error) << rule;
    }
  }
  // Fields under x-kubernetes-preserve-unknown-fields are not checked.
  EXPECT_TRUE(Program::Compile("has(self.extra.anything)", &schema).ok());
}

}  // namespace
}  // namespace vaultsync::kubeemu::cel
