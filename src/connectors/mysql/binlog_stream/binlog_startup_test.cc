// Where a realtime MySQL/MariaDB stream starts without a committed position (`startup`):
// initial (a consistent snapshot, then the changes after it, by MariaDB's snapshot position
// and by MySQL's table lock), latest, a binlog position, a MariaDB GTID, a time. Against the
// test MariaDB; other tests write the same binlog meanwhile, every table here is in a database
// of this test's own.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <thread>

#include "connectors/mysql/binlog_stream/binlog_stream.h"
#include "connectors/mysql/binlog_stream/binlog_stream_test_util.h"
#include "connectors/mysql/binlog_stream/startup_option.h"

namespace sluice::mysql::binlog_stream {
namespace {

using mysql::testing::Scalar;
using mysql::testing::TestDatabase;
using stream_testing::At;
using stream_testing::OpenStreamWith;
using stream_testing::ReadResult;
using stream_testing::ReadToEnd;

// Source options with `startup` set to a word, or to a mapping {key: value}.
Options StartupOptions(const std::string& key, const std::string& value = "") {
  std::map<std::string, OptionValue> values;
  if (value.empty()) {
    values["startup"] = Scalar(key);
  } else {
    OptionValue object;
    object.kind = OptionKind::kObject;
    object.object[key] = Scalar(value);
    values["startup"] = object;
  }
  return Options(std::move(values));
}

// Rows "I|id|v" / "A|id|v" / "D|id|v" applied to id -> v, as a keyed target would.
void Apply(const std::vector<std::string>& rows, std::map<int, int>& model) {
  for (const std::string& row : rows) {
    const size_t a = row.find('|', 2);
    const int id = std::stoi(row.substr(2, a - 2));
    const int v = std::stoi(row.substr(a + 1));
    if (row[0] == 'I' || row[0] == 'A') model[id] = v;
    if (row[0] == 'D') model.erase(id);
  }
}

std::map<int, int> TableNow(TestDatabase& db) {
  std::map<int, int> out;
  const std::string text = db.Value("SELECT GROUP_CONCAT(id, '=', v ORDER BY id) FROM t");
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    const size_t eq = item.find('=');
    out[std::stoi(item.substr(0, eq))] = std::stoi(item.substr(eq + 1));
    at = comma + 1;
  }
  return out;
}

// startup: initial while a writer inserts, updates and deletes rows of the table: the snapshot
// plus the changes after its position, applied by key, equal the table: the handoff loses and
// doubles nothing. The snapshot is one source transaction (InTransaction until its last row).
void SnapshotThenChangesConverge(bool by_table_lock) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.Exec("SET SESSION group_concat_max_len = 100000000");
  std::string values;
  for (int i = 1; i <= 5000; ++i) values += (i > 1 ? "," : "") + fmt::format("({},{})", i, i);
  db.Exec("INSERT INTO t VALUES " + values);

  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    MysqlUrl url = db.url();
    url.database = db.name();
    Result<Connection> w = Connection::Open(url);
    ASSERT_TRUE(w.has_value()) << w.error().message();
    for (int i = 0; !stop.load(); ++i) {
      Status st = w->Exec(fmt::format("INSERT INTO t VALUES ({}, {})", 10000 + i, i));
      if (st.ok())
        st = w->Exec(fmt::format("UPDATE t SET v = v + 1 WHERE id = {}", 1 + (i * 7) % 5000));
      if (st.ok()) st = w->Exec(fmt::format("DELETE FROM t WHERE id = {}", 2 + (i * 13) % 5000));
      ASSERT_TRUE(st.ok()) << st.message();
      writes.fetch_add(1);
    }
  });
  while (writes.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  if (by_table_lock) setenv("SLUICE_TEST_SNAPSHOT_BY_LOCK", "1", 1);
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("initial"), 700);
  if (by_table_lock) unsetenv("SLUICE_TEST_SNAPSHOT_BY_LOCK");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, /*catch_up=*/true).ok());
  EXPECT_TRUE(s->InTransaction());  // the snapshot is one transaction, until its last row
  const int writes_at_start = writes.load();
  ReadResult first = ReadToEnd(*s);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  stop = true;
  writer.join();
  EXPECT_GT(writes.load(), writes_at_start) << "the writer must run during the snapshot";
  EXPECT_FALSE(s->InTransaction());
  ASSERT_GT(first.snapshot_rows, 4000u);
  // Every Next of the snapshot but the last one was inside the snapshot transaction.
  for (size_t i = 0; i < first.rows.size() && i < first.snapshot_rows; ++i) {
    ASSERT_EQ(first.rows[i][0], 'I') << first.rows[i];
  }
  // The rest of the changes, from where the first run stopped.
  std::unique_ptr<StreamSource> rest = OpenStreamWith(db, "t", StartupOptions("latest"));
  ASSERT_TRUE(rest);
  ASSERT_TRUE(rest->Start(s->Positions(), true).ok());
  ReadResult second = ReadToEnd(*rest);
  ASSERT_TRUE(second.status.ok()) << second.status.message();
  EXPECT_EQ(second.snapshot_rows, 0u);

  std::map<int, int> model;
  Apply(first.rows, model);
  Apply(second.rows, model);
  const std::map<int, int> table = TableNow(db);
  EXPECT_EQ(model.size(), table.size());
  EXPECT_TRUE(model == table) << "the snapshot and the changes after it differ from the table";
}

