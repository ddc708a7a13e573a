// Multi-table jobs against the real servers: the sluice binary as a subprocess, MariaDB as the
// source, PostgreSQL as the target, both read back with libmariadb and libpq directly.
//
//   WholeDatabase  ~20 tables of varied types and sizes in one MariaDB database (tmp_ tables
//                  excluded) -> one PostgreSQL schema through a name template; the tables are
//                  created with mapped types; then a second run with sync full_then_incremental
//                  and upsert picks up only the new rows.
//   Sharded        2 MariaDB databases x 3 order shards, one shard with an extra column and one
//                  with INT where the others have BIGINT -> one PostgreSQL table with the
//                  source columns.
//   FailingTable   a target table that exists with an incompatible column: the other tables
//                  are done, exit 1; --resume after fixing it runs only that table.
//
// Needs the throwaway servers (ctest fixture db_servers, or scripts/test-servers.sh and
// SLUICE_TEST_SERVERS_ENV). Each test uses databases and schemas of its own and drops them
// first, so the tests can run in any order and again.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/db_clients.h"
#include "support/process.h"
#include "support/workspace.h"
#include "testing/test_servers.h"

namespace sluice::multi_table_test {

using test_db::Cell;
using test_db::Lines;
using test_db::MysqlClient;
using test_db::PgClient;
using test_db::Rows;
namespace {

using ::sluice::e2e::ProcessResult;
using ::sluice::e2e::ProcessSpec;
using ::sluice::e2e::Workspace;

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return (slash == std::string::npos ? url : url.substr(0, slash)) + "/" + database;
}

class MultiTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    servers_ = testing::GetTestServers();  // throws with instructions when there are none
    auto ws =
        Workspace::Create(std::string("sluice-multi-") +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-");
    ASSERT_TRUE(ws.has_value()) << ws.error();
    workspace_.emplace(std::move(*ws));
  }
  void TearDown() override {
    if (HasFailure()) {
      workspace_->Keep();
      std::printf("kept %s\n", workspace_->root().c_str());
    }
  }

  // Writes job.yaml and runs `sluice ARGS job.yaml MORE` in the workspace with a state store
  // of its own.
  ProcessResult Sluice(const std::string& command, const std::string& job,
                       const std::vector<std::string>& more = {}) {
    EXPECT_TRUE(e2e::WriteFile(workspace_->Path("job.yaml"), job).has_value());
    ProcessSpec spec;
    spec.argv = {SLUICE_BINARY, command, "job.yaml"};
    spec.argv.insert(spec.argv.end(), more.begin(), more.end());
    spec.cwd = workspace_->root();
    spec.env["SLUICE_STATE"] = workspace_->Path(".state/state.db");
    spec.stdout_path = workspace_->Path("stdout.txt");
    spec.stderr_path = workspace_->Path("stderr.txt");
    return e2e::RunProcess(spec, std::chrono::minutes(5));
  }

  testing::TestServers servers_;
  std::optional<Workspace> workspace_;
};

std::string Describe(const ProcessResult& r) {
  return r.Describe() + "\n--- stdout\n" + r.stdout_text + "--- stderr\n" + r.stderr_text;
}

nlohmann::json ParseSummary(const ProcessResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << r.stdout_text;
  return j;
}

// table -> the table's entry of a --json summary.
std::map<std::string, nlohmann::json> ByTable(const nlohmann::json& summary) {
  std::map<std::string, nlohmann::json> out;
  if (!summary.contains("tables")) return out;
  for (const nlohmann::json& t : summary["tables"]) out[t["table"].get<std::string>()] = t;
  return out;
}

// --- (a) a whole database ----------------------------------------------------------------------

// Five shapes of table, cycled over the 20 tables; every one has an integer id (the key and the
// watermark) and `rows` rows made by MariaDB's sequence engine.
struct Shape {
  const char* ddl;      // the columns after "id ..., "
  const char* id;       // the id column's type
  const char* select;   // the values after "seq, " for INSERT ... SELECT FROM seq_1_to_N
  const char* columns;  // the target columns PostgreSQL must have, "name type" by position
};

