// Tests for controller/template.h.
#include "controller/template.h"

#include <gtest/gtest.h>

namespace vaultsync::controller {
namespace {

std::map<std::string, std::string, std::less<>> Values() {
  return {{"username", "admin"}, {"password", "p@ss"}, {"db-host", "db.svc"}, {"enc", "aGk="}};
}

TEST(Template, RendersKeysIndexAndFunctions) {
  auto t =
      Template::Parse("postgresql://{{ .username }}:{{.password}}@{{ index . \"db-host\" }}/x");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t->Render(Values()), "postgresql://admin:p@ss@db.svc/x");
  EXPECT_EQ(*Template::Parse("{{ .username | upper }}|{{ .enc | b64dec }}|{{ .username | b64enc }}")
                 ->Render(Values()),
            "ADMIN|hi|YWRtaW4=");
  EXPECT_EQ(*Template::Parse("a  {{- .username -}}  b")->Render(Values()), "aadminb");
  EXPECT_EQ(*Template::Parse("no actions")->Render(Values()), "no actions");
}

TEST(Template, ParseErrors) {
  for (const char* bad :
       {"{{ .username", "{{ username }}", "{{ .a | nope }}", "{{ index . db }}", "{{ range . }}"}) {
    EXPECT_FALSE(Template::Parse(bad).ok()) << bad;
  }
}

TEST(Template, MissingKeyIsAnErrorNamingTheKey) {
  auto r = Template::Parse("{{ .missing }}")->Render(Values());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"missing\""), std::string::npos);
  EXPECT_FALSE(Template::Parse("{{ .username | b64dec }}")->Render(Values()).ok());
}

}  // namespace
}  // namespace vaultsync::controller
