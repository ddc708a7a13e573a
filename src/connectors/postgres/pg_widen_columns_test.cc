#include "connectors/postgres/pg_widen_columns.h"

#include <gtest/gtest.h>

namespace sluice::postgres {
namespace {

PgColumn Column(std::string name, std::string declared, int32_t typmod) {
  PgColumn c;
  c.name = std::move(name);
  c.type.declared = std::move(declared);
  c.type.typmod = typmod;
  return c;
}

PgTable Table() {
  PgTable t;
  t.schema = "ods";
  t.name = "t";
  t.columns = {Column("id", "integer", -1), Column("v", "character varying(10)", 14),
               Column("c", "character(5)", 9), Column("n", "text", -1),
               Column("d", "short_code", 14)};  // a domain over varchar(10)
  return t;
}

WriteRequest Request(uint16_t v, uint16_t c) {
  WriteRequest r;
  r.realtime = true;
  r.schema.fields = {
      Field{"id", DataType::Of(TypeId::kInt32)}, Field{"v", DataType{TypeId::kString, v, 0}},
      Field{"c", DataType{TypeId::kString, c, 0}}, Field{"n", DataType{TypeId::kString, 3, 0}},
      Field{"d", DataType{TypeId::kString, 0, 0}}};
  for (Field& f : r.schema.fields) f.widened_at_source = f.name != "id";
  return r;
}

TEST(PgWidenColumns, ShorterColumnsTakeTheLongerTypeOfTheirKind) {
  EXPECT_EQ(WidenColumnsSql(Table(), Request(40, 20)),
            (std::vector<std::string>{
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"v\" TYPE character varying(40)",
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE character(20)"}));
  // Without a length: text (character without one would be character(1)).
  EXPECT_EQ(WidenColumnsSql(Table(), Request(0, 0)),
            (std::vector<std::string>{"ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"v\" TYPE text",
                                      "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE text"}));
}

TEST(PgWidenColumns, LongEnoughOrOtherColumnsAreLeftAlone) {
  // As long, or shorter (never shortened); text and a domain have no length to change.
  EXPECT_TRUE(WidenColumnsSql(Table(), Request(10, 5)).empty());
  EXPECT_TRUE(WidenColumnsSql(Table(), Request(3, 1)).empty());
  // A field of another type (bytes into bytea, which has no length).
  WriteRequest bytes = Request(40, 5);
  bytes.schema.fields[1].type = DataType{TypeId::kBytes, 40, 0};
  EXPECT_TRUE(WidenColumnsSql(Table(), bytes).empty());
  // A field the source did not lengthen: the user's shorter column is theirs.
  WriteRequest unmarked = Request(40, 20);
  unmarked.schema.fields[1].widened_at_source = false;
  EXPECT_EQ(WidenColumnsSql(Table(), unmarked),
            (std::vector<std::string>{
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE character(20)"}));
}

TEST(PgWidenColumns, IntegersAndNumericsTakeTheWiderType) {
  PgTable t;
  t.schema = "ods";
  t.name = "t";
  PgColumn numeric = Column("a", "numeric(10,2)", ((10 << 16) | 2) + 4);
  numeric.type.oid = 1700;
  PgColumn any_numeric = Column("b", "numeric", -1);
  any_numeric.type.oid = 1700;
  t.columns = {Column("id", "integer", -1), Column("s", "smallint", -1), numeric, any_numeric,
               Column("u", "bigint", -1)};
  WriteRequest r;
  r.realtime = true;
  r.schema.fields = {Field{"id", DataType::Of(TypeId::kInt64)},
                     Field{"s", DataType::Of(TypeId::kInt32)}, Field{"a", DataType::Decimal(12, 4)},
                     Field{"b", DataType::Decimal(40, 10)},
                     Field{"u", DataType::Of(TypeId::kUInt64)}};
  for (Field& f : r.schema.fields) f.widened_at_source = true;
  EXPECT_EQ(WidenColumnsSql(t, r),
            (std::vector<std::string>{
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"id\" TYPE bigint",
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"s\" TYPE integer",
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"a\" TYPE numeric(12,4)",
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"u\" TYPE numeric(20,0)"}));
  // Digits before the point from the column, after it from the field: numeric(11,3).
  r.schema.fields[2].type = DataType::Decimal(4, 3);
  EXPECT_EQ(WidenColumnsSql(t, r)[2],
            "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"a\" TYPE numeric(11,3)");
  // As wide already, or narrower: nothing.
  r.schema.fields = {Field{"id", DataType::Of(TypeId::kInt32)},
                     Field{"s", DataType::Of(TypeId::kInt8)}, Field{"a", DataType::Decimal(8, 2)},
                     Field{"u", DataType::Of(TypeId::kUInt32)}};
  for (Field& f : r.schema.fields) f.widened_at_source = true;
  EXPECT_TRUE(WidenColumnsSql(t, r).empty());
}

}  // namespace
}  // namespace sluice::postgres
