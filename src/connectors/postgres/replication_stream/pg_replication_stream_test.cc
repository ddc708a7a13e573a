// Against the test PostgreSQL (wal_level=logical; scripts/test-servers.sh): PgReplicationStream
// read as the stream runner reads it. Slots are server-wide: each test's slot is named after
// the test and the process, and dropped at the end (a leftover slot retains WAL, and blocks
// dropping the per-process database).
#include "connectors/postgres/replication_stream/pg_replication_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "connectors/postgres/pg_testing.h"
#include "connectors/postgres/replication_stream/slot_setup.h"
#include "core/value_text.h"
#include "testing/snapshot_progress_read.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::CollectingRejects;
using postgres::testing::DbUrl;
using postgres::testing::MakeOptions;
using postgres::testing::RawConn;

char KindLetter(RowKind kind) {
  switch (kind) {
    case RowKind::kInsert:
      return 'I';
    case RowKind::kUpdateBefore:
      return 'B';
    case RowKind::kUpdateAfter:
      return 'U';
    case RowKind::kDelete:
      return 'D';
  }
  return '?';
}

// One job's slot and publication, dropped when the test ends.
class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    job_ = fmt::format("rs_{}_{}", getpid(), info->name());
    slot_ = DefaultSlotName(job_);
    db_ = std::make_unique<RawConn>(DbUrl());
  }
  void TearDown() override {
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), slot_, slot_);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
  }

  std::unique_ptr<StreamSource> Open(const std::string& table,
                                     std::map<std::string, std::string> extra = {},
                                     size_t batch_rows = 10000, Status* open_status = nullptr) {
    extra["url"] = DbUrl();
    extra["table"] = table;
    ConnectorContext context;
    context.job_name = job_;
    Result<std::unique_ptr<StreamSource>> made =
        PgReplicationStream::Make(MakeOptions(extra), context);
    EXPECT_TRUE(made.has_value()) << made.error().message();
    if (!made) return nullptr;
    ReadRequest request;
    request.batch_rows = batch_rows;
    Status st = (*made)->Open(request);
    if (open_status) {
      *open_status = st;
    } else {
      EXPECT_TRUE(st.ok()) << st.message();
    }
    return st.ok() ? std::move(*made) : nullptr;
  }

  struct ReadResult {
    std::vector<std::string> rows;  // "I|1|a"
    size_t snapshot_rows = 0;
    bool saw_in_transaction_with_position_inside = false;
    Status status;
  };

  // Next until a catch-up run ends (or fails); at most 60 s. Acknowledges after each batch
  // the runner would checkpoint.
  static ReadResult ReadToEnd(StreamSource& stream, bool acknowledge = true) {
    ReadResult out;
    CollectingRejects rejects;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      Batch batch(stream.schema());
      Result<bool> more = stream.Next(batch, rejects);
      if (!more) {
        out.status = more.error();
        return out;
      }
      if (batch.snapshot) out.snapshot_rows += batch.num_rows();
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::string line(1, KindLetter(batch.kind(r)));
        for (const Column& c : batch.columns) {
          line += '|';
          if (c.IsNull(r)) {
            line += "NULL";
          } else {
            FormatValue(c, r, line);
          }
        }
        out.rows.push_back(std::move(line));
      }
      if (acknowledge && !stream.InTransaction()) {
        Status st = stream.Acknowledge(stream.Positions());
        if (!st.ok()) {
          out.status = st;
          return out;
        }
      }
      if (!*more) return out;
    }
    out.status = Status::Internal("catch-up did not end within 60 s");
    return out;
  }

  std::string ConfirmedFlush() {
    return db_->Value(fmt::format(
        "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{}'", slot_));
  }

  std::string job_;
  std::string slot_;
  std::unique_ptr<RawConn> db_;
};

std::vector<StreamPosition> At(const std::string& position) {
  return {StreamPosition{PgReplicationStream::kStreamName, position}};
}

