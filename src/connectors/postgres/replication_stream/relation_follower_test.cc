#include "connectors/postgres/replication_stream/relation_follower.h"

#include <set>

#include <gtest/gtest.h>

namespace sluice::postgres::replication_stream {
namespace {

namespace r = ::sluice::postgres::replication;

r::TuplePlan Relation(std::vector<Field> fields) {
  r::TuplePlan plan;
  plan.relation = "public.t";
  plan.schema.fields = std::move(fields);
  plan.columns.resize(plan.schema.size());
  return plan;
}

Field F(const std::string& name, TypeId type = TypeId::kInt32) {
  return Field{name, DataType::Of(type)};
}

r::TupleData Tuple(std::vector<std::string_view> values) {
  r::TupleData tuple;
  for (std::string_view v : values) tuple.push_back(r::TupleValue{r::TupleValueKind::kText, v});
  return tuple;
}

class RelationFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_.fields = {F("id"), F("v", TypeId::kString)};
    batch_ = Batch(schema_);
    batch_.columns[0].AppendInt(1);
    batch_.columns[1].AppendBytes("one");
  }
  // A restart: the columns a checkpoint committed come back (StreamSchemaTracker::Restore).
  void RestoreCommitted(std::vector<Field> fields) {
    Schema committed;
    committed.fields = std::move(fields);
    ASSERT_TRUE(follower_.tracker()
                    .Restore({*StreamSchemaTracker::KnownColumnsPosition(committed)}, schema_)
                    .ok());
  }
  Result<r::TuplePlan> Plan(std::vector<Field> fields) {
    return follower_.Plan(Relation(std::move(fields)), "public.t", schema_, batch_,
                          [this](const std::string& c) { return catalog_has_.count(c) != 0; });
  }

  RelationFollower follower_;
  std::set<std::string> catalog_has_;  // the schema columns the catalog still has (exists_now)
  Schema schema_;
  Batch batch_;
};

TEST_F(RelationFollowerTest, AddedColumnWidensAndMapsByName) {
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  EXPECT_EQ(follower_.version(), 0u);
  Result<r::TuplePlan> plan = Plan({F("id"), F("v", TypeId::kString), F("n")});
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(follower_.version(), 1u);
  EXPECT_EQ(plan->schema.Names(), (std::vector<std::string>{"id", "v", "n"}));
  ASSERT_EQ(batch_.columns.size(), 3u);
  EXPECT_TRUE(batch_.columns[2].IsNull(0));

  // v dropped: its place in the schema's tuple is NULL.
  ASSERT_TRUE(Plan({F("id"), F("n")}).has_value());
  Result<const r::TupleData*> mapped = follower_.Map(Tuple({"7", "70"}));
  ASSERT_TRUE(mapped.has_value());
  ASSERT_EQ((*mapped)->size(), 3u);
  EXPECT_EQ((**mapped)[0].bytes, "7");
  EXPECT_EQ((**mapped)[1].kind, r::TupleValueKind::kNull);
  EXPECT_EQ((**mapped)[2].bytes, "70");
  EXPECT_FALSE(follower_.Map(Tuple({"7"})).has_value());
}

TEST_F(RelationFollowerTest, TheFirstRelationOfASessionMayBringBackADroppedColumn) {
  // A restart from before a DROP COLUMN: the table's current shape lacks d, the stream has it,
  // wherever it was.
  ASSERT_TRUE(Plan({F("id"), F("d"), F("v", TypeId::kString)}).has_value());
  EXPECT_EQ(schema_.Names(), (std::vector<std::string>{"id", "v", "d"}));
  EXPECT_EQ(follower_.version(), 1u);
}

