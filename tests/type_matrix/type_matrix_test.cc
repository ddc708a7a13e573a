// The cross-database type matrix: every value of every supported type, through the real
// `sluice` binary, on every leg, compared cell by cell with the expected-value tables of
// mysql_matrix.cc and pg_matrix.cc. See README.md.
#include <algorithm>

#include <gtest/gtest.h>

#include "matrices.h"
#include "matrix_env.h"

namespace sluice::matrix {
namespace {

// Reports every difference as its own failure, so one run shows every broken value.
void ExpectSame(const std::string& leg, const Grid& want, const Grid& got) {
  for (const std::string& problem : Compare(leg, want, got)) ADD_FAILURE() << problem;
}

// The run must succeed and refuse exactly the rows the matrix says, with exactly its reasons.
bool ExpectRun(const std::string& leg, const RunOutcome& run,
               const std::map<int64_t, std::string>& want_rejects) {
  if (run.process.exit_code != 0) {
    ADD_FAILURE() << "leg " << leg << ": sluice run: " << run.process.Describe() << "\n"
                  << run.process.stderr_text;
    return false;
  }
  for (const auto& [id, reason] : want_rejects) {
    auto it = run.rejects.find(id);
    if (it == run.rejects.end()) {
      ADD_FAILURE() << "leg " << leg << ": row id=" << id << " was not rejected; expected "
                    << reason;
    } else if (it->second != reason) {
      ADD_FAILURE() << "leg " << leg << ": row id=" << id << " rejected with\n  " << it->second
                    << "\nexpected\n  " << reason;
    }
  }
  for (const auto& [id, reason] : run.rejects) {
    if (!want_rejects.count(id)) {
      ADD_FAILURE() << "leg " << leg << ": row id=" << id << " rejected unexpectedly: " << reason;
    }
  }
  return true;
}

// A CSV target: the exact file text, and cell by cell for messages that name the cell.
void ExpectCsv(const std::string& leg, const Grid& want, const std::string& path) {
  auto text = e2e::ReadFile(path);
  if (!text) {
    ADD_FAILURE() << "leg " << leg << ": " << text.error();
    return;
  }
  ExpectSame(leg, want, ParseCsv(*text));
  const std::string want_text = CsvText(want);
  if (*text != want_text) {
    const std::vector<std::string> got_lines = e2e::SplitLines(*text);
    const std::vector<std::string> want_lines = e2e::SplitLines(want_text);
    size_t line = 0;
    while (line < got_lines.size() && line < want_lines.size() &&
           got_lines[line] == want_lines[line]) {
      ++line;
    }
    ADD_FAILURE() << "leg " << leg << ": the file text differs from line " << line + 1 << ":\n"
                  << "  expected " << Show(line < want_lines.size() ? want_lines[line] : "<end>")
                  << "\n  got      " << Show(line < got_lines.size() ? got_lines[line] : "<end>");
  }
}

std::string Flow(const std::string& type, const std::string& where, const std::string& table,
                 const std::string& more = "") {
  const std::string key = type == "csv" || type == "sqlite" ? "path" : "url";
  std::string out = "{type: " + type + ", " + key + ": \"" + where + "\"";
  if (!table.empty()) out += ", table: " + table;
  if (!more.empty()) out += ", " + more;
  return out + "}";
}

void CreateMysqlSource(MatrixEnv& env, const Matrix& m) {
  MysqlDb setup(env.mysql_url());  // its own session: the matrix's setup changes the zone
  for (const std::string& sql : MysqlSourceSql(m)) setup.Exec(sql);
}

void CreatePgSource(MatrixEnv& env, const Matrix& m) {
  for (const std::string& sql : PgSourceSql(m)) env.pg().Exec(sql);
}

TEST(TypeMatrix, MysqlSourceOnEveryLeg) {
  MatrixEnv env("mysql");
  ASSERT_EQ(env.MysqlDefaultZoneForSluice(), "+08:00");
  const Matrix m = MysqlMatrix();
  CreateMysqlSource(env, m);
  ExpectSame("mysql source", ExpectedGrid(m, kSource), ReadMysqlTable(env.mysql(), m.table));

  const std::string src = Flow("mysql", env.mysql_url(), m.table);
  RunOutcome run = env.Run("my_to_pg", src, Flow("postgres", env.pg_url(), "from_mysql"));
  if (ExpectRun("mysql->postgres", run, ExpectedRejects(m, kOther, env.database()))) {
    ExpectSame("mysql->postgres", ExpectedGrid(m, kOther), ReadPgTable(env.pg(), "from_mysql"));
    run = env.Run("pg_to_my", Flow("postgres", env.pg_url(), "from_mysql"),
                  Flow("mysql", env.mysql_url(), "back_from_pg"));
    if (ExpectRun("mysql->postgres->mysql", run, ExpectedRejects(m, kBack, env.database()))) {
      ExpectSame("mysql->postgres->mysql", ExpectedGrid(m, kBack),
                 ReadMysqlTable(env.mysql(), "back_from_pg"));
    }
  }

  run = env.Run("my_to_csv", src, Flow("csv", "out/matrix.csv", "", "bytes_encoding: hex"),
                "parallelism: 1");
  if (ExpectRun("mysql->csv", run, ExpectedRejects(m, kCsv, env.database()))) {
    ExpectCsv("mysql->csv", ExpectedGrid(m, kCsv), env.Path("out/matrix.csv"));
  }

  run = env.Run("my_to_sqlite", src, Flow("sqlite", "out/matrix.db", "matrix"));
  if (ExpectRun("mysql->sqlite", run, ExpectedRejects(m, kSqlite, env.database()))) {
    ExpectSame("mysql->sqlite", ExpectedGrid(m, kSqlite),
               ReadSqliteTable(env.Path("out/matrix.db"), "matrix"));
  }

  // DATETIME read as instants in the zone the source names.
  run = env.Run(
      "my_instant",
      Flow("mysql", env.mysql_url(), m.table, "columns: [id, dtm], time_zone: Asia/Shanghai"),
      Flow("postgres", env.pg_url(), "instants"));
  if (ExpectRun("mysql(time_zone)->postgres", run, ExpectedRejects(m, kInstant, env.database()))) {
    ExpectSame("mysql(time_zone)->postgres", ExpectedGrid(m, kInstant, {"dtm"}),
               ReadPgTable(env.pg(), "instants"));
  }
  if (HasFailure()) env.Keep();
}

TEST(TypeMatrix, PostgresSourceOnEveryLeg) {
  MatrixEnv env("pg");
  const Matrix m = PgMatrix();
  CreatePgSource(env, m);
  ExpectSame("postgres source", ExpectedGrid(m, kSource), ReadPgTable(env.pg(), m.table));

  const std::string src = Flow("postgres", env.pg_url(), m.table);
  // DATETIME holds Shanghai wall-clock time; read back as instants in the same zone.
  RunOutcome run = env.Run("pg_to_my", src,
                           Flow("mysql", env.mysql_url(), "from_pg", "time_zone: Asia/Shanghai"));
  if (ExpectRun("postgres->mysql", run, ExpectedRejects(m, kOther, env.database()))) {
    ExpectSame("postgres->mysql", ExpectedGrid(m, kOther), ReadMysqlTable(env.mysql(), "from_pg"));
    run = env.Run("my_to_pg",
                  Flow("mysql", env.mysql_url(), "from_pg",
                       "time_zone: Asia/Shanghai, tinyint1_as_bool: true"),
                  Flow("postgres", env.pg_url(), "back_from_mysql"));
    if (ExpectRun("postgres->mysql->postgres", run, ExpectedRejects(m, kBack, env.database()))) {
      ExpectSame("postgres->mysql->postgres", ExpectedGrid(m, kBack),
                 ReadPgTable(env.pg(), "back_from_mysql"));
    }
  }

  run = env.Run("pg_to_csv", Flow("postgres", env.pg_url(), m.table, "special_values: 'null'"),
                Flow("csv", "out/matrix.csv", "", "bytes_encoding: hex"), "parallelism: 1");
  if (ExpectRun("postgres->csv", run, ExpectedRejects(m, kCsv, env.database()))) {
    ExpectCsv("postgres->csv", ExpectedGrid(m, kCsv), env.Path("out/matrix.csv"));
  }

  run = env.Run("pg_to_sqlite", src, Flow("sqlite", "out/matrix.db", "matrix"));
  if (ExpectRun("postgres->sqlite", run, ExpectedRejects(m, kSqlite, env.database()))) {
    ExpectSame("postgres->sqlite", ExpectedGrid(m, kSqlite),
               ReadSqliteTable(env.Path("out/matrix.db"), "matrix"));
    // NaN, infinities and -0.0 into PostgreSQL again.
    run = env.Run("sqlite_to_pg", Flow("sqlite", "out/matrix.db", "matrix"),
                  Flow("postgres", env.pg_url(), "back_from_sqlite"));
    if (ExpectRun("postgres->sqlite->postgres", run,
                  ExpectedRejects(m, kSqliteBack, env.database()))) {
      ExpectSame("postgres->sqlite->postgres", ExpectedGrid(m, kSqliteBack),
                 ReadPgTable(env.pg(), "back_from_sqlite"));
    }
  }
  if (HasFailure()) env.Keep();
}

// The checker itself: after a clean leg, the test changes one double by one unit in the last
// place; exactly that cell must be reported, and nothing else.
TEST(TypeMatrix, CheckerReportsExactlyTheAlteredCell) {
  MatrixEnv env("self");
  const Matrix m = MysqlMatrix();
  CreateMysqlSource(env, m);
  RunOutcome run = env.Run("my_to_pg", Flow("mysql", env.mysql_url(), m.table),
                           Flow("postgres", env.pg_url(), "from_mysql"));
  ASSERT_EQ(run.process.exit_code, 0) << run.process.stderr_text;
  const Grid want = ExpectedGrid(m, kOther);
  const std::vector<std::string> before =
      Compare("mysql->postgres", want, ReadPgTable(env.pg(), "from_mysql"));

  // 5e-324 is the smallest denormal; the next double up is 1e-323 (bits ...01 -> ...02).
  env.pg().Exec("UPDATE from_mysql SET d = '1e-323' WHERE id = 5");
  std::vector<std::string> after =
      Compare("mysql->postgres", want, ReadPgTable(env.pg(), "from_mysql"));
  std::vector<std::string> added;
  for (const std::string& problem : after) {
    if (std::find(before.begin(), before.end(), problem) == before.end()) added.push_back(problem);
  }
  EXPECT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(added, std::vector<std::string>{
                       "leg mysql->postgres: column d, row id=5: expected '5e-324', got '1e-323'"});
}

// NULL and the empty string stay apart in the CSV helpers, and the text they expect is the
// sink's quoting rule (quote only when needed).
TEST(TypeMatrix, CsvHelpersKeepNullAndEmptyApart) {
  Grid grid;
  grid.columns = {"a", "b", "c"};
  grid.rows[1] = {std::nullopt, std::string(""), std::string("x,\"y\"")};
  grid.rows[2] = {std::string(" lead"), std::string("line\nbreak"), std::string("plain")};
  const std::string text = CsvText(grid);
  EXPECT_EQ(text, "id,a,b,c\n1,,\"\",\"x,\"\"y\"\"\"\n2,\" lead\",\"line\nbreak\",plain\n");
  const Grid parsed = ParseCsv(text);
  EXPECT_TRUE(Compare("csv", grid, parsed).empty());
  grid.rows[1][0] = std::string("");
  EXPECT_EQ(Compare("csv", grid, parsed),
            std::vector<std::string>{"leg csv: column a, row id=1: expected '', got NULL"});
}

}  // namespace
}  // namespace sluice::matrix