TEST_F(StreamTest, SnapshotThenChangesUnderConcurrentWritesLoseAndDoubleNothing) {
  db_->Exec("DROP TABLE IF EXISTS snap_t");
  db_->Exec("CREATE TABLE snap_t (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO snap_t SELECT g, 'old' FROM generate_series(1, 5000) g");
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    RawConn w(DbUrl());
    for (int i = 1; !stop && i <= 3000; ++i) {
      w.Exec(fmt::format("INSERT INTO snap_t VALUES ({}, 'new')", 100000 + i));
      if (i % 10 == 0) w.Exec(fmt::format("UPDATE snap_t SET v = 'upd' WHERE id = {}", i));
      written = i;
    }
  });
  while (written < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  std::unique_ptr<StreamSource> s = Open("snap_t", {}, /*batch_rows=*/200);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, /*catch_up=*/true).ok());
  ReadResult first = ReadToEnd(*s);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  stop = true;
  writer.join();
  EXPECT_GE(first.snapshot_rows, 5000u);
  const std::string position = s->Positions().at(0).position;
  s.reset();

  // The rest, resumed from the position a checkpoint would have stored.
  std::unique_ptr<StreamSource> again = Open("snap_t");
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->Start(At(position), true).ok());
  ReadResult second = ReadToEnd(*again);
  ASSERT_TRUE(second.status.ok()) << second.status.message();
  EXPECT_EQ(second.snapshot_rows, 0u);

  // Applied as an upsert target applies them, the rows equal the table; no insert twice.
  std::map<std::string, std::string> applied;
  std::map<std::string, int> inserts;
  for (const auto* part : {&first.rows, &second.rows}) {
    for (const std::string& line : *part) {
      const size_t a = line.find('|', 2);
      const std::string id = line.substr(2, a - 2);
      if (line[0] == 'I') ++inserts[id];
      applied[id] = line.substr(a + 1);
    }
  }
  for (const auto& [id, n] : inserts) EXPECT_EQ(n, 1) << "id " << id << " inserted " << n;
  std::map<std::string, std::string> source;
  for (const auto& row : db_->Rows("SELECT id, v FROM snap_t")) source[row[0]] = row[1];
  EXPECT_EQ(applied.size(), source.size());
  EXPECT_TRUE(applied == source);
}

// "Cased" and cased are two tables: a stream of one takes neither the other's rows nor its
// changes.
TEST_F(StreamTest, TablesWhoseNamesDifferOnlyByCaseStayApart) {
  db_->Exec("DROP TABLE IF EXISTS \"Cased\", cased");
  db_->Exec("CREATE TABLE \"Cased\" (id int PRIMARY KEY, v text)");
  db_->Exec("CREATE TABLE cased (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO \"Cased\" VALUES (1, 'upper'); INSERT INTO cased VALUES (1, 'lower')");
  std::unique_ptr<StreamSource> s = Open("public.Cased");
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, /*catch_up=*/true).ok());
  ReadResult snapshot = ReadToEnd(*s);
  ASSERT_TRUE(snapshot.status.ok()) << snapshot.status.message();
  EXPECT_EQ(snapshot.rows, std::vector<std::string>{"I|1|upper"});
  const std::string position = s->Positions().at(0).position;
  s.reset();
  db_->Exec("INSERT INTO cased VALUES (2, 'lower'); UPDATE cased SET v = 'lower2'");
  db_->Exec("ALTER TABLE cased ADD COLUMN z int");  // the other table's DDL
  db_->Exec("UPDATE \"Cased\" SET v = 'upper2'; UPDATE cased SET z = 1");
  std::unique_ptr<StreamSource> r = Open("public.Cased");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->Start(At(position), true).ok());
  ReadResult changes = ReadToEnd(*r);
  ASSERT_TRUE(changes.status.ok()) << changes.status.message();
  EXPECT_EQ(changes.rows, std::vector<std::string>{"U|1|upper2"});
  EXPECT_EQ(r->schema().fields.size(), 2u);
}