const Shape kShapes[] = {
    {"name VARCHAR(50) NOT NULL, amount DECIMAL(12,2), updated DATETIME(3)", "BIGINT",
     "CONCAT('name-', seq), seq * 1.25, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND",
     "id bigint|name character varying|amount numeric|updated timestamp without time zone"},
    {"flag TINYINT, big BIGINT UNSIGNED, ratio DOUBLE", "INT",
     "seq % 2, 18446744073709551615 - seq, seq / 8",
     "id integer|flag smallint|big numeric|ratio double precision"},
    {"born DATE, note TEXT, payload JSON", "BIGINT",
     "DATE'2000-01-01' + INTERVAL seq DAY, CONCAT('grüße €', seq), CONCAT('{\"n\": ', seq, '}')",
     "id bigint|born date|note text|payload jsonb"},
    {"label CHAR(8), qty SMALLINT UNSIGNED", "MEDIUMINT", "LPAD(seq, 8, '0'), seq % 65536",
     "id integer|label character varying|qty integer"},
    {"data BLOB, spent TIME(0), score FLOAT", "BIGINT",
     "UNHEX(LPAD(HEX(seq), 8, '0')), SEC_TO_TIME(seq), seq / 4",
     "id bigint|data bytea|spent interval|score real"},
};
constexpr int kSizes[20] = {0,  1,   2,   3,   5,   8,   13,   21,   34,   55,
                            89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765};

// Rows of table i a first incremental run into the keyed (upsert) target reads: all, the
// maximum included (the incremental boundary, docs/guarantees.md).
int FirstRead(int i) {
  return kSizes[i];
}

