// The PostgreSQL sink against a real server: each write mode, rows the target refuses,
// incompatible targets, LIST partitions re-run idempotently, Recover, pre/post SQL.
#include <gtest/gtest.h>

#include "connectors/postgres/pg_testing.h"

namespace sluice::postgres {
namespace {

using testing::CollectingRejects;
using testing::DbUrl;
using testing::MakeOptions;
using testing::MakeSink;
using testing::RawConn;
using testing::Request;
using testing::WriteAll;

Schema KV() {
  return Schema{{{"id", DataType::Of(TypeId::kInt64), false},
                 {"name", DataType::Of(TypeId::kString)},
                 {"amount", DataType::Decimal(12, 2)}}};
}

// A batch of (id, name, amount) rows; an empty name means NULL.
Batch Rows(std::vector<std::tuple<int64_t, std::string, std::string>> rows) {
  Batch b(KV());
  for (const auto& [id, name, amount] : rows) {
    b.columns[0].AppendInt(id);
    if (name.empty()) {
      b.columns[1].AppendNull();
    } else {
      b.columns[1].AppendBytes(name);
    }
    b.columns[2].AppendBytes(amount);
  }
  return b;
}

Status Write(const std::string& table, WriteMode mode, std::vector<Batch> batches,
             CollectingRejects& rejects, std::vector<std::string> key = {},
             Options options = Options()) {
  options.Set("table", testing::Scalar(table));
  auto sink = MakeSink(std::move(options));
  return WriteAll(*sink, Request(KV(), mode, std::move(key)), batches, rejects);
}

std::string Recovered(Sink& sink, const PendingRun& pending) {
  Result<bool> r = sink.Recover(pending);
  if (!r) return r.error().ToString();
  return *r ? "true" : "false";
}

std::string Dump(RawConn& db, const std::string& table) {
  std::string out;
  for (const auto& row :
       db.Rows("SELECT id, coalesce(name, '-'), amount FROM " + table + " ORDER BY id")) {
    out += (out.empty() ? "" : " ") + row[0] + ":" + row[1] + ":" + row[2];
  }
  return out;
}

TEST(PgSinkTest, AppendCreatesTheTableAndAddsRows) {
  CollectingRejects rejects;
  ASSERT_TRUE(
      Write("app", WriteMode::kAppend, {Rows({{1, "a", "1.50"}, {2, "", "2"}})}, rejects, {"id"})
          .ok());
  ASSERT_TRUE(Write("app", WriteMode::kAppend, {Rows({{3, "c", "-0.01"}})}, rejects).ok());
  RawConn db(DbUrl());
  EXPECT_EQ(Dump(db, "app"), "1:a:1.50 2:-:2.00 3:c:-0.01");
  EXPECT_EQ(db.Value("SELECT format_type(atttypid, atttypmod) || ',' || attnotnull FROM "
                     "pg_attribute WHERE attrelid = 'app'::regclass AND attname = 'amount'"),
            "numeric(12,2),false");
  // One run row per job, updated in place by every run.
  EXPECT_EQ(
      db.Value("SELECT count(*) FROM _sluice_positions WHERE job = 'pg_test' AND stream = ''"),
      "1");
  EXPECT_TRUE(rejects.reasons.empty());
}

TEST(PgSinkTest, OverwriteReplacesEverythingInOneTransaction) {
  CollectingRejects rejects;
  ASSERT_TRUE(
      Write("ow", WriteMode::kAppend, {Rows({{1, "a", "1"}, {2, "b", "2"}})}, rejects).ok());
  ASSERT_TRUE(Write("ow", WriteMode::kOverwrite, {Rows({{7, "x", "7"}})}, rejects).ok());
  RawConn db(DbUrl());
  EXPECT_EQ(Dump(db, "ow"), "7:x:7.00");
  // A failed overwrite leaves the old rows: the TRUNCATE is rolled back with it.
  auto sink = MakeSink(MakeOptions({{"table", "ow"}}));
  ASSERT_TRUE(sink->Prepare(Request(KV(), WriteMode::kOverwrite)).has_value());
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE((*writer)->Write(Rows({{8, "y", "8"}}), rejects).ok());
  ASSERT_TRUE(sink->Abort().ok());
  EXPECT_EQ(Dump(db, "ow"), "7:x:7.00");
}

TEST(PgSinkTest, UpsertReplaceAndIgnoreByKey) {
  CollectingRejects rejects;
  ASSERT_TRUE(
      Write("kv", WriteMode::kAppend, {Rows({{1, "a", "1"}, {2, "b", "2"}})}, rejects, {"id"})
          .ok());
  // Key 2 twice in one run (in two batches): the last one wins; key 3 is new.
  ASSERT_TRUE(Write("kv", WriteMode::kUpsert,
                    {Rows({{2, "b1", "20"}, {3, "c", "3"}}), Rows({{2, "b2", "21"}})}, rejects,
                    {"id"})
                  .ok());
  RawConn db(DbUrl());
  EXPECT_EQ(Dump(db, "kv"), "1:a:1.00 2:b2:21.00 3:c:3.00");
  ASSERT_TRUE(
      Write("kv", WriteMode::kReplace, {Rows({{1, "", "9"}, {1, "z", "10"}})}, rejects, {"id"})
          .ok());
  EXPECT_EQ(Dump(db, "kv"), "1:z:10.00 2:b2:21.00 3:c:3.00");
  // Ignore keeps existing rows; of new duplicates the first wins.
  ASSERT_TRUE(Write("kv", WriteMode::kIgnore,
                    {Rows({{1, "no", "0"}, {4, "first", "4"}, {4, "second", "5"}})}, rejects,
                    {"id"})
                  .ok());
  EXPECT_EQ(Dump(db, "kv"), "1:z:10.00 2:b2:21.00 3:c:3.00 4:first:4.00");
  EXPECT_TRUE(rejects.reasons.empty());
}

// A change stream (a realtime job's rows) into an upsert target: updates in place, an update
// that moves a key, deletes, several changes of one key, across two batches of one merge.
TEST(PgSinkTest, ChangesAreMergedByTheLastChangeOfEachKey) {
  CollectingRejects rejects;
  ASSERT_TRUE(Write("cdc", WriteMode::kAppend,
                    {Rows({{1, "one", "1"}, {2, "two", "2"}, {3, "three", "3"}})}, rejects, {"id"})
                  .ok());
  Batch first = Rows({{1, "one", "1"},
                      {1, "ONE", "10"},  // update 1 in place
                      {2, "two", "2"},
                      {20, "twenty", "2"},  // update moving key 2 -> 20
                      {3, "three", "3"},    // delete 3
                      {4, "four", "4"}});   // insert 4
  first.row_kinds = {RowKind::kUpdateBefore, RowKind::kUpdateAfter, RowKind::kUpdateBefore,
                     RowKind::kUpdateAfter,  RowKind::kDelete,      RowKind::kInsert};
  Batch second = Rows({{4, "four", "4"},
                       {4, "FOUR", "44"},  // update 4 (inserted above)
                       {5, "five", "5"},
                       {5, "five", "5"},  // insert 5, delete 5
                       {20, "twenty", "2"},
                       {20, "TWENTY", "2"}});
  second.row_kinds = {RowKind::kUpdateBefore, RowKind::kUpdateAfter,  RowKind::kInsert,
                      RowKind::kDelete,       RowKind::kUpdateBefore, RowKind::kUpdateAfter};
  Status st = Write("cdc", WriteMode::kUpsert, {first, second}, rejects, {"id"});
  ASSERT_TRUE(st.ok()) << st.ToString();
  RawConn db(DbUrl());
  EXPECT_EQ(Dump(db, "cdc"), "1:ONE:10.00 4:FOUR:44.00 20:TWENTY:2.00");
  EXPECT_TRUE(rejects.reasons.empty());
  // A plain upsert run afterwards merges as before.
  ASSERT_TRUE(Write("cdc", WriteMode::kUpsert, {Rows({{1, "uno", "1"}})}, rejects, {"id"}).ok());
  EXPECT_EQ(Dump(db, "cdc"), "1:uno:1.00 4:FOUR:44.00 20:TWENTY:2.00");
}

// A PostgreSQL source without REPLICA IDENTITY FULL sends only the key of a deleted row (and
// of an update's old image): a NOT NULL column outside the key must take those NULLs in the
// staging table, and still refuse a NULL in a row that is written.
TEST(PgSinkTest, KeyOnlyRemovalsPassANotNullColumnAndNullWritesAreStillRejected) {
  RawConn db(DbUrl());
  db.Exec("DROP TABLE IF EXISTS cdc_nn");
  db.Exec("CREATE TABLE cdc_nn (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2))");
  db.Exec("INSERT INTO cdc_nn VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)");
  Batch changes = Rows({{2, "", "0"},         // delete 2, key only
                        {3, "", "0"},         // move 3 -> 30: the old image, key only
                        {30, "thirty", "3"},  //   and the new one
                        {4, "", "4"},         // insert 4 with a NULL name: rejected
                        {5, "five", "5"}});   // insert 5
  changes.row_kinds = {RowKind::kDelete, RowKind::kUpdateBefore, RowKind::kUpdateAfter,
                       RowKind::kInsert, RowKind::kInsert};
  CollectingRejects rejects;
  Status st = Write("cdc_nn", WriteMode::kUpsert, {changes}, rejects, {"id"});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Dump(db, "cdc_nn"), "1:one:1.00 5:five:5.00 30:thirty:3.00");
  ASSERT_EQ(rejects.reasons.size(), 1u) << ::testing::PrintToString(rejects.reasons);
  EXPECT_NE(rejects.reasons[0].find("violates check constraint"), std::string::npos)
      << rejects.reasons[0];
  EXPECT_EQ(rejects.rows[0], "4,NULL,4");
}

TEST(PgSinkTest, ChangesIntoAnAppendTargetAreRefusedWithWhatToChange) {
  CollectingRejects rejects;
  Batch changes = Rows({{1, "one", "1"}});
  changes.row_kinds = {RowKind::kDelete};
  Status st = Write("cdc_append", WriteMode::kAppend, {changes}, rejects, {"id"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("needs write_mode upsert (or replace) and a target.key"),
            std::string::npos)
      << st.ToString();
}

TEST(PgSinkTest, UpsertNeedsAUniqueKeyOnTheKeyColumns) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE nounique (id bigint, name text, amount numeric(12,2))");
  CollectingRejects rejects;
  Status st = Write("nounique", WriteMode::kUpsert, {Rows({{1, "a", "1"}})}, rejects, {"id"});
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(st.message(),
            "postgres target public.nounique: no PRIMARY KEY or UNIQUE index on (\"id\"), which "
            "write_mode upsert needs to find existing rows");
  st = Write("nounique", WriteMode::kUpsert, {Rows({{1, "a", "1"}})}, rejects);
  EXPECT_EQ(st.message(), "postgres target: write_mode upsert needs target.key");
}

TEST(PgSinkTest, RowsTheTargetRefusesAreRejectedAndTheRestWritten) {
  RawConn db(DbUrl());
  db.Exec(
      "CREATE TABLE strict (id bigint PRIMARY KEY, name varchar(3) NOT NULL, "
      "amount numeric(12,2) CHECK (amount >= 0))");
  db.Exec("INSERT INTO strict VALUES (5000, 'old', 1)");
  std::vector<std::tuple<int64_t, std::string, std::string>> rows;
  for (int i = 1; i <= 1000; ++i) rows.emplace_back(i, "ok", "1");
  std::get<1>(rows[10]) = "toolong";  // id 11
  std::get<1>(rows[500]) = "";        // id 501: NULL name
  std::get<2>(rows[700]) = "-5";      // id 701: check constraint
  std::get<0>(rows[999]) = 5000;      // duplicate of the existing row
  CollectingRejects rejects;
  ASSERT_TRUE(Write("strict", WriteMode::kAppend, {Rows(rows)}, rejects, {}, Options()).ok());
  EXPECT_EQ(db.Value("SELECT count(*) FROM strict"), "997");  // 996 new + the old row
  ASSERT_EQ(rejects.reasons.size(), 4u) << ::testing::PrintToString(rejects.reasons);
  EXPECT_EQ(rejects.reasons[0],
            "target: postgres target public.strict: value too long for type character "
            "varying(3)");
  EXPECT_EQ(rejects.rows[0], "11,toolong,1");
  EXPECT_NE(rejects.reasons[1].find("null value in column \"name\""), std::string::npos);
  EXPECT_NE(rejects.reasons[2].find("violates check constraint \"strict_amount_check\""),
            std::string::npos);
  EXPECT_NE(rejects.reasons[3].find("duplicate key value violates unique constraint "
                                    "\"strict_pkey\" (Key (id)=(5000) already exists.)"),
            std::string::npos)
      << rejects.reasons[3];
}

TEST(PgSinkTest, BadRowsAreFoundAcrossTheBatchesOfOneCopy) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE spread (id bigint PRIMARY KEY, name varchar(3), amount numeric)");
  std::vector<Batch> batches;
  for (int b = 0; b < 5; ++b) {
    std::vector<std::tuple<int64_t, std::string, std::string>> rows;
    for (int i = 1; i <= 200; ++i) {
      const int64_t id = b * 1000 + i;
      rows.emplace_back(id, (b == 1 && i == 7) || (b == 4 && i == 200) ? "long" : "ok", "1");
    }
    batches.push_back(Rows(rows));
  }
  CollectingRejects rejects;
  ASSERT_TRUE(Write("spread", WriteMode::kAppend, batches, rejects).ok());
  EXPECT_EQ(db.Value("SELECT count(*) FROM spread"), "998");
  EXPECT_EQ(rejects.rows, (std::vector<std::string>{"1007,long,1", "4200,long,1"}));
}