// A snapshot in chunks says how far it is (the status line's "snapshot of ..."), commits at
// each chunk's end, and says nothing once it is read.
TEST_F(StreamTest, ChunkedSnapshotReportsItsProgress) {
  db_->Exec("DROP TABLE IF EXISTS prog_t");
  db_->Exec("CREATE TABLE prog_t (id bigint PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO prog_t SELECT g, 'v' FROM generate_series(1, 1000) g; ANALYZE prog_t");
  std::unique_ptr<StreamSource> s = Open("prog_t", {{"snapshot_chunk_rows", "100"}}, 50);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->SnapshotProgressNow().has_value());
  s->AllowSnapshotChunks();
  ASSERT_TRUE(s->Start({}, /*catch_up=*/true).ok());
  CollectingRejects rejects;
  const sluice::testing::SnapshotProgressRead read =
      sluice::testing::ReadSnapshotProgress(*s, rejects);
  EXPECT_EQ(read.snapshot_rows, 1000);
  EXPECT_GE(read.chunk_ends, 9);
  EXPECT_FALSE(read.reported_after_the_snapshot);
  ASSERT_FALSE(read.reports.empty());
  for (const SnapshotProgress& p : read.reports) {
    EXPECT_EQ(p.table, "public.prog_t");
    EXPECT_EQ(p.estimated_rows, 1000);
    EXPECT_EQ(p.chunks, 10);
  }
  EXPECT_EQ(read.reports.front().chunk, 1);
  EXPECT_EQ(read.reports.back().chunk, 10);
}

TEST_F(StreamTest, ChangeKindsAndResumeAfterTheCommittedPosition) {
  db_->Exec("DROP TABLE IF EXISTS kinds_t");
  db_->Exec("CREATE TABLE kinds_t (id int PRIMARY KEY, v text)");
  std::unique_ptr<StreamSource> s = Open("kinds_t", {{"startup", "latest"}});
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult none = ReadToEnd(*s);
  ASSERT_TRUE(none.status.ok()) << none.status.message();
  EXPECT_TRUE(none.rows.empty());
  const std::string start = s->Positions().at(0).position;
  s.reset();

  db_->Exec("INSERT INTO kinds_t VALUES (1, 'a'), (2, 'b')");
  db_->Exec(
      "BEGIN; UPDATE kinds_t SET v = 'a2' WHERE id = 1; UPDATE kinds_t SET v = 'a3' WHERE id = 1; "
      "UPDATE kinds_t SET id = 3 WHERE id = 2; DELETE FROM kinds_t WHERE id = 1; COMMIT");
  std::unique_ptr<StreamSource> r = Open("kinds_t", {{"startup", "latest"}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->Start(At(start), true).ok());
  ReadResult got = ReadToEnd(*r);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.rows, (std::vector<std::string>{"I|1|a", "I|2|b", "U|1|a2", "U|1|a3", "B|2|NULL",
                                                "U|3|b", "D|1|NULL"}));
  const std::string after = r->Positions().at(0).position;
  r.reset();

  db_->Exec("INSERT INTO kinds_t VALUES (4, 'd')");
  std::unique_ptr<StreamSource> r2 = Open("kinds_t");
  ASSERT_TRUE(r2);
  ASSERT_TRUE(r2->Start(At(after), true).ok());
  ReadResult next = ReadToEnd(*r2);
  ASSERT_TRUE(next.status.ok()) << next.status.message();
  EXPECT_EQ(next.rows, (std::vector<std::string>{"I|4|d"}));
}

