// Direct access to SQLite files for the tests: create inputs, change them between runs, and
// read targets back. Uses the sqlite3 C API, never sluice's code, so a bug in sluice's SQLite
// connector cannot hide itself by reading back what it wrote wrongly.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace sluice::e2e {

// Runs a script of one or more statements (sqlite3_exec), creating the file if needed.
std::expected<void, std::string> ExecSqlite(const std::string& path, const std::string& sql);

// Runs one query; each row is its columns joined with '|'. NULL prints as NULL, a blob as
// X'hex', numbers and text as SQLite's own text conversion gives them (3.5, 12, abc).
// `attach` names other database files (alias, path) the query may use.
std::expected<std::vector<std::string>, std::string> QuerySqlite(
    const std::string& path, const std::string& query,
    const std::vector<std::pair<std::string, std::string>>& attach = {});

}  // namespace sluice::e2e