// Mixed case on purpose: table_case lower must fold it in the target name.
std::string SourceTable(int i) {
  return (i == 7 ? "Mixed_" : "t") + std::to_string(100 + i).substr(1);
}
std::string TargetTable(int i) {
  std::string name = "wdb_a_" + SourceTable(i);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

void CreateWholeDatabase(MysqlClient& my) {
  my.Exec("DROP DATABASE IF EXISTS wdb_a; CREATE DATABASE wdb_a");
  for (int i = 0; i < 20; ++i) {
    const Shape& s = kShapes[i % 5];
    const std::string table = "wdb_a.`" + SourceTable(i) + "`";
    my.Exec("CREATE TABLE " + table + " (id " + s.id + " PRIMARY KEY, " + s.ddl + ")");
    if (kSizes[i] > 0) {
      my.Exec("INSERT INTO " + table + " SELECT seq, " + s.select + " FROM seq_1_to_" +
              std::to_string(kSizes[i]));
    }
  }
  // Excluded by "!wdb_a.tmp_*": must never reach the target.
  my.Exec(
      "CREATE TABLE wdb_a.tmp_load (id INT PRIMARY KEY, junk TEXT);"
      "INSERT INTO wdb_a.tmp_load VALUES (1, 'junk');"
      "CREATE TABLE wdb_a.tmp_old (id INT PRIMARY KEY)");
  my.Exec("ANALYZE TABLE wdb_a.t19, wdb_a.t18, wdb_a.t00");
}

std::string WholeDatabaseJob(const testing::TestServers& servers) {
  return "name: wholedb\n"
         "source:\n"
         "  type: mysql\n"
         "  url: " +
         WithDatabase(servers.mysql_url, "wdb_a") +
         "\n"
         "  tables: [\"wdb_a.*\", \"!wdb_a.tmp_*\"]\n"
         "  incremental: {column: id}\n"
         "target:\n"
         "  type: postgres\n"
         "  url: " +
         servers.pg_url +
         "\n"
         "  table: \"ods.${db}_${table}\"\n"
         "  table_case: lower\n"
         "  write_mode: upsert\n"
         "  key: [id]\n"
         "settings: {sync: full_then_incremental, parallelism: 4}\n";
}

TEST_F(MultiTableTest, WholeDatabase) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  CreateWholeDatabase(my);
  pg.Exec("DROP SCHEMA IF EXISTS ods CASCADE; CREATE SCHEMA ods");
  // Stale rows in one target table: the first run of full_then_incremental overwrites them.
  pg.Exec(
      "CREATE TABLE ods.wdb_a_t03 (id bigint PRIMARY KEY, label varchar(8), qty integer);"
      "INSERT INTO ods.wdb_a_t03 VALUES (1, 'stale', 0), (999, 'stale', 0)");
  const std::string job = WholeDatabaseJob(servers_);

  // `check` lists every table and its DDL, and writes nothing.
  ProcessResult check = Sluice("check", job);
  ASSERT_EQ(check.exit_code, 0) << Describe(check);
  EXPECT_NE(check.stdout_text.find("20 target table(s) from 1 connection(s)"), std::string::npos)
      << check.stdout_text;
  EXPECT_NE(check.stdout_text.find("table ods.wdb_a_mixed_07"), std::string::npos);
  EXPECT_NE(check.stdout_text.find("  from wdb_a.Mixed_07 (connection 1)"), std::string::npos);
  EXPECT_EQ(check.stdout_text.find("tmp_"), std::string::npos) << check.stdout_text;
  EXPECT_EQ(pg.Value("SELECT count(*) FROM pg_tables WHERE schemaname = 'ods'"), "1");

  // Run 1: every table replaced (overwrite) with its rows up to and including the maximum id
  // (the job's write_mode is upsert: a keyed target; docs/guarantees.md).
  ProcessResult first = Sluice("run", job, {"--progress", "none", "--json"});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  const nlohmann::json summary1 = ParseSummary(first);
  std::map<std::string, nlohmann::json> tables1 = ByTable(summary1);
  ASSERT_EQ(tables1.size(), 20u) << first.stdout_text;
  int64_t total = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string name = "ods." + TargetTable(i);
    ASSERT_EQ(tables1.count(name), 1u) << name << "\n" << first.stdout_text;
    EXPECT_EQ(tables1[name]["status"], "done") << name;
    EXPECT_EQ(tables1[name]["rows_written"], FirstRead(i)) << name;
    total += FirstRead(i);
  }
  EXPECT_EQ(summary1["rows_written"], total);

  // Exactly the 20 tables, created with mapped types, holding exactly the source rows.
  EXPECT_EQ(pg.Value("SELECT count(*) FROM pg_tables WHERE schemaname = 'ods' AND tablename "
                     "NOT LIKE '\\_sluice%'"),
            "20");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%tmp%'"), "0");
  for (int i = 0; i < 20; ++i) {
    const std::string table = "ods." + TargetTable(i);
    EXPECT_EQ(pg.Value("SELECT count(*) FROM " + table), std::to_string(FirstRead(i))) << table;
    if (i == 3) continue;  // created by the test above, not by sluice
    const Rows columns = pg.Query(
        "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE "
        "table_schema = 'ods' AND table_name = '" +
        TargetTable(i) + "' ORDER BY ordinal_position");
    std::string joined;
    for (const std::vector<Cell>& c : columns) joined += (joined.empty() ? "" : "|") + *c[0];
    EXPECT_EQ(joined, kShapes[i % 5].columns) << table;
  }
  EXPECT_EQ(pg.Value("SELECT string_agg(id || ':' || label, ',' ORDER BY id) FROM ods.wdb_a_t03"),
            "1:00000001,2:00000002,3:00000003");

  // Run 2: new rows in three tables, an old row changed below the watermark (an incremental
  // read does not see it, by design), nothing new elsewhere.
  my.Exec(
      "INSERT INTO wdb_a.t19 SELECT seq, UNHEX('ff'), '00:00:01', 0.5 FROM seq_6766_to_6770;"
      "INSERT INTO wdb_a.t00 VALUES (1, 'first', 1.00, '2024-06-01 00:00:00'),"
      "                             (2, 'second', 2.00, '2024-06-01 00:00:00');"
      "INSERT INTO wdb_a.t12 SELECT seq, DATE'2020-01-01', 'x', NULL FROM seq_234_to_236;"
      "UPDATE wdb_a.t15 SET name = 'changed' WHERE id = 1");
  // One more row in t15..t18.
  for (int i = 15; i <= 18; ++i) {
    const std::string t = "wdb_a." + SourceTable(i);
    my.Exec("CREATE TEMPORARY TABLE next_row SELECT * FROM " + t + " WHERE id = " +
            std::to_string(kSizes[i]) + "; UPDATE next_row SET id = id + 1; INSERT INTO " + t +
            " SELECT * FROM next_row; DROP TEMPORARY TABLE next_row");
  }
  ProcessResult second = Sluice("run", job, {"--progress", "none", "--json"});
  ASSERT_EQ(second.exit_code, 0) << Describe(second);
  std::map<std::string, nlohmann::json> tables2 = ByTable(ParseSummary(second));
  ASSERT_EQ(tables2.size(), 20u) << second.stdout_text;
  // [old maximum, new maximum]: the row at the old maximum again (harmless by key) and every
  // new row.
  EXPECT_EQ(tables2["ods.wdb_a_t19"]["rows_written"], 6) << second.stdout_text;
  EXPECT_EQ(tables2["ods.wdb_a_t12"]["rows_written"], 4) << second.stdout_text;
  // t00 was empty: still its first run (overwrite), everything.
  EXPECT_EQ(tables2["ods.wdb_a_t00"]["rows_written"], 2) << second.stdout_text;
  EXPECT_EQ(tables2["ods.wdb_a_t15"]["rows_written"], 2) << second.stdout_text;
  // Nothing new: the row at the maximum is read again.
  EXPECT_EQ(tables2["ods.wdb_a_t01"]["rows_written"], 1) << second.stdout_text;
  EXPECT_EQ(pg.Value("SELECT count(*) FROM ods.wdb_a_t19"), "6770");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM ods.wdb_a_t12"), "236");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM ods.wdb_a_t00"), "2");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM ods.wdb_a_t15"), "988");
  EXPECT_EQ(pg.Value("SELECT name FROM ods.wdb_a_t15 WHERE id = 1"), "name-1");
  EXPECT_EQ(Lines(pg.Query("SELECT id, encode(data, 'hex'), score FROM ods.wdb_a_t19 WHERE id >= "
                           "6765 ORDER BY id")),
            (std::vector<std::string>{"6765|00001a6d|1691.25", "6766|ff|0.5", "6767|ff|0.5",
                                      "6768|ff|0.5", "6769|ff|0.5", "6770|ff|0.5"}));
  // A few exact values of each shape.
  EXPECT_EQ(Lines(pg.Query("SELECT id, name, amount, updated FROM ods.wdb_a_t15 WHERE id IN "
                           "(1, 987) ORDER BY id")),
            (std::vector<std::string>{"1|name-1|1.25|2024-01-01 00:00:01",
                                      "987|name-987|1233.75|2024-01-01 00:16:27"}));
  // Rows 1..987 and row 988, a copy of 987 (1233.75) with the next id.
  EXPECT_EQ(pg.Value("SELECT sum(amount) FROM ods.wdb_a_t15"), "610706.25");
  EXPECT_EQ(Lines(pg.Query("SELECT id, flag, big, ratio FROM ods.wdb_a_t16 WHERE id IN (1, 1597) "
                           "ORDER BY id")),
            (std::vector<std::string>{"1|1|18446744073709551614|0.125",
                                      "1597|1|18446744073709550018|199.625"}));
  EXPECT_EQ(Lines(pg.Query("SELECT id, born, note, payload::text FROM ods.wdb_a_t17 WHERE id = "
                           "2584")),
            (std::vector<std::string>{"2584|2007-01-28|grüße €2584|{\"n\": 2584}"}));
  EXPECT_EQ(Lines(pg.Query("SELECT id, label, qty FROM ods.wdb_a_t18 WHERE id = 4181")),
            (std::vector<std::string>{"4181|00004181|4181"}));
  EXPECT_EQ(Lines(pg.Query("SELECT id, encode(data, 'hex'), spent, score FROM ods.wdb_a_t19 "
                           "WHERE id = 6765")),
            (std::vector<std::string>{"6765|00001a6d|01:52:45|1691.25"}));
}