// Enum and domain columns (and an array of an enum) are typed in the stream as the snapshot
// types them, from the catalog: the labels and the domain's base values arrive exactly.
TEST_F(StreamTest, EnumAndDomainColumnsStreamAsTheSnapshotReadsThem) {
  db_->Exec(
      "DROP TABLE IF EXISTS types_t; DROP TYPE IF EXISTS mood_t; DROP DOMAIN IF EXISTS pos_t");
  db_->Exec("CREATE TYPE mood_t AS ENUM ('sad', 'ok', 'happy ü')");
  db_->Exec("CREATE DOMAIN pos_t AS numeric(8,2) CHECK (VALUE > 0)");
  db_->Exec("CREATE TABLE types_t (id int PRIMARY KEY, m mood_t, p pos_t, ms mood_t[])");
  db_->Exec("INSERT INTO types_t VALUES (1, 'sad', 1.5, '{ok,sad}')");
  std::unique_ptr<StreamSource> s = Open("types_t");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema().ToString(), "id int32, m string, p decimal(8,2), ms json");
  ASSERT_TRUE(s->Start({}, true).ok());
  ReadResult snap = ReadToEnd(*s);
  ASSERT_TRUE(snap.status.ok()) << snap.status.message();
  const std::string after = s->Positions().at(0).position;
  s.reset();
  db_->Exec("INSERT INTO types_t VALUES (2, 'happy ü', 1234.25, '{happy ü}')");
  db_->Exec("UPDATE types_t SET m = 'ok', p = 7 WHERE id = 1");
  std::unique_ptr<StreamSource> r = Open("types_t");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->Start(At(after), true).ok());
  ReadResult got = ReadToEnd(*r);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(snap.rows, (std::vector<std::string>{"I|1|sad|1.50|[\"ok\",\"sad\"]"}));
  EXPECT_EQ(got.rows, (std::vector<std::string>{"I|2|happy ü|1234.25|[\"happy ü\"]",
                                                "U|1|ok|7.00|[\"ok\",\"sad\"]"}));
  db_->Exec("DROP TABLE types_t; DROP TYPE mood_t; DROP DOMAIN pos_t");
}

TEST_F(StreamTest, IdleNextReturnsWithinTheBudget) {
  db_->Exec("DROP TABLE IF EXISTS idle_t");
  db_->Exec("CREATE TABLE idle_t (id int PRIMARY KEY)");
  std::unique_ptr<StreamSource> s = Open("idle_t", {{"startup", "latest"}});
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, false).ok());
  CollectingRejects rejects;
  for (int i = 0; i < 5; ++i) {
    Batch batch(s->schema());
    const auto t0 = std::chrono::steady_clock::now();
    Result<bool> more = s->Next(batch, rejects);
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(more.has_value()) << more.error().message();
    EXPECT_TRUE(*more);
    EXPECT_EQ(batch.num_rows(), 0u);
    EXPECT_LT(took, std::chrono::milliseconds(400));
  }
  EXPECT_EQ(s->LagMillis(), 0);
  EXPECT_NE(s->StatusDetail().find("retains"), std::string::npos) << s->StatusDetail();
}

TEST_F(StreamTest, StreamedBigTransactionIsAppliedAtCommitAndDroppedOnAbort) {
  db_->Exec("DROP TABLE IF EXISTS big_t");
  db_->Exec("CREATE TABLE big_t (id int PRIMARY KEY, pad text)");
  // The walsender decodes with the database's settings: a small logical_decoding_work_mem
  // makes it stream these transactions before they commit.
  const std::string dbname = db_->Value("SELECT current_database()");
  db_->Exec("ALTER DATABASE " + dbname + " SET logical_decoding_work_mem = '64kB'");
  std::unique_ptr<StreamSource> s = Open("big_t", {{"startup", "latest"}}, 500);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, false).ok());
  const std::string start = s->Positions().at(0).position;
  s.reset();
  db_->Exec(
      "BEGIN; INSERT INTO big_t SELECT g, repeat('x', 200) FROM generate_series(1, 3000) g; "
      "SAVEPOINT a; INSERT INTO big_t SELECT g, 'gone' FROM generate_series(5001, 6000) g; "
      "ROLLBACK TO a; INSERT INTO big_t SELECT g, 'kept' FROM generate_series(7001, 7500) g; "
      "COMMIT");
  db_->Exec(
      "BEGIN; INSERT INTO big_t SELECT g, repeat('y', 200) FROM generate_series(9001, "
      "12000) g; ROLLBACK");
  std::unique_ptr<StreamSource> r = Open("big_t", {}, 500);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->Start(At(start), true).ok());
  ReadResult got = ReadToEnd(*r);
  db_->Exec("ALTER DATABASE " + dbname + " RESET logical_decoding_work_mem");
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.rows.size(), 3500u);
  EXPECT_EQ(got.rows.front().substr(0, 4), "I|1|");
  EXPECT_EQ(got.rows.back(), "I|7500|kept");
  // Slot statistics reach the view a little later than the stream.
  r.reset();
  std::string streamed;
  for (int i = 0; i < 50 && (streamed.empty() || streamed == "0"); ++i) {
    streamed = db_->Value(fmt::format(
        "SELECT coalesce(max(stream_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = "
        "'{}'",
        slot_));
    if (streamed == "0") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(streamed, "0") << "the server did not stream the transaction";
}

