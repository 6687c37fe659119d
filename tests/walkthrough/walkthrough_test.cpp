// The README's "Walkthrough by hand", run as written: its ```sh blocks are extracted, the
// fixed ports it names are replaced by free ones picked now (in the commands and in a copy
// of crds/samples/), and the commands run one after the other in one bash, stopping at the
// first that fails. So the section cannot rot: a changed flag, sample or verb breaks this.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "http/transport.h"
#include "http_server.h"
#include "process.h"

namespace vaultsync {
namespace {
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The text of the README section `title` (up to the next "## " heading).
std::string Section(const std::string& readme, const std::string& title) {
  size_t start = readme.find("\n## " + title + "\n");
  if (start == std::string::npos) return "";
  size_t end = readme.find("\n## ", start + 4);
  return readme.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The commands of the section's ```sh blocks: a line ending in '\' continues on the next
// one, and a here-document runs to its terminator.
std::vector<std::string> Commands(const std::string& section) {
  std::vector<std::string> commands;
  std::istringstream in(section);
  std::string line, current, heredoc_end;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (!in_block) {
      in_block = line == "```sh";
      continue;
    }
    if (line == "```" && heredoc_end.empty()) {
      in_block = false;
      continue;
    }
    current += (current.empty() ? "" : "\n") + line;
    if (!heredoc_end.empty()) {
      if (line != heredoc_end) continue;
      heredoc_end.clear();
    } else if (size_t h = line.find("<<"); h != std::string::npos) {
      std::string word = line.substr(h + 2);
      word = word.substr(0, word.find(' '));
      ReplaceAll(word, "'", "");
      ReplaceAll(word, "-", "");
      heredoc_end = word;
      continue;
    }
    if (!line.empty() && line.back() == '\\') continue;
    if (current.find_first_not_of(" \n") != std::string::npos) commands.push_back(current);
    current.clear();
  }
  return commands;
}

// True when an HTTP server answers at 127.0.0.1:port.
bool Answers(int port, bool tls) {
  http::TransportConfig c;
  c.base_url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port);
  c.timeout = 2s;
  c.tls.skip_verify = true;
  auto t = http::NewTransport(c);
  return t.ok() && (*t)->Send(http::Request{.target = "/"}).ok();
}

TEST(Walkthrough, ReadmeSectionRunsAsWritten) {
  const fs::path source = VAULTSYNC_SOURCE_DIR;
  const std::string section = Section(ReadFile(source / "README.md"), "Walkthrough by hand");
  ASSERT_FALSE(section.empty()) << "README.md has no \"## Walkthrough by hand\" section";
  std::vector<std::string> commands = Commands(section);
  ASSERT_GE(commands.size(), 10u) << section;

  // The ports the README names, each replaced by a free one; each must occur, so that a
  // README edit cannot silently make this test run on a fixed port.
  std::map<std::string, int> ports;
  for (const char* fixed :
       {"127.0.0.1:6443", "127.0.0.1:8200", "127.0.0.1:8080", "127.0.0.1:8081"}) {
    auto p = emu::PickFreePort("127.0.0.1");
    ASSERT_TRUE(p.ok());
    ports[fixed] = *p;
  }
  const fs::path work =
      fs::temp_directory_path() / ("vaultsync-walkthrough-" + std::to_string(getpid()));
  fs::remove_all(work);
  fs::create_directories(work / "samples");
  fs::create_directories(work / "home");
  auto substitute = [&](std::string text) {
    for (const auto& [fixed, port] : ports)
      ReplaceAll(text, fixed, "127.0.0.1:" + std::to_string(port));
    return text;
  };
  for (const auto& e : fs::directory_iterator(source / "crds" / "samples")) {
    std::ofstream(work / "samples" / e.path().filename()) << substitute(ReadFile(e.path()));
  }

  std::string all;
  for (const auto& c : commands) all += c + "\n";
  for (const auto& [fixed, port] : ports) {
    EXPECT_THAT(all, HasSubstr(fixed)) << "the walkthrough no longer uses " << fixed;
  }
  EXPECT_THAT(all, HasSubstr("$PWD/build/bin"));
  EXPECT_THAT(all, HasSubstr("kubectl apply -f crds/samples/"));

  // One bash, the commands in order, each announced; the first failure ends the script.
  std::string script = "set -o pipefail\ncd '" + source.string() + "'\n";
  for (size_t i = 0; i < commands.size(); ++i) {
    std::string c = substitute(commands[i]);
    ReplaceAll(c, "$PWD/build/bin", VAULTSYNC_BIN_DIR);
    ReplaceAll(c, "crds/samples/", (work / "samples").string() + "/");
    script += "echo '+++ step " + std::to_string(i + 1) + "'\n" + c + "\n";
    script += "rc=$?; if [ $rc != 0 ]; then echo \"--- step " + std::to_string(i + 1) +
              " failed with exit $rc\"; exit 1; fi\n";
  }
  script += "echo '+++ walkthrough finished'\n";
  std::ofstream(work / "walkthrough.sh") << script;

  auto p = testing::Process::Start("bash", {(work / "walkthrough.sh").string()},
                                   {{"HOME", (work / "home").string()},
                                    {"KUBECONFIG", ""},
                                    {"VAULT_ADDR", ""},
                                    {"VAULT_TOKEN", ""},
                                    {"VAULT_CACERT", ""},
                                    {"VAULT_SKIP_VERIFY", ""}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int code = (*p)->Wait(200s);
  (*p)->WaitForOutputClosed(5s);
  const std::string out = (*p)->Stdout(), err = (*p)->Stderr();
  std::string listing;
  for (size_t i = 0; i < commands.size(); ++i) {
    listing += "step " + std::to_string(i + 1) + ": " + commands[i] + "\n";
  }
  EXPECT_EQ(code, 0) << out << err << "\n" << listing;
  EXPECT_THAT(out, HasSubstr("+++ walkthrough finished"));
  // What the section promises the reader sees.
  EXPECT_THAT(out, HasSubstr("postgresql://admin:s3cr3t@db.demo.svc:5432/app"));
  EXPECT_THAT(out, ::testing::ContainsRegex("db-creds +True +Synced +app/db +db-creds"));
  EXPECT_THAT(out, ::testing::ContainsRegex("app-config +True +Synced +app/config +app-config"));
  EXPECT_THAT(out, ::testing::ContainsRegex("app-bundle +True +Synced +app/db +app-bundle"));
  EXPECT_THAT(out, ::testing::ContainsRegex("app-all +True +Synced +app-all"));
  EXPECT_THAT(out, HasSubstr("\nrotated-42\n"));
  // Its last block stopped everything it started.
  EXPECT_FALSE(Answers(ports["127.0.0.1:6443"], true));
  EXPECT_FALSE(Answers(ports["127.0.0.1:8200"], false));
  EXPECT_FALSE(Answers(ports["127.0.0.1:8080"], false));
  (*p)->Stop();
  if (!HasFailure()) fs::remove_all(work);
}

}  // namespace
}  // namespace vaultsync