// --- (b) sharded tables ------------------------------------------------------------------------

void CreateShards(MysqlClient& my) {
  my.Exec(
      "DROP DATABASE IF EXISTS shop_1; DROP DATABASE IF EXISTS shop_2;"
      "CREATE DATABASE shop_1; CREATE DATABASE shop_2");
  for (int s = 1; s <= 2; ++s) {
    for (int m = 0; m < 3; ++m) {
      const std::string table = "shop_" + std::to_string(s) + ".orders_" + std::to_string(m);
      const bool narrow_id = s == 1 && m == 2;
      const bool coupon = s == 2 && m == 1;
      // The shard with the extra column also has its columns in another order.
      if (coupon) {
        my.Exec("CREATE TABLE " + table +
                " (amount DECIMAL(10,2), coupon VARCHAR(20), id BIGINT PRIMARY KEY,"
                " created DATETIME, customer VARCHAR(40) NOT NULL)");
      } else {
        my.Exec("CREATE TABLE " + table + " (id " + (narrow_id ? "INT" : "BIGINT") +
                " PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2),"
                " created DATETIME)");
      }
      const int64_t base = s * 1000000 + m * 10000;
      const int rows = 40 + 10 * m + s;  // 41, 51, 61 and 42, 52, 62
      const std::string id = std::to_string(base) + " + seq";
      const std::string customer = "CONCAT('c', " + std::to_string(s) + ", '-', seq)";
      const std::string created = "TIMESTAMP'2024-03-01 00:00:00' + INTERVAL seq MINUTE";
      const std::string seqs = " FROM seq_1_to_" + std::to_string(rows);
      if (coupon) {
        my.Exec("INSERT INTO " + table + " (id, customer, amount, created, coupon) SELECT " + id +
                ", " + customer + ", seq / 100, " + created +
                ", IF(seq % 2 = 0, CONCAT('SAVE', seq), NULL)" + seqs);
      } else {
        my.Exec("INSERT INTO " + table + " SELECT " + id + ", " + customer + ", seq / 100, " +
                created + seqs);
      }
    }
  }
}

