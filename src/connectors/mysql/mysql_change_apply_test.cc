// Change streams into a real MariaDB upsert target: inserts, updates in place, key moves and
// deletes, staged in source order and merged once per checkpoint (mysql_change_merge.h).
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "connectors/mysql/mysql_sink.h"
#include "connectors/mysql/mysql_test_util.h"

namespace sluice::mysql {
namespace {

using testing::MakeOptions;
using testing::MakeSink;
using testing::RecordingRejects;
using testing::Request;
using testing::TestDatabase;

Schema People(const std::string& id = "id", const std::string& name = "name") {
  Schema s;
  s.fields = {Field{id, DataType::Of(TypeId::kInt64), true},
              Field{name, DataType::Of(TypeId::kString), true}};
  return s;
}

// One change: its kind, the key (nullopt: NULL) and the name.
struct Change {
  RowKind kind;
  std::optional<int64_t> id;
  std::string name;
};

constexpr RowKind kIns = RowKind::kInsert;
constexpr RowKind kBefore = RowKind::kUpdateBefore;
constexpr RowKind kAfter = RowKind::kUpdateAfter;
constexpr RowKind kDel = RowKind::kDelete;

Batch Changes(const std::vector<Change>& changes, const Schema& schema = People()) {
  Batch b(schema);
  for (const Change& c : changes) {
    if (c.id) {
      b.columns[0].AppendInt(*c.id);
    } else {
      b.columns[0].AppendNull();
    }
    b.columns[1].AppendBytes(c.name);
    b.row_kinds.push_back(c.kind);
  }
  return b;
}

std::unique_ptr<sluice::Sink> PeopleSink(TestDatabase& db, const std::string& table = "people") {
  return MakeSink(MakeOptions({{"url", db.Url()}, {"table", table}}));
}

// Prepare, one writer, each group of batches followed by a checkpoint, then Commit.
Status WriteCheckpointed(Sink& sink, const WriteRequest& request,
                         const std::vector<std::vector<const Batch*>>& groups,
                         RejectSink& rejects) {
  Result<std::string> prepared = sink.Prepare(request);
  if (!prepared) return prepared.error();
  Result<std::unique_ptr<SinkWriter>> writer = sink.OpenWriter();
  if (!writer) return writer.error();
  Status st;
  for (const auto& group : groups) {
    for (const Batch* b : group) {
      st = (*writer)->Write(*b, rejects);
      if (!st.ok()) break;
    }
    if (st.ok()) st = sink.Checkpoint({});
    if (!st.ok()) break;
  }
  if (st.ok()) st = sink.Commit();
  if (!st.ok()) (void)sink.Abort();
  return st;
}

TEST(MysqlChangeApplyTest, InsertsUpdatesDeletesAndKeyMovesInOneBatch) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(20))");
  db.Exec("INSERT INTO people VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')");
  auto sink = PeopleSink(db);
  Batch b = Changes({{kBefore, 1, "one"},
                     {kAfter, 1, "uno"},  // update in place
                     {kBefore, 2, "two"},
                     {kAfter, 20, "two"},  // key move 2 -> 20
                     {kDel, 3, "three"},   // delete
                     {kIns, 5, "five"},    // insert
                     {kIns, 6, "six"},
                     {kDel, 6, "six"},  // insert then delete: gone
                     {kDel, 4, "four"},
                     {kIns, 4, "vier"}});  // delete then insert: the new row
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}), {{&b}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(rejects.reasons.empty());
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|uno", "4|vier", "5|five", "20|two"}));
}

TEST(MysqlChangeApplyTest, OneKeyAcrossBatchesAndCheckpointsFollowsSourceOrder) {
  TestDatabase db;
  auto sink = PeopleSink(db);
  Batch b1 = Changes({{kIns, 1, "a"}, {kDel, 1, "a"}});
  Batch b2 = Changes({{kIns, 1, "b"}});  // inserts only, but after staged changes
  Batch b3 = Changes({{kBefore, 1, "b"}, {kAfter, 2, "b"}, {kIns, 1, "c"}});
  Batch b4 = Changes({{kDel, 2, "b"}, {kIns, 2, "d"}, {kDel, 1, "c"}});
  Batch b5 = Changes({{kIns, 1, "e"}});
  RecordingRejects rejects;
  Status st = WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}),
                                {{&b1, &b2}, {&b3}, {&b4, &b5}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|e", "2|d"}));
}

