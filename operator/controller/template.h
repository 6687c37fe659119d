// The small Go-template-like language of destination.transformation.templates. It covers
// what VSO users write in practice: `{{ .key }}`, `{{ index . "key-with-dashes" }}` and
// pipes through a few functions (`{{ .password | b64enc }}`): b64enc, b64dec, upper, lower,
// trim, quote. Anything else is a parse error reported as InvalidSpec. A reference to a
// key Vault did not return is an error at render time (Go's missingkey=error), because
// writing a half-filled connection string would be worse than not syncing.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vaultsync::controller {

class Template {
 public:
  // Parses `text`; errors name the position and the offending action, never values.
  static Result<Template> Parse(std::string_view text);

  // Renders with `values` (Vault key -> text form). Fails (kInvalidArgument) when a key is
  // missing or a function fails (b64dec of non-base64); the message names the key only.
  Result<std::string> Render(const std::map<std::string, std::string, std::less<>>& values) const;

 private:
  struct Action {
    std::string key;
    std::vector<std::string> functions;
  };
  struct Piece {
    bool is_action = false;
    std::string literal;
    Action action;
  };
  std::vector<Piece> pieces_;
};

}  // namespace vaultsync::controller