// A streamed transaction larger than stream_buffer_mb goes to disk and comes back whole,
// without its rolled-back subtransaction.
TEST_F(StreamTest, StreamedTransactionBeyondTheMemoryBoundSpillsToDisk) {
  db_->Exec("DROP TABLE IF EXISTS spill_t");
  db_->Exec("CREATE TABLE spill_t (id int PRIMARY KEY, pad text)");
  const std::string dbname = db_->Value("SELECT current_database()");
  db_->Exec("ALTER DATABASE " + dbname + " SET logical_decoding_work_mem = '64kB'");
  std::unique_ptr<StreamSource> s =
      Open("spill_t", {{"startup", "latest"}, {"stream_buffer_mb", "1"}}, 1000);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, false).ok());
  const std::string start = s->Positions().at(0).position;
  s.reset();
  // About 4 MB of our table's changes in one transaction, with a rolled-back savepoint.
  db_->Exec(
      "BEGIN; INSERT INTO spill_t SELECT g, repeat(md5(g::text), 20) FROM "
      "generate_series(1, 5000) g; SAVEPOINT a; UPDATE spill_t SET pad = 'gone' WHERE id <= "
      "1000; ROLLBACK TO a; UPDATE spill_t SET pad = 'kept' WHERE id > 4990; COMMIT");
  std::unique_ptr<StreamSource> r = Open("spill_t", {{"stream_buffer_mb", "1"}}, 1000);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->Start(At(start), true).ok());
  ReadResult got = ReadToEnd(*r);
  db_->Exec("ALTER DATABASE " + dbname + " RESET logical_decoding_work_mem");
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  // 5000 inserts, then 10 updates (before/after images are not sent without REPLICA
  // IDENTITY FULL: one row each); nothing of the rolled-back savepoint.
  ASSERT_EQ(got.rows.size(), 5010u);
  EXPECT_EQ(got.rows.front().substr(0, 4), "I|1|");
  EXPECT_EQ(got.rows[4999].substr(0, 7), "I|5000|");
  EXPECT_EQ(got.rows.back(), "U|5000|kept");
  for (const std::string& row : got.rows) ASSERT_EQ(row.find("gone"), std::string::npos);
}

TEST_F(StreamTest, AcknowledgeAndIdleTablesAdvanceTheSlot) {
  db_->Exec("DROP TABLE IF EXISTS ack_t");
  db_->Exec("DROP TABLE IF EXISTS busy_t");
  db_->Exec("CREATE TABLE ack_t (id int PRIMARY KEY)");
  db_->Exec("CREATE TABLE busy_t (id int PRIMARY KEY, pad text)");
  std::unique_ptr<StreamSource> s = Open("ack_t", {{"startup", "latest"}});
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start({}, false).ok());
  CollectingRejects rejects;
  // Next `calls` times; the rows returned.
  auto drain = [&](int calls, bool ack) {
    size_t rows = 0;
    for (int i = 0; i < calls; ++i) {
      Batch batch(s->schema());
      Result<bool> more = s->Next(batch, rejects);
      EXPECT_TRUE(more.has_value()) << more.error().message();
      if (!more) break;
      rows += batch.num_rows();
      if (ack) {
        EXPECT_TRUE(s->Acknowledge(s->Positions()).ok());
      }
    }
    return rows;
  };
  drain(3, false);
  const std::string before = s->Positions().at(0).position;
  db_->Exec("INSERT INTO ack_t VALUES (1)");
  size_t read = 0;
  for (int i = 0; i < 50 && read == 0; ++i) read += drain(1, false);
  ASSERT_EQ(read, 1u);
  // Our row is read but not acknowledged: the slot may move past other sessions' WAL (tests
  // run in parallel) but not past our transaction. Proven the way a crash would: a new run
  // resuming from the position before it is sent the row again.
  s.reset();
  s = Open("ack_t", {{"startup", "latest"}});
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Start(At(before), false).ok());
  read = 0;
  for (int i = 0; i < 50 && read == 0; ++i) read += drain(1, false);
  EXPECT_EQ(read, 1u) << "the slot let go of a transaction the target never acknowledged";
  drain(2, true);
  std::string acked = ConfirmedFlush();
  for (int i = 0; i < 50 && acked != s->Positions().at(0).position; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    acked = ConfirmedFlush();
  }
  EXPECT_NE(acked, before);
  EXPECT_EQ(acked, s->Positions().at(0).position);

  // Our table idle, another one busy: the position still moves on, and the slot with it once
  // that position is acknowledged (the engine's idle checkpoints), never before.
  db_->Exec("INSERT INTO busy_t SELECT g, repeat('z', 500) FROM generate_series(1, 20000) g");
  const std::string wal_after = db_->Value("SELECT pg_current_wal_lsn()");
  const std::string acked_before = ConfirmedFlush();
  drain(5, false);
  EXPECT_EQ(ConfirmedFlush(), acked_before) << "the slot moved on without an acknowledgement";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up &&
         db_->Value(fmt::format("SELECT '{}'::pg_lsn >= '{}'::pg_lsn", ConfirmedFlush(),
                                wal_after)) != "t") {
    drain(1, true);
  }
  EXPECT_EQ(
      db_->Value(fmt::format("SELECT '{}'::pg_lsn >= '{}'::pg_lsn", ConfirmedFlush(), wal_after)),
      "t")
      << ConfirmedFlush() << " < " << wal_after;
}