TEST(MysqlChangeApplyTest, TheCheckpointCommitsTheMergeAndAbortDropsWhatCameAfter) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(20))");
  db.Exec("INSERT INTO people VALUES (1, 'one')");
  auto sink = PeopleSink(db);
  ASSERT_TRUE(sink->Prepare(Request(People(), WriteMode::kUpsert, {"id"})).has_value());
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value());
  RecordingRejects rejects;
  Batch b1 = Changes({{kBefore, 1, "one"}, {kAfter, 1, "uno"}, {kIns, 2, "two"}});
  ASSERT_TRUE((*writer)->Write(b1, rejects).ok());
  // Staged, not merged: the target is unchanged until the checkpoint.
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|one"}));
  ASSERT_TRUE(sink->Checkpoint({}).ok());
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|uno", "2|two"}));
  Batch b2 = Changes({{kDel, 1, "uno"}});
  ASSERT_TRUE((*writer)->Write(b2, rejects).ok());
  ASSERT_TRUE(sink->Abort().ok());
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|uno", "2|two"}));
}

TEST(MysqlChangeApplyTest, AppendRefusesUpdatesAndSaysWhatToChange) {
  TestDatabase db;
  auto sink = PeopleSink(db);
  Batch b = Changes({{kIns, 1, "a"}, {kDel, 1, "a"}});
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kAppend, {"id"}), {{&b}}, rejects);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("the stream has updates or deletes; applying them needs "
                              "write_mode upsert and target.key"),
            std::string::npos)
      << st.message();
}

TEST(MysqlChangeApplyTest, ANullKeyIsRefusedWithItsReason) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT NULL, name VARCHAR(20), UNIQUE KEY (id))");
  auto sink = PeopleSink(db);
  Batch b = Changes({{kIns, 1, "a"}, {kDel, std::nullopt, "x"}, {kIns, 2, "b"}});
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}), {{&b}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(rejects.reasons.size(), 1u);
  EXPECT_NE(rejects.reasons[0].find(".people.id: NULL in a key column (target.key)"),
            std::string::npos)
      << rejects.reasons[0];
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|a", "2|b"}));
}

// A PostgreSQL source without REPLICA IDENTITY FULL sends only the key of a deleted row (and
// of an update's old image): a NOT NULL column outside the key takes those NULLs in staging,
// and a written row with a NULL there is still rejected.
TEST(MysqlChangeApplyTest, KeyOnlyRemovalsPassANotNullColumnAndNullWritesAreRejected) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL)");
  db.Exec("INSERT INTO people VALUES (1, 'one'), (2, 'two'), (3, 'three')");
  auto sink = PeopleSink(db);
  Batch b(People());
  const std::vector<std::tuple<RowKind, int64_t, std::optional<std::string>>> rows = {
      {kDel, 2, std::nullopt},     // delete 2, key only
      {kBefore, 3, std::nullopt},  // move 3 -> 30: the old image, key only
      {kAfter, 30, "thirty"},      //   and the new one
      {kIns, 4, std::nullopt},     // insert 4 with a NULL name: rejected
      {kIns, 5, "five"}};
  for (const auto& [kind, id, name] : rows) {
    b.columns[0].AppendInt(id);
    if (name) {
      b.columns[1].AppendBytes(*name);
    } else {
      b.columns[1].AppendNull();
    }
    b.row_kinds.push_back(kind);
  }
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}), {{&b}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|one", "5|five", "30|thirty"}));
  ASSERT_EQ(rejects.reasons.size(), 1u) << ::testing::PrintToString(rejects.reasons);
  EXPECT_NE(rejects.reasons[0].find("CONSTRAINT"), std::string::npos) << rejects.reasons[0];
}

