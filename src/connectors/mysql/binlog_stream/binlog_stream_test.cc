// Against the test MariaDB (binlog on, ROW, FULL; scripts/test-servers.sh): BinlogStream read
// as the stream runner reads it: Start from a committed position (or the server's end now),
// Next until a catch-up run ends, Positions() after each call. Other tests write the same
// binlog meanwhile; every table here is in a database of this test's own.
#include "connectors/mysql/binlog_stream/binlog_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "connectors/mysql/binlog/binlog_test_util.h"
#include "connectors/mysql/binlog_stream/binlog_position.h"
#include "connectors/mysql/binlog_stream/binlog_stream_test_util.h"
#include "connectors/mysql/binlog_stream/server_check.h"
#include "connectors/mysql/mysql_test_util.h"
#include "core/value_text.h"
#include "testing/snapshot_progress_read.h"

namespace sluice::mysql::binlog_stream {
namespace {

using mysql::testing::MakeOptions;
using mysql::testing::RecordingRejects;
using mysql::testing::TestDatabase;
using stream_testing::At;
using stream_testing::EndNow;
using stream_testing::OpenStream;
using stream_testing::ReadResult;
using stream_testing::ReadToEnd;
using stream_testing::Step;

TEST(BinlogStreamTest, CatchUpReadsExactlyTheNewRowsAndResumes) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2))");
  db.Exec("CREATE TABLE other (id INT PRIMARY KEY)");
  const std::string start = EndNow(db, "t");
  db.Exec("INSERT INTO t VALUES (1, 'a', 1.50), (2, 'b', NULL)");
  db.Exec("BEGIN");
  db.Exec("INSERT INTO t VALUES (3, 'c', 3)");
  db.Exec("INSERT INTO other VALUES (1)");  // another table: not read
  db.Exec("INSERT INTO t VALUES (4, 'd', 4)");
  db.Exec("COMMIT");
  db.Exec("INSERT INTO t VALUES (5, 'e', -5.25)");

  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start(At(start), true).ok());
  ReadResult first = ReadToEnd(*s);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  EXPECT_EQ(first.rows, (std::vector<std::string>{"I|1|a|1.50", "I|2|b|NULL", "I|3|c|3.00",
                                                  "I|4|d|4.00", "I|5|e|-5.25"}));
  const std::string after_first = s->Positions().at(0).position;
  Result<BinlogPosition> a = BinlogPosition::Parse(after_first);
  Result<BinlogPosition> b = BinlogPosition::Parse(start);
  ASSERT_TRUE(a && b);
  EXPECT_GT(*a, *b);

  // A second run from the committed position: only what came after, nothing twice.
  db.Exec("INSERT INTO t VALUES (6, 'f', 6)");
  // No FLUSH BINARY LOGS here to cross a ROTATE: the binlog live tests read windows of files
  // and would see a file end where they do not expect one (ctest runs them alongside).
  db.Exec("INSERT INTO t VALUES (7, 'g', 7)");
  std::unique_ptr<StreamSource> again = OpenStream(db, "t");
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->Start(At(after_first), true).ok());
  ReadResult second = ReadToEnd(*again);
  ASSERT_TRUE(second.status.ok()) << second.status.message();
  EXPECT_EQ(second.rows, (std::vector<std::string>{"I|6|f|6.00", "I|7|g|7.00"}));

  // Nothing new: a catch-up run ends at once with no rows.
  std::unique_ptr<StreamSource> idle = OpenStream(db, "t");
  ASSERT_TRUE(idle);
  ASSERT_TRUE(idle->Start(At(again->Positions().at(0).position), true).ok());
  ReadResult third = ReadToEnd(*idle);
  ASSERT_TRUE(third.status.ok()) << third.status.message();
  EXPECT_TRUE(third.rows.empty());
}

