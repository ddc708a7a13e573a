// A slot's confirmed position is what the server streams from, whatever a job asks: a slot
// another consumer moved on is silent loss for this job. These runs of the real binary
// (build/sluice) check that a job confirms its slot only as far as its target committed, so
// the slot ahead of every position the target holds means someone else read from it: two jobs
// whose names map to one slot name stop, and an idle job killed -9 still restarts.
#include <chrono>
#include <functional>
#include <thread>

#include "connectors/postgres/replication_stream/pg_run_fixture.h"

namespace sluice::postgres::replication_stream {
namespace {

using postgres::testing::DbUrl;
using postgres::testing::RawConn;
using testing::PgRunTest;

class SlotOwnerTest : public PgRunTest {
 protected:
  // `source_extra`: more keys of the source (", slot: x").
  void WriteJob(const std::string& file, const std::string& name, const std::string& source,
                const std::string& target, const std::string& settings = "{}",
                const std::string& source_extra = "") {
    std::ofstream(dir_ / file) << fmt::format(
        "name: {}\nmode: realtime\n"
        "source: {{type: postgres, url: \"{}\", table: public.{}{}}}\n"
        "target: {{type: postgres, url: \"{}\", table: {}, write_mode: upsert, key: [id]}}\n"
        "settings: {}\n",
        name, DbUrl(), source, source_extra, DbUrl(), target, settings);
  }
  // The job's position in the _sluice_positions of the target's schema.
  std::string Position(const std::string& schema, const std::string& job_name) {
    return db_->Value(fmt::format(
        "SELECT max(position::pg_lsn)::text FROM {}._sluice_positions WHERE job = '{}' AND "
        "stream = 'pgoutput'",
        schema, job_name));
  }
  std::string Confirmed(const std::string& slot) {
    return db_->Value(fmt::format(
        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '{}'", slot));
  }
  bool AtOrAfter(const std::string& a, const std::string& b) {
    return db_->Value(fmt::format("SELECT '{}'::pg_lsn >= '{}'::pg_lsn", a, b)) == "t";
  }
  // Waits (20 s at most) for the slot to pass `wal_after`, checking at every look that it
  // never stands ahead of `target_position()`. Both must hold.
  void ExpectSlotPassesWithoutGettingAhead(const std::string& slot, const std::string& wal_after,
                                           const std::function<std::string()>& target_position) {
    bool ahead = false;
    const bool moved = Eventually(
        [&] {
          const std::string confirmed = Confirmed(slot);
          if (!AtOrAfter(target_position(), confirmed)) ahead = true;
          return AtOrAfter(confirmed, wal_after);
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(moved) << Confirmed(slot) << " < " << wal_after << "\n" << Log("live.log.err");
    EXPECT_FALSE(ahead) << "the slot was confirmed past the position the target holds";
  }
};

// `orders-rt` and `orders_rt` both name slot sluice_orders_rt. The second job's first start
// (startup: initial, no position) makes the slot anew; the first job, run again, would stream
// from where that slot begins and never see the rows written between: it stops instead, naming
// the slot, and its target keeps what it had.
TEST_F(SlotOwnerTest, TwoJobsSharingOneSlotNameStopTheOneWhoseChangesWereSkipped) {
  const std::string a = job_ + "-dup";
  const std::string b = job_ + "_dup";
  const std::string slot = DefaultSlotName(a);
  ASSERT_EQ(slot, DefaultSlotName(b));
  db_->Exec(
      "DROP TABLE IF EXISTS own_src; DROP SCHEMA IF EXISTS own_a CASCADE; "
      "DROP SCHEMA IF EXISTS own_b CASCADE");
  db_->Exec("CREATE SCHEMA own_a; CREATE SCHEMA own_b");
  db_->Exec("CREATE TABLE own_src (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO own_src SELECT g, 'snap' FROM generate_series(1, 100) g");
  WriteJob("a.yaml", a, "own_src", "own_a.t");
  WriteJob("b.yaml", b, "own_src", "own_b.t");
  // `check` names the slot each job uses: here, the same one.
  ASSERT_EQ(Run({"check", "a.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("slot " + slot + " and publication " + slot +
                                ": the first run creates them"),
            std::string::npos)
      << Log("run.log");
  ASSERT_EQ(Run({"run", "a.yaml", "--catch-up"}), 0) << Log("run.log.err");
  ASSERT_EQ(Run({"check", "b.yaml"}), 0) << Log("run.log.err");
  EXPECT_NE(Log("run.log").find("slot " + slot + " (publication " + slot + ") confirmed up to"),
            std::string::npos)
      << Log("run.log");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM own_a.t"), "100");
  db_->Exec("INSERT INTO own_src SELECT g, 'between' FROM generate_series(101, 150) g");
  ASSERT_EQ(Run({"run", "b.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM own_b.t"), "150");
  db_->Exec("INSERT INTO own_src SELECT g, 'after' FROM generate_series(151, 160) g");

  EXPECT_NE(Run({"run", "a.yaml", "--catch-up"}), 0) << Log("run.log");
  const std::string err = Log("run.log.err");
  EXPECT_NE(err.find("replication slot " + slot + " was confirmed up to"), std::string::npos)
      << err;
  EXPECT_NE(err.find("another job or tool"), std::string::npos) << err;
  EXPECT_NE(err.find("slot:"), std::string::npos) << err;  // the way out: a slot of its own
  EXPECT_EQ(db_->Value("SELECT count(*) FROM own_a.t"), "100");

  // Each job with a slot of its own works again (after A is snapshotted anew).
  db_->Exec("DROP SCHEMA own_a CASCADE; CREATE SCHEMA own_a");
  WriteJob("a.yaml", a, "own_src", "own_a.t", "{}", fmt::format(", slot: {}_a", slot));
  ASSERT_EQ(Run({"run", "a.yaml", "--catch-up"}), 0) << Log("run.log.err");
  ASSERT_EQ(Run({"run", "b.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM own_a.t"), "160");
  EXPECT_EQ(db_->Value("SELECT count(*) FROM own_b.t"), "160");

  for (const std::string& s : {slot + "_a", slot}) {  // the publication is the jobs' shared one
    Result<std::string> dropped = DropSlotAndPublication(DbUrl(), s, slot);
    EXPECT_TRUE(dropped.has_value()) << dropped.error().message();
  }
}

// A job whose table is idle while the database writes still lets the slot go on (its WAL is
// released), but only through checkpoints: the slot never stands ahead of the target's
// position, so a kill -9 at any moment restarts without a false alarm, and misses nothing.
TEST_F(SlotOwnerTest, AnIdleJobCommitsItsPositionBeforeTheSlotMovesOn) {
  const std::string slot = DefaultSlotName(job_);
  db_->Exec(
      "DROP TABLE IF EXISTS idle_src; DROP TABLE IF EXISTS idle_busy; "
      "DROP SCHEMA IF EXISTS idle_ods CASCADE");
  db_->Exec("CREATE SCHEMA idle_ods");
  db_->Exec("CREATE TABLE idle_src (id int PRIMARY KEY, v text)");
  db_->Exec("CREATE TABLE idle_busy (id int PRIMARY KEY, pad text)");
  db_->Exec("INSERT INTO idle_src VALUES (1, 'snap')");
  // Checkpoints every 200 ms when rows come; an idle position is committed every 2 s.
  WriteJob("job.yaml", job_, "idle_src", "idle_ods.t", "{checkpoint: {interval: 200ms}}");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const std::string committed_before = Position("idle_ods", job_);
  ASSERT_FALSE(committed_before.empty());

  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming")) << Log("live.log.err");
  db_->Exec("INSERT INTO idle_busy SELECT g, repeat('z', 200) FROM generate_series(1, 5000) g");
  const std::string wal_after = db_->Value("SELECT pg_current_wal_lsn()::text");
  // The slot moves past the busy table's WAL, and at no moment ahead of the target.
  ExpectSlotPassesWithoutGettingAhead(slot, wal_after, [&] { return Position("idle_ods", job_); });
  EXPECT_TRUE(AtOrAfter(Position("idle_ods", job_), wal_after)) << Position("idle_ods", job_);
  kill(live, SIGKILL);
  Wait(live);

  db_->Exec("INSERT INTO idle_busy SELECT g, 'more' FROM generate_series(5001, 6000) g");
  db_->Exec("INSERT INTO idle_src VALUES (2, 'after the kill')");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  EXPECT_EQ(db_->Rows("SELECT id, v FROM idle_ods.t ORDER BY id"),
            db_->Rows("SELECT id, v FROM idle_src ORDER BY id"));
}

// The same for a job over several tables, all idle: its idle checkpoints commit a table's
// target (the ones due for their idle commit, else the one committed longest ago) before the
// slot is told, so the slot stays behind the newest position the targets hold.
TEST_F(SlotOwnerTest, AnIdleTablesJobCommitsATablesPositionBeforeTheSlotMovesOn) {
  const std::string slot = DefaultSlotName(job_);
  db_->Exec(
      "DROP SCHEMA IF EXISTS idlem_src CASCADE; DROP SCHEMA IF EXISTS idlem_ods CASCADE; "
      "DROP TABLE IF EXISTS idlem_busy");
  db_->Exec("CREATE SCHEMA idlem_src; CREATE SCHEMA idlem_ods");
  db_->Exec("CREATE TABLE idlem_src.a (id int PRIMARY KEY, v text)");
  db_->Exec("CREATE TABLE idlem_src.b (id int PRIMARY KEY, v text)");
  db_->Exec("CREATE TABLE idlem_busy (id int PRIMARY KEY, pad text)");
  db_->Exec(
      "INSERT INTO idlem_src.a VALUES (1, 'snap'); INSERT INTO idlem_src.b VALUES (1, 'snap')");
  std::ofstream(dir_ / "job.yaml") << fmt::format(
      "name: {}\nmode: realtime\n"
      "source: {{type: postgres, url: \"{}\", tables: [\"idlem_src.*\"]}}\n"
      "target: {{type: postgres, url: \"{}\", table: \"idlem_ods.${{table}}\", write_mode: "
      "upsert, key: [id]}}\n"
      "settings: {{checkpoint: {{interval: 200ms}}}}\n",
      job_, DbUrl(), DbUrl());
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  const auto newest = [&] {
    return db_->Value(
        fmt::format("SELECT max(position::pg_lsn)::text FROM idlem_ods._sluice_positions WHERE "
                    "job LIKE '{}/%' AND stream = 'pgoutput'",
                    job_));
  };
  ASSERT_FALSE(newest().empty());

  const pid_t live = Spawn({"run", "job.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming")) << Log("live.log.err");
  db_->Exec("INSERT INTO idlem_busy SELECT g, repeat('z', 200) FROM generate_series(1, 5000) g");
  const std::string wal_after = db_->Value("SELECT pg_current_wal_lsn()::text");
  ExpectSlotPassesWithoutGettingAhead(slot, wal_after, newest);
  kill(live, SIGKILL);
  Wait(live);

  db_->Exec("INSERT INTO idlem_src.a VALUES (2, 'after'); UPDATE idlem_src.b SET v = 'b+'");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");
  for (const char* t : {"a", "b"}) {
    EXPECT_EQ(db_->Rows(fmt::format("SELECT id, v FROM idlem_ods.{} ORDER BY id", t)),
              db_->Rows(fmt::format("SELECT id, v FROM idlem_src.{} ORDER BY id", t)))
        << t;
  }
}

// A slot named by `slot:` (or by a job name) that is not this job's kind of slot is neither
// used nor dropped, even by a first start (startup: initial drops a slot of its name left by a
// crash): another tool's slot (another plugin), and a slot of another database of the server
// (slot names are per server: a job of the same name on another shard's database).
TEST_F(SlotOwnerTest, AnotherToolsOrAnotherDatabasesSlotIsNeitherUsedNorDropped) {
  db_->Exec("DROP TABLE IF EXISTS own_other; DROP SCHEMA IF EXISTS own_o CASCADE");
  db_->Exec("CREATE SCHEMA own_o");
  db_->Exec("CREATE TABLE own_other (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO own_other VALUES (1, 'a')");
  const std::string decoding = job_ + "_td";
  db_->Exec(
      fmt::format("SELECT pg_create_logical_replication_slot('{}', 'test_decoding')", decoding));
  WriteJob("job.yaml", job_, "own_other", "own_o.t", "{}", ", slot: " + decoding);
  EXPECT_NE(Run({"check", "job.yaml"}), 0) << Log("run.log");  // check says so first
  EXPECT_NE(Log("run.log.err").find("decodes with plugin test_decoding"), std::string::npos)
      << Log("run.log.err");
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log");
  EXPECT_NE(Log("run.log.err").find("decodes with plugin test_decoding, not pgoutput"),
            std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(db_->Value(fmt::format("SELECT plugin FROM pg_replication_slots WHERE slot_name = '{}'",
                                   decoding)),
            "test_decoding");
  // The CLI does not drop it either.
  EXPECT_NE(Run({"state", "drop-slot", job_, "--job", "job.yaml"}), 0) << Log("run.log");
  EXPECT_EQ(db_->Value(fmt::format(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{}'", decoding)),
            "1");
  db_->Exec(fmt::format("SELECT pg_drop_replication_slot('{}')", decoding));

  const std::string other_db = job_ + "_other";
  db_->Exec("DROP DATABASE IF EXISTS " + other_db);
  db_->Exec("CREATE DATABASE " + other_db);
  const std::string url = DbUrl();
  const std::string other_url = url.substr(0, url.rfind('/') + 1) + other_db;
  const std::string shard_slot = job_ + "_shard";
  {
    RawConn other(other_url);
    other.Exec(
        fmt::format("SELECT pg_create_logical_replication_slot('{}', 'pgoutput')", shard_slot));
  }
  WriteJob("job.yaml", job_, "own_other", "own_o.t", "{}", ", slot: " + shard_slot);
  EXPECT_NE(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log");
  EXPECT_NE(Log("run.log.err").find("belongs to database " + other_db), std::string::npos)
      << Log("run.log.err");
  EXPECT_EQ(db_->Value(fmt::format(
                "SELECT database FROM pg_replication_slots WHERE slot_name = '{}'", shard_slot)),
            other_db);
  db_->Exec(fmt::format("SELECT pg_drop_replication_slot('{}')", shard_slot));
  db_->Exec("DROP DATABASE " + other_db);
}

// A slot a live consumer holds is not cut off by another job's first start: the start waits
// for it (a killed run's walsender goes within seconds), then stops, naming the holder.
TEST_F(SlotOwnerTest, ASlotInUseByAnotherRunIsNotTakenFromIt) {
  const std::string slot = DefaultSlotName(job_);
  db_->Exec("DROP TABLE IF EXISTS own_live; DROP SCHEMA IF EXISTS own_l CASCADE");
  db_->Exec("CREATE SCHEMA own_l");
  db_->Exec("CREATE TABLE own_live (id int PRIMARY KEY, v text)");
  db_->Exec("INSERT INTO own_live VALUES (1, 'a')");
  WriteJob("a.yaml", job_, "own_live", "own_l.a");
  WriteJob("b.yaml", job_ + "_other", "own_live", "own_l.b", "{}", ", slot: " + slot);
  const pid_t live = Spawn({"run", "a.yaml"}, "live.log");
  ASSERT_TRUE(WaitForLog("live.log.err", "streaming")) << Log("live.log.err");
  EXPECT_NE(Run({"run", "b.yaml", "--catch-up"}), 0) << Log("run.log");
  EXPECT_NE(Log("run.log.err").find("is in use by another connection"), std::string::npos)
      << Log("run.log.err");
  // The live run kept its slot and goes on.
  db_->Exec("INSERT INTO own_live VALUES (2, 'b')");
  EXPECT_TRUE(Eventually([&] {
    return db_->Value(
               "SELECT count(*) FROM pg_tables WHERE schemaname = 'own_l' AND "
               "tablename = 'a'") == "1" &&
           db_->Value("SELECT count(*) FROM own_l.a") == "2";
  })) << Log("live.log.err");
  kill(live, SIGTERM);
  EXPECT_EQ(Wait(live), 0) << Log("live.log.err");
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
