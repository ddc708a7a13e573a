// Binlogs written by other servers (Debian's mariadb-test-data: MySQL 8.0, MariaDB 5.5 and
// 10.3, with and without checksums), read to the end; broken ones refused with a clear error.
// Then every truncation and every flipped byte of real binlogs: an error naming the offset
// (or the checksum), never a crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "connectors/mysql/binlog/binlog_corruption_check.h"
#include "connectors/mysql/binlog/binlog_test_util.h"

namespace sluice::mysql::binlog {
namespace {

namespace fs = std::filesystem;
using testing::CheckEveryFlip;
using testing::CheckEveryTruncation;
using testing::CheckFlips;
using testing::Decode;
using testing::FileSummary;
using testing::ReadAll;
using testing::WriteTemp;

const fs::path kStdData = "/usr/share/mysql/mysql-test/std_data";
const fs::path kSuiteData = "/usr/share/mysql/mysql-test/suite/binlog/std_data";

#define SKIP_WITHOUT_TEST_DATA()                                                              \
  if (!fs::exists(kStdData / "mariadb-5.5-binlog.000001")) {                                  \
    GTEST_SKIP() << "SKIPPED: Debian package mariadb-test-data is not installed (install it " \
                    "with scripts/install-deps.sh test); no foreign binlogs to read";         \
  }

// MySQL 8.0.40 with binlog_transaction_compression and binlog_row_value_options=PARTIAL_JSON:
// plain transactions, zstd-compressed TRANSACTION_PAYLOAD events (which mariadb-binlog
// refuses), and a PARTIAL_UPDATE_ROWS whose JSON after image is a diff.
TEST(BinlogStdDataTest, ReadsMysql80BinlogCompletely) {
  SKIP_WITHOUT_TEST_DATA();
  Result<FileSummary> s = Decode(kStdData / "mdev35643_mysql_80_binlog.000001");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  // The update replaced $.b: the after image is the before document with that member changed.
  const std::vector<std::string>& t2 = s->rows["test.t2"];
  ASSERT_EQ(t2.size(), 2u);
  std::string zyzzy, oOo;
  for (int i = 0; i < 100; ++i) zyzzy += "[zyzzy]";
  for (int i = 0; i < 50; ++i) oOo += "oOo";
  EXPECT_EQ(t2[0], "B|1|{\"a\": \"hulu\", \"b\": \"" + zyzzy + "\", \"c\": \"bulu\"}");
  EXPECT_EQ(t2[1], "A|1|{\"a\": \"hulu\", \"b\": \"" + oOo + "\", \"c\": \"bulu\"}");
  EXPECT_EQ(s->events["PARTIAL_UPDATE_ROWS"], 1);
  EXPECT_EQ(s->server_version.substr(0, 4), "8.0.");
  EXPECT_EQ(s->checksum, ChecksumAlg::kCrc32);
  EXPECT_GT(s->events["TRANSACTION_PAYLOAD"], 0);
  EXPECT_EQ(s->events["WRITE_ROWS_V2"], 105);  // 100 of them inside the compressed payload
  const std::vector<std::string>& rows = s->rows["test.t1"];
  ASSERT_EQ(rows.size(), 105u);
  EXPECT_EQ(std::vector<std::string>(rows.begin(), rows.begin() + 4),
            (std::vector<std::string>{"I|1|0|", "I|2|0|hulu", "I|3|0|bulu", "I|4|0|skip"}));
  EXPECT_EQ(rows[4], "I|1000|0|--0--" + std::string(100, '/') + "--");
  EXPECT_EQ(rows[103], "I|1099|99|--99--" + std::string(100, '/') + "--");
  EXPECT_EQ(rows[104], "I|5|0|after compressed");
}

TEST(BinlogStdDataTest, ReadsMariaDb55BinlogCompletely) {
  SKIP_WITHOUT_TEST_DATA();
  Result<FileSummary> s = Decode(kStdData / "mariadb-5.5-binlog.000001");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_NE(s->server_version.find("MariaDB"), std::string::npos);
  for (const auto& [type, n] : s->events) std::cout << type << " " << n << "\n";
  for (const std::string& q : s->queries) std::cout << "query: " << q << "\n";
  for (const auto& [table, rows] : s->rows) {
    for (const std::string& row : rows) std::cout << table << ": " << row << "\n";
  }
}

TEST(BinlogStdDataTest, ReadsOtherGoodBinlogs) {
  SKIP_WITHOUT_TEST_DATA();
  for (const fs::path& p :
       {kStdData / "mdev29078-mysql-bin.000001", kStdData / "mdev6020-mysql-bin.000001",
        kStdData / "binlog_savepoint.000001", kStdData / "binlog_transaction.000001",
        kStdData / "rpl/master-bin-seq_10.3.36.000001",
        kStdData / "rpl/mysql-8.0.13-stm-temporal-round-binlog.000001",
        kSuiteData / "ver_trunk_row_v2.001", kSuiteData / "write-full-row.binlog",
        kSuiteData / "update-full-row.binlog", kSuiteData / "update-partial-row.binlog"}) {
    Result<FileSummary> s = Decode(p);
    EXPECT_TRUE(s.has_value()) << p << ": " << s.error().message();
    if (s) {
      std::cout << p.filename() << ": " << s->server_version << ", " << s->row_count << " rows, "
                << s->queries.size() << " queries\n";
    }
  }
}

// An NDB binlog whose inserts log only some columns: the values the rows got in the others
// are nowhere, so the decoder refuses them rather than write NULL there.
TEST(BinlogStdDataTest, RefusesInsertImagesThatLeaveColumnsOut) {
  SKIP_WITHOUT_TEST_DATA();
  Result<FileSummary> s = Decode(kSuiteData / "write-partial-row.binlog");
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find(
                "WRITE_ROWS_V1 event for test.ba: row 1, column col2 (LONG): the row image leaves "
                "the column out"),
            std::string::npos)
      << s.error().message();
}

TEST(BinlogStdDataTest, RefusesBrokenBinlogsClearly) {
  SKIP_WITHOUT_TEST_DATA();
  for (const fs::path& p :
       {kStdData / "corrupt-relay-bin.000624", kStdData / "trunc_binlog.000001",
        kStdData / "master-bin.000001", kSuiteData / "binlog_old_version_4_1.000001",
        kSuiteData / "invalid_row_v2_tag.001"}) {
    Result<FileSummary> s = Decode(p);
    ASSERT_FALSE(s.has_value()) << p << " was read without an error";
    std::cout << s.error().message() << "\n";
    EXPECT_NE(s.error().message().find(p.string()), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find("offset"), std::string::npos) << s.error().message();
  }
  Result<FileSummary> missing = Decode(kStdData / "no-such-binlog.000001");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  const fs::path not_binlog = WriteTemp("not_binlog", "hello, world");
  Result<FileSummary> bad = Decode(not_binlog);
  fs::remove(not_binlog);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("not a binlog"), std::string::npos);
}