TEST(PgSinkTest, ValuesThatWouldChangeAreRejectedBeforeSending) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE narrow (id integer, name text, amount numeric(4,1))");
  CollectingRejects rejects;
  ASSERT_TRUE(Write("narrow", WriteMode::kAppend,
                    {Rows({{1, "a", "1.5"}, {3000000000, "b", "1"}, {2, "c", "1.25"}})}, rejects)
                  .ok());
  EXPECT_EQ(Dump(db, "narrow"), "1:a:1.5");
  ASSERT_EQ(rejects.reasons.size(), 2u);
  EXPECT_EQ(rejects.reasons[0],
            "target: postgres target public.narrow.id: 3000000000 is out of range for integer");
  EXPECT_EQ(rejects.reasons[1],
            "target: postgres target public.narrow.amount: 1.25 would be rounded by "
            "numeric(4,1)");
}

TEST(PgSinkTest, TheRejectLimitStopsTheRun) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE limited (id bigint PRIMARY KEY, name varchar(1), amount numeric)");
  CollectingRejects rejects(/*limit=*/1);
  Status st = Write("limited", WriteMode::kAppend,
                    {Rows({{1, "aa", "1"}, {2, "bb", "1"}, {3, "c", "1"}})}, rejects);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(db.Value("SELECT count(*) FROM limited"), "0");
}