std::string ShardedJob(const testing::TestServers& servers) {
  return "name: sharded\n"
         "source:\n"
         "  type: mysql\n"
         "  url: " +
         servers.mysql_url +
         "\n"
         "  tables: [\"shop_[0-9]+\\\\.orders_[0-9]+\"]\n"
         "target:\n"
         "  type: postgres\n"
         "  url: " +
         servers.pg_url +
         "\n"
         "  write_mode: overwrite\n"
         "  key: [id]\n"
         "  source_columns: {db: src_db, table: src_table}\n"
         "routes:\n"
         "  - {from: \"shop_(\\\\d+)\\\\.orders_(\\\\d+)\", to: shard_ods.orders}\n"
         "settings: {parallelism: 3}\n";
}

TEST_F(MultiTableTest, Sharded) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  CreateShards(my);
  pg.Exec("DROP SCHEMA IF EXISTS shard_ods CASCADE; CREATE SCHEMA shard_ods");
  const std::string job = ShardedJob(servers_);

  ProcessResult check = Sluice("check", job);
  ASSERT_EQ(check.exit_code, 0) << Describe(check);
  for (const char* line : {
           "table shard_ods.orders",
           "  from shop_1.orders_0 (connection 1)\n  from shop_1.orders_1 (connection 1)\n"
           "  from shop_1.orders_2 (connection 1)\n  from shop_2.orders_0 (connection 1)\n"
           "  from shop_2.orders_1 (connection 1)\n  from shop_2.orders_2 (connection 1)\n",
           "  route shop_(\\d+)\\.orders_(\\d+)\n",
           "  reconcile id: int64 in shop_1.orders_0, int32 in shop_1.orders_2 -> int64\n",
           "  reconcile coupon: missing in shop_1.orders_0, read as NULL\n",
           "  columns id int64, customer string, amount decimal(10,2), created timestamp, "
           "coupon string, src_db string, src_table string\n",
           "  will: CREATE TABLE \"shard_ods\".\"orders\" (\"id\" bigint NOT NULL, \"customer\" "
           "varchar(40) NOT NULL, \"amount\" numeric(10,2), \"created\" timestamp, \"coupon\" "
           "varchar(20), \"src_db\" text NOT NULL, \"src_table\" text NOT NULL, PRIMARY KEY "
           "(\"id\"))\n",
       }) {
    EXPECT_NE(check.stdout_text.find(line), std::string::npos) << line << "\n" << check.stdout_text;
  }

  ProcessResult run = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_NE(run.stdout_text.find("309 read, 309 written"), std::string::npos) << run.stdout_text;
  EXPECT_NE(run.stdout_text.find("6 shards"), std::string::npos) << run.stdout_text;

  EXPECT_EQ(Lines(pg.Query("SELECT column_name, data_type, is_nullable FROM "
                           "information_schema.columns WHERE table_schema = 'shard_ods' AND "
                           "table_name = 'orders' ORDER BY ordinal_position")),
            (std::vector<std::string>{
                "id|bigint|NO", "customer|character varying|NO", "amount|numeric|YES",
                "created|timestamp without time zone|YES", "coupon|character varying|YES",
                "src_db|text|NO", "src_table|text|NO"}));
  EXPECT_EQ(Lines(pg.Query("SELECT src_db, src_table, count(*), min(id), max(id), count(coupon) "
                           "FROM shard_ods.orders GROUP BY 1, 2 ORDER BY 1, 2")),
            (std::vector<std::string>{
                "shop_1|orders_0|41|1000001|1000041|0", "shop_1|orders_1|51|1010001|1010051|0",
                "shop_1|orders_2|61|1020001|1020061|0", "shop_2|orders_0|42|2000001|2000042|0",
                "shop_2|orders_1|52|2010001|2010052|26", "shop_2|orders_2|62|2020001|2020062|0"}));
  EXPECT_EQ(
      Lines(pg.Query("SELECT id, customer, amount, created, coupon, src_db, src_table FROM "
                     "shard_ods.orders WHERE id IN (1020061, 2010051, 2010052) ORDER BY id")),
      (std::vector<std::string>{"1020061|c1-61|0.61|2024-03-01 01:01:00|NULL|shop_1|orders_2",
                                "2010051|c2-51|0.51|2024-03-01 00:51:00|NULL|shop_2|orders_1",
                                "2010052|c2-52|0.52|2024-03-01 00:52:00|SAVE52|shop_2|orders_1"}));

  // An INT shard next to BIGINT ones holds values only BIGINT can: the widened column takes
  // them, and a second overwrite run replaces everything (no duplicates).
  my.Exec("INSERT INTO shop_2.orders_0 VALUES (9000000000, 'big', 1.00, NULL)");
  ProcessResult again = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(pg.Value("SELECT count(*) || '/' || count(DISTINCT id) FROM shard_ods.orders"),
            "310/310");
  EXPECT_EQ(pg.Value("SELECT customer FROM shard_ods.orders WHERE id = 9000000000"), "big");
}

