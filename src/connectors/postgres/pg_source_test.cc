// The PostgreSQL source against a real server: split planning on skewed, string and sampled
// keys, NULL keys, snapshots shared by parallel readers, incremental ranges, and the errors a
// user sees for a wrong table, column, filter or connection.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "connectors/postgres/pg_testing.h"

namespace sluice::postgres {
namespace {

using testing::DbUrl;
using testing::MakeSource;
using testing::RawConn;

struct ReadResult {
  size_t splits = 0;
  std::vector<size_t> rows_per_split;
  std::multiset<std::string> keys;  // canonical text of column 0 ("NULL" for NULL)
};

ReadResult ReadSplits(Source& source) {
  ReadResult out;
  Result<std::vector<Split>> splits = source.PlanSplits();
  if (!splits) throw std::runtime_error(splits.error().ToString());
  out.splits = splits->size();
  testing::CollectingRejects rejects;
  for (const Split& split : *splits) {
    auto reader = source.OpenSplit(split);
    if (!reader) throw std::runtime_error(reader.error().ToString());
    size_t rows = 0;
    while (true) {
      Batch batch(source.schema());
      Result<bool> more = (*reader)->Next(batch, rejects);
      if (!more) throw std::runtime_error(more.error().ToString());
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        std::string key = "NULL";
        if (!batch.columns[0].IsNull(r)) {
          key.clear();
          FormatValue(batch.columns[0], r, key);
        }
        out.keys.insert(key);
      }
      rows += batch.num_rows();
      if (!*more) break;
    }
    out.rows_per_split.push_back(rows);
  }
  return out;
}

ReadRequest Parallel(int n, std::string split_key = "") {
  ReadRequest r;
  r.max_splits = n;
  r.split_key = std::move(split_key);
  r.batch_rows = 97;  // several batches per split
  return r;
}

class PgSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RawConn db(DbUrl());
    // 1..1000, then a far-away cluster, then NULL keys: even cuts between MIN and MAX would
    // put almost everything in one split.
    db.Exec("CREATE TABLE skewed (k bigint, v text)");
    db.Exec("INSERT INTO skewed SELECT g, 'v' || g FROM generate_series(1, 1000) g");
    db.Exec("INSERT INTO skewed SELECT 1000000000 + g, 'far' FROM generate_series(1, 10) g");
    db.Exec("INSERT INTO skewed VALUES (NULL, 'null1'), (NULL, 'null2'), (NULL, 'null3')");
    db.Exec("CREATE TABLE words (w text PRIMARY KEY, n int)");
    db.Exec("INSERT INTO words SELECT md5(g::text), g FROM generate_series(1, 800) g");
    db.Exec("CREATE TABLE nokey (a int, b text)");
    db.Exec("INSERT INTO nokey SELECT g, 'x' FROM generate_series(1, 50) g");
    db.Exec("CREATE TABLE events (id serial PRIMARY KEY, at timestamptz, kind text)");
    db.Exec(
        "INSERT INTO events (at, kind) SELECT '2024-01-01 00:00:00+00'::timestamptz + g * "
        "interval '1 hour', CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END FROM "
        "generate_series(1, 48) g");
  }
};

TEST_F(PgSourceTest, SkewedKeysSplitOnTheirDistributionAndNullKeysAreRead) {
  auto source = MakeSource({{"table", "skewed"}});
  ASSERT_TRUE(source->Open(Parallel(4, "k")).ok());
  ReadResult r = ReadSplits(*source);
  EXPECT_EQ(r.splits, 4u);
  EXPECT_EQ(r.keys.size(), 1013u);
  EXPECT_EQ(r.keys.count("NULL"), 3u);
  EXPECT_EQ(std::set<std::string>(r.keys.begin(), r.keys.end()).size(), 1011u);  // no repeats
  for (size_t rows : r.rows_per_split) {
    EXPECT_GT(rows, 200u);
    EXPECT_LT(rows, 310u);
  }
  Result<std::vector<Split>> splits = source->PlanSplits();
  ASSERT_TRUE(splits.has_value());
  EXPECT_EQ((*splits)[0].description.substr(0, 6), "k < 25");
  EXPECT_NE((*splits)[0].description.find("or k is null"), std::string::npos);
}

TEST_F(PgSourceTest, StringPrimaryKeysSplitAndEveryRowIsReadOnce) {
  auto source = MakeSource({{"table", "words"}});
  ASSERT_TRUE(source->Open(Parallel(3)).ok());
  ReadResult r = ReadSplits(*source);
  EXPECT_EQ(r.splits, 3u);
  EXPECT_EQ(r.keys.size(), 800u);
  EXPECT_EQ(std::set<std::string>(r.keys.begin(), r.keys.end()).size(), 800u);
  for (size_t rows : r.rows_per_split) EXPECT_NEAR(static_cast<double>(rows), 266.0, 30.0);
}

