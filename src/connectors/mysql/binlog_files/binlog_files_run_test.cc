// The real binary reads copies of binlog files the test MariaDB wrote (binlog_row_metadata=FULL,
// scripts/test-servers.sh) with `mode: realtime` and `binlog_files`, into SQLite: every column
// of every row equals the source's; a second run applies nothing twice, a run with more files
// continues where the last one stopped; kill -9 at random moments, then a rerun, converges to
// exactly the source; a truncated or corrupted file is an error naming the file and offset and
// the target keeps whole transactions only.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "connectors/mysql/binlog/binlog_file_reader.h"
#include "connectors/mysql/binlog/event_type.h"
#include "connectors/mysql/binlog_files/binlog_files_run_fixture.h"

namespace sluice::mysql::binlog_files {
namespace {

namespace fs = std::filesystem;
using testing::BinlogWindow;
using testing::InsertTriples;
using testing::TestDatabase;

constexpr const char* kTriples = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))";
constexpr const char* kAppend = "{type: sqlite, path: out.db, table: t, write_mode: append}";

class BinlogFilesRunTest : public testing::FilesRunFixture {
 protected:
  std::string Table(TestDatabase& db) { return db.name() + ".t"; }
  // The ids of the target, in order, as one string ("1,2,3").
  std::string TargetIds() {
    std::string out;
    for (const std::string& id : TargetRows("SELECT id FROM t ORDER BY id")) {
      out += (out.empty() ? "" : ",") + id;
    }
    return out;
  }
  static std::string Ids(int from, int to) {
    std::string out;
    for (int i = from; i <= to; ++i) out += (out.empty() ? "" : ",") + std::to_string(i);
    return out;
  }
};

// Inserts, updates in place, key moves and deletes of many types over three files, into an
// upsert target: every column of every row is the source's.
TEST_F(BinlogFilesRunTest, ChangesAcrossFilesEqualTheSource) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), amount DECIMAL(12,2), big BIGINT "
      "UNSIGNED, at DATETIME(6), d DATE, f DOUBLE, note TEXT, raw VARBINARY(8))");
  BinlogWindow window(db);
  constexpr int kTxns = 60;
  for (int t = 0; t < kTxns; ++t) {
    const int a = 4 * t + 1;
    db.Exec("BEGIN");
    db.Exec(fmt::format(
        "INSERT INTO t VALUES ({0}, 'new', {0}.25, 18446744073709551615 - {0}, "
        "'2026-01-02 03:04:05.{1:06}', '2026-03-{2:02}', {0}.5e-3, 'ü€{0}', 0x00ff{1:02x}), "
        "({3}, NULL, -{0}.75, {0}, NULL, NULL, NULL, NULL, NULL), ({4}, 'x', 0, 0, "
        "'1999-12-31 23:59:59', '1999-12-31', -0.125, '', '')",
        a, t, t % 28 + 1, a + 1, a + 2));
    db.Exec(fmt::format("UPDATE t SET v = 'updated', amount = amount + 1 WHERE id = {}", a));
    db.Exec(fmt::format("UPDATE t SET v = 'twice', note = NULL WHERE id = {}", a));
    db.Exec(fmt::format("UPDATE t SET id = {} WHERE id = {}", a + 3, a + 1));  // moves a key
    db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a + 2));
    if (t > 0 && t % 3 == 0) db.Exec(fmt::format("DELETE FROM t WHERE id = {}", a - 4));
    db.Exec("COMMIT");
    if (t == 19 || t == 39) db.Exec("FLUSH BINARY LOGS");
  }
  const std::vector<fs::path> files = window.Close();
  ASSERT_GE(files.size(), 3u);
  WriteJob(Copy(files), Table(db),
           "{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  const std::vector<std::string> source = db.Rows(
      "SELECT id, v, amount, big, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), d, f, note, HEX(raw) "
      "FROM t ORDER BY id");
  EXPECT_EQ(source.size(), static_cast<size_t>(2 * kTxns - (kTxns - 1) / 3));
  const std::vector<std::string> target = TargetRows(
      "SELECT id, v, amount, big, at || CASE WHEN instr(at, '.') = 0 THEN '.000000' ELSE "
      "substr('000000', 1, 26 - length(at)) END, d, f, note, CASE WHEN raw IS NULL THEN NULL "
      "ELSE hex(raw) END FROM t ORDER BY id");
  ASSERT_EQ(target.size(), source.size());
  for (size_t i = 0; i < source.size(); ++i) EXPECT_EQ(target[i], source[i]) << "row " << i;
}

