#include "core/schema_change.h"

#include <algorithm>

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

// All the columns travel too (a source whose stream carries no DROP statement): a restart from
// a position taken before a drop gets back the columns its catalog lost, not marked dropped
// (the stream's next metadata tells); names with a newline or a backslash survive.
TEST(StreamSchemaTracker, KnownColumnsTravelWithThePositions) {
  Schema schema = Of({"id", "line\nbreak", "back\\slash", "d"});
  schema.fields[3].type = DataType::Decimal(12, 4);
  const std::optional<StreamPosition> known = StreamSchemaTracker::KnownColumnsPosition(schema);
  ASSERT_TRUE(known.has_value());
  EXPECT_EQ(known->stream, StreamSchemaTracker::kKnownColumnsStream);
  EXPECT_EQ(std::count(known->position.begin(), known->position.end(), '\n'), 3);

  Schema fresh = Of({"id", "back\\slash"});
  StreamSchemaTracker restarted;
  ASSERT_TRUE(restarted.Restore({StreamPosition{"pgoutput", "0/10"}, *known}, fresh).ok());
  EXPECT_EQ(fresh.Names(), (std::vector<std::string>{"id", "back\\slash", "line\nbreak", "d"}));
  EXPECT_EQ(TypeName(fresh.fields[3].type), "decimal(12,4)");
  EXPECT_FALSE(fresh.fields[2].dropped_at_source);
  EXPECT_FALSE(fresh.fields[3].dropped_at_source);
  EXPECT_EQ(restarted.version(), 1u);
  EXPECT_FALSE(restarted.DroppedPosition(fresh).has_value());
  // Nothing lost since: nothing to put back, no change counted.
  StreamSchemaTracker same;
  ASSERT_TRUE(same.Restore({*known}, schema).ok());
  EXPECT_EQ(same.version(), 0u);
  EXPECT_EQ(schema.size(), 4u);

  // Named by both lists: put back dropped.
  Schema later = Of({"id"});
  StreamSchemaTracker both;
  ASSERT_TRUE(both.Restore({*known, StreamPosition{StreamSchemaTracker::kDroppedColumnsStream,
                                                   "decimal(12,4) d"}},
                           later)
                  .ok());
  ASSERT_EQ(later.Names(), (std::vector<std::string>{"id", "d", "line\nbreak", "back\\slash"}));
  EXPECT_TRUE(later.fields[1].dropped_at_source);
  EXPECT_FALSE(later.fields[2].dropped_at_source);

  // Too wide for a target's position column: not recorded (and said so by the caller).
  Schema wide;
  for (int i = 0; i < 1000; ++i) {
    wide.fields.push_back(
        Field{std::string(60, 'c') + std::to_string(i), DataType::Of(TypeId::kInt64)});
  }
  EXPECT_FALSE(StreamSchemaTracker::KnownColumnsPosition(wide).has_value());
}

// A column the committed list names with another type than the table has now was retyped
// after that position: it gets the committed type back (the stream's metadata from after the
// change then differs from it, and the source stops saying so).
TEST(StreamSchemaTracker, AColumnRetypedSinceThePositionGetsItsCommittedTypeBack) {
  Schema then = Of({"id", "a"});
  then.fields[1].type = DataType::Decimal(10, 2);
  const std::optional<StreamPosition> known = StreamSchemaTracker::KnownColumnsPosition(then);
  ASSERT_TRUE(known.has_value());
  Schema now = Of({"id", "a"});
  now.fields[1].type = DataType::Decimal(12, 4);
  now.fields[1].native_engine = "postgres";
  now.fields[1].native_type = "numeric(12,4)";
  StreamSchemaTracker tracker;
  ASSERT_TRUE(tracker.Restore({*known}, now).ok());
  EXPECT_EQ(TypeName(now.fields[1].type), "decimal(10,2)");
  EXPECT_TRUE(now.fields[1].native_type.empty());
  EXPECT_EQ(tracker.version(), 1u);
  EXPECT_FALSE(now.fields[1].dropped_at_source);
}

// Text lengths travel with the committed columns: a column lengthened or shortened while no
// run streamed gets its committed length back, so the stream's metadata shows the change.
// Positions of older runs name no length ("string v"): the table's length stands.
TEST(StreamSchemaTracker, ACommittedTextLengthComesBackWhenTheLineGivesOne) {
  Schema then = Of({"id", "v", "t"});
  then.fields[1].type = DataType{TypeId::kString, 5, 0};
  then.fields[2].type = DataType::Of(TypeId::kString);
  const std::optional<StreamPosition> known = StreamSchemaTracker::KnownColumnsPosition(then);
  ASSERT_TRUE(known.has_value());
  EXPECT_NE(known->position.find("string(5) v\nstring(0) t"), std::string::npos) << known->position;
  Schema now = Of({"id", "v", "t"});
  now.fields[1].type = DataType{TypeId::kString, 30, 0};
  now.fields[2].type = DataType{TypeId::kString, 200, 0};
  StreamSchemaTracker tracker;
  ASSERT_TRUE(tracker.Restore({*known}, now).ok());
  EXPECT_EQ(now.fields[1].type, (DataType{TypeId::kString, 5, 0}));
  EXPECT_EQ(now.fields[2].type, DataType::Of(TypeId::kString));
  EXPECT_EQ(tracker.version(), 1u);

  Schema later = Of({"id", "v"});
  later.fields[1].type = DataType{TypeId::kString, 30, 0};
  StreamSchemaTracker old_format;
  const StreamPosition old{StreamSchemaTracker::kKnownColumnsStream, "int64 id\nstring v"};
  ASSERT_TRUE(old_format.Restore({old}, later).ok());
  EXPECT_EQ(later.fields[1].type, (DataType{TypeId::kString, 30, 0}));
  EXPECT_EQ(old_format.version(), 0u);
}

