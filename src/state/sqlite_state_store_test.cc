#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>

#include "state/state_store.h"
#include "state/state_store_conformance.h"

namespace sluice {
namespace {

// A fresh folder per harness; the store's file in it.
class SqliteHarness final : public testing::StoreHarness {
 public:
  SqliteHarness() {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_state_conformance_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "state.db").string();
  }
  ~SqliteHarness() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateStore> Open() override {
    auto store = OpenSqliteStateStore(path_);
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }

  void FailWritesOfStream(const std::string& stream) override {
    for (const char* when : {"INSERT", "UPDATE"}) {
      Exec(
          fmt::format("CREATE TRIGGER fail_{0}_{1} BEFORE {0} ON positions WHEN NEW.stream = "
                      "'{1}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                      when, stream));
    }
  }

  std::vector<std::string> HistoryRunIds(const std::string& job) override {
    std::vector<std::string> out;
    Db db(path_);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db.get(),
                       "SELECT run_id FROM runs WHERE job = ?1 ORDER BY finished_at, rowid", -1,
                       &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, job.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  class Db {
   public:
    explicit Db(const std::string& path) {
      if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open " + path);
      sqlite3_busy_timeout(db_, 10000);
    }
    ~Db() { sqlite3_close(db_); }
    sqlite3* get() const { return db_; }

   private:
    sqlite3* db_ = nullptr;
  };

  void Exec(const std::string& sql) {
    Db db(path_);
    char* error = nullptr;
    if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string text = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(sql + ": " + text);
    }
  }

  std::filesystem::path dir_;
  std::string path_;
};

using testing::StateStoreConformance;

INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreConformance,
                         ::testing::Values(testing::StoreKind{
                             "Sqlite",
                             []() -> std::unique_ptr<testing::StoreHarness> {
                               return std::make_unique<SqliteHarness>();
                             }}),
                         testing::StoreKindName);

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_state_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "nested" / "state.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateStore> Open() {
    auto store = OpenSqliteStateStore(path_);
    EXPECT_TRUE(store.has_value()) << store.error().message();
    return std::move(*store);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StateStoreTest, UnwritableLocationIsAClearError) {
  auto store = OpenSqliteStateStore("/proc/sluice/state.db");
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message().find("/proc/sluice"), std::string::npos);
}

// A store written by sluice with schema v1 (before leases), as that sluice left it.
void WriteV1Store(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE schema_version (version INTEGER);
    INSERT INTO schema_version VALUES (1);
    CREATE TABLE jobs (job TEXT PRIMARY KEY, watermark_column TEXT NOT NULL DEFAULT '',
      watermark TEXT, pending_run_id TEXT, pending_sink_state TEXT, pending_watermark TEXT,
      pending_started_at TEXT, updated_at TEXT NOT NULL);
    CREATE TABLE runs (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL, outcome TEXT NOT NULL, rows_written INTEGER NOT NULL,
      rows_rejected INTEGER NOT NULL);
    CREATE INDEX runs_by_job ON runs(job, finished_at);
    CREATE TABLE positions (job TEXT NOT NULL, stream TEXT NOT NULL, position TEXT NOT NULL,
      updated_at TEXT NOT NULL, PRIMARY KEY (job, stream));
    INSERT INTO jobs VALUES ('orders', 'updated_at', '2026-11-30 10:00:00', NULL, NULL, NULL,
      NULL, '2026-11-30T10:00:05Z');
    INSERT INTO jobs VALUES ('crashed', 'id', '41', 'r-crash', 'size=7', '42',
      '2026-11-30T11:00:00Z', '2026-11-30T11:00:00Z');
    INSERT INTO runs VALUES ('r-1', 'orders', '2026-11-30T10:00:00Z', '2026-11-30T10:00:05Z',
      'committed', 17, 2);
    INSERT INTO positions VALUES ('cdc', 'binlog', 'bin.000002:4', '2026-11-30T10:00:00Z');
  )sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// A run killed while it created the store leaves a file whose schema never committed: it holds
// no state, so reading it is as if it were not there (not a "version 0" error), and the next
// run creates the store in it.
TEST_F(StateStoreTest, AStoreWhoseCreationNeverCommittedReadsAsNone) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_TRUE(std::filesystem::exists(path_));
  auto read_only = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(read_only.has_value());
  EXPECT_EQ(read_only.error().code(), StatusCode::kNotFound) << read_only.error().message();
  auto store = Open();
  ASSERT_TRUE(store->List().has_value());
  EXPECT_TRUE(OpenSqliteStateStoreReadOnly(path_).has_value());
}

