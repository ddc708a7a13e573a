// MariaDB with log_bin_compress=ON: statements (QUERY_COMPRESSED) and row images
// (*_ROWS_COMPRESSED) are zlib-compressed in the binlog. On a private MariaDB/PostgreSQL pair
// (private_servers.h), since the setting is global and would change what every other test's
// binlog holds.
//
//   BinlogCompressTest.RealtimeAndBinlogFilesReadCompressedEventsExactly
//       a table of many types changed (inserts, updates, a key move, deletes, an ADD COLUMN,
//       values up to 200 kB) with compression on; the server's own SHOW BINLOG EVENTS shows
//       the compressed events. A realtime --catch-up run from the live binlog and a
//       binlog_files run over the files on disk both end equal, value for value, to a batch
//       copy of the final table.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "private_servers.h"
#include "server_test.h"
#include "support/db_clients.h"

namespace sluice::hardening {
namespace {

using e2e::ProcessResult;
using test_db::Lines;
using test_db::MysqlClient;
using test_db::PgClient;

class BinlogCompressTest : public ServerTest {
 protected:
  BinlogCompressTest() : ServerTest("binlog-compress") {}

  static void SetUpTestSuite() { SuiteServers::SetUp(); }
  static void TearDownTestSuite() { SuiteServers::TearDown(); }

  void SetUp() override {
    ASSERT_EQ(SuiteServers::Error(), "");
    ServerTest::SetUp();
    servers_ = SuiteServers::Get().servers();
    mysql_ = std::make_unique<MysqlClient>(servers_.mysql_url);
    pg_ = std::make_unique<PgClient>(servers_.pg_url);
  }

  // `sluice ARGS` (a job file `name`); its exit code checked.
  void Run(const std::string& name, const std::string& job, const std::vector<std::string>& args) {
    ASSERT_TRUE(e2e::WriteFile(workspace_->Path(name), job).has_value());
    std::vector<std::string> argv = {"run", name, "--progress", "none"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = e2e::RunProcess(Spec(argv, name), std::chrono::minutes(3));
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // The rows of PostgreSQL table `table` ordered by id, each value as text.
  std::vector<std::string> PgRows(const std::string& table) {
    return Lines(pg_->Query("SELECT * FROM " + table + " ORDER BY id"));
  }

  std::unique_ptr<MysqlClient> mysql_;
  std::unique_ptr<PgClient> pg_;
};

TEST_F(BinlogCompressTest, RealtimeAndBinlogFilesReadCompressedEventsExactly) {
  for (const char* t : {"cz_rt", "cz_files", "cz_batch"}) {
    pg_->Exec(std::string("DROP TABLE IF EXISTS ") + t);
  }
  mysql_->Exec("DROP TABLE IF EXISTS cz");
  mysql_->Exec(
      "CREATE TABLE cz (id INT PRIMARY KEY, i BIGINT, u BIGINT UNSIGNED, d DECIMAL(65,30), "
      "f DOUBLE, s VARCHAR(100), big LONGTEXT, b BLOB, dt DATETIME(6), tm TIME(6), "
      "e ENUM('a','b','c'), st SET('x','y'), bits BIT(10)) CHARACTER SET utf8mb4");
  const std::string mysql = "{type: mysql, url: \"" + servers_.mysql_url + "\", table: cz}";
  const std::string pg = "{type: postgres, url: \"" + servers_.pg_url + "\", table: public.";
  // The realtime job first takes its (empty) snapshot: everything after comes from the binlog.
  Run("rt.yaml", "name: cz_rt\nmode: realtime\nsource: " + mysql + "\ntarget: " + pg + "cz_rt}\n",
      {"--catch-up"});

  mysql_->Exec("SET GLOBAL log_bin_compress = ON");
  mysql_->Exec("SET GLOBAL log_bin_compress_min_len = 10");
  mysql_->Exec("FLUSH BINARY LOGS");
  const std::string first_file = mysql_->Value("SELECT @@log_bin_basename");
  const std::vector<test_db::Cell> status = mysql_->Query("SHOW MASTER STATUS").at(0);
  const std::string file = *status.at(0);
  const std::string dir = first_file.substr(0, first_file.rfind('/') + 1);

  // Values that need 1, 2 and 3 length bytes in the compressed header, and every kind of
  // change, some on one key within a transaction.
  mysql_->Exec(
      "INSERT INTO cz VALUES "
      "(1, -9223372036854775808, 18446744073709551615, "
      "'-12345678901234567890123456789012345.123456789012345678901234567890', -1.5e300, "
      "'\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80', REPEAT('x', 200000), x'00ff00', "
      "'1000-01-01 00:00:00.000001', '-838:59:59.000000', 'a', 'x,y', b'1010101010'), "
      "(2, 0, 0, 0, 0, '', '', '', '2024-02-29 13:45:07.123456', '00:00:00', 'b', '', b'0'), "
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
      "(4, 42, 7, 0.5, 2.25, 'four', REPEAT('\xC3\xBC', 300), REPEAT(x'01', 500), "
      "'2026-12-06 00:00:00', '12:34:56.5', 'c', 'y', b'1'), "
      "(7, 7, 7, 7, 7, 'seven', REPEAT('z', 100), NULL, NULL, NULL, NULL, NULL, NULL)");
  mysql_->Exec("BEGIN");
  mysql_->Exec("UPDATE cz SET s = 'updated', big = REPEAT('y', 70000) WHERE id = 2");
  mysql_->Exec("UPDATE cz SET s = 'twice' WHERE id = 2");
  mysql_->Exec("UPDATE cz SET id = 5 WHERE id = 4");  // a key move
  mysql_->Exec("DELETE FROM cz WHERE id = 7");  // compressed (the server looks at the first row)
  mysql_->Exec("DELETE FROM cz WHERE id = 3");
  mysql_->Exec("COMMIT");
  mysql_->Exec("ALTER TABLE cz ADD COLUMN note VARCHAR(50) DEFAULT NULL");
  mysql_->Exec("INSERT INTO cz (id, s, note) VALUES (6, 'after the alter', 'a note')");
  mysql_->Exec("UPDATE cz SET note = 'noted' WHERE id = 1");
  mysql_->Exec("FLUSH BINARY LOGS");

  // The server wrote compressed events (or this test proves nothing).
  std::string types;
  for (const std::vector<test_db::Cell>& row :
       mysql_->Query("SHOW BINLOG EVENTS IN '" + file + "'")) {
    types += *row.at(2) + ",";
  }
  for (const char* kind : {"Query_compressed", "Write_rows_compressed", "Update_rows_compressed",
                           "Delete_rows_compressed"}) {
    EXPECT_NE(types.find(kind), std::string::npos) << kind << " not in " << types;
  }

  Run("rt.yaml", "name: cz_rt\nmode: realtime\nsource: " + mysql + "\ntarget: " + pg + "cz_rt}\n",
      {"--catch-up"});
  Run("files.yaml",
      "name: cz_files\nmode: realtime\nsource: {type: mysql, binlog_files: [\"" + dir + file +
          "\"], table: " + *mysql_->Query("SELECT DATABASE()").at(0).at(0) + ".cz}\ntarget: " + pg +
          "cz_files}\n",
      {});
  Run("batch.yaml", "name: cz_batch\nsource: " + mysql + "\ntarget: " + pg + "cz_batch}\n", {});

  const std::vector<std::string> expected = PgRows("cz_batch");
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(PgRows("cz_rt"), expected);
  EXPECT_EQ(PgRows("cz_files"), expected);
}

}  // namespace
}  // namespace sluice::hardening