TEST(StreamSchemaTracker, LengthenGivesTheColumnAndTheBatchTheLongerType) {
  Schema schema = Of({"id", "v"});
  schema.fields[1].type = DataType{TypeId::kString, 5, 0};
  Batch batch(schema);
  batch.columns[0].AppendInt(1);
  batch.columns[1].AppendBytes("short");
  Field longer = schema.fields[1];
  longer.type = DataType{TypeId::kString, 30, 0};
  StreamSchemaTracker tracker;
  tracker.Widen("db.t", longer, schema, batch, 1);
  EXPECT_EQ(schema.fields[1].type, longer.type);
  EXPECT_EQ(batch.columns[1].type(), longer.type);
  EXPECT_EQ(batch.columns[1].GetView(0), "short");
  EXPECT_TRUE(schema.fields[1].widened_at_source);
  EXPECT_EQ(tracker.version(), 1u);
  // Again, no longer: nothing more. A column as long already (read from the catalog) is only
  // marked, once.
  tracker.Widen("db.t", longer, schema, batch, 1);
  EXPECT_EQ(tracker.version(), 1u);
  Schema caught_up = Of({"id", "v"});
  caught_up.fields[1].type = DataType{TypeId::kString, 40, 0};
  Batch empty(caught_up);
  StreamSchemaTracker restarted;
  restarted.Widen("db.t", longer, caught_up, empty, 1);
  EXPECT_EQ(caught_up.fields[1].type, (DataType{TypeId::kString, 40, 0}));
  EXPECT_TRUE(caught_up.fields[1].widened_at_source);
  EXPECT_EQ(restarted.version(), 1u);
  restarted.Widen("db.t", longer, caught_up, empty, 1);
  EXPECT_EQ(restarted.version(), 1u);
}

TEST(IsWiderType, OnlyTypesThatHoldEveryValue) {
  const DataType s5{TypeId::kString, 5, 0}, s30{TypeId::kString, 30, 0};
  const DataType text = DataType::Of(TypeId::kString);
  EXPECT_TRUE(IsWiderType(s5, s30));
  EXPECT_TRUE(IsWiderType(s5, text));
  EXPECT_TRUE(IsWiderType(DataType{TypeId::kBytes, 4, 0}, DataType{TypeId::kBytes, 8, 0}));
  EXPECT_FALSE(IsWiderType(s30, s5));
  EXPECT_FALSE(IsWiderType(text, s30));
  EXPECT_FALSE(IsWiderType(text, text));
  EXPECT_FALSE(IsWiderType(s5, DataType{TypeId::kBytes, 30, 0}));
  // Integers and decimals that hold every value.
  EXPECT_TRUE(IsWiderType(DataType::Decimal(5, 2), DataType::Decimal(10, 2)));
  EXPECT_TRUE(IsWiderType(DataType::Decimal(5, 2), DataType::Decimal(7, 4)));
  EXPECT_TRUE(IsWiderType(DataType::Decimal(5, 2), DataType::Decimal(0, 0)));
  EXPECT_FALSE(IsWiderType(DataType::Decimal(5, 2), DataType::Decimal(6, 4)));
  EXPECT_FALSE(IsWiderType(DataType::Decimal(5, 2), DataType::Decimal(5, 1)));
  EXPECT_FALSE(IsWiderType(DataType::Decimal(0, 0), DataType::Decimal(65, 30)));
  EXPECT_TRUE(IsWiderType(DataType::Of(TypeId::kInt32), DataType::Of(TypeId::kInt64)));
  EXPECT_TRUE(IsWiderType(DataType::Of(TypeId::kUInt16), DataType::Of(TypeId::kInt32)));
  EXPECT_TRUE(IsWiderType(DataType::Of(TypeId::kUInt32), DataType::Of(TypeId::kUInt64)));
  EXPECT_FALSE(IsWiderType(DataType::Of(TypeId::kInt32), DataType::Of(TypeId::kUInt64)));
  EXPECT_FALSE(IsWiderType(DataType::Of(TypeId::kUInt32), DataType::Of(TypeId::kInt32)));
  EXPECT_FALSE(IsWiderType(DataType::Of(TypeId::kInt64), DataType::Of(TypeId::kInt32)));
  EXPECT_FALSE(IsWiderType(DataType::Of(TypeId::kInt32), DataType::Of(TypeId::kFloat64)));
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
