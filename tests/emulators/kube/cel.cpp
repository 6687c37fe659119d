// The CEL subset evaluator (see cel.h): a lexer, a recursive-descent parser following CEL's
// grammar, a checker for identifiers, functions and selected fields, and an evaluator over
// JSON values with CEL's error semantics.
#include "cel.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <variant>
#include <vector>

#include "object_json.h"

namespace vaultsync::kubeemu::cel {

struct Value;
using List = std::vector<Value>;
using Map = std::vector<std::pair<Value, Value>>;

struct Value {
  enum Kind { kNull, kBool, kInt, kUint, kDouble, kString, kList, kMap, kError } kind = kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string s;  // string value, or the error message
  std::shared_ptr<List> list;
  std::shared_ptr<Map> map;

  static Value Bool(bool v) {
    Value x;
    x.kind = kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = kInt;
    x.i = v;
    return x;
  }
  static Value String(std::string v) {
    Value x;
    x.kind = kString;
    x.s = std::move(v);
    return x;
  }
  static Value Error(std::string msg) {
    Value x;
    x.kind = kError;
    x.s = std::move(msg);
    return x;
  }
  bool IsError() const { return kind == kError; }
  bool IsNumber() const { return kind == kInt || kind == kUint || kind == kDouble; }
  double AsDouble() const {
    return kind == kInt ? static_cast<double>(i) : kind == kUint ? static_cast<double>(u) : d;
  }
};

struct Node {
  enum Op {
    kLiteral,
    kIdent,
    kSelect,
    kIndex,
    kCall,
    kListLit,
    kMapLit,
    kUnary,
    kBinary,
    kAnd,
    kOr,
    kCond,
    kHas,
    kMacro
  } op = kLiteral;
  Value literal;
  std::string name;  // identifier, field, function, operator or macro
  std::string var;   // macro variable
  std::shared_ptr<Node> target;
  std::vector<std::shared_ptr<Node>> args;
  int line = 1, col = 1;
};

namespace {

using NodePtr = std::shared_ptr<Node>;

// Functions and macros of CEL and the Kubernetes CEL libraries the subset leaves out.
const std::set<std::string>& KnownUnsupported() {
  static const std::set<std::string> s = {"int",
                                          "uint",
                                          "double",
                                          "string",
                                          "bytes",
                                          "bool",
                                          "type",
                                          "dyn",
                                          "duration",
                                          "timestamp",
                                          "getDate",
                                          "getDayOfMonth",
                                          "getDayOfWeek",
                                          "getDayOfYear",
                                          "getFullYear",
                                          "getHours",
                                          "getMilliseconds",
                                          "getMinutes",
                                          "getMonth",
                                          "getSeconds",
                                          "lowerAscii",
                                          "upperAscii",
                                          "replace",
                                          "split",
                                          "join",
                                          "trim",
                                          "substring",
                                          "indexOf",
                                          "lastIndexOf",
                                          "charAt",
                                          "url",
                                          "isURL",
                                          "isSorted",
                                          "sum",
                                          "min",
                                          "max",
                                          "map",
                                          "filter",
                                          "find",
                                          "findAll",
                                          "quantity",
                                          "isQuantity",
                                          "ip",
                                          "cidr"};
  return s;
}

struct Token {
  enum Kind { kIdent, kInt, kUint, kDouble, kString, kPunct, kEnd } kind = kEnd;
  std::string text;
  int line = 1, col = 1;
};

class CompileError {
 public:
  CompileError(int line, int col, std::string msg) : line(line), col(col), msg(std::move(msg)) {}
  int line, col;
  std::string msg;
};

std::string Format(const std::string& rule, const CompileError& e) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = rule.find('\n', start);
    lines.push_back(rule.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::string snippet = e.line >= 1 && e.line <= static_cast<int>(lines.size())
                            ? lines[static_cast<size_t>(e.line - 1)]
                            : "";
  return "ERROR: <input>:" + std::to_string(e.line) + ":" + std::to_string(e.col) + ": " + e.msg +
         "\n | " + snippet + "\n | " + std::string(static_cast<size_t>(e.col - 1), '.') + "^";
}

class Lexer {
 public:
  explicit Lexer(const std::string& s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      Token t;
      t.line = line_;
      t.col = Col();
      if (pos_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      char c = s_[pos_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        bool raw = (c == 'r' || c == 'R') && pos_ + 1 < s_.size() &&
                   (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"');
        bool bytes = (c == 'b' || c == 'B') && pos_ + 1 < s_.size() &&
                     (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"');
        if (bytes) {
          throw CompileError(t.line, t.col,
                             "the kube emulator's CEL subset does not support bytes literals");
        }
        if (raw) {
          ++pos_;
          t.kind = Token::kString;
          t.text = ReadString(true);
        } else {
          size_t start = pos_;
          while (pos_ < s_.size() &&
                 (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
            ++pos_;
          }
          t.kind = Token::kIdent;
          t.text = s_.substr(start, pos_ - start);
        }
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && pos_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
        ReadNumber(&t);
      } else if (c == '\'' || c == '"') {
        t.kind = Token::kString;
        t.text = ReadString(false);
      } else {
        static const char* two[] = {"==", "!=", "<=", ">=", "&&", "||"};
        t.kind = Token::kPunct;
        for (const char* op : two) {
          if (s_.compare(pos_, 2, op) == 0) t.text = op;
        }
        if (t.text.empty()) {
          if (std::string("<>!+-*/%?:.,()[]{}").find(c) == std::string::npos) {
            throw CompileError(
                t.line, t.col,
                std::string("Syntax error: token recognition error at: '") + c + "'");
          }
          t.text = std::string(1, c);
        }
        pos_ += t.text.size();
      }
      out.push_back(t);
    }
  }

 private:
  int Col() const { return static_cast<int>(pos_ - line_start_) + 1; }
  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') {
        ++line_;
        line_start_ = ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }
  void ReadNumber(Token* t) {
    size_t start = pos_;
    if (s_.compare(pos_, 2, "0x") == 0 || s_.compare(pos_, 2, "0X") == 0) {
      pos_ += 2;
      while (pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      t->text = std::to_string(std::stoull(s_.substr(start + 2, pos_ - start - 2), nullptr, 16));
      t->kind = Token::kInt;
    } else {
      bool is_double = false;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ + 1 < s_.size() && s_[pos_] == '.' &&
          std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
        is_double = true;
        ++pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      }
      if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        is_double = true;
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      }
      t->text = s_.substr(start, pos_ - start);
      t->kind = is_double ? Token::kDouble : Token::kInt;
    }
    if (t->kind == Token::kInt && pos_ < s_.size() && (s_[pos_] == 'u' || s_[pos_] == 'U')) {
      ++pos_;
      t->kind = Token::kUint;
    }
  }
  std::string ReadString(bool raw) {
    int line = line_, col = Col();
    char q = s_[pos_];
    bool triple = s_.compare(pos_, 3, std::string(3, q)) == 0;
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) throw CompileError(line, col, "Syntax error: unterminated string");
      if (triple ? s_.compare(pos_, 3, std::string(3, q)) == 0 : s_[pos_] == q) {
        pos_ += triple ? 3 : 1;
        return out;
      }
      char c = s_[pos_++];
      if (c == '\n') {
        if (!triple) throw CompileError(line, col, "Syntax error: unterminated string");
        ++line_;
        line_start_ = pos_;
      }
      if (c != '\\' || raw) {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) throw CompileError(line, col, "Syntax error: unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case '`':
          out += '`';
          break;
        case '?':
          out += '?';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) throw CompileError(line, col, "Syntax error: bad escape");
          unsigned cp = static_cast<unsigned>(std::stoul(s_.substr(pos_, 4), nullptr, 16));
          pos_ += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          throw CompileError(line, col, std::string("Syntax error: invalid escape \\") + e);
      }
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  NodePtr ParseAll() {
    NodePtr e = Expr();
    if (Peek().kind != Token::kEnd)
      Fail(Peek(), "Syntax error: extraneous input '" + Peek().text + "'");
    return e;
  }

