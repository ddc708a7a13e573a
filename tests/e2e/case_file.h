// A declarative end-to-end case: inputs, a job, commands to run, and what must come out.
// The format is documented in tests/e2e/README.md; this is its parsed form.
//
// A case file is read as text, its {{placeholders}} replaced (README.md lists them), then
// parsed. Unknown keys are errors, so a misspelled expectation can never pass silently.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::e2e {

using NamedTexts = std::vector<std::pair<std::string, std::string>>;  // in file order

struct SqlAction {
  std::string db;
  std::string sql;
};

struct SqliteExpectation {
  std::string db;
  std::string query;
  std::vector<std::string> rows;  // columns joined with '|', NULL as NULL
};

struct Expectations {
  NamedTexts files;            // path -> exact content
  NamedTexts unordered_files;  // path -> the same lines, in any order
  std::vector<SqliteExpectation> sqlite;
  std::vector<std::string> no_files;  // globs that must match nothing
  std::vector<std::string> exists;    // globs that must match something
};

struct Step {
  std::string where;                // "cases/x.yaml:12" for messages
  NamedTexts files;                 // written before the command
  std::vector<std::string> remove;  // paths deleted before the command
  std::optional<std::string> job;   // replaces job.yaml before the command
  std::vector<SqlAction> sql;       // run before the command
  std::map<std::string, std::string> env;
  std::vector<std::string> args;  // after the binary: {"run", "job.yaml", "--bizdate", ...}
  int exit = 0;
  std::optional<std::string> error;  // stderr from the last "error: " line on, prefix removed
  std::vector<std::string> stdout_contains;
  std::vector<std::string> stdout_not_contains;
  std::vector<std::string> stderr_contains;
  std::vector<std::string> stderr_not_contains;
  bool writes_nothing = false;  // no file in the case directory appears, changes or goes
  Expectations expect;
};

struct Case {
  std::string file;
  std::string description;
  std::optional<std::string> skip;  // a reason: the case is reported as skipped
  NamedTexts files;
  NamedTexts sqlite;  // database path -> script creating it
  std::map<std::string, std::string> env;
  std::string job;  // written to job.yaml
  std::vector<Step> steps;
  Expectations expect;  // checked after the last step
};

// Values for {{placeholders}}: "dir" (the case directory), plus the dates the runner adds.
using Placeholders = std::map<std::string, std::string>;

std::expected<Case, std::string> LoadCase(const std::string& path,
                                          const Placeholders& placeholders);

// The case files of a directory (*.yaml), sorted.
std::vector<std::string> ListCaseFiles(const std::string& dir);

// "csv_quoted_fields.yaml" -> "csv_quoted_fields": a valid GoogleTest name.
std::string CaseName(const std::string& path);

}  // namespace sluice::e2e
