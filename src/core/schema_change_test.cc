#include "core/schema_change.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Schema Of(std::vector<std::string> names) {
  Schema s;
  for (std::string& n : names)
    s.fields.push_back(Field{std::move(n), DataType::Of(TypeId::kInt64)});
  return s;
}

TEST(MatchColumns, ByNameNeverByPosition) {
  const ColumnMatch same = MatchColumns({"id", "v"}, Of({"id", "v"}), false);
  EXPECT_TRUE(same.identity);
  EXPECT_TRUE(same.absent.empty());

  const ColumnMatch m = MatchColumns({"n", "id"}, Of({"id", "v"}), false);
  EXPECT_FALSE(m.identity);
  EXPECT_EQ(m.slots, (std::vector<size_t>{ColumnMatch::kNew, 0}));
  EXPECT_EQ(m.absent, (std::vector<size_t>{1}));

  EXPECT_EQ(MatchColumns({"ID"}, Of({"id"}), false).slots[0], ColumnMatch::kNew);
  EXPECT_EQ(MatchColumns({"ID"}, Of({"id"}), true).slots[0], 0u);
}

TEST(StreamSchemaTracker, AddColumnWidensSchemaAndBatch) {
  Schema schema = Of({"id"});
  schema.fields[0].nullable = false;
  Batch batch(schema);
  batch.columns[0].AppendInt(1);
  batch.columns[0].AppendInt(2);
  StreamSchemaTracker tracker;
  tracker.AddColumn("db.t", Field{"n", DataType::Of(TypeId::kString), false}, schema, batch);
  EXPECT_EQ(tracker.version(), 1u);
  ASSERT_EQ(schema.size(), 2u);
  EXPECT_TRUE(schema.fields[1].nullable);
  ASSERT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_TRUE(batch.columns[1].IsNull(0));
  EXPECT_TRUE(batch.columns[1].IsNull(1));
  // A drop is a change too (the target may have to accept NULL there), counted once.
  tracker.NoteAbsent("db.t", schema, {1});
  tracker.NoteAbsent("db.t", schema, {1});  // warned once
  EXPECT_EQ(tracker.version(), 2u);
  EXPECT_TRUE(schema.fields[1].dropped_at_source);
  EXPECT_FALSE(schema.fields[0].dropped_at_source);
  // Metadata that carries it again (added back under its name): written again, no change.
  tracker.NoteAbsent("db.t", schema, {});
  EXPECT_FALSE(schema.fields[1].dropped_at_source);
  EXPECT_EQ(tracker.version(), 2u);
}

