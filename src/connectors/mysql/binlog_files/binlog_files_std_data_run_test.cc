// Binlog files written by other servers (Debian's mariadb-test-data, std_data/) read by the real
// binary with `binlog_files`: MySQL 8.0's file with a zstd-compressed TRANSACTION_PAYLOAD into a
// JSON-lines target, and a corrupt relay log refused naming the file and offset.
//
// The expected count is independent of the decoder: the file was written by the statements in
// the comment of mysql-test/suite/rpl/t/rpl_from_mysql80.test (1 + 2 + 1 + 100 compressed + 1
// inserts into test.t1, ids 1..5 and 1000..1099); `mariadb-binlog -vv` of the file shows the
// first 4 of them and then refuses the TRANSACTION_PAYLOAD (it cannot read it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "testing/binary_run.h"

namespace sluice::mysql::binlog_files {
namespace {

namespace fs = std::filesystem;

const fs::path kStdData = "/usr/share/mysql/mysql-test/std_data";
const fs::path kMysql80 = kStdData / "mdev35643_mysql_80_binlog.000001";

class BinlogFilesStdDataTest : public sluice::testing::BinaryRunTest {
 protected:
  void SetUp() override {
    BinaryRunTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!fs::exists(kMysql80)) {
      GTEST_SKIP() << "SKIPPED: Debian package mariadb-test-data is not installed (install it "
                      "with scripts/install-deps.sh test)";
    }
  }
  void WriteJob(const std::string& source) {
    std::ofstream(dir_ / "job.yaml")
        << "name: std_data\nmode: realtime\nsource: {type: mysql, " << source
        << "}\ntarget: {type: jsonl, path: out.jsonl, format: changes}\n";
  }
  std::vector<nlohmann::json> Events() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "out.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
};

TEST_F(BinlogFilesStdDataTest, Mysql80CompressedTransactionIntoJsonLines) {
  // MySQL 8.0 wrote binlog_row_metadata=MINIMAL: no column names, refused unless positional.
  WriteJob(fmt::format("binlog_files: [{}], table: test.t1", kMysql80.string()));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find(fmt::format("binlog {}: at byte offset 572 (TABLE_MAP event): table "
                                  "test.t1: the binlog has no column names",
                                  kMysql80.string())),
            std::string::npos)
      << Log("run.log.err");

  WriteJob(fmt::format("binlog_files: [{}], table: test.t1, unnamed_columns: positional",
                       kMysql80.string()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::vector<nlohmann::json> events = Events();
  ASSERT_EQ(events.size(), 105u);
  std::set<int> ids;
  for (const nlohmann::json& e : events) {
    EXPECT_EQ(e["op"], "c");
    EXPECT_EQ(e["source"]["db"], "test");
    EXPECT_EQ(e["source"]["table"], "t1");
    ids.insert(e["after"]["col_1"].get<int>());
  }
  std::set<int> expected{1, 2, 3, 4, 5};
  for (int i = 0; i < 100; ++i) expected.insert(1000 + i);
  EXPECT_EQ(ids, expected);
  // Inside the compressed payload: the row of its 43rd INSERT, whole.
  for (const nlohmann::json& e : events) {
    if (e["after"]["col_1"] != 1042) continue;
    EXPECT_EQ(e["after"]["col_2"], 42);
    std::string slashes;
    for (int i = 0; i < 100; ++i) slashes += '/';
    EXPECT_EQ(e["after"]["col_3"], "--42--" + slashes + "--");
  }
  // A second run: nothing new.
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(Events().size(), 105u);
}

// test.t2 of the same file got a row by a statement (binlog_format=statement): refused, since
// its row is not in the binlog. (Exit 2, as the live stream's stops at such a statement: the
// job cannot go on as configured.)
TEST_F(BinlogFilesStdDataTest, StatementLoggedChangeIsRefused) {
  WriteJob(fmt::format("binlog_files: [{}], table: test.t2, unnamed_columns: positional",
                       kMysql80.string()));
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 2);
  EXPECT_NE(Log("run.log.err")
                .find("test.t2: a change of the table was written to the binlog as "
                      "a statement"),
            std::string::npos)
      << Log("run.log.err");
}

TEST_F(BinlogFilesStdDataTest, CorruptRelayLogIsRefusedNamingFileAndOffset) {
  const fs::path relay = kStdData / "corrupt-relay-bin.000624";
  WriteJob(fmt::format("binlog_files: [{}], table: test.t1, unnamed_columns: positional",
                       relay.string()));
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(Log("run.log.err").find(fmt::format("binlog {}: at byte offset ", relay.string())),
            std::string::npos)
      << Log("run.log.err");
}

}  // namespace
}  // namespace sluice::mysql::binlog_files