TEST_F(StreamTest, ClearErrors) {
  db_->Exec("DROP TABLE IF EXISTS nokey_t");
  db_->Exec("CREATE TABLE nokey_t (id int, v text)");
  Status st;
  EXPECT_FALSE(Open("nokey_t", {}, 100, &st));
  EXPECT_NE(st.message().find("REPLICA IDENTITY FULL"), std::string::npos) << st.message();

  db_->Exec("DROP TABLE IF EXISTS err_t");
  db_->Exec("CREATE TABLE err_t (id int PRIMARY KEY)");
  db_->Exec("DROP PUBLICATION IF EXISTS " + slot_);
  db_->Exec("CREATE PUBLICATION " + slot_ + " FOR TABLE nokey_t");
  {
    // Open only reads; Start makes or checks the publication. One named by `publication:` is
    // the user's: it is not altered.
    std::unique_ptr<StreamSource> unpublished = Open("err_t", {{"publication", slot_}});
    ASSERT_TRUE(unpublished);
    st = unpublished->Start({}, true);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("does not publish"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("ALTER PUBLICATION"), std::string::npos) << st.message();
  }
  {
    // The job's own (sluice_<job>, no `publication:`) is extended to the table.
    std::unique_ptr<StreamSource> own = Open("err_t");
    ASSERT_TRUE(own);
    st = own->Start({}, true);
    EXPECT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(db_->Value("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + slot_ +
                         "' AND tablename IN ('nokey_t', 'err_t')"),
              "2");
    own.reset();
    ASSERT_TRUE(DropSlotAndPublication(DbUrl(), slot_, slot_).has_value());
  }

  // A committed position but no slot: never a silent loss.
  std::unique_ptr<StreamSource> s = Open("err_t");
  ASSERT_TRUE(s);
  st = s->Start(At("0/1000000"), false);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("is gone"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("drop-slot"), std::string::npos) << st.message();
  s.reset();

  // TRUNCATE of the table stops the stream naming it.
  std::unique_ptr<StreamSource> t = Open("err_t", {{"startup", "latest"}});
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->Start({}, false).ok());
  const std::string start = t->Positions().at(0).position;
  t.reset();
  db_->Exec("INSERT INTO err_t VALUES (1)");
  db_->Exec("TRUNCATE err_t");
  std::unique_ptr<StreamSource> u = Open("err_t");
  ASSERT_TRUE(u);
  ASSERT_TRUE(u->Start(At(start), true).ok());
  ReadResult got = ReadToEnd(*u);
  EXPECT_FALSE(got.status.ok());
  EXPECT_NE(got.status.message().find("public.err_t was truncated"), std::string::npos)
      << got.status.message();
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