// A snapshot in chunks says how far it is (the status line's "snapshot of ..."), and says
// nothing once it is read.
TEST(BinlogStreamTest, ChunkedSnapshotReportsItsProgress) {
  TestDatabase db;
  db.Exec("CREATE TABLE prog_t (id BIGINT PRIMARY KEY, v VARCHAR(10))");
  db.Exec("INSERT INTO prog_t SELECT seq, 'v' FROM seq_1_to_1000");
  db.Exec("ANALYZE TABLE prog_t");
  std::unique_ptr<StreamSource> s =
      OpenStream(db, "prog_t", 50, {{"startup", "initial"}, {"snapshot_chunk_rows", "100"}});
  ASSERT_TRUE(s);
  s->AllowSnapshotChunks();
  ASSERT_TRUE(s->Start({}, /*catch_up=*/true).ok());
  RecordingRejects rejects;
  const sluice::testing::SnapshotProgressRead read =
      sluice::testing::ReadSnapshotProgress(*s, rejects);
  EXPECT_EQ(read.snapshot_rows, 1000);
  EXPECT_FALSE(read.reported_after_the_snapshot);
  ASSERT_FALSE(read.reports.empty());
  for (const SnapshotProgress& p : read.reports) {
    EXPECT_EQ(p.table, db.name() + ".prog_t");
    EXPECT_GT(p.estimated_rows, 900);  // InnoDB's estimate is near, not exact
    EXPECT_GT(p.chunks, 5);
  }
  EXPECT_EQ(read.reports.front().chunk, 1);
  EXPECT_EQ(read.reports.back().chunk, read.reports.back().chunks);
  EXPECT_TRUE(std::is_sorted(
      read.reports.begin(), read.reports.end(),
      [](const SnapshotProgress& a, const SnapshotProgress& b) { return a.chunk < b.chunk; }));
}

TEST(BinlogStreamTest, PositionsStayAtTransactionEnds) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  const std::string start = EndNow(db, "t");
  constexpr int kTxns = 4;
  constexpr int kRowsPerTxn = 5;
  int id = 0;
  for (int t = 0; t < kTxns; ++t) {
    db.Exec("BEGIN");
    for (int r = 0; r < kRowsPerTxn; ++r) {
      ++id;
      db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'x{}')", id, id));  // one rows event each
    }
    db.Exec("COMMIT");
  }
  // A transaction bigger than 16 batches of one row: returned in parts.
  constexpr int kBigTxn = 40;
  db.Exec("BEGIN");
  for (int r = 0; r < kBigTxn; ++r) db.Exec(fmt::format("INSERT INTO t VALUES ({}, 'y')", ++id));
  db.Exec("COMMIT");
  // Batches of one row: Next still returns whole (small) transactions.
  std::unique_ptr<StreamSource> s = OpenStream(db, "t", /*batch_rows=*/1);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start(At(start), true).ok());
  ReadResult all = ReadToEnd(*s);
  ASSERT_TRUE(all.status.ok()) << all.status.message();
  ASSERT_EQ(all.rows.size(), static_cast<size_t>(kTxns * kRowsPerTxn + kBigTxn));
  for (const Step& step : all.steps) {
    if (step.rows_so_far <= static_cast<size_t>(kTxns * kRowsPerTxn)) {
      EXPECT_EQ(step.rows_so_far % kRowsPerTxn, 0u);
    }
  }
  EXPECT_GT(all.steps.size(), static_cast<size_t>(kTxns + 1));  // the big one came in parts

  // Every position reported is a transaction end: resuming there reads whole transactions
  // only, exactly the tail of what the full read returned.
  std::set<std::string> positions;
  for (const Step& step : all.steps) positions.insert(step.position);
  EXPECT_GE(positions.size(), static_cast<size_t>(kTxns));
  for (const std::string& p : positions) {
    std::unique_ptr<StreamSource> resumed = OpenStream(db, "t");
    ASSERT_TRUE(resumed);
    ASSERT_TRUE(resumed->Start(At(p), true).ok());
    ReadResult tail = ReadToEnd(*resumed);
    ASSERT_TRUE(tail.status.ok()) << tail.status.message();
    const size_t n = tail.rows.size();  // none, or the big transaction and whole small ones
    EXPECT_TRUE(n == 0 || (n >= kBigTxn && (n - kBigTxn) % kRowsPerTxn == 0))
        << "resumed at " << p << ": " << n << " rows";
    ASSERT_LE(tail.rows.size(), all.rows.size());
    EXPECT_TRUE(std::equal(tail.rows.begin(), tail.rows.end(),
                           all.rows.end() - static_cast<ptrdiff_t>(tail.rows.size())))
        << "resumed at " << p;
  }
}

