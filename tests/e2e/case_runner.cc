#include "case_runner.h"

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/sqlite_db.h"

namespace sluice::e2e {
namespace {

namespace fs = std::filesystem;

constexpr auto kCommandTimeout = std::chrono::seconds(120);

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The error a command printed: stderr from the last line starting with "error: " to the end,
// without the prefix and the final newline. Errors may span lines (a caret under a column).
std::optional<std::string> ErrorText(const std::string& stderr_text) {
  size_t at = std::string::npos;
  if (stderr_text.starts_with("error: ")) at = 0;
  for (size_t pos = stderr_text.find("\nerror: "); pos != std::string::npos;
       pos = stderr_text.find("\nerror: ", pos + 1)) {
    at = pos + 1;
  }
  if (at == std::string::npos) return std::nullopt;
  std::string text = stderr_text.substr(at + 7);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

class StepRunner {
 public:
  StepRunner(const Case& c, const Workspace& dir, const std::string& binary)
      : case_(c), dir_(dir), binary_(binary) {}

  // False when a step could not even be prepared: later steps would only add noise.
  bool Prepare(const NamedTexts& files, const NamedTexts& databases,
               const std::optional<std::string>& job, const std::vector<std::string>& remove,
               const std::vector<SqlAction>& sql, const std::string& where) {
    for (const auto& [path, content] : files) {
      if (auto r = WriteFile(dir_.Path(path), content); !r) return Broken(where, r.error());
    }
    for (const auto& [db, script] : databases) {
      if (auto r = ExecSqlite(dir_.Path(db), script); !r) return Broken(where, r.error());
    }
    if (job) {
      if (auto r = WriteFile(dir_.Path("job.yaml"), *job); !r) return Broken(where, r.error());
    }
    for (const std::string& path : remove) {
      std::error_code ec;
      fs::remove_all(dir_.Path(path), ec);
    }
    for (const SqlAction& a : sql) {
      if (auto r = ExecSqlite(dir_.Path(a.db), a.sql); !r) return Broken(where, r.error());
    }
    return true;
  }

  void Run(const Step& step, size_t number) {
    const std::string label = "step " + std::to_string(number) + " (" + step.where + ")";
    if (!Prepare(step.files, {}, step.job, step.remove, step.sql, label)) return;

    std::map<std::string, std::string> before;
    if (step.writes_nothing) before = Snapshot(dir_.root());

    ProcessSpec spec;
    spec.argv.push_back(binary_);
    spec.argv.insert(spec.argv.end(), step.args.begin(), step.args.end());
    spec.cwd = dir_.root();
    spec.env = case_.env;
    spec.env["SLUICE_STATE"] = dir_.Path(kStateFile);
    for (const auto& [k, v] : step.env) spec.env[k] = v;
    // Outside the case directory, so that writes_nothing sees only what sluice wrote.
    spec.stdout_path = dir_.root() + ".stdout";
    spec.stderr_path = dir_.root() + ".stderr";
    ProcessResult r = RunProcess(spec, kCommandTimeout);
    std::error_code ec;
    fs::remove(spec.stdout_path, ec);
    fs::remove(spec.stderr_path, ec);

    const std::string command = "sluice " + Join(step.args, " ");
    const std::string context = label + ": `" + command + "`\n--- stdout:\n" + r.stdout_text +
                                "--- stderr:\n" + r.stderr_text + "---";
    if (r.timed_out || r.signal != 0 || r.exit_code != step.exit) {
      ADD_FAILURE() << "expected exit " << step.exit << ", got " << r.Describe() << "\n" << context;
    }
    if (step.error) {
      std::optional<std::string> got = ErrorText(r.stderr_text);
      if (!got) {
        ADD_FAILURE() << "expected an error line `error: " << *step.error << "`, got none\n"
                      << context;
      } else if (*got != *step.error) {
        ADD_FAILURE() << "wrong error message\n  expected: " << *step.error
                      << "\n  actual:   " << *got << "\n"
                      << context;
      }
    }
    CheckContains(r.stdout_text, step.stdout_contains, true, "stdout", context);
    CheckContains(r.stdout_text, step.stdout_not_contains, false, "stdout", context);
    CheckContains(r.stderr_text, step.stderr_contains, true, "stderr", context);
    CheckContains(r.stderr_text, step.stderr_not_contains, false, "stderr", context);
    if (step.writes_nothing) CheckUnchanged(before, Snapshot(dir_.root()), context);
    CheckExpectations(step.expect, label);
  }

  void CheckExpectations(const Expectations& e, const std::string& label) {
    for (const auto& [path, want] : e.files) {
      auto got = ReadFile(dir_.Path(path));
      if (!got) {
        ADD_FAILURE() << label << ": " << got.error() << Listing();
      } else if (*got != want) {
        ADD_FAILURE() << label << ": content of " << path << "\n--- expected:\n"
                      << want << "--- actual:\n"
                      << *got << "---";
      }
    }
    for (const auto& [path, want] : e.unordered_files) {
      auto got = ReadFile(dir_.Path(path));
      if (!got) {
        ADD_FAILURE() << label << ": " << got.error() << Listing();
        continue;
      }
      std::vector<std::string> want_lines = SplitLines(want);
      std::vector<std::string> got_lines = SplitLines(*got);
      std::sort(want_lines.begin(), want_lines.end());
      std::sort(got_lines.begin(), got_lines.end());
      if (want_lines != got_lines) {
        ADD_FAILURE() << label << ": lines of " << path << " (in any order)\n--- expected:\n"
                      << want << "--- actual:\n"
                      << *got << "---";
      }
    }
    for (const SqliteExpectation& q : e.sqlite) {
      auto rows = QuerySqlite(dir_.Path(q.db), q.query);
      if (!rows) {
        ADD_FAILURE() << label << ": " << rows.error();
      } else if (*rows != q.rows) {
        ADD_FAILURE() << label << ": " << q.db << ": " << q.query << "\n--- expected:\n"
                      << Join(q.rows, "\n") << "\n--- actual:\n"
                      << Join(*rows, "\n") << "\n---";
      }
    }
    for (const std::string& pattern : e.no_files) {
      std::vector<std::string> found = Glob(dir_.root(), pattern);
      if (!found.empty()) {
        ADD_FAILURE() << label << ": expected no file matching " << pattern << ", found "
                      << Join(found, ", ");
      }
    }
    for (const std::string& pattern : e.exists) {
      if (Glob(dir_.root(), pattern).empty()) {
        ADD_FAILURE() << label << ": expected a file matching " << pattern << Listing();
      }
    }
  }

 private:
  bool Broken(const std::string& where, const std::string& error) {
    ADD_FAILURE() << where << ": preparing inputs: " << error;
    return false;
  }

  std::string Listing() const {
    std::string out = "\nfiles in the case directory:";
    for (const auto& [path, content] : Snapshot(dir_.root())) out += "\n  " + path;
    return out;
  }

  static void CheckContains(const std::string& text, const std::vector<std::string>& needles,
                            bool wanted, const char* stream, const std::string& context) {
    for (const std::string& n : needles) {
      if ((text.find(n) != std::string::npos) != wanted) {
        ADD_FAILURE() << stream << (wanted ? " lacks " : " must not contain ") << "`" << n << "`\n"
                      << context;
      }
    }
  }

  static void CheckUnchanged(const std::map<std::string, std::string>& before,
                             const std::map<std::string, std::string>& after,
                             const std::string& context) {
    for (const auto& [path, content] : after) {
      auto it = before.find(path);
      if (it == before.end()) {
        ADD_FAILURE() << "expected no writes, but " << path << " appeared\n" << context;
      } else if (it->second != content) {
        ADD_FAILURE() << "expected no writes, but " << path << " changed\n" << context;
      }
    }
    for (const auto& [path, content] : before) {
      if (after.count(path) == 0) {
        ADD_FAILURE() << "expected no writes, but " << path << " disappeared\n" << context;
      }
    }
  }

  const Case& case_;
  const Workspace& dir_;
  const std::string& binary_;
};

}  // namespace

void RunCase(const Case& c, const Workspace& dir, const std::string& binary) {
  StepRunner runner(c, dir, binary);
  std::optional<std::string> job;
  if (!c.job.empty()) job = c.job;
  if (!runner.Prepare(c.files, c.sqlite, job, {}, {}, c.file)) return;
  for (size_t i = 0; i < c.steps.size(); ++i) runner.Run(c.steps[i], i + 1);
  runner.CheckExpectations(c.expect, "after the last step");
}

}  // namespace sluice::e2e