TEST_F(PgSourceTest, NoUsableKeyMeansOneSplit) {
  auto source = MakeSource({{"table", "nokey"}});
  ASSERT_TRUE(source->Open(Parallel(4)).ok());
  ReadResult r = ReadSplits(*source);
  EXPECT_EQ(r.splits, 1u);
  EXPECT_EQ(r.keys.size(), 50u);
}

TEST_F(PgSourceTest, BigTablesAreSplitFromASample) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE big (id int PRIMARY KEY, pad int)");
  // Skewed: most ids are small, a tail is spread far out.
  db.Exec("INSERT INTO big SELECT g, 0 FROM generate_series(1, 500000) g");
  db.Exec("INSERT INTO big SELECT 100000000 + g * 1000, 0 FROM generate_series(1, 200000) g");
  db.Exec("ANALYZE big");
  auto source = MakeSource({{"table", "big"}});
  ReadRequest request = Parallel(4);
  request.batch_rows = 10000;
  ASSERT_TRUE(source->Open(request).ok());
  Result<std::optional<int64_t>> estimate = source->EstimateRows();
  ASSERT_TRUE(estimate.has_value() && estimate->has_value());
  EXPECT_NEAR(static_cast<double>(**estimate), 700000.0, 70000.0);
  ReadResult r = ReadSplits(*source);
  EXPECT_EQ(r.splits, 4u);
  EXPECT_EQ(r.keys.size(), 700000u);
  for (size_t rows : r.rows_per_split) EXPECT_NEAR(static_cast<double>(rows), 175000.0, 35000.0);
  db.Exec("DROP TABLE big");
}

TEST_F(PgSourceTest, SnapshotGivesEveryReaderTheSameData) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE snap (id int PRIMARY KEY)");
  db.Exec("INSERT INTO snap SELECT generate_series(1, 400)");
  auto with_snapshot = MakeSource({{"table", "snap"}, {"snapshot", "true"}});
  auto without = MakeSource({{"table", "snap"}});
  ASSERT_TRUE(with_snapshot->Open(Parallel(4)).ok());
  ASSERT_TRUE(without->Open(Parallel(4)).ok());
  // Written after planning, before the readers start: only the snapshot read misses them.
  db.Exec("INSERT INTO snap SELECT generate_series(401, 500)");
  db.Exec("DELETE FROM snap WHERE id <= 50");
  ReadResult a = ReadSplits(*with_snapshot);
  ReadResult b = ReadSplits(*without);
  EXPECT_EQ(a.splits, 4u);
  EXPECT_EQ(a.keys.size(), 400u);
  EXPECT_EQ(a.keys.count("1"), 1u);
  EXPECT_EQ(b.keys.size(), 450u);
  EXPECT_EQ(b.keys.count("1"), 0u);
}

TEST_F(PgSourceTest, IncrementalRangesAndMaxValue) {
  auto source = MakeSource({{"table", "events"}});
  ReadRequest request;
  request.where = "kind = 'even' -- a comment the range must not swallow";
  ASSERT_TRUE(source->Open(request).ok());
  Result<std::optional<std::string>> max = source->MaxValue("at");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->value_or("none"), "2024-01-03T00:00:00Z");
  EXPECT_EQ(source->MaxValue("id")->value_or("none"), "48");

  auto ranged = MakeSource({{"table", "events"}});
  request.incremental = WatermarkRange{"at", "2024-01-01T10:00:00Z", "2024-01-01T20:00:00Z"};
  ASSERT_TRUE(ranged->Open(request).ok());
  ReadResult r = ReadSplits(*ranged);
  // Even hours 10, 12, ..., 18: the low bound is included, the high one is not.
  EXPECT_EQ(r.keys, (std::multiset<std::string>{"10", "12", "14", "16", "18"}));

  auto empty = MakeSource({{"table", "events"}});
  request.where = "kind = 'none'";
  request.incremental.reset();
  ASSERT_TRUE(empty->Open(request).ok());
  EXPECT_FALSE(empty->MaxValue("at")->has_value());
}