// The MySQL 8.0 file (checksummed, with a compressed transaction and a JSON diff), and MariaDB
// 5.5's, which has no checksums.
TEST(BinlogCorruptionTest, EveryTruncationOfForeignBinlogsIsAnErrorWithTheOffset) {
  SKIP_WITHOUT_TEST_DATA();
  CheckEveryTruncation(kStdData / "mdev35643_mysql_80_binlog.000001");
  CheckEveryTruncation(kStdData / "mariadb-5.5-binlog.000001");
}

TEST(BinlogCorruptionTest, EveryFlippedByteOfForeignBinlogsIsCaught) {
  SKIP_WITHOUT_TEST_DATA();
  CheckEveryFlip(kStdData / "mdev35643_mysql_80_binlog.000001", true);
  CheckEveryFlip(kStdData / "mariadb-5.5-binlog.000001", false);
}

// Rows of many types without checksums: flipped bytes reach the row decoder itself.
TEST(BinlogCorruptionTest, FlippedRowImagesOfMariaDb10NeverCrash) {
  SKIP_WITHOUT_TEST_DATA();
  const std::string bytes = ReadAll(kStdData / "mdev6020-mysql-bin.000001");
  // Every 5th byte of the first 16 KiB (each run decodes the whole part).
  const fs::path p = WriteTemp("mdev6020", std::string_view(bytes).substr(0, 16384));
  CheckFlips(p, false, 5);
  fs::remove(p);
}

}  // namespace
}  // namespace sluice::mysql::binlog
