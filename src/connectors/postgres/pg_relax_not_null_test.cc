#include "connectors/postgres/pg_relax_not_null.h"

#include <gtest/gtest.h>

namespace sluice::postgres {
namespace {

PgColumn Column(std::string name, bool not_null, bool has_default = false) {
  PgColumn c;
  c.name = std::move(name);
  c.not_null = not_null;
  c.has_default = has_default;
  return c;
}

PgTable Table() {
  PgTable t;
  t.schema = "ods";
  t.name = "t";
  t.columns = {Column("id", true), Column("v", false), Column("d", true), Column("x", true, true),
               Column("gone", true)};
  t.primary_key = {"id"};
  return t;
}

WriteRequest Request() {
  WriteRequest r;
  r.realtime = true;
  for (const char* name : {"id", "v", "d", "x"}) {
    r.schema.fields.push_back(Field{name, DataType::Of(TypeId::kInt64)});
  }
  return r;
}

TEST(PgRelaxNotNull, DroppedColumnsAndColumnsTheRowsDoNotName) {
  WriteRequest r = Request();
  // Nothing dropped: only `gone`, which the rows never name and which has no default.
  EXPECT_EQ(*RelaxNotNullSql(Table(), r),
            (std::vector<std::string>{"ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"gone\" DROP NOT "
                                      "NULL"}));
  r.schema.fields[2].dropped_at_source = true;
  EXPECT_EQ(RelaxNotNullSql(Table(), r)->size(), 2u);
  PgTable relaxed = Table();
  relaxed.columns[2].not_null = false;
  relaxed.columns[4].not_null = false;
  EXPECT_TRUE(RelaxNotNullSql(relaxed, r)->empty());  // asked again: nothing to do
}

TEST(PgRelaxNotNull, AKeyColumnStops) {
  WriteRequest r = Request();
  r.schema.fields[0].dropped_at_source = true;
  Result<std::vector<std::string>> sql = RelaxNotNullSql(Table(), r);
  ASSERT_FALSE(sql.has_value());
  EXPECT_NE(sql.error().message().find(
                "postgres target ods.t: column id was dropped at the source but is part of the "
                "target's key"),
            std::string::npos)
      << sql.error().message();
}

}  // namespace
}  // namespace sluice::postgres