TEST(BinlogStreamTest, UpdatesAndDeletesCarryTheirRowKinds) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
  const std::string start = EndNow(db, "t");
  db.Exec("INSERT INTO t VALUES (1, 'a')");
  db.Exec("UPDATE t SET v = 'b' WHERE id = 1");
  db.Exec("DELETE FROM t WHERE id = 1");
  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start(At(start), true).ok());
  ReadResult all = ReadToEnd(*s);
  ASSERT_TRUE(all.status.ok()) << all.status.message();
  EXPECT_EQ(all.rows, (std::vector<std::string>{"I|1|a", "B|1|a", "A|1|b", "D|1|b"}));
}

// On a server that keeps names of different case apart (lower_case_table_names=0, Linux's
// default), `Cased` and `cased` are two tables: a stream of one never takes the other's
// changes, nor stops on its DDL. (It once took both: the names were compared without case.)
TEST(BinlogStreamTest, TablesWhoseNamesDifferOnlyByCaseStayApart) {
  TestDatabase db;
  if (db.Value("SELECT @@lower_case_table_names") != "0") {
    GTEST_SKIP() << "the server folds table names";
  }
  db.Exec("CREATE TABLE Cased (id INT PRIMARY KEY, v VARCHAR(10))");
  db.Exec("CREATE TABLE cased (id INT PRIMARY KEY, v VARCHAR(10))");
  for (const std::string table : {"Cased", "cased"}) {
    const std::string start = EndNow(db, table);
    db.Exec("INSERT INTO cased VALUES (1, 'lower'), (2, 'lower')");
    db.Exec("INSERT INTO Cased VALUES (1, 'upper')");
    db.Exec("UPDATE cased SET v = 'lower2' WHERE id = 1");
    db.Exec("ALTER TABLE " + std::string(table == "Cased" ? "cased" : "Cased") +
            " MODIFY v VARCHAR(20)");  // the other table's DDL
    db.Exec("UPDATE Cased SET v = 'upper2' WHERE id = 1");
    std::unique_ptr<StreamSource> s = OpenStream(db, table);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->Start(At(start), true).ok());
    ReadResult all = ReadToEnd(*s);
    ASSERT_TRUE(all.status.ok()) << table << ": " << all.status.message();
    if (table == "Cased") {
      EXPECT_EQ(all.rows, (std::vector<std::string>{"I|1|upper", "B|1|upper", "A|1|upper2"}));
    } else {
      EXPECT_EQ(all.rows,
                (std::vector<std::string>{"I|1|lower", "I|2|lower", "B|1|lower", "A|1|lower2"}));
    }
    db.Exec("DELETE FROM Cased");
    db.Exec("DELETE FROM cased");
    db.Exec("ALTER TABLE Cased MODIFY v VARCHAR(10)");
    db.Exec("ALTER TABLE cased MODIFY v VARCHAR(10)");
  }
}

TEST(BinlogStreamTest, IdleNextReturnsPromptly) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, /*catch_up=*/false).ok());
  RecordingRejects rejects;
  for (int i = 0; i < 5; ++i) {
    Batch batch(s->schema());
    const auto t0 = std::chrono::steady_clock::now();
    Result<bool> more = s->Next(batch, rejects);
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(more.has_value()) << more.error().message();
    EXPECT_TRUE(*more);
    EXPECT_LT(took, std::chrono::milliseconds(1000));
  }
  // A row written while the stream follows the server arrives without a restart.
  db.Exec("INSERT INTO t VALUES (42)");
  size_t got = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got == 0 && std::chrono::steady_clock::now() < give_up) {
    Batch batch(s->schema());
    ASSERT_TRUE(s->Next(batch, rejects).has_value());
    got += batch.num_rows();
  }
  EXPECT_EQ(got, 1u);
  EXPECT_GE(s->LagMillis(), 0);
}

