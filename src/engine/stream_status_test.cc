#include "engine/stream_status.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StreamStatusTest, CountsChangesByKind) {
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64), false});
  Batch b(schema);
  for (RowKind k : {RowKind::kInsert, RowKind::kUpdateBefore, RowKind::kUpdateAfter,
                    RowKind::kUpdateAfter, RowKind::kDelete}) {
    b.columns[0].AppendInt(1);
    b.row_kinds.push_back(k);
  }
  StreamStatus status;
  status.Count(b);
  Batch plain(schema);  // no row kinds: every row an insert
  plain.columns[0].AppendInt(1);
  plain.columns[0].AppendInt(2);
  status.Count(plain);
  const StreamStatusSnapshot s = status.Get();
  EXPECT_EQ(s.inserts, 3);
  EXPECT_EQ(s.updates, 2);  // a before image is not an update of its own
  EXPECT_EQ(s.deletes, 1);
  EXPECT_EQ(s.changes(), 6);
}

TEST(StreamStatusTest, LineShowsRateLagPositionAndDetail) {
  StreamStatus status;
  EXPECT_EQ(StreamStatusLine(status.Get(), 0),
            "0 changes, 0 changes/s, lag unknown, at (no checkpoint yet)");
  status.SetSource(1250, "slot s retains 12.0 MB of WAL");
  status.SetPosition("binlog mysql-bin.000003:1234");
  StreamStatusSnapshot s = status.Get();
  s.inserts = 12345;
  EXPECT_EQ(StreamStatusLine(s, 1499.6),
            "12,345 changes, 1,500 changes/s, lag 1.2 s, at binlog mysql-bin.000003:1234, "
            "slot s retains 12.0 MB of WAL");
  status.SetSource(0, "");
  EXPECT_EQ(StreamStatusLine(status.Get(), 3),
            "0 changes, 3 changes/s, lag 0.0 s, at binlog mysql-bin.000003:1234");
}

TEST(StreamStatusTest, LineShowsTheSnapshotsProgress) {
  StreamStatus status;
  status.SetSource(-1, "slot s retains 1.0 MB of WAL",
                   SnapshotProgress{"public.orders", 1234567, 10000000, 3, 20});
  EXPECT_EQ(StreamStatusLine(status.Get(), 0),
            "0 changes, 0 changes/s, lag unknown, at (no checkpoint yet), snapshot of "
            "public.orders: 1,234,567 rows of about 10,000,000 (12%), key range 3 of 20, slot s "
            "retains 1.0 MB of WAL");
  // Read whole, without an estimate; a table that grew past its estimate stops at 100%.
  EXPECT_EQ(SnapshotProgressText({"t", 42, -1, 0, 0}), "snapshot of t: 42 rows");
  EXPECT_EQ(SnapshotProgressText({"t", 1500, 1000, 0, 0}),
            "snapshot of t: 1,500 rows of about 1,000 (100%)");
  status.SetSource(0, "");
  EXPECT_FALSE(status.Get().snapshot.has_value());
}

}  // namespace
}  // namespace sluice