TEST(PgSinkTest, AnIncompatibleTargetListsEveryMismatchAndIsLeftAlone) {
  RawConn db(DbUrl());
  db.Exec(
      "CREATE TABLE bad_target (id text, amount integer, extra int NOT NULL, "
      "gen int GENERATED ALWAYS AS (1) STORED)");
  db.Exec("INSERT INTO bad_target (id, amount, extra) VALUES ('keep', 1, 1)");
  CollectingRejects rejects;
  Status st = Write("bad_target", WriteMode::kOverwrite, {Rows({{1, "a", "1"}})}, rejects);
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(st.message(),
            "postgres target public.bad_target: column 'name' missing; column 'amount' is "
            "integer but incoming is decimal(12,2); column 'extra' is NOT NULL, has no default "
            "and is not written");
  EXPECT_EQ(db.Value("SELECT count(*) FROM bad_target"), "1");

  Options never = MakeOptions({{"create_table", "never"}});
  st = Write("bad_targt", WriteMode::kAppend, {Rows({{1, "a", "1"}})}, rejects, {}, never);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("postgres target: table 'bad_targt' not found in "),
            std::string::npos);
  EXPECT_NE(st.message().find("and create_table is never (did you mean 'bad_target'?"),
            std::string::npos)
      << st.message();
}

