// Change streams into a real PostgreSQL upsert target: 100,000 random inserts, in-place
// updates, key moves and deletes (with and without old images) over 10 checkpoints, merged
// by the sink at each checkpoint, equal a std::map model of the same changes.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "connectors/postgres/pg_testing.h"

namespace sluice::postgres {
namespace {

using testing::CollectingRejects;
using testing::DbUrl;
using testing::MakeOptions;
using testing::MakeSink;
using testing::RawConn;
using testing::Request;

Schema Pairs() {
  Schema s;
  s.fields = {Field{"id", DataType::Of(TypeId::kInt64), false},
              Field{"v", DataType::Of(TypeId::kString), false}};
  return s;
}

void Append(Batch& b, RowKind kind, int64_t id, const std::string* v) {
  b.columns[0].AppendInt(id);
  if (v) {
    b.columns[1].AppendBytes(*v);
  } else {
    b.columns[1].AppendNull();  // a delete or old image with the key only
  }
  b.row_kinds.push_back(kind);
}

TEST(PgChangeApplyTest, RandomChangesOverCheckpointsEqualAModel) {
  RawConn db(DbUrl());
  db.Exec("DROP TABLE IF EXISTS change_model");
  db.Exec("CREATE TABLE change_model (id bigint PRIMARY KEY, v text NOT NULL)");
  auto sink = MakeSink(MakeOptions({{"url", DbUrl()}, {"table", "change_model"}}));
  WriteRequest request = Request(Pairs(), WriteMode::kUpsert, {"id"});
  request.realtime = true;
  ASSERT_TRUE(sink->Prepare(request).has_value());
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value());
  CollectingRejects rejects;

  std::mt19937_64 rng(7);
  std::map<int64_t, std::string> model;
  int made = 0;
  for (int checkpoint = 0; checkpoint < 10; ++checkpoint) {
    // One checkpoint holds only updates in place: the merge without a DELETE.
    const bool only_updates = checkpoint == 4;
    for (int nb = 0; nb < 4; ++nb) {
      Batch b(Pairs());
      while (b.num_rows() < 2500) {
        const int64_t id = static_cast<int64_t>(rng() % 3000);
        const std::string v = "v" + std::to_string(made++);
        auto it = model.find(id);
        const bool key_only = rng() % 2 == 0;  // PostgreSQL under REPLICA IDENTITY DEFAULT
        if (it == model.end()) {
          if (only_updates) continue;
          Append(b, RowKind::kInsert, id, &v);
          model[id] = v;
          continue;
        }
        const int what = only_updates ? 1 : static_cast<int>(rng() % 3);
        if (what == 0) {
          Append(b, RowKind::kDelete, id, key_only ? nullptr : &it->second);
          model.erase(it);
        } else if (what == 1) {
          if (!key_only) Append(b, RowKind::kUpdateBefore, id, &it->second);
          Append(b, RowKind::kUpdateAfter, id, &v);
          it->second = v;
        } else {
          const int64_t to = static_cast<int64_t>(rng() % 3000);
          if (model.count(to)) continue;
          Append(b, RowKind::kUpdateBefore, id, key_only ? nullptr : &it->second);
          Append(b, RowKind::kUpdateAfter, to, &v);
          model[to] = v;
          model.erase(id);
        }
      }
      Status st = (*writer)->Write(b, rejects);
      ASSERT_TRUE(st.ok()) << st.message();
    }
    ASSERT_TRUE((*writer)->Finish().ok());
    Status st = sink->Checkpoint({});
    ASSERT_TRUE(st.ok()) << st.message();
  }
  Status st = sink->Commit();
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(rejects.reasons.empty()) << rejects.reasons.front();
  std::vector<std::vector<std::string>> expected;
  for (const auto& [id, v] : model) expected.push_back({std::to_string(id), v});
  EXPECT_EQ(db.Rows("SELECT id, v FROM change_model ORDER BY id"), expected);
}

}  // namespace
}  // namespace sluice::postgres
