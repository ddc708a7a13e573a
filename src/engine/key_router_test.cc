#include "engine/key_router.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sluice {
namespace {

Schema KeyedSchema() {
  Schema schema;
  schema.fields.push_back({"account", DataType::Of(TypeId::kString)});
  schema.fields.push_back({"shard", DataType::Of(TypeId::kInt64)});
  schema.fields.push_back({"seq", DataType::Of(TypeId::kInt64)});
  return schema;
}

// Rows (account a<k % 37>, shard k % 3, seq k); some accounts null.
Batch MakeBatch(int64_t first, int64_t rows) {
  Batch batch(KeyedSchema());
  for (int64_t k = first; k < first + rows; ++k) {
    if (k % 101 == 0) {
      batch.columns[0].AppendNull();
    } else {
      batch.columns[0].AppendBytes("a" + std::to_string(k % 37));
    }
    batch.columns[1].AppendInt(k % 3);
    batch.columns[2].AppendInt(k);
    batch.row_kinds.push_back(k % 2 ? RowKind::kUpdateAfter : RowKind::kInsert);
  }
  batch.position = "pos";
  return batch;
}

std::string KeyOf(const Batch& batch, size_t row) {
  std::string key =
      batch.columns[0].IsNull(row) ? "NULL" : std::string(batch.columns[0].GetView(row));
  return key + "/" + std::to_string(batch.columns[1].GetInt(row));
}

TEST(KeyRouterTest, SameKeySameWriterInOrderEveryRowOnce) {
  KeyRouter router({0, 1}, 4);
  std::map<std::string, int> writer_of;        // key -> writer
  std::map<std::string, int64_t> last_seq_of;  // key -> last seq seen
  int64_t seen = 0;
  int64_t seq_sum = 0;
  std::vector<int64_t> rows_per_writer(4, 0);
  for (int64_t first = 0; first < 3000; first += 500) {  // several batches: routing is stable
    const Batch in = MakeBatch(first, 500);
    std::vector<Batch> outs(4, Batch(KeyedSchema()));
    std::vector<Batch*> targets;
    for (Batch& b : outs) targets.push_back(&b);
    router.Split(in, targets);
    for (int w = 0; w < 4; ++w) {
      const Batch& out = outs[static_cast<size_t>(w)];
      EXPECT_EQ(out.row_kinds.size(), out.num_rows());
      if (out.num_rows() > 0) {
        EXPECT_EQ(out.position, "pos");
      }
      rows_per_writer[static_cast<size_t>(w)] += static_cast<int64_t>(out.num_rows());
      for (size_t r = 0; r < out.num_rows(); ++r) {
        const std::string key = KeyOf(out, r);
        const int64_t seq = out.columns[2].GetInt(r);
        auto [it, inserted] = writer_of.emplace(key, w);
        EXPECT_EQ(it->second, w) << key << " went to two writers";
        auto last = last_seq_of.find(key);
        if (last != last_seq_of.end()) {
          EXPECT_LT(last->second, seq) << key << " out of order";
        }
        last_seq_of[key] = seq;
        EXPECT_EQ(out.kind(r), seq % 2 ? RowKind::kUpdateAfter : RowKind::kInsert);
        ++seen;
        seq_sum += seq;
      }
    }
  }
  EXPECT_EQ(seen, 3000);
  EXPECT_EQ(seq_sum, 2999 * 3000 / 2);  // every row exactly once
  for (int64_t n : rows_per_writer) EXPECT_GT(n, 300) << "keys spread over all writers";
}

TEST(KeyRouterTest, OneWayKeepsTheBatchWhole) {
  KeyRouter router({2}, 1);
  const Batch in = MakeBatch(0, 10);
  Batch out(KeyedSchema());
  router.Split(in, {&out});
  ASSERT_EQ(out.num_rows(), 10u);
  for (size_t r = 0; r < 10; ++r) EXPECT_EQ(out.columns[2].GetInt(r), static_cast<int64_t>(r));
}

}  // namespace
}  // namespace sluice