TEST_F(PgSourceTest, ErrorsNameTheTableAndSuggest) {
  auto missing = MakeSource({{"table", "evnts"}});
  Status st = missing->Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("postgres source: table 'evnts' not found in 127.0.0.1:"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("did you mean 'events'?"), std::string::npos) << st.message();

  auto column = MakeSource({{"table", "events"}});
  ReadRequest request;
  request.columns = {"id", "kindd"};
  st = column->Open(request);
  EXPECT_EQ(st.message(),
            "postgres source public.events: column 'kindd' not found (did you mean 'kind'? "
            "columns: id, at, kind)");

  auto where = MakeSource({{"table", "events"}});
  request = ReadRequest{};
  request.where = "kind = ";
  st = where->Open(request);
  EXPECT_EQ(st.message(), "postgres source public.events: where: syntax error at or near \")\"");

  auto split = MakeSource({{"table", "events"}});
  st = split->Open(Parallel(2, "at2"));
  EXPECT_NE(st.message().find("split_key column 'at2' not found"), std::string::npos);

  // Case-insensitive names find the table and column.
  auto upper = MakeSource({{"table", "public.EVENTS"}});
  request = ReadRequest{};
  request.columns = {"ID"};
  EXPECT_TRUE(upper->Open(request).ok());
}

TEST(PgConnectionTest, UnreachableServerIsARetryableConnectionError) {
  auto source = MakeSource({{"table", "t"}, {"url", "postgresql://u:secret@127.0.0.1:1/db"}});
  Status st = source->Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kConnection);
  EXPECT_TRUE(st.retryable());
  EXPECT_EQ(st.message(), "cannot connect to postgres at 127.0.0.1:1: Connection refused");
  EXPECT_EQ(st.message().find("secret"), std::string::npos);
}

TEST(PgConnectionTest, MissingDatabaseIsNamed) {
  auto source = MakeSource({{"table", "t"}, {"url", testing::WithDatabase(DbUrl(), "no_such_db")}});
  Status st = source->Open(ReadRequest{});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find(": database 'no_such_db' does not exist"), std::string::npos)
      << st.message();
}

TEST(PgConnectionTest, KeyValueConninfoWorks) {
  RawConn db(DbUrl());
  db.Exec("CREATE TABLE IF NOT EXISTS kv (a int)");
  std::string url = DbUrl();  // postgresql://user:pw@host:port/db
  const auto& servers = sluice::testing::GetTestServers();
  std::string db_name = url.substr(url.rfind('/') + 1);
  auto source = MakeSource(
      {{"table", "kv"},
       {"url", fmt::format("host=127.0.0.1 port={} dbname={} user=sluice password=sluice-pw",
                           servers.pg_port, db_name)}});
  EXPECT_TRUE(source->Open(ReadRequest{}).ok());
  EXPECT_EQ(source->Describe(),
            fmt::format("postgres:127.0.0.1:{}/{}/kv", servers.pg_port, db_name));
}

// The throwaway server trusts every local connection; for this test a password is required
// from one role, by a line added at the top of pg_hba.conf (and removed afterwards).
TEST(PgConnectionTest, WrongPasswordIsAnAuthenticationError) {
  RawConn admin(DbUrl());
  const std::string hba = admin.Value("SHOW hba_file");
  std::string original = admin.Value("SELECT pg_read_file(" + QuoteLiteral(hba) + ")");
  for (char& c : original) {
    if (c == '\t') c = ' ';
  }
  ASSERT_EQ(original.find('\\'), std::string::npos);
  auto write_hba = [&](const std::string& content) {
    admin.Exec("COPY (SELECT unnest(string_to_array(" + QuoteLiteral(content) + ", E'\\n'))) TO " +
               QuoteLiteral(hba));
    admin.Exec("SELECT pg_reload_conf()");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  };
  admin.Exec("DROP ROLE IF EXISTS sluice_pw_test");
  admin.Exec("CREATE ROLE sluice_pw_test LOGIN PASSWORD 'right-pw'");
  write_hba("host all sluice_pw_test 127.0.0.1/32 scram-sha-256\n" + original);
  const auto& servers = sluice::testing::GetTestServers();
  auto source =
      MakeSource({{"table", "t"},
                  {"url", fmt::format("postgresql://sluice_pw_test:wrong-pw@127.0.0.1:{}/postgres",
                                      servers.pg_port)}});
  Status st = source->Open(ReadRequest{});
  write_hba(original);
  admin.Exec("DROP ROLE sluice_pw_test");
  EXPECT_EQ(st.code(), StatusCode::kConnection);
  EXPECT_FALSE(st.retryable());
  EXPECT_EQ(st.message(), fmt::format("postgres at 127.0.0.1:{}: authentication failed for user "
                                      "'sluice_pw_test'",
                                      servers.pg_port));
}

}  // namespace
}  // namespace sluice::postgres