TEST(MysqlChangeApplyTest, CompositeKeyWithColumnNamesDifferingByCase) {
  TestDatabase db;
  db.Exec(
      "CREATE TABLE regions (Region VARCHAR(10) NOT NULL, ID BIGINT NOT NULL, Note VARCHAR(10), "
      "PRIMARY KEY (Region, ID))");
  db.Exec("INSERT INTO regions VALUES ('eu', 1, 'old'), ('us', 1, 'keep')");
  Schema s;
  s.fields = {Field{"region", DataType::Of(TypeId::kString), false},
              Field{"id", DataType::Of(TypeId::kInt64), false},
              Field{"note", DataType::Of(TypeId::kString), true}};
  Batch b(s);
  auto add = [&](RowKind kind, const std::string& region, int64_t id, const std::string& note) {
    b.columns[0].AppendBytes(region);
    b.columns[1].AppendInt(id);
    b.columns[2].AppendBytes(note);
    b.row_kinds.push_back(kind);
  };
  add(kBefore, "eu", 1, "old");
  add(kAfter, "eu", 1, "new");
  add(kBefore, "us", 1, "keep");
  add(kAfter, "us", 2, "moved");
  add(kIns, "eu", 2, "x");
  auto sink = MakeSink(MakeOptions({{"url", db.Url()}, {"table", "regions"}}));
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(s, WriteMode::kUpsert, {"region", "id"}), {{&b}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT Region, ID, Note FROM regions ORDER BY Region, ID"),
            (std::vector<std::string>{"eu|1|new", "eu|2|x", "us|2|moved"}));
}

TEST(MysqlChangeApplyTest, ASecondUniqueKeyTakenOverByAnotherRowIsNoConflict) {
  TestDatabase db;
  db.Exec("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(20), UNIQUE KEY (name))");
  db.Exec("INSERT INTO people VALUES (1, 'x'), (2, 'y')");
  auto sink = PeopleSink(db);
  // The two rows swap names: each intermediate upsert would collide on the unique name.
  Batch b = Changes({{kBefore, 1, "x"},
                     {kAfter, 1, "tmp"},
                     {kBefore, 2, "y"},
                     {kAfter, 2, "x"},
                     {kBefore, 1, "tmp"},
                     {kAfter, 1, "y"}});
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}), {{&b}}, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"),
            (std::vector<std::string>{"1|y", "2|x"}));
}

TEST(MysqlChangeApplyTest, RandomChangesEqualAModel) {
  TestDatabase db;
  auto sink = PeopleSink(db);
  std::mt19937_64 rng(42);
  std::map<int64_t, std::string> model;
  std::vector<std::vector<Batch>> groups(10);
  constexpr int kChanges = 200000;
  constexpr int kBatch = 5000;
  int made = 0;
  for (auto& group : groups) {
    for (int nb = 0; nb < kChanges / kBatch / 10; ++nb) {
      std::vector<Change> changes;
      while (static_cast<int>(changes.size()) < kBatch) {
        const int64_t id = static_cast<int64_t>(rng() % 2000);
        const std::string name = "n" + std::to_string(made++);
        auto it = model.find(id);
        if (it == model.end()) {
          changes.push_back({kIns, id, name});
          model[id] = name;
          continue;
        }
        switch (rng() % 3) {
          case 0:
            changes.push_back({kDel, id, it->second});
            model.erase(it);
            break;
          case 1:
            changes.push_back({kBefore, id, it->second});
            changes.push_back({kAfter, id, name});
            it->second = name;
            break;
          default: {  // move the key, when the new one is free
            const int64_t to = static_cast<int64_t>(rng() % 2000);
            if (model.count(to)) break;
            changes.push_back({kBefore, id, it->second});
            changes.push_back({kAfter, to, it->second});
            model[to] = it->second;
            model.erase(id);
            break;
          }
        }
      }
      group.push_back(Changes(changes));
    }
  }
  std::vector<std::vector<const Batch*>> refs;
  for (const auto& group : groups) {
    refs.emplace_back();
    for (const Batch& b : group) refs.back().push_back(&b);
  }
  RecordingRejects rejects;
  Status st =
      WriteCheckpointed(*sink, Request(People(), WriteMode::kUpsert, {"id"}), refs, rejects);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(rejects.reasons.empty());
  std::vector<std::string> expected;
  for (const auto& [id, name] : model) expected.push_back(std::to_string(id) + "|" + name);
  EXPECT_EQ(db.Rows("SELECT id, name FROM people ORDER BY id"), expected);
}

}  // namespace
}  // namespace sluice::mysql