 private:
  const Token& Peek() const { return t_[i_]; }
  Token Next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool Is(const char* punct) const { return Peek().kind == Token::kPunct && Peek().text == punct; }
  bool Accept(const char* punct) {
    if (!Is(punct)) return false;
    ++i_;
    return true;
  }
  [[noreturn]] void Fail(const Token& t, const std::string& msg) {
    throw CompileError(t.line, t.col, msg);
  }
  void Expect(const char* punct) {
    if (!Accept(punct)) {
      Fail(Peek(),
           Peek().kind == Token::kEnd
               ? std::string("Syntax error: mismatched input '<EOF>' expecting '") + punct + "'"
               : "Syntax error: mismatched input '" + Peek().text + "' expecting '" + punct + "'");
    }
  }
  NodePtr Make(Node::Op op, const Token& at) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->line = at.line;
    n->col = at.col;
    return n;
  }

  NodePtr Expr() {
    NodePtr c = Or();
    if (Is("?")) {
      Token at = Next();
      NodePtr n = Make(Node::kCond, at);
      n->args.push_back(c);
      n->args.push_back(Or());
      Expect(":");
      n->args.push_back(Expr());
      return n;
    }
    return c;
  }
  NodePtr Or() {
    NodePtr l = And();
    while (Is("||")) {
      Token at = Next();
      NodePtr n = Make(Node::kOr, at);
      n->args = {l, And()};
      l = n;
    }
    return l;
  }
  NodePtr And() {
    NodePtr l = Relation();
    while (Is("&&")) {
      Token at = Next();
      NodePtr n = Make(Node::kAnd, at);
      n->args = {l, Relation()};
      l = n;
    }
    return l;
  }
  NodePtr Relation() {
    NodePtr l = Addition();
    while (true) {
      bool rel = Is("==") || Is("!=") || Is("<") || Is("<=") || Is(">") || Is(">=") ||
                 (Peek().kind == Token::kIdent && Peek().text == "in");
      if (!rel) return l;
      Token at = Next();
      NodePtr n = Make(Node::kBinary, at);
      n->name = at.text;
      n->args = {l, Addition()};
      l = n;
    }
  }
  NodePtr Addition() {
    NodePtr l = Multiplication();
    while (Is("+") || Is("-")) {
      Token at = Next();
      NodePtr n = Make(Node::kBinary, at);
      n->name = at.text;
      n->args = {l, Multiplication()};
      l = n;
    }
    return l;
  }
  NodePtr Multiplication() {
    NodePtr l = Unary();
    while (Is("*") || Is("/") || Is("%")) {
      Token at = Next();
      NodePtr n = Make(Node::kBinary, at);
      n->name = at.text;
      n->args = {l, Unary()};
      l = n;
    }
    return l;
  }
  NodePtr Unary() {
    if (Is("!") || Is("-")) {
      Token at = Next();
      NodePtr n = Make(Node::kUnary, at);
      n->name = at.text;
      n->args = {Unary()};
      return n;
    }
    return Member();
  }
  std::vector<NodePtr> Args() {
    std::vector<NodePtr> args;
    if (!Is(")")) {
      do {
        args.push_back(Expr());
      } while (Accept(","));
    }
    Expect(")");
    return args;
  }
  NodePtr Member() {
    NodePtr e = Primary();
    while (true) {
      // Positions as cel-go reports them: a selection at its '.', a call at its '('.
      if (Is(".")) {
        Token dot = Next();
        Token id = Next();
        if (id.kind != Token::kIdent)
          Fail(id, "Syntax error: mismatched input '" + id.text + "' expecting IDENTIFIER");
        if (Is("(")) {
          NodePtr n = Make(Node::kCall, Next());
          n->name = id.text;
          n->target = e;
          n->args = Args();
          e = n;
        } else {
          NodePtr n = Make(Node::kSelect, dot);
          n->name = id.text;
          n->target = e;
          e = n;
        }
      } else if (Is("[")) {
        Token at = Next();
        NodePtr n = Make(Node::kIndex, at);
        n->target = e;
        n->args = {Expr()};
        Expect("]");
        e = n;
      } else {
        return e;
      }
    }
  }
  NodePtr Primary() {
    Token t = Next();
    switch (t.kind) {
      case Token::kInt: {
        NodePtr n = Make(Node::kLiteral, t);
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(t.text.c_str(), &end, 10);
        if (errno != 0) Fail(t, "invalid int literal");
        n->literal = Value::Int(v);
        return n;
      }
      case Token::kUint: {
        NodePtr n = Make(Node::kLiteral, t);
        n->literal.kind = Value::kUint;
        n->literal.u = std::strtoull(t.text.c_str(), nullptr, 10);
        return n;
      }
      case Token::kDouble: {
        NodePtr n = Make(Node::kLiteral, t);
        n->literal.kind = Value::kDouble;
        n->literal.d = std::strtod(t.text.c_str(), nullptr);
        return n;
      }
      case Token::kString: {
        NodePtr n = Make(Node::kLiteral, t);
        n->literal = Value::String(t.text);
        return n;
      }
      case Token::kIdent: {
        if (t.text == "true" || t.text == "false") {
          NodePtr n = Make(Node::kLiteral, t);
          n->literal = Value::Bool(t.text == "true");
          return n;
        }
        if (t.text == "null") return Make(Node::kLiteral, t);
        if (Is("(")) {
          NodePtr n = Make(Node::kCall, Next());
          n->name = t.text;
          n->args = Args();
          return n;
        }
        NodePtr n = Make(Node::kIdent, t);
        n->name = t.text;
        return n;
      }
      case Token::kPunct:
        if (t.text == "(") {
          NodePtr e = Expr();
          Expect(")");
          return e;
        }
        if (t.text == "[") {
          NodePtr n = Make(Node::kListLit, t);
          if (!Is("]")) {
            do {
              if (Is("]")) break;
              n->args.push_back(Expr());
            } while (Accept(","));
          }
          Expect("]");
          return n;
        }
        if (t.text == "{") {
          NodePtr n = Make(Node::kMapLit, t);
          if (!Is("}")) {
            do {
              if (Is("}")) break;
              n->args.push_back(Expr());
              Expect(":");
              n->args.push_back(Expr());
            } while (Accept(","));
          }
          Expect("}");
          return n;
        }
        if (t.text == ".")
          Fail(t, "the kube emulator's CEL subset does not support qualified names");
        break;
      case Token::kEnd:
        Fail(t,
             "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', "
             "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, "
             "IDENTIFIER}");
    }
    Fail(t, "Syntax error: extraneous input '" + t.text + "'");
  }

