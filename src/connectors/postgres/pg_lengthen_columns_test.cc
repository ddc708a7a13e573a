#include "connectors/postgres/pg_lengthen_columns.h"

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
  for (Field& f : r.schema.fields) f.lengthened_at_source = f.name != "id";
  return r;
}

TEST(PgLengthenColumns, ShorterColumnsTakeTheLongerTypeOfTheirKind) {
  EXPECT_EQ(LengthenColumnsSql(Table(), Request(40, 20)),
            (std::vector<std::string>{
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"v\" TYPE character varying(40)",
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE character(20)"}));
  // Without a length: text (character without one would be character(1)).
  EXPECT_EQ(LengthenColumnsSql(Table(), Request(0, 0)),
            (std::vector<std::string>{"ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"v\" TYPE text",
                                      "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE text"}));
}

TEST(PgLengthenColumns, LongEnoughOrOtherColumnsAreLeftAlone) {
  // As long, or shorter (never shortened); text and a domain have no length to change.
  EXPECT_TRUE(LengthenColumnsSql(Table(), Request(10, 5)).empty());
  EXPECT_TRUE(LengthenColumnsSql(Table(), Request(3, 1)).empty());
  // A field of another type (bytes into bytea, which has no length).
  WriteRequest bytes = Request(40, 5);
  bytes.schema.fields[1].type = DataType{TypeId::kBytes, 40, 0};
  EXPECT_TRUE(LengthenColumnsSql(Table(), bytes).empty());
  // A field the source did not lengthen: the user's shorter column is theirs.
  WriteRequest unmarked = Request(40, 20);
  unmarked.schema.fields[1].lengthened_at_source = false;
  EXPECT_EQ(LengthenColumnsSql(Table(), unmarked),
            (std::vector<std::string>{
                "ALTER TABLE \"ods\".\"t\" ALTER COLUMN \"c\" TYPE character(20)"}));
}

}  // namespace
}  // namespace sluice::postgres