// Resume: a second run over the same files applies nothing (append: a double would show); a
// run with more files listed continues exactly after the committed position.
TEST_F(BinlogFilesRunTest, ResumeAfterRestartAppliesNothingTwice) {
  TestDatabase db;
  db.Exec(kTriples);
  std::vector<std::string> first;
  {
    BinlogWindow window(db);
    InsertTriples(db, 0, 50, 20);
    first = Copy(window.Close());
  }
  WriteJob(first, Table(db), kAppend);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetIds(), Ids(1, 150));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("\"rows_written\": 0,"), std::string::npos) << Log("run.log");
  EXPECT_EQ(TargetIds(), Ids(1, 150));

  std::vector<std::string> second;
  {
    BinlogWindow window(db);
    InsertTriples(db, 50, 80, 10);
    second = Copy(window.Close());
  }
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  WriteJob(all, Table(db), kAppend);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up", "--json"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("\"rows_written\": 90,"), std::string::npos) << Log("run.log");
  EXPECT_EQ(TargetIds(), Ids(1, 240));
  const auto [rows, distinct] = TargetCounts();
  EXPECT_EQ(rows, 240);
  EXPECT_EQ(distinct, 240);
}

// Files written by a server that keeps `Cased` and `cased` apart hold both: a job names one,
// and gets that one's rows only; a name in a case no table has is taken for the one table of
// that name in another case, and for two such tables it is an error that names them.
TEST_F(BinlogFilesRunTest, TablesWhoseNamesDifferOnlyByCaseStayApart) {
  TestDatabase db;
  if (db.Value("SELECT @@lower_case_table_names") != "0") GTEST_SKIP() << "names fold";
  db.Exec("CREATE TABLE cased (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("CREATE TABLE Cased (id INT PRIMARY KEY, v VARCHAR(20))");
  db.Exec("CREATE TABLE Alone (id INT PRIMARY KEY, v VARCHAR(20))");
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    db.Exec("INSERT INTO cased VALUES (1, 'lower'), (2, 'lower')");  // first in the files
    db.Exec("INSERT INTO Cased VALUES (1, 'upper')");
    db.Exec("INSERT INTO Alone VALUES (7, 'alone')");
    files = Copy(window.Close());
  }
  const std::string upsert =
      "{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}";
  WriteJob(files, db.name() + ".Cased", upsert);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"), std::vector<std::string>{"1|upper"});
  std::filesystem::remove(dir_ / "out.db");
  WriteJob(files, db.name() + ".alone", upsert);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"), std::vector<std::string>{"7|alone"});
  std::filesystem::remove(dir_ / "out.db");
  WriteJob(files, db.name() + ".CASED", upsert);
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0);
  EXPECT_NE(
      Log("run.log.err")
          .find(fmt::format("several tables differ from it only by case ({0}.cased, {0}.Cased)",
                            db.name())),
      std::string::npos)
      << Log("run.log.err");
}

// Databases too: `Shop`.t and `shop`.t are two tables on such a server.
TEST_F(BinlogFilesRunTest, DatabasesWhoseNamesDifferOnlyByCaseStayApart) {
  TestDatabase db;
  if (db.Value("SELECT @@lower_case_table_names") != "0") GTEST_SKIP() << "names fold";
  const std::string upper = db.name() + "_Up";
  const std::string lower = db.name() + "_up";
  for (const std::string& d : {upper, lower}) {
    db.Exec(fmt::format("DROP DATABASE IF EXISTS `{}`", d));
    db.Exec(fmt::format("CREATE DATABASE `{}`", d));
    db.Exec(fmt::format("CREATE TABLE `{}`.t (id INT PRIMARY KEY, v VARCHAR(20))", d));
  }
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    db.Exec(fmt::format("INSERT INTO `{}`.t VALUES (1, 'lower'), (2, 'lower')", lower));
    db.Exec(fmt::format("INSERT INTO `{}`.t VALUES (1, 'upper')", upper));
    db.Exec(fmt::format("ALTER TABLE `{}`.t ADD COLUMN w INT", lower));  // not the job's table
    db.Exec(fmt::format("INSERT INTO `{}`.t VALUES (3, 'upper')", upper));
    files = Copy(window.Close());
  }
  const std::string upsert =
      "{type: sqlite, path: out.db, table: t, write_mode: upsert, key: [id]}";
  WriteJob(files, upper + ".t", upsert);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|upper", "3|upper"}));
  std::filesystem::remove(dir_ / "out.db");
  WriteJob(files, lower + ".t", upsert);
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"),
            (std::vector<std::string>{"1|lower", "2|lower"}));
  for (const std::string& d : {upper, lower}) db.Exec(fmt::format("DROP DATABASE `{}`", d));
}