  std::vector<Token> t_;
  size_t i_ = 0;
};

bool Flag(const json::Value* s, const char* key) {
  const json::Value* v = s != nullptr ? json::Find(*s, key) : nullptr;
  return v != nullptr && v->IsBool() && v->GetBool();
}

const json::Value* Member(const json::Value* s, const char* key) {
  if (s == nullptr || !s->IsObject()) return nullptr;
  const json::Value* v = json::Find(*s, key);
  return v != nullptr && v->IsObject() ? v : nullptr;
}

// Checks identifiers, functions and selected fields; rewrites has() and macro calls.
class Checker {
 public:
  Checker(const json::Value* schema, bool* uses_old_self)
      : schema_(schema), uses_old_self_(uses_old_self) {}

  // Returns the schema of the expression's value when known.
  const json::Value* Check(const NodePtr& n, std::map<std::string, const json::Value*>& vars) {
    switch (n->op) {
      case Node::kLiteral:
        return nullptr;
      case Node::kIdent: {
        if (n->name == "self") return schema_;
        if (n->name == "oldSelf") {
          *uses_old_self_ = true;
          return schema_;
        }
        auto it = vars.find(n->name);
        if (it != vars.end()) return it->second;
        throw CompileError(n->line, n->col,
                           "undeclared reference to '" + n->name + "' (in container '')");
      }
      case Node::kSelect: {
        const json::Value* parent = Check(n->target, vars);
        return Field(parent, n->name, n->line, n->col);
      }
      case Node::kIndex: {
        const json::Value* parent = Check(n->target, vars);
        Check(n->args[0], vars);
        if (parent == nullptr) return nullptr;
        if (const json::Value* items = Member(parent, "items")) return items;
        return Member(parent, "additionalProperties");
      }
      case Node::kCall:
        return CheckCall(n, vars);
      default:
        for (auto& a : n->args) Check(a, vars);
        if (n->target) Check(n->target, vars);
        return nullptr;
    }
  }