// --- (c) a failing table and --resume ----------------------------------------------------------

TEST_F(MultiTableTest, FailingTableThenResume) {
  MysqlClient my(servers_.mysql_url);
  PgClient pg(servers_.pg_url);
  my.Exec(
      "DROP DATABASE IF EXISTS fdb; CREATE DATABASE fdb;"
      "CREATE TABLE fdb.a (id INT PRIMARY KEY, v VARCHAR(10));"
      "CREATE TABLE fdb.b (id INT PRIMARY KEY, v VARCHAR(10));"
      "CREATE TABLE fdb.c (id INT PRIMARY KEY, v VARCHAR(10));"
      "INSERT INTO fdb.a VALUES (1, 'a1'), (2, 'a2');"
      "INSERT INTO fdb.b VALUES (1, 'b1');"
      "INSERT INTO fdb.c VALUES (1, 'c1'), (2, 'c2'), (3, 'c3')");
  // b exists in the target with a column the source's text cannot go into.
  pg.Exec(
      "DROP SCHEMA IF EXISTS fail_ods CASCADE; CREATE SCHEMA fail_ods;"
      "CREATE TABLE fail_ods.b (id integer PRIMARY KEY, v integer)");
  const std::string job =
      "name: failing\n"
      "source: {type: mysql, url: \"" +
      WithDatabase(servers_.mysql_url, "fdb") +
      "\", tables: [\"fdb.*\"]}\n"
      "target: {type: postgres, url: \"" +
      servers_.pg_url +
      "\", table: \"fail_ods.${table}\", write_mode: append}\n"
      "settings: {parallelism: 2}\n";

  ProcessResult first = Sluice("run", job, {"--progress", "none"});
  ASSERT_EQ(first.exit_code, 1) << Describe(first);
  EXPECT_NE(first.stdout_text.find("2 tables done, 1 failed"), std::string::npos)
      << first.stdout_text;
  EXPECT_NE(first.stdout_text.find("  fail_ods.b  FAILED"), std::string::npos) << first.stdout_text;
  EXPECT_NE(first.stderr_text.find("error: failing: 1 of 3 tables failed; `sluice run JOB "
                                   "--resume` re-runs only those not done"),
            std::string::npos)
      << first.stderr_text;
  EXPECT_EQ(pg.Value("SELECT count(*) FROM fail_ods.a"), "2");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM fail_ods.b"), "0");
  EXPECT_EQ(pg.Value("SELECT count(*) FROM fail_ods.c"), "3");

  // Fixed: --resume runs b alone; a and c (appended) are not written twice.
  pg.Exec("DROP TABLE fail_ods.b");
  ProcessResult resumed = Sluice("run", job, {"--resume", "--progress", "none", "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  std::map<std::string, nlohmann::json> tables = ByTable(ParseSummary(resumed));
  EXPECT_EQ(tables["fail_ods.a"]["status"], "skipped") << resumed.stdout_text;
  EXPECT_EQ(tables["fail_ods.b"]["status"], "done") << resumed.stdout_text;
  EXPECT_EQ(tables["fail_ods.c"]["status"], "skipped") << resumed.stdout_text;
  EXPECT_EQ(Lines(pg.Query("SELECT 'a', count(*) FROM fail_ods.a UNION ALL SELECT 'b', count(*) "
                           "FROM fail_ods.b UNION ALL SELECT 'c', count(*) FROM fail_ods.c")),
            (std::vector<std::string>{"a|2", "b|1", "c|3"}));
  EXPECT_EQ(Lines(pg.Query("SELECT id, v FROM fail_ods.b")), (std::vector<std::string>{"1|b1"}));

  // A further --resume of a finished run has nothing left to do.
  ProcessResult nothing = Sluice("run", job, {"--resume", "--progress", "none"});
  ASSERT_EQ(nothing.exit_code, 0) << Describe(nothing);
  EXPECT_NE(nothing.stdout_text.find("3 already done (skipped)"), std::string::npos)
      << nothing.stdout_text;
  EXPECT_EQ(pg.Value("SELECT count(*) FROM fail_ods.a"), "2");
}

}  // namespace
}  // namespace sluice::multi_table_test