// kill -9 at random moments of runs that checkpoint every transaction: each round is killed
// once the target holds a random number of rows more than before (polled; the moment falls
// anywhere between two checkpoints). After every kill the target holds whole transactions, each
// once; a last run to the end leaves exactly the source's rows.
TEST_F(BinlogFilesRunTest, KillNineAtRandomMomentsThenRerunConverges) {
  TestDatabase db;
  db.Exec(kTriples);
  constexpr int kTxns = 1500;
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    InsertTriples(db, 0, kTxns, 500);
    files = Copy(window.Close());
  }
  WriteJob(files, Table(db), kAppend, "", "{checkpoint: {rows: 3}, batch_rows: 3}");
  std::mt19937 random(std::random_device{}());
  int64_t last = 0;
  int killed = 0;
  for (int round = 0; round < 4; ++round) {
    // At most a fifth of what is left: four rounds end before the end of the files.
    const int64_t at = last + 1 + static_cast<int64_t>(random() % ((3 * kTxns - last) / 5));
    const pid_t pid = Spawn({"run", "job.yaml", "--catch-up"}, "killed.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    pid_t ended = 0;
    while (TargetCounts().first < at && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if ((ended = waitpid(pid, &status, WNOHANG)) != 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (ended == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
      kill(pid, SIGKILL);
      killed += Wait(pid) == 128 + SIGKILL ? 1 : 0;
    }
    const auto [rows, distinct] = TargetCounts();
    if (rows < 0) continue;  // killed before the table was created
    EXPECT_EQ(rows % 3, 0) << "round " << round;
    EXPECT_EQ(rows, distinct) << "round " << round;
    EXPECT_GE(rows, last) << "round " << round;
    last = rows;
  }
  std::cout << "the kills left " << last << " rows\n";
  EXPECT_GE(killed, 3) << "runs ended before their kill";
  EXPECT_GT(last, 0) << "no kill came after a checkpoint";
  EXPECT_LT(last, 3 * kTxns) << "the kills all came after the end";
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(TargetRows("SELECT id, v FROM t ORDER BY id"),
            db.Rows("SELECT id, v FROM t ORDER BY id"));
  const auto [rows, distinct] = TargetCounts();
  EXPECT_EQ(rows, 3 * kTxns);
  EXPECT_EQ(distinct, 3 * kTxns);
}

// The offset where the first event of `type` at or after byte `from` starts in `path`.
uint64_t OffsetOf(const fs::path& path, binlog::EventType type, uint64_t from) {
  auto reader = binlog::BinlogFileReader::Open(path.string());
  EXPECT_TRUE(reader.has_value());
  if (!reader) return 0;
  while (true) {
    Result<std::optional<binlog::Event>> e = (*reader)->Next();
    EXPECT_TRUE(e.has_value()) << e.error().message();
    if (!e || !*e) return 0;
    if ((*e)->type() == type && (*reader)->event_offset() >= from) {
      return (*reader)->event_offset();
    }
  }
}

// A file cut in the middle of an event, and one cut exactly before a transaction's XID: each an
// error naming the file and the byte offset; the target holds whole transactions (a prefix of
// the source's) and nothing of the cut one.
TEST_F(BinlogFilesRunTest, TruncatedFileIsAnErrorNamingFileAndOffset) {
  TestDatabase db;
  db.Exec(kTriples);
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    InsertTriples(db, 0, 60, 0);
    files = Copy(window.Close());
  }
  const fs::path copy = dir_ / files.back();
  const uint64_t size = fs::file_size(copy);
  const uint64_t xid = OffsetOf(copy, binlog::EventType::kXid, size / 2);
  ASSERT_GT(xid, 0u);
  for (const uint64_t cut : {size / 2 + 7, xid}) {
    SCOPED_TRACE(cut);
    fs::remove(dir_ / "out.db");
    fs::remove(dir_ / "state.db");
    fs::copy_file(copy, dir_ / "cut.000001", fs::copy_options::overwrite_existing);
    fs::resize_file(dir_ / "cut.000001", cut);
    std::vector<std::string> cut_files(files.begin(), files.end() - 1);
    cut_files.push_back("cut.000001");
    // Small batches: checkpoints commit before the reader reaches the cut.
    WriteJob(cut_files, Table(db), kAppend, "", "{checkpoint: {rows: 20}, batch_rows: 10}");
    EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 1);
    const std::string err = Log("run.log.err");
    EXPECT_NE(err.find("binlog cut.000001: "), std::string::npos) << err;
    EXPECT_NE(err.find("byte offset"), std::string::npos) << err;
    if (cut == xid) {
      EXPECT_NE(err.find(fmt::format("ends at byte offset {} inside the transaction", xid)),
                std::string::npos)
          << err;
    } else {
      EXPECT_NE(err.find("truncated"), std::string::npos) << err;
    }
    const auto [rows, distinct] = TargetCounts();
    ASSERT_GT(rows, 0) << "checkpoints before the cut committed nothing";
    EXPECT_EQ(rows % 3, 0);
    EXPECT_LT(rows, 180);
    EXPECT_EQ(TargetIds(), Ids(1, static_cast<int>(rows)));
  }
}