// The statement records the drop for the positions at once; the change is counted (and the
// column marked) at the table's next metadata, which begins a read of its own.
TEST(StreamSchemaTracker, ADroppedStatementIsCountedAtTheNextMetadataOnce) {
  Schema schema = Of({"id", "d"});
  StreamSchemaTracker tracker;
  tracker.NoteDropped("db.t", schema, 1);
  EXPECT_EQ(tracker.version(), 0u);
  EXPECT_FALSE(schema.fields[1].dropped_at_source);
  ASSERT_TRUE(tracker.DroppedPosition(schema).has_value());
  EXPECT_NE(tracker.DroppedPosition(schema)->position.find("d"), std::string::npos);
  tracker.NoteAbsent("db.t", schema, {1});
  EXPECT_EQ(tracker.version(), 1u);
  EXPECT_TRUE(schema.fields[1].dropped_at_source);
  tracker.NoteAbsent("db.t", schema, {1});  // again: no new change
  EXPECT_EQ(tracker.version(), 1u);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(StreamSchemaTracker, DroppedColumnsTravelWithThePositions) {
  Schema schema = Of({"id", "d", "n"});
  schema.fields[1].type = DataType::Decimal(10, 2);
  StreamSchemaTracker tracker;
  EXPECT_FALSE(tracker.DroppedPosition(schema).has_value());
  tracker.NoteAbsent("db.t", schema, {1, 2});
  const std::optional<StreamPosition> dropped = tracker.DroppedPosition(schema);
  ASSERT_TRUE(dropped.has_value());
  EXPECT_EQ(dropped->stream, StreamSchemaTracker::kDroppedColumnsStream);

  // A run that starts after the drop: its table (and schema) no longer has d and n.
  Schema fresh = Of({"id"});
  StreamSchemaTracker restarted;
  ASSERT_TRUE(restarted.Restore({StreamPosition{"binlog", "f:4"}, *dropped}, fresh).ok());
  EXPECT_EQ(fresh.ToString(), "id int64, d decimal(10,2), n int64");
  EXPECT_EQ(restarted.version(), 1u);
  EXPECT_TRUE(fresh.fields[1].dropped_at_source);
  EXPECT_TRUE(fresh.fields[2].dropped_at_source);
  EXPECT_EQ(restarted.DroppedPosition(fresh)->position, dropped->position);
  EXPECT_FALSE(
      restarted.Restore({StreamPosition{StreamSchemaTracker::kDroppedColumnsStream, "x"}}, fresh)
          .ok());
}

// Rows already in the batch when a column is added predate its ADD COLUMN: they take the
// source's default for it, when the column has one the tracker can parse.
TEST(StreamSchemaTracker, RowsBeforeAnAddTakeItsDefault) {
  Schema schema{{Field{"id", DataType::Of(TypeId::kInt32)}}};
  Batch batch;
  batch.columns.emplace_back(DataType::Of(TypeId::kInt32));
  batch.columns[0].AppendInt(1);
  batch.columns[0].AppendInt(2);
  StreamSchemaTracker tracker;
  Field with_default{"n", DataType::Of(TypeId::kInt64)};
  with_default.added_default = "-7";
  tracker.AddColumn("t", with_default, schema, batch);
  Field without{"m", DataType::Of(TypeId::kInt64)};
  tracker.AddColumn("t", without, schema, batch);
  Field bad{"k", DataType::Of(TypeId::kInt64)};
  bad.added_default = "seven";
  tracker.AddColumn("t", bad, schema, batch);
  ASSERT_EQ(batch.columns.size(), 4u);
  for (size_t row = 0; row < 2; ++row) {
    ASSERT_FALSE(batch.columns[1].IsNull(row));
    EXPECT_EQ(batch.columns[1].GetInt(row), -7);
    EXPECT_TRUE(batch.columns[2].IsNull(row));
    EXPECT_TRUE(batch.columns[3].IsNull(row));
  }
  EXPECT_EQ(tracker.version(), 3u);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// The schema read at Open is the table's current shape; metadata from before an ADD COLUMN
// lacks the column. It is not a drop: no change counted, no dropped position; the column is
// returned as not added yet. Once some metadata carried it, a lack of it is a drop again.
TEST(StreamSchemaTracker, AColumnNoMetadataCarriedYetIsNotAddedNotDropped) {
  Schema schema = Of({"id", "n"});
  StreamSchemaTracker tracker;
  EXPECT_EQ(tracker.NoteMetadata("db.t", schema, MatchColumns({"id"}, schema, false)),
            (std::vector<size_t>{1}));
  EXPECT_EQ(tracker.version(), 0u);
  EXPECT_FALSE(schema.fields[1].dropped_at_source);
  EXPECT_FALSE(tracker.DroppedPosition(schema).has_value());

  EXPECT_TRUE(
      tracker.NoteMetadata("db.t", schema, MatchColumns({"id", "n"}, schema, false)).empty());
  EXPECT_TRUE(tracker.NoteMetadata("db.t", schema, MatchColumns({"id"}, schema, false)).empty());
  EXPECT_EQ(tracker.version(), 1u);
  EXPECT_TRUE(schema.fields[1].dropped_at_source);
  EXPECT_TRUE(tracker.DroppedPosition(schema).has_value());
}

// A column a committed position names as dropped, or a statement dropped, stays a drop.
TEST(StreamSchemaTracker, ColumnsKnownDroppedAreNotTakenForNotAddedYet) {
  Schema schema = Of({"id", "d", "e"});
  StreamSchemaTracker tracker;
  ASSERT_TRUE(
      tracker
          .Restore({StreamPosition{StreamSchemaTracker::kDroppedColumnsStream, "int64 d"}}, schema)
          .ok());
  tracker.NoteDropped("db.t", schema, 2);
  EXPECT_TRUE(tracker.NoteMetadata("db.t", schema, MatchColumns({"id"}, schema, false)).empty());
  EXPECT_TRUE(schema.fields[1].dropped_at_source);
  EXPECT_TRUE(schema.fields[2].dropped_at_source);
}

TEST(AddedDefaultCell, HoldsTheDefaultOrNothing) {
  Field f{"n", DataType::Of(TypeId::kInt64)};
  EXPECT_FALSE(AddedDefaultCell("db.t", f).has_value());
  f.added_default = "-7";
  const std::optional<Column> cell = AddedDefaultCell("db.t", f);
  ASSERT_TRUE(cell.has_value());
  ASSERT_EQ(cell->size(), 1u);
  EXPECT_EQ(cell->GetInt(0), -7);
  f.added_default = "seven";
  EXPECT_FALSE(AddedDefaultCell("db.t", f).has_value());
}

}  // namespace
}  // namespace sluice