TEST(PgSinkTest, PlanDescribesWithoutChangingAnything) {
  auto sink = MakeSink(MakeOptions({{"table", "planned"}}));
  Result<std::vector<std::string>> steps = sink->Plan(Request(KV(), WriteMode::kUpsert, {"id"}));
  ASSERT_TRUE(steps.has_value()) << steps.error().ToString();
  std::string all;
  for (const std::string& s : *steps) all += s + "\n";
  EXPECT_NE(all.find("CREATE TABLE \"public\".\"planned\" (\"id\" bigint NOT NULL, \"name\" text, "
                     "\"amount\" numeric(12,2), PRIMARY KEY (\"id\"))"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("ON CONFLICT (\"id\") DO UPDATE SET \"name\" = EXCLUDED.\"name\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("COPY \"pg_temp\".\"_sluice_stage\""), std::string::npos) << all;
  RawConn db(DbUrl());
  EXPECT_EQ(db.Value("SELECT to_regclass('planned') IS NULL"), "t");
}

TEST(PgSinkTest, PreAndPostSqlRunInTheTransaction) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE audit (note text)");
  Options options = MakeOptions({});
  testing::SetList(options, "pre_sql", {"INSERT INTO audit VALUES ('pre')"});
  testing::SetList(options, "post_sql",
                   {"INSERT INTO audit SELECT 'post ' || count(*) FROM prepost"});
  CollectingRejects rejects;
  ASSERT_TRUE(
      Write("prepost", WriteMode::kAppend, {Rows({{1, "a", "1"}})}, rejects, {}, options).ok());
  EXPECT_EQ(db.Rows("SELECT note FROM audit ORDER BY note"),
            (std::vector<std::vector<std::string>>{{"post 1"}, {"pre"}}));
  testing::SetList(options, "post_sql", {"SELECT 1/0"});
  Status st = Write("prepost", WriteMode::kAppend, {Rows({{2, "b", "1"}})}, rejects, {}, options);
  EXPECT_EQ(st.message(), "postgres target public.prepost: post_sql: division by zero");
  EXPECT_EQ(db.Value("SELECT count(*) FROM audit"), "2");  // the second pre_sql rolled back
  EXPECT_EQ(db.Value("SELECT count(*) FROM prepost"), "1");
}