TEST_F(StateStoreTest, AVersion1StoreIsMigratedKeepingItsState) {
  WriteV1Store(path_);
  // Read-only, it cannot be migrated: a clear error, and the file stays v1.
  auto read_only = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(read_only.has_value());
  EXPECT_NE(read_only.error().message().find("schema version 1, older than this sluice's (2)"),
            std::string::npos)
      << read_only.error().message();

  auto store = Open();
  auto orders = store->Load("orders");
  ASSERT_TRUE(orders.has_value()) << orders.error().message();
  EXPECT_EQ(orders->watermark_column, "updated_at");
  EXPECT_EQ(orders->watermark.value_or("-"), "2026-11-30 10:00:00");
  ASSERT_TRUE(orders->last_run.has_value());
  EXPECT_EQ(orders->last_run->rows_written, 17);
  EXPECT_EQ(orders->last_run->rows_rejected, 2);
  // The run a v1 sluice left pending is still there to recover, with no positions to write.
  auto crashed = store->Load("crashed");
  ASSERT_TRUE(crashed->pending.has_value());
  EXPECT_EQ(crashed->pending->run_id, "r-crash");
  EXPECT_EQ(crashed->pending->sink_state, "size=7");
  EXPECT_TRUE(crashed->pending->on_confirm.empty());
  ASSERT_TRUE(store->ConfirmRun("crashed", "r-crash", RunRecord{}, Fence{}).ok());
  EXPECT_EQ(store->Load("crashed")->watermark.value_or("-"), "42");
  EXPECT_EQ(store->GetPosition("cdc", "binlog")->value_or("-"), "bin.000002:4");
  // What v2 added works.
  auto lease =
      store->AcquireLease("orders", LeaseOwner{"h", 1}, std::chrono::seconds(60), std::nullopt);
  ASSERT_TRUE(lease.has_value()) << lease.error().message();
  EXPECT_TRUE(lease->acquired);
  EXPECT_EQ(lease->lease.token, 1);
  store.reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT MAX(version), COUNT(*) FROM schema_version", -1, &stmt,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 2);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 2);  // one row per version
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // And reading it read-only now works.
  auto reopened = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message();
  EXPECT_EQ((*reopened)->Load("orders")->watermark.value_or("-"), "2026-11-30 10:00:00");
}

TEST_F(StateStoreTest, AStoreFromANewerSluiceIsRefused) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE schema_version (version INTEGER); INSERT INTO "
                         "schema_version VALUES (3)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStateStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().message(), "state store " + path_ +
                                         " has schema version 3, newer than this sluice "
                                         "understands (2); upgrade sluice");
}

// Whether `body` succeeds in a child process without write access to the store: as an
// unprivileged user (nobody) when the test runs as root, who can write anything anyway.
bool SucceedsWithoutWriteAccess(const std::function<bool()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    ::_exit(body() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F(StateStoreTest, ReadOnlyStoreCanBeShown) {
  {
    auto store = Open();
    ASSERT_TRUE(store->BeginRun("j", "ts", {"r1", "", "5", ""}, Fence{}).ok());
    ASSERT_TRUE(store->ConfirmRun("j", "r1", RunRecord{}, Fence{}).ok());
  }
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(path_).parent_path();
  // chmod a-w on the file and its folders (readable and searchable by nobody).
  const fs::perms read = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  const fs::perms search = fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;
  fs::permissions(path_, read);
  for (fs::path p = folder; p != dir_.parent_path(); p = p.parent_path()) {
    fs::permissions(p, read | search);
  }
  const auto before = std::distance(fs::directory_iterator(folder), {});
  EXPECT_TRUE(SucceedsWithoutWriteAccess([&] {
    auto store = OpenSqliteStateStoreReadOnly(path_);
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message().c_str());
      return false;
    }
    auto st = (*store)->Load("j");
    if (!st) std::fprintf(stderr, "%s\n", st.error().message().c_str());
    return st && st->watermark == "5";
  }));
  // Reading created nothing next to the store.
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), {}), before);
  for (fs::path p = folder; p != dir_.parent_path(); p = p.parent_path()) {
    fs::permissions(p, fs::perms::owner_all);
  }
}

TEST_F(StateStoreTest, ReadOnlyOpenCreatesNothingAndRefusesAnOlderSchema) {
  auto missing = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(path_).parent_path()));

  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto older = OpenSqliteStateStoreReadOnly(path_);
  ASSERT_FALSE(older.has_value());
  EXPECT_EQ(older.error().message(),
            "state store " + path_ +
                " has schema version 0, older than this sluice's (2); it is upgraded by the next "
                "`sluice run` (which needs write access to it), and cannot be read before");
}

TEST(StateStoreErrorTest, AFullDiskSaysSoAndWhere) {
  const std::string full =
      "state store /data/s/state.db: confirming the run failed: disk full (the file system "
      "holding /data/s has no space left); free some space, or point settings.state_path (or "
      "$SLUICE_STATE) elsewhere";
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_FULL, 0,
                            "database or disk is full")
                .message(),
            full);
  // What a full disk looked like before: an I/O error whose cause is ENOSPC.
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_IOERR_WRITE, ENOSPC,
                            "disk I/O error")
                .message(),
            full);
  EXPECT_EQ(StateStoreError("/data/s/state.db", "confirming the run", SQLITE_IOERR_FSYNC, EIO,
                            "disk I/O error")
                .message(),
            "state store /data/s/state.db: confirming the run failed: disk I/O error");
}

// A real full disk: a tiny tmpfs. Mounting needs root; elsewhere the mapping test above covers
// the message.
TEST_F(StateStoreTest, RealFullDiskSaysDiskFull) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tiny tmpfs to fill needs root";
  const std::filesystem::path mnt = dir_ / "tiny";
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=128k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "), e.g. in a container without CAP_SYS_ADMIN";
  }
  const std::string path = (mnt / "state.db").string();
  Status failed;
  {
    auto store = OpenSqliteStateStore(path);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    // Fill what is left of the disk, then keep writing state.
    {
      std::ofstream filler(mnt / "filler", std::ios::binary);
      const std::string block(4096, 'x');
      while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
      }
    }
    const std::string big(16 * 1024, 'w');
    for (int i = 0; i < 200 && failed.ok(); ++i) {
      failed = (*store)->SetWatermark("job" + std::to_string(i), "ts", big, Fence{});
    }
  }
  ::umount(mnt.c_str());
  ASSERT_FALSE(failed.ok()) << "the tmpfs never filled";
  EXPECT_NE(failed.message().find("disk full (the file system holding " + mnt.string() +
                                  " has no space left)"),
            std::string::npos)
      << failed.message();
}

}  // namespace
}  // namespace sluice