TEST(BinlogStartupTest, InitialSnapshotAtMariaDbSnapshotPositionConverges) {
  SnapshotThenChangesConverge(/*by_table_lock=*/false);
}

TEST(BinlogStartupTest, InitialSnapshotUnderTableLockConverges) {
  SnapshotThenChangesConverge(/*by_table_lock=*/true);
}

TEST(BinlogStartupTest, InitialOfAnEmptyTableStreamsAtOnce) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("initial"));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.rows.empty());
  EXPECT_FALSE(s->InTransaction());
  ASSERT_EQ(s->Positions().size(), 1u);
}

TEST(BinlogStartupTest, BinlogPositionStartsThere) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.Exec("INSERT INTO t VALUES (1, 1)");
  const std::string at = stream_testing::EndNow(db, "t");
  db.Exec("INSERT INTO t VALUES (2, 2)");
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("binlog", at));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (std::vector<std::string>{"I|2|2"}));
}

TEST(BinlogStartupTest, GtidStartsAfterIt) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.Exec("INSERT INTO t VALUES (1, 1)");
  // The server's GTID position after our insert: the stream starts after it (other tests'
  // transactions may follow; they are of other tables).
  const std::string gtid = db.Value("SELECT @@gtid_binlog_pos");
  ASSERT_FALSE(gtid.empty());
  db.Exec("INSERT INTO t VALUES (2, 2)");
  db.Exec("UPDATE t SET v = 5 WHERE id = 1");
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("gtid", gtid));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  EXPECT_TRUE(s->Positions().empty()) << "no file:offset is known before the first event";
  ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (std::vector<std::string>{"I|2|2", "B|1|1", "A|1|5"}));
  ASSERT_EQ(s->Positions().size(), 1u);
  // Resuming from the position it reached reads nothing again.
  db.Exec("INSERT INTO t VALUES (3, 3)");
  std::unique_ptr<StreamSource> again = OpenStreamWith(db, "t", StartupOptions("latest"));
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->Start(s->Positions(), true).ok());
  ReadResult r2 = ReadToEnd(*again);
  ASSERT_TRUE(r2.status.ok()) << r2.status.message();
  EXPECT_EQ(r2.rows, (std::vector<std::string>{"I|3|3"}));
}

TEST(BinlogStartupTest, GtidWithNothingAfterItEndsACatchUp) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.Exec("INSERT INTO t VALUES (1, 1)");
  const std::string gtid = db.Value("SELECT @@gtid_binlog_pos");
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("gtid", gtid));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.rows.empty());
}

TEST(BinlogStartupTest, TimestampStartsAtTheFirstTransactionAtOrAfterIt) {
  TestDatabase db;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
  db.Exec("INSERT INTO t VALUES (1, 1)");
  // Binlog times are whole seconds: let the next second begin before taking the time.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const std::string now = db.Value("SELECT UTC_TIMESTAMP()");
  db.Exec("INSERT INTO t VALUES (2, 2)");
  db.Exec("DELETE FROM t WHERE id = 1");
  std::unique_ptr<StreamSource> s = OpenStreamWith(db, "t", StartupOptions("timestamp", now + "Z"));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult r = ReadToEnd(*s);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rows, (std::vector<std::string>{"I|2|2", "D|1|1"}));
}

TEST(BinlogStartupTest, BadStartupsAreRefusedClearly) {
  const TimeZone utc = TimeZone::Utc();
  struct Case {
    Options options;
    std::string expected;
  };
  std::vector<Case> cases = {
      {StartupOptions("earliest"), "'earliest' is not a startup"},
      {StartupOptions("binlog", "mysql-bin"), "not a binlog position"},
      {StartupOptions("gtid", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"),
       "MySQL GTID sets are not supported yet"},
      {StartupOptions("timestamp", "yesterday"), "is not a time"},
  };
  for (const Case& c : cases) {
    Result<StartupOption> parsed = ParseStartup(c.options, utc);
    ASSERT_FALSE(parsed.has_value()) << c.expected;
    EXPECT_NE(parsed.error().message().find(c.expected), std::string::npos)
        << parsed.error().message();
  }
  Options two = StartupOptions("binlog", "mysql-bin.000001:4");
  std::map<std::string, OptionValue> both = two.values();
  both["startup"].object["gtid"] = Scalar("0-1-2");
  Result<StartupOption> parsed = ParseStartup(Options(both), utc);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message().find("exactly one of"), std::string::npos);

  Result<StartupOption> ok =
      ParseStartup(StartupOptions("timestamp", "2026-12-01 08:00:00+08:00"), utc);
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->kind, Startup::kTimestamp);
  EXPECT_EQ(ok->seconds, 1796083200);  // 2026-12-01 00:00:00 UTC
  Result<StartupOption> word = ParseStartup(Options(), utc);
  ASSERT_TRUE(word.has_value());
  EXPECT_EQ(word->kind, Startup::kInitial);  // the default
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