TEST(PgSinkTest, RecoverTellsCommittedFromLostRuns) {
  CollectingRejects rejects;
  auto sink = MakeSink(MakeOptions({{"table", "rec"}}));
  WriteRequest committed = Request(KV());
  ASSERT_TRUE(WriteAll(*sink, committed, {Rows({{1, "a", "1"}})}, rejects).ok());
  auto fresh = MakeSink(MakeOptions({{"table", "rec"}}));
  EXPECT_EQ(Recovered(*fresh, PendingRun{committed.run_id, ""}), "true");
  EXPECT_EQ(Recovered(*fresh, PendingRun{"never-ran", "\"public\".\"_sluice_runs\""}), "false");

  // A writer left behind by a killed run: its connection is still open, its rows
  // uncommitted. Recover ends it, and the run counts as not committed.
  auto killed = MakeSink(MakeOptions({{"table", "rec"}}));
  WriteRequest lost = Request(KV());
  Result<std::string> state = killed->Prepare(lost);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(*state, "\"public\".\"_sluice_positions\"");
  auto writer = killed->OpenWriter();
  ASSERT_TRUE((*writer)->Write(Rows({{2, "b", "2"}}), rejects).ok());
  RawConn db(DbUrl());
  EXPECT_EQ(db.Value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice " +
                     lost.run_id + "'"),
            "1");
  EXPECT_EQ(Recovered(*fresh, PendingRun{lost.run_id, *state}), "false");
  EXPECT_EQ(db.Value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice " +
                     lost.run_id + "'"),
            "0");
  EXPECT_EQ(Dump(db, "rec"), "1:a:1.00");
  EXPECT_FALSE(killed->Commit().ok());  // its connection is gone
}