// The first Relation of a run lacks v. Still in the catalog: v was added after these changes,
// which take its default (not a drop, no change counted). Gone from it: dropped since Open.
TEST_F(RelationFollowerTest, AColumnNoRelationCarriedIsNotAddedYetWhileTheCatalogHasIt) {
  schema_.fields[1].added_default = "dflt";
  catalog_has_ = {"v"};
  ASSERT_TRUE(Plan({F("id")}).has_value());
  EXPECT_EQ(follower_.version(), 0u);
  Result<const r::TupleData*> mapped = follower_.Map(Tuple({"7"}));
  ASSERT_TRUE(mapped.has_value());
  ASSERT_EQ((*mapped)->size(), 2u);
  EXPECT_EQ((**mapped)[1].kind, r::TupleValueKind::kText);
  EXPECT_EQ((**mapped)[1].bytes, "dflt");
}

TEST_F(RelationFollowerTest, AColumnNoRelationCarriedAndTheCatalogLostIsDropped) {
  ASSERT_TRUE(Plan({F("id")}).has_value());
  EXPECT_EQ(follower_.version(), 1u);
  EXPECT_TRUE(schema_.fields[1].dropped_at_source);
  Result<const r::TupleData*> mapped = follower_.Map(Tuple({"7"}));
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ((**mapped)[1].kind, r::TupleValueKind::kNull);
}

// A restart from a position taken before d was dropped, after the catalog lost it: d comes
// back from the committed column names, neither dropped nor carried. The first Relation of the
// run tells which changes are from before the drop (they carry d) and which after (NULL).
TEST_F(RelationFollowerTest, AColumnTheCatalogLostSinceThePositionIsDroppedWhereTheStreamSays) {
  Schema before;
  before.fields = {F("id"), F("v", TypeId::kString), F("d")};
  const std::optional<StreamPosition> known = StreamSchemaTracker::KnownColumnsPosition(before);
  ASSERT_TRUE(known.has_value());
  ASSERT_TRUE(follower_.tracker().Restore({*known}, schema_).ok());
  ASSERT_EQ(schema_.Names(), (std::vector<std::string>{"id", "v", "d"}));
  EXPECT_EQ(follower_.version(), 1u);
  catalog_has_ = {"v"};

  // Changes from before the drop carry d: written.
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString), F("d")}).has_value());
  EXPECT_FALSE(schema_.fields[2].dropped_at_source);
  const r::TupleData tuple = Tuple({"7", "x", "70"});  // mapped as it is: kept alive
  Result<const r::TupleData*> mapped = follower_.Map(tuple);
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ((**mapped)[2].bytes, "70");
  // Then the Relation of the new shape: NULL from here.
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  EXPECT_TRUE(schema_.fields[2].dropped_at_source);
  EXPECT_EQ(follower_.version(), 2u);
}

TEST_F(RelationFollowerTest, AColumnTheCatalogLostIsDroppedWhenTheFirstRelationLacksIt) {
  Schema before;
  before.fields = {F("id"), F("v", TypeId::kString), F("d")};
  ASSERT_TRUE(follower_.tracker()
                  .Restore({*StreamSchemaTracker::KnownColumnsPosition(before)}, schema_)
                  .ok());
  catalog_has_ = {"v"};
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  EXPECT_TRUE(schema_.fields[2].dropped_at_source);
  Result<const r::TupleData*> mapped = follower_.Map(Tuple({"7", "x"}));
  ASSERT_TRUE(mapped.has_value());
  ASSERT_EQ((*mapped)->size(), 3u);
  EXPECT_EQ((**mapped)[2].kind, r::TupleValueKind::kNull);
}

TEST_F(RelationFollowerTest, RenameAndTypeChangeStop) {
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  Result<r::TuplePlan> renamed = Plan({F("id"), F("w", TypeId::kString)});
  ASSERT_FALSE(renamed.has_value());
  EXPECT_NE(renamed.error().message().find("public.t: column v went and w came"), std::string::npos)
      << renamed.error().message();
  Result<r::TuplePlan> retyped = Plan({F("id", TypeId::kString), F("v", TypeId::kString)});
  ASSERT_FALSE(retyped.has_value());
  EXPECT_NE(
      retyped.error().message().find("column id changed type at the source (int32 -> string)"),
      std::string::npos)
      << retyped.error().message();
  Result<r::TuplePlan> narrower = Plan({F("id", TypeId::kInt16), F("v", TypeId::kString)});
  ASSERT_FALSE(narrower.has_value());
  EXPECT_NE(narrower.error().message().find("column id changed type at the source (int32 -> "
                                            "int16)"),
            std::string::npos)
      << narrower.error().message();
  Result<r::TuplePlan> middle = Plan({F("id"), F("x"), F("v", TypeId::kString)});
  ASSERT_FALSE(middle.has_value());
  EXPECT_NE(middle.error().message().find("column x appeared between existing columns"),
            std::string::npos);
  EXPECT_EQ(follower_.version(), 0u);
}