 private:
  const json::Value* Field(const json::Value* parent, const std::string& name, int line, int col) {
    if (parent == nullptr) return nullptr;
    const json::Value* props = Member(parent, "properties");
    if (props != nullptr) {
      if (const json::Value* p = json::Find(*props, name); p != nullptr && p->IsObject()) return p;
    }
    if (const json::Value* ap = Member(parent, "additionalProperties")) return ap;
    if (Flag(parent, "x-kubernetes-preserve-unknown-fields")) return nullptr;
    if (props != nullptr || StringAt(*parent, "type") == "object") {
      throw CompileError(line, col, "undefined field '" + name + "'");
    }
    return nullptr;
  }

  const json::Value* CheckCall(const NodePtr& n, std::map<std::string, const json::Value*>& vars) {
    const std::string& f = n->name;
    if (!n->target && f == "has") {
      if (n->args.size() != 1 || n->args[0]->op != Node::kSelect) {
        throw CompileError(n->line, n->col, "invalid argument to has() macro");
      }
      Check(n->args[0], vars);
      n->op = Node::kHas;
      return nullptr;
    }
    if (n->target && (f == "all" || f == "exists" || f == "exists_one")) {
      if (n->args.size() != 2 || n->args[0]->op != Node::kIdent) {
        throw CompileError(n->line, n->col, "argument must be a simple name");
      }
      const json::Value* range = Check(n->target, vars);
      const json::Value* element = nullptr;
      if (range != nullptr) element = Member(range, "items");  // map keys are strings
      std::string var = n->args[0]->name;
      auto found = vars.find(var);
      const bool had = found != vars.end();
      const json::Value* saved = had ? found->second : nullptr;
      vars[var] = element;
      Check(n->args[1], vars);
      if (had) {
        vars[var] = saved;
      } else {
        vars.erase(var);
      }
      n->op = Node::kMacro;
      n->var = var;
      n->args = {n->args[1]};
      return nullptr;
    }
    static const std::set<std::string> kMethods = {"size", "startsWith", "endsWith", "contains",
                                                   "matches"};
    bool supported = n->target ? kMethods.count(f) > 0 : f == "size";
    if (!supported) {
      if (KnownUnsupported().count(f) > 0 || kMethods.count(f) > 0 || f == "has" || f == "all" ||
          f == "exists" || f == "exists_one") {
        throw CompileError(n->line, n->col,
                           "the kube emulator's CEL subset does not support '" + f + "' here");
      }
      throw CompileError(n->line, n->col, "undeclared reference to '" + f + "' (in container '')");
    }
    size_t want = f == "size" ? (n->target ? 0 : 1) : 1;
    if (n->args.size() != want) {
      throw CompileError(n->line, n->col,
                         "found no matching overload for '" + f + "' applied to " +
                             std::to_string(n->args.size()) + " arguments");
    }
    if (n->target) Check(n->target, vars);
    for (auto& a : n->args) Check(a, vars);
    return nullptr;
  }

