// Each file in tests/e2e/cases/ is one test: E2E/Case.Run/<file name>. The list is read when
// the binary starts, so `ctest` (which lists the tests before running them) picks up a new
// case file without rebuilding. See tests/e2e/README.md for the case format.
#include <cstdlib>

#include <gtest/gtest.h>

#include "case_file.h"
#include "case_runner.h"
#include "support/workspace.h"

namespace sluice::e2e {
namespace {

// The case directory: SLUICE_E2E_CASES, or the source tree's tests/e2e/cases.
std::string CasesDir() {
  const char* env = std::getenv("SLUICE_E2E_CASES");
  return env && *env ? env : E2E_CASES_DIR;
}

class Case : public ::testing::TestWithParam<std::string> {};

TEST_P(Case, Run) {
  const std::string& path = GetParam();
  auto dir = Workspace::Create("sluice-e2e-" + CaseName(path) + "-");
  ASSERT_TRUE(dir.has_value()) << dir.error();
  auto c = LoadCase(path, {{"dir", dir->root()}});
  ASSERT_TRUE(c.has_value()) << c.error();
  if (c->skip) GTEST_SKIP() << *c->skip;
  RecordProperty("description", c->description);
  RunCase(*c, *dir, SLUICE_BINARY);
  if (HasFailure()) {
    dir->Keep();
    std::cerr << "case directory kept: " << dir->root() << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(E2E, Case, ::testing::ValuesIn(ListCaseFiles(CasesDir())),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return CaseName(info.param);
                         });

// An empty or missing cases directory must fail loudly, not pass with zero tests.
TEST(E2E, CasesExist) {
  EXPECT_FALSE(ListCaseFiles(CasesDir()).empty()) << CasesDir();
}

}  // namespace
}  // namespace sluice::e2e
