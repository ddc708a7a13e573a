// The fixture the hardening tests share: a workspace of the test's own (kept when the test
// fails), the throwaway servers' URLs, and `sluice COMMAND job.yaml` run in that workspace with
// a state store of its own. Used by the test's main thread only.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::hardening {

// The URL with its database replaced (or added).
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return (slash == std::string::npos ? url : url.substr(0, slash)) + "/" + database;
}

inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline std::string Describe(const e2e::ProcessResult& r) {
  return r.Describe() + "\n--- stdout\n" + r.stdout_text + "--- stderr\n" + r.stderr_text;
}

// `prefix` + the running test's name in lower case, cut to 63 bytes (PostgreSQL's identifier
// limit): a schema or database of the test's own, since ctest runs a file's tests at once.
inline std::string TestScopedName(const std::string& prefix) {
  std::string name = prefix;
  for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name.substr(0, 63);
}

class ServerTest : public ::testing::Test {
 protected:
  // `area` names the workspace folders (sluice-AREA-TEST-...).
  explicit ServerTest(std::string area) : area_(std::move(area)) {}

  void SetUp() override {
    servers_ = testing::GetTestServers();  // throws with instructions when there are none
    auto ws = e2e::Workspace::Create(
        "sluice-" + area_ + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
        "-");
    ASSERT_TRUE(ws.has_value()) << ws.error();
    workspace_.emplace(std::move(*ws));
  }
  void TearDown() override {
    if (HasFailure() && workspace_) {
      workspace_->Keep();
      std::printf("kept %s\n", workspace_->root().c_str());
    }
  }

  // Writes job.yaml and runs `sluice COMMAND job.yaml MORE` in the workspace.
  e2e::ProcessResult Sluice(const std::string& command, const std::string& job,
                            const std::vector<std::string>& more = {}) {
    EXPECT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
    e2e::ProcessSpec spec;
    spec.argv = {SLUICE_BINARY, command, "job.yaml"};
    spec.argv.insert(spec.argv.end(), more.begin(), more.end());
    spec.cwd = workspace_->root();
    spec.env["SLUICE_STATE"] = workspace_->Path(".state/state.db");
    spec.stdout_path = workspace_->Path("stdout.txt");
    spec.stderr_path = workspace_->Path("stderr.txt");
    return e2e::RunProcess(spec, std::chrono::minutes(5));
  }

  // `sluice ARGS` in the workspace with its state store; output in NAME.out / NAME.err.
  e2e::ProcessSpec Spec(const std::vector<std::string>& args, const std::string& name) const {
    e2e::ProcessSpec spec;
    spec.argv = {SLUICE_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = workspace_->root();
    spec.env["SLUICE_STATE"] = workspace_->Path(".state/state.db");
    spec.stdout_path = workspace_->Path(name + ".out");
    spec.stderr_path = workspace_->Path(name + ".err");
    return spec;
  }

  testing::TestServers servers_;
  std::optional<e2e::Workspace> workspace_;

 private:
  std::string area_;
};

}  // namespace sluice::hardening