// ADD/DROP COLUMN is followed (binlog_schema_change_test.cc); any other DDL stops.
TEST(BinlogStreamTest, DdlOnTheTableStopsWithTheStatement) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, false).ok());
  db.Exec("CREATE TABLE unrelated (id INT)");  // DDL on another table: no stop
  db.Exec("INSERT INTO t VALUES (1)");
  db.Exec("ALTER TABLE t MODIFY id SMALLINT");
  db.Exec("INSERT INTO t VALUES (2)");  // its TABLE_MAP shows what the MODIFY did
  RecordingRejects rejects;
  size_t rows = 0;
  Status failure;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (failure.ok() && std::chrono::steady_clock::now() < give_up) {
    Batch batch(s->schema());
    Result<bool> more = s->Next(batch, rejects);
    if (!more) failure = more.error();
    rows += batch.num_rows();
  }
  EXPECT_EQ(rows, 1u);
  ASSERT_FALSE(failure.ok());
  EXPECT_NE(failure.message().find("ALTER TABLE t MODIFY id SMALLINT"), std::string::npos)
      << failure.message();
}

TEST(BinlogStreamTest, APurgedFileIsAClearError) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  std::unique_ptr<StreamSource> s = OpenStream(db, "t");
  ASSERT_TRUE(s);
  Status st = s->Start(At("binlog.999999:4"), true);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no longer has (purged)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("re-snapshot"), std::string::npos) << st.message();
}

TEST(BinlogSettingsTest, EachWrongSettingIsOneLine) {
  EXPECT_TRUE(CheckBinlogSettings({"1", "ROW", "FULL"}, "db:3306").ok());
  EXPECT_TRUE(CheckBinlogSettings({"ON", "row", "full"}, "db:3306").ok());
  Status st = CheckBinlogSettings({"0", "STATEMENT", "MINIMAL"}, "db:3306");
  ASSERT_FALSE(st.ok());
  const std::string m = st.message();
  EXPECT_NE(m.find("log_bin is 0: start the server with log_bin"), std::string::npos) << m;
  EXPECT_NE(m.find("binlog_format is STATEMENT: set binlog_format=ROW"), std::string::npos) << m;
  EXPECT_NE(m.find("binlog_row_image is MINIMAL: set binlog_row_image=FULL"), std::string::npos)
      << m;
  Status one = CheckBinlogSettings({"1", "MIXED", "FULL"}, "db:3306");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.message().find("log_bin"), std::string::npos);
  EXPECT_EQ(one.message().find("binlog_row_image"), std::string::npos);
}

TEST(BinlogSettingsTest, DatabasesTheBinlogFiltersLeaveOutAreNamed) {
  EXPECT_TRUE(CheckBinlogFilters("", "", {"shop"}, "db:3306").ok());
  EXPECT_TRUE(CheckBinlogFilters("crm,shop", "", {"shop"}, "db:3306").ok());
  EXPECT_TRUE(CheckBinlogFilters("", "tmp,shop_old", {"shop"}, "db:3306").ok());
  Status st = CheckBinlogFilters("crm,shopping", "", {"shop"}, "db:3306");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("database shop is not in binlog_do_db (crm,shopping): add it"),
            std::string::npos)
      << st.message();
  st = CheckBinlogFilters("", "tmp,shop", {"crm", "shop"}, "db:3306");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("database shop is in binlog_ignore_db (tmp,shop): take it out"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find("database crm"), std::string::npos) << st.message();
}

TEST(BinlogPositionTest, ParsesAndOrdersByFileNumberThenOffset) {
  Result<BinlogPosition> p = BinlogPosition::Parse("mysql-bin.000003:1234");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->file, "mysql-bin.000003");
  EXPECT_EQ(p->offset, 1234u);
  EXPECT_EQ(p->ToString(), "mysql-bin.000003:1234");
  EXPECT_LT((BinlogPosition{"b.000009", 99999}), (BinlogPosition{"b.000010", 4}));
  EXPECT_LT((BinlogPosition{"b.999999", 4}), (BinlogPosition{"b.1000000", 4}));
  EXPECT_LT((BinlogPosition{"b.000010", 4}), (BinlogPosition{"b.000010", 5}));
  EXPECT_FALSE(BinlogPosition::Parse("nocolon").has_value());
  EXPECT_FALSE(BinlogPosition::Parse("f.1:12x").has_value());
  EXPECT_FALSE(BinlogPosition::Parse(":4").has_value());
}

TEST(BinlogSettingsTest, DefaultServerIdsDifferByJob) {
  EXPECT_EQ(DefaultServerId("orders"), DefaultServerId("orders"));
  EXPECT_NE(DefaultServerId("orders"), DefaultServerId("customers"));
  EXPECT_GE(DefaultServerId(""), 1000000u);
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