TEST(PgSinkTest, PartitionsAreCreatedOnDemandAndReplacedOnReRuns) {
  Options options = MakeOptions({{"table", "sales"}});
  testing::SetPartition(options, "ds", "20240101");
  CollectingRejects rejects;
  ASSERT_TRUE(Write("sales", WriteMode::kOverwrite, {Rows({{1, "a", "1"}, {2, "b", "2"}})}, rejects,
                    {"id"}, options)
                  .ok());
  // The same day again, with other rows: the partition is replaced, not appended to.
  ASSERT_TRUE(Write("sales", WriteMode::kOverwrite, {Rows({{1, "a2", "1"}, {3, "c", "3"}})},
                    rejects, {"id"}, options)
                  .ok());
  testing::SetPartition(options, "ds", "20240102");
  ASSERT_TRUE(
      Write("sales", WriteMode::kOverwrite, {Rows({{1, "x", "9"}})}, rejects, {"id"}, options)
          .ok());
  RawConn db(DbUrl());
  EXPECT_EQ(db.Rows("SELECT ds, id, name, tableoid::regclass::text FROM sales ORDER BY ds, id"),
            (std::vector<std::vector<std::string>>{{"20240101", "1", "a2", "sales_p_20240101"},
                                                   {"20240101", "3", "c", "sales_p_20240101"},
                                                   {"20240102", "1", "x", "sales_p_20240102"}}));
  EXPECT_EQ(db.Value("SELECT pg_get_partkeydef('sales'::regclass)"), "LIST (ds)");
  EXPECT_EQ(db.Value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                     "'sales'::regclass AND contype = 'p'"),
            "PRIMARY KEY (id, ds)");
  // Upsert within a partition, by key and partition column.
  testing::SetPartition(options, "ds", "20240101");
  ASSERT_TRUE(Write("sales", WriteMode::kUpsert, {Rows({{3, "c2", "3"}, {4, "d", "4"}})}, rejects,
                    {"id"}, options)
                  .ok());
  EXPECT_EQ(db.Value("SELECT string_agg(id || name, ',' ORDER BY id) FROM sales_p_20240101"),
            "1a2,3c2,4d");
  EXPECT_EQ(db.Value("SELECT count(*) FROM sales_p_20240102"), "1");
  EXPECT_TRUE(rejects.reasons.empty());
}

TEST(PgSinkTest, PartitionColumnInTheRowsMustMatchTheRunsValue) {
  RawConn db(DbUrl());
  db.Exec(
      "CREATE TABLE visits (id bigint, day date, PRIMARY KEY (id, day)) "
      "PARTITION BY LIST (day)");
  Schema schema{{{"id", DataType::Of(TypeId::kInt64)}, {"day", DataType::Of(TypeId::kDate)}}};
  Batch batch(schema);
  for (auto [id, day] : {std::pair{1, "2024-03-01"}, std::pair{2, "2024-03-02"}}) {
    batch.columns[0].AppendInt(id);
    batch.columns[1].AppendInt(*ParseDate(day));
  }
  Options options = MakeOptions({{"table", "visits"}});
  testing::SetPartition(options, "day", "2024-03-01");
  auto sink = MakeSink(options);
  CollectingRejects rejects;
  ASSERT_TRUE(WriteAll(*sink, Request(schema, WriteMode::kOverwrite), {batch}, rejects).ok());
  EXPECT_EQ(db.Value("SELECT string_agg(id || ' ' || day, ',') FROM visits_p_2024_03_01"),
            "1 2024-03-01");
  ASSERT_EQ(rejects.reasons.size(), 1u);
  EXPECT_NE(rejects.reasons[0].find("violates partition constraint"), std::string::npos);

  db.Exec("CREATE TABLE flat (id bigint, name text, amount numeric)");
  Options flat = MakeOptions({{"table", "flat"}});
  testing::SetPartition(flat, "ds", "1");
  Status st = Write("flat", WriteMode::kAppend, {Rows({{1, "a", "1"}})}, rejects, {}, flat);
  EXPECT_EQ(st.message(),
            "postgres target public.flat: it is not partitioned (partition: needs a table "
            "created PARTITION BY LIST (ds)); partition column 'ds' missing");
}

}  // namespace
}  // namespace sluice::postgres
