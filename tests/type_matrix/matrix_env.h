// Everything one matrix test needs: its own MariaDB database and PostgreSQL database on the
// throwaway servers, a scratch directory, and `sluice run` on job files written there.
//
// Time zones, so that a connector that forgot to pin its session zone would shift values:
//  - MariaDB: sluice connects as the user `sluice_matrix`, whose sessions start at time_zone
//    +08:00 (an init_connect rule that applies to that user only, so other tests sharing the
//    server are not affected). The rule stays on the throwaway server after the test.
//  - PostgreSQL: the test database's default TimeZone is Asia/Shanghai.
// The test's own connections (readers.h) pin UTC.
//
// Each test runs in one process on its main thread; the databases are dropped by the
// destructor (kept, and named on stderr, when SLUICE_MATRIX_KEEP is set).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "readers.h"
#include "support/process.h"
#include "support/workspace.h"

namespace sluice::matrix {

struct RunOutcome {
  e2e::ProcessResult process;
  // The dirty records of the run: row id -> "stage: reason".
  std::map<int64_t, std::string> rejects;
};

class MatrixEnv {
 public:
  // `tag` names the databases (sluice_matrix_<tag>_<pid>) and the scratch directory.
  explicit MatrixEnv(const std::string& tag);
  ~MatrixEnv();
  MatrixEnv(const MatrixEnv&) = delete;
  MatrixEnv& operator=(const MatrixEnv&) = delete;

  // URLs of the test's databases as sluice sees them (YAML-safe: no quotes or spaces).
  const std::string& mysql_url() const { return mysql_url_; }
  const std::string& pg_url() const { return pg_url_; }
  // The name of both databases.
  const std::string& database() const { return database_; }
  // Connections for setting up and reading back (UTC sessions).
  MysqlDb& mysql() { return *mysql_; }
  PgDb& pg() { return *pg_; }
  // The session time zone a fresh `sluice_matrix` connection starts with (+08:00).
  std::string MysqlDefaultZoneForSluice();

  std::string Path(const std::string& relative) const { return workspace_.Path(relative); }
  // Keeps the scratch directory (a failed test calls this so the files can be looked at).
  void Keep() { workspace_.Keep(); }

  // Writes <name>.yaml with these source and target mappings (YAML flow text) and
  // `settings` (parallelism and such, flow entries), runs `sluice run`, collects dirty records.
  RunOutcome Run(const std::string& name, const std::string& source, const std::string& target,
                 const std::string& settings = "parallelism: 2");

 private:
  std::string tag_;
  std::string database_;
  e2e::Workspace workspace_;
  std::string mysql_url_;
  std::string pg_url_;
  std::string pg_admin_url_;
  std::unique_ptr<MysqlDb> mysql_admin_;
  std::unique_ptr<MysqlDb> mysql_;
  std::unique_ptr<PgDb> pg_;
};

}  // namespace sluice::matrix