// integer -> bigint: followed, the field widened and marked for the target, one change.
TEST_F(RelationFollowerTest, AWiderTypeIsFollowed) {
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  ASSERT_TRUE(Plan({F("id", TypeId::kInt64), F("v", TypeId::kString)}).has_value());
  EXPECT_EQ(schema_.fields[0].type, DataType::Of(TypeId::kInt64));
  EXPECT_TRUE(schema_.fields[0].widened_at_source);
  EXPECT_FALSE(schema_.fields[1].widened_at_source);
  EXPECT_EQ(follower_.version(), 1u);
}

// d renamed to e while no run streamed: the restarted run's Open reads e from the catalog, so
// only the names committed with the position show that e is new and d is gone.
TEST_F(RelationFollowerTest, ARenameWhileNoRunStreamedStopsAtTheFirstRelation) {
  schema_.fields = {F("id"), F("v", TypeId::kString), F("e")};
  catalog_has_ = {"id", "v", "e"};
  RestoreCommitted({F("id"), F("v", TypeId::kString), F("d")});
  Result<r::TuplePlan> renamed = Plan({F("id"), F("v", TypeId::kString), F("e")});
  ASSERT_FALSE(renamed.has_value());
  EXPECT_NE(renamed.error().message().find(
                "public.t: column d went and e came at the source since the last change of the "
                "table this job read"),
            std::string::npos)
      << renamed.error().message();
}

// The same names, with a change of the table between the drop and the add: the first Relation
// lacks d and has no e (a drop), the next one brings e (an add). Not a rename.
TEST_F(RelationFollowerTest, ADropThenAnAddWhileNoRunStreamedAreFollowed) {
  schema_.fields = {F("id"), F("v", TypeId::kString), F("e")};
  catalog_has_ = {"id", "v", "e"};
  RestoreCommitted({F("id"), F("v", TypeId::kString), F("d")});
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  Result<r::TuplePlan> added = Plan({F("id"), F("v", TypeId::kString), F("e")});
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_TRUE(schema_.fields[3].dropped_at_source);   // d
  EXPECT_FALSE(schema_.fields[2].dropped_at_source);  // e
}

// A column the committed list names that the first Relation lacks while the catalog still has
// it is one the Relation predates, not a rename, whatever else is new.
TEST_F(RelationFollowerTest, ACommittedColumnTheCatalogStillHasIsNotGone) {
  schema_.fields = {F("id"), F("v", TypeId::kString), F("x")};
  catalog_has_ = {"id", "v", "x"};
  RestoreCommitted({F("id"), F("v", TypeId::kString)});
  Result<r::TuplePlan> plan = Plan({F("id"), F("x")});
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
}

// A reconnect: the new session's first Relation is checked against every name this run met,
// so a rename made while the stream was away stops; a replay from before a drop that this run
// already followed does not.
TEST_F(RelationFollowerTest, TheFirstRelationAfterAReconnectIsCheckedAgainstTheNamesMet) {
  catalog_has_ = {"id"};
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());
  ASSERT_TRUE(Plan({F("id")}).has_value());  // v dropped
  follower_.Restart();
  ASSERT_TRUE(Plan({F("id"), F("v", TypeId::kString)}).has_value());  // replayed from before

  follower_.Restart();
  catalog_has_ = {"id", "w"};
  Result<r::TuplePlan> renamed = Plan({F("id"), F("w", TypeId::kString)});
  ASSERT_FALSE(renamed.has_value());
  EXPECT_NE(renamed.error().message().find("column v went and w came"), std::string::npos)
      << renamed.error().message();
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