// A flipped byte inside a rows event: the CRC32 check names the file and offset; exit 1.
TEST_F(BinlogFilesRunTest, CorruptedByteIsAClearError) {
  TestDatabase db;
  db.Exec(kTriples);
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    InsertTriples(db, 0, 30, 0);
    files = Copy(window.Close());
  }
  const fs::path path = dir_ / files.back();
  const uint64_t rows_at = OffsetOf(path, binlog::EventType::kWriteRowsV1, fs::file_size(path) / 2);
  ASSERT_GT(rows_at, 0u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(rows_at + 30));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(rows_at + 30));
    f.put(static_cast<char>(c ^ 0x5a));
  }
  WriteJob(files, Table(db), kAppend, "", "{checkpoint: {rows: 20}, batch_rows: 10}");
  EXPECT_EQ(Run({"run", "job.yaml", "--catch-up"}), 1);
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find(fmt::format("binlog {}: at byte offset {} (WRITE_ROWS_V1 event)", files.back(),
                                 rows_at)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("checksum"), std::string::npos) << err;
  const auto [rows, distinct] = TargetCounts();
  EXPECT_GT(rows, 0);
  EXPECT_EQ(rows % 3, 0);
  EXPECT_LT(rows, 90);
  EXPECT_EQ(TargetIds(), Ids(1, static_cast<int>(rows)));
}

// `sluice check` names the files and where the columns come from; url and binlog_files are
// one or the other, and one of them is required.
TEST_F(BinlogFilesRunTest, CheckShowsThePlanAndTheSectionIsChecked) {
  TestDatabase db;
  db.Exec(kTriples);
  std::vector<std::string> files;
  {
    BinlogWindow window(db);
    InsertTriples(db, 0, 2, 1);
    files = Copy(window.Close());
  }
  WriteJob(files, Table(db), kAppend);
  ASSERT_EQ(Run({"check", "job.yaml"}), 0) << Log("run.log.err");
  const std::string plan = Log("run.log");
  EXPECT_NE(plan.find(fmt::format("source: mysql binlog files {}, changes streamed", Table(db))),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find(fmt::format("reads {} binlog files in this order", files.size())),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("    " + files[0] + "\n"), std::string::npos) << plan;
  EXPECT_NE(plan.find(", primary key (id)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("column v string"), std::string::npos) << plan;

  WriteJob(files, Table(db), kAppend, "url: \"" + db.Url() + "\"");
  EXPECT_EQ(Run({"check", "job.yaml"}), 2);
  EXPECT_NE(Log("run.log.err").find("source.url: give either url"), std::string::npos)
      << Log("run.log.err");

  std::ofstream(dir_ / "job.yaml") << "name: x\nmode: realtime\nsource: {type: mysql, table: a.t}\n"
                                      "target: {type: sqlite, path: out.db, table: t}\n";
  EXPECT_EQ(Run({"check", "job.yaml"}), 2);
  EXPECT_NE(Log("run.log.err").find("missing required key 'url' (or 'binlog_files')"),
            std::string::npos)
      << Log("run.log.err");

  WriteJob(files, db.name() + ".nothing", kAppend);
  EXPECT_EQ(Run({"check", "job.yaml"}), 2);
  EXPECT_NE(Log("run.log.err").find("table " + db.name() + ".nothing has no rows in the binlog"),
            std::string::npos)
      << Log("run.log.err");
}

}  // namespace
}  // namespace sluice::mysql::binlog_files