  const json::Value* schema_;
  bool* uses_old_self_;
};

Value FromJson(const json::Value& v) {
  Value out;
  if (v.IsBool()) return Value::Bool(v.GetBool());
  if (v.IsInt64()) return Value::Int(v.GetInt64());
  if (v.IsUint64()) {
    out.kind = Value::kUint;
    out.u = v.GetUint64();
    return out;
  }
  if (v.IsNumber()) {
    out.kind = Value::kDouble;
    out.d = v.GetDouble();
    return out;
  }
  if (v.IsString()) return Value::String(std::string(json::View(v)));
  if (v.IsArray()) {
    out.kind = Value::kList;
    out.list = std::make_shared<List>();
    for (const auto& e : v.GetArray()) out.list->push_back(FromJson(e));
    return out;
  }
  if (v.IsObject()) {
    out.kind = Value::kMap;
    out.map = std::make_shared<Map>();
    for (const auto& m : v.GetObject()) {
      out.map->emplace_back(Value::String(std::string(json::View(m.name))), FromJson(m.value));
    }
    return out;
  }
  return out;  // null
}

bool Equal(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.kind == b.kind) {
      return a.kind == Value::kInt ? a.i == b.i : a.kind == Value::kUint ? a.u == b.u : a.d == b.d;
    }
    return a.AsDouble() == b.AsDouble();
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::kNull:
      return true;
    case Value::kBool:
      return a.b == b.b;
    case Value::kString:
      return a.s == b.s;
    case Value::kList:
      if (a.list->size() != b.list->size()) return false;
      for (size_t i = 0; i < a.list->size(); ++i) {
        if (!Equal((*a.list)[i], (*b.list)[i])) return false;
      }
      return true;
    case Value::kMap:
      if (a.map->size() != b.map->size()) return false;
      for (const auto& [k, v] : *a.map) {
        bool found = false;
        for (const auto& [k2, v2] : *b.map) {
          if (Equal(k, k2)) {
            found = Equal(v, v2);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    default:
      return false;
  }
}

const Value* Lookup(const Value& map, const Value& key) {
  for (const auto& [k, v] : *map.map) {
    if (Equal(k, key)) return &v;
  }
  return nullptr;
}

Value NoOverload(const std::string& fn) { return Value::Error("no such overload: " + fn); }

int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string KeyText(const Value& v) {
  if (v.kind == Value::kString) return v.s;
  if (v.kind == Value::kInt) return std::to_string(v.i);
  return "?";
}

class Evaluator {
 public:
  explicit Evaluator(std::map<std::string, Value> vars) : vars_(std::move(vars)) {}

  Value Eval(const Node& n) {
    switch (n.op) {
      case Node::kLiteral:
        return n.literal;
      case Node::kIdent: {
        auto it = vars_.find(n.name);
        if (it == vars_.end()) return Value::Error("no such attribute: " + n.name);
        return it->second;
      }
      case Node::kSelect: {
        Value t = Eval(*n.target);
        if (t.IsError()) return t;
        if (t.kind != Value::kMap) return NoOverload("select ." + n.name);
        const Value* v = Lookup(t, Value::String(n.name));
        return v != nullptr ? *v : Value::Error("no such key: " + n.name);
      }
      case Node::kHas: {
        Value t = Eval(*n.args[0]->target);
        if (t.IsError()) return t;
        if (t.kind != Value::kMap) return NoOverload("has");
        return Value::Bool(Lookup(t, Value::String(n.args[0]->name)) != nullptr);
      }
      case Node::kIndex: {
        Value t = Eval(*n.target);
        if (t.IsError()) return t;
        Value k = Eval(*n.args[0]);
        if (k.IsError()) return k;
        if (t.kind == Value::kList) {
          if (k.kind != Value::kInt && k.kind != Value::kUint) return NoOverload("_[_]");
          int64_t idx = k.kind == Value::kInt ? k.i : static_cast<int64_t>(k.u);
          if (idx < 0 || idx >= static_cast<int64_t>(t.list->size())) {
            return Value::Error("index out of bounds: " + std::to_string(idx));
          }
          return (*t.list)[static_cast<size_t>(idx)];
        }
        if (t.kind == Value::kMap) {
          const Value* v = Lookup(t, k);
          return v != nullptr ? *v : Value::Error("no such key: " + KeyText(k));
        }
        return NoOverload("_[_]");
      }
      case Node::kListLit: {
        Value out;
        out.kind = Value::kList;
        out.list = std::make_shared<List>();
        for (const auto& a : n.args) {
          Value v = Eval(*a);
          if (v.IsError()) return v;
          out.list->push_back(std::move(v));
        }
        return out;
      }
      case Node::kMapLit: {
        Value out;
        out.kind = Value::kMap;
        out.map = std::make_shared<Map>();
        for (size_t i = 0; i + 1 < n.args.size(); i += 2) {
          Value k = Eval(*n.args[i]);
          if (k.IsError()) return k;
          Value v = Eval(*n.args[i + 1]);
          if (v.IsError()) return v;
          out.map->emplace_back(std::move(k), std::move(v));
        }
        return out;
      }
      case Node::kUnary: {
        Value v = Eval(*n.args[0]);
        if (v.IsError()) return v;
        if (n.name == "!") return v.kind == Value::kBool ? Value::Bool(!v.b) : NoOverload("!_");
        if (v.kind == Value::kInt) return Value::Int(-v.i);
        if (v.kind == Value::kDouble) {
          v.d = -v.d;
          return v;
        }
        return NoOverload("-_");
      }
      case Node::kAnd:
      case Node::kOr: {
        bool is_and = n.op == Node::kAnd;
        Value l = Eval(*n.args[0]);
        if (l.kind == Value::kBool && l.b != is_and) return l;  // false && _, true || _
        Value r = Eval(*n.args[1]);
        if (r.kind == Value::kBool && r.b != is_and) return r;
        if (l.IsError()) return l;
        if (r.IsError()) return r;
        if (l.kind != Value::kBool || r.kind != Value::kBool) {
          return NoOverload(is_and ? "_&&_" : "_||_");
        }
        return Value::Bool(is_and);
      }
      case Node::kCond: {
        Value c = Eval(*n.args[0]);
        if (c.IsError()) return c;
        if (c.kind != Value::kBool) return NoOverload("_?_:_");
        return Eval(*n.args[c.b ? 1 : 2]);
      }
      case Node::kBinary:
        return Binary(n);
      case Node::kMacro:
        return Macro(n);
      case Node::kCall:
        return Call(n);
    }
    return Value::Error("unknown expression");
  }

 private:
  Value Binary(const Node& n) {
    Value l = Eval(*n.args[0]);
    if (l.IsError()) return l;
    Value r = Eval(*n.args[1]);
    if (r.IsError()) return r;
    const std::string& op = n.name;
    if (op == "==") return Value::Bool(Equal(l, r));
    if (op == "!=") return Value::Bool(!Equal(l, r));
    if (op == "in") {
      if (r.kind == Value::kList) {
        for (const auto& e : *r.list) {
          if (Equal(l, e)) return Value::Bool(true);
        }
        return Value::Bool(false);
      }
      if (r.kind == Value::kMap) return Value::Bool(Lookup(r, l) != nullptr);
      return NoOverload("@in");
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      int cmp;
      if (l.IsNumber() && r.IsNumber()) {
        if (l.kind == Value::kInt && r.kind == Value::kInt) {
          cmp = l.i < r.i ? -1 : l.i > r.i ? 1 : 0;
        } else {
          double x = l.AsDouble(), y = r.AsDouble();
          cmp = x < y ? -1 : x > y ? 1 : 0;
        }
      } else if (l.kind == Value::kString && r.kind == Value::kString) {
        cmp = l.s.compare(r.s);
      } else if (l.kind == Value::kBool && r.kind == Value::kBool) {
        cmp = static_cast<int>(l.b) - static_cast<int>(r.b);
      } else {
        return NoOverload("_" + op + "_");
      }
      bool res = op == "<" ? cmp < 0 : op == "<=" ? cmp <= 0 : op == ">" ? cmp > 0 : cmp >= 0;
      return Value::Bool(res);
    }
    if (op == "+") {
      if (l.kind == Value::kString && r.kind == Value::kString) return Value::String(l.s + r.s);
      if (l.kind == Value::kList && r.kind == Value::kList) {
        Value out = l;
        out.list = std::make_shared<List>(*l.list);
        out.list->insert(out.list->end(), r.list->begin(), r.list->end());
        return out;
      }
    }
    if (l.kind == Value::kInt && r.kind == Value::kInt) {
      int64_t res = 0;
      if (op == "+" && __builtin_add_overflow(l.i, r.i, &res))
        return Value::Error("integer overflow");
      if (op == "-" && __builtin_sub_overflow(l.i, r.i, &res))
        return Value::Error("integer overflow");
      if (op == "*" && __builtin_mul_overflow(l.i, r.i, &res))
        return Value::Error("integer overflow");
      if (op == "/" || op == "%") {
        if (r.i == 0) return Value::Error(op == "/" ? "division by zero" : "modulus by zero");
        if (l.i == INT64_MIN && r.i == -1) return Value::Error("integer overflow");
        res = op == "/" ? l.i / r.i : l.i % r.i;
      }
      return Value::Int(res);
    }
    if (l.kind == Value::kDouble && r.kind == Value::kDouble && op != "%") {
      Value out;
      out.kind = Value::kDouble;
      out.d = op == "+" ? l.d + r.d : op == "-" ? l.d - r.d : op == "*" ? l.d * r.d : l.d / r.d;
      return out;
    }
    if (l.kind == Value::kUint && r.kind == Value::kUint) {
      Value out;
      out.kind = Value::kUint;
      if ((op == "/" || op == "%") && r.u == 0) {
        return Value::Error(op == "/" ? "division by zero" : "modulus by zero");
      }
      out.u = op == "+"   ? l.u + r.u
              : op == "-" ? l.u - r.u
              : op == "*" ? l.u * r.u
              : op == "/" ? l.u / r.u
                          : l.u % r.u;
      return out;
    }
    return NoOverload("_" + op + "_");
  }

  Value Macro(const Node& n) {
    Value range = Eval(*n.target);
    if (range.IsError()) return range;
    std::vector<Value> elements;
    if (range.kind == Value::kList) {
      elements = *range.list;
    } else if (range.kind == Value::kMap) {
      for (const auto& [k, v] : *range.map) elements.push_back(k);
    } else {
      return NoOverload(n.name);
    }
    auto saved = vars_.find(n.var) != vars_.end() ? std::optional(vars_[n.var]) : std::nullopt;
    Value error;
    bool has_error = false;
    int64_t trues = 0;
    std::optional<bool> decided;
    for (const auto& e : elements) {
      vars_[n.var] = e;
      Value r = Eval(*n.args[0]);
      if (r.IsError() || r.kind != Value::kBool) {
        if (!has_error) error = r.IsError() ? r : NoOverload(n.name);
        has_error = true;
        continue;
      }
      if (n.name == "all" && !r.b) decided = false;
      if (n.name == "exists" && r.b) decided = true;
      if (r.b) ++trues;
      if (decided) break;
    }
    if (saved) {
      vars_[n.var] = *saved;
    } else {
      vars_.erase(n.var);
    }
    if (decided) return Value::Bool(*decided);
    if (has_error) return error;
    if (n.name == "all") return Value::Bool(true);
    if (n.name == "exists") return Value::Bool(false);
    return Value::Bool(trues == 1);
  }

  Value Call(const Node& n) {
    Value target;
    if (n.target) {
      target = Eval(*n.target);
      if (target.IsError()) return target;
    }
    std::vector<Value> args;
    for (const auto& a : n.args) {
      args.push_back(Eval(*a));
      if (args.back().IsError()) return args.back();
    }
    const std::string& f = n.name;
    if (f == "size") {
      const Value& v = n.target ? target : args[0];
      if (v.kind == Value::kString) return Value::Int(CodePoints(v.s));
      if (v.kind == Value::kList) return Value::Int(static_cast<int64_t>(v.list->size()));
      if (v.kind == Value::kMap) return Value::Int(static_cast<int64_t>(v.map->size()));
      return NoOverload("size");
    }
    if (target.kind != Value::kString || args[0].kind != Value::kString) return NoOverload(f);
    const std::string& s = target.s;
    const std::string& a = args[0].s;
    if (f == "startsWith") return Value::Bool(s.rfind(a, 0) == 0);
    if (f == "endsWith") {
      return Value::Bool(s.size() >= a.size() && s.compare(s.size() - a.size(), a.size(), a) == 0);
    }
    if (f == "contains") return Value::Bool(s.find(a) != std::string::npos);
    if (f == "matches") {
      try {
        return Value::Bool(std::regex_search(s, std::regex(a, std::regex::ECMAScript)));
      } catch (const std::regex_error&) {
        return Value::Error("error parsing regexp: " + a);
      }
    }
    return NoOverload(f);
  }

  std::map<std::string, Value> vars_;
};

}  // namespace

Result<Program> Program::Compile(const std::string& rule, const json::Value* schema) {
  Program p;
  try {
    NodePtr root = Parser(Lexer(rule).Run()).ParseAll();
    std::map<std::string, const json::Value*> vars;
    Checker(schema, &p.uses_old_self_).Check(root, vars);
    p.root_ = root;
  } catch (const CompileError& e) {
    return Status(StatusCode::kInvalidArgument, Format(rule, e));
  } catch (const std::exception& e) {  // number conversions of malformed literals
    return Status(StatusCode::kInvalidArgument,
                  Format(rule, CompileError(1, 1, std::string("Syntax error: ") + e.what())));
  }
  return p;
}

Result<bool> Program::Evaluate(const json::Value& self, const json::Value* old_self) const {
  std::map<std::string, Value> vars;
  vars["self"] = FromJson(self);
  if (old_self != nullptr) vars["oldSelf"] = FromJson(*old_self);
  Value v = Evaluator(std::move(vars)).Eval(*root_);
  if (v.IsError()) return Status(StatusCode::kInvalidArgument, v.s);
  if (v.kind != Value::kBool) return Status(StatusCode::kInvalidArgument, "no such overload");
  return v.b;
}

}  // namespace vaultsync::kubeemu::cel
