#include "connectors/mysql/mysql_types.h"

#include <gtest/gtest.h>

namespace sluice::mysql {
namespace {

MysqlColumn Col(std::string data_type, std::string column_type) {
  MysqlColumn c;
  c.name = "c";
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  return c;
}

std::string Mapped(const MysqlColumn& c, MapOptions options = {}) {
  Result<ColumnMapping> m = MapColumn(c, "db.t", options);
  if (!m) return "error: " + m.error().message();
  return TypeName(m->type) + (m->select_expr == "`c`" ? "" : " via " + m->select_expr);
}

TEST(MysqlTypesTest, MapsEveryReadableType) {
  EXPECT_EQ(Mapped(Col("tinyint", "tinyint(4)")), "int8");
  EXPECT_EQ(Mapped(Col("tinyint", "tinyint(1)")), "int8");
  EXPECT_EQ(Mapped(Col("tinyint", "tinyint(1)"), {.tinyint1_as_bool = true}), "bool");
  EXPECT_EQ(Mapped(Col("tinyint", "tinyint(3) unsigned")), "uint8");
  EXPECT_EQ(Mapped(Col("mediumint", "mediumint(8) unsigned")), "uint32");
  EXPECT_EQ(Mapped(Col("bigint", "bigint(20) unsigned")), "uint64");
  MysqlColumn dec = Col("decimal", "decimal(65,30)");
  dec.numeric_precision = 65;
  dec.numeric_scale = 30;
  EXPECT_EQ(Mapped(dec), "decimal(65,30)");
  EXPECT_EQ(Mapped(Col("float", "float")), "float32 via CAST(`c` AS DOUBLE)");
  EXPECT_EQ(Mapped(Col("double", "double")), "float64");
  EXPECT_EQ(Mapped(Col("double", "double(10,3)")), "float64 via CAST(`c` AS DOUBLE)");
  EXPECT_EQ(Mapped(Col("bit", "bit(10)")), "uint64");
  EXPECT_EQ(Mapped(Col("year", "year(4)")), "int16");
  EXPECT_EQ(Mapped(Col("datetime", "datetime(6)")), "timestamp");
  EXPECT_EQ(Mapped(Col("datetime", "datetime(6)"), {.datetime_as_instant = true}), "timestamptz");
  EXPECT_EQ(Mapped(Col("timestamp", "timestamp(6)")), "timestamptz");
  EXPECT_EQ(Mapped(Col("time", "time(6)")), "time");
  EXPECT_EQ(Mapped(Col("enum", "enum('a','b')")), "string");
  EXPECT_EQ(Mapped(Col("set", "set('a','b')")), "string");
  EXPECT_EQ(Mapped(Col("json", "json")), "json");
  MysqlColumn mariadb_json = Col("longtext", "longtext");
  mariadb_json.json = true;
  EXPECT_EQ(Mapped(mariadb_json), "json");
  EXPECT_EQ(Mapped(Col("longblob", "longblob")), "bytes");
  EXPECT_EQ(Mapped(Col("uuid", "uuid")), "uuid");
  EXPECT_EQ(Mapped(Col("geometry", "geometry")),
            "error: db.t.c: type 'geometry' is not supported (select it with a cast in a view, "
            "or leave it out with `columns`)");
}

TEST(MysqlTypesTest, WritableChecksKeepMeaning) {
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kInt64), Col("bigint", "bigint(20)")), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kString), Col("int", "int(11)")),
            "int(11) but incoming is string");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kFloat64), Col("float", "float")),
            "float but incoming is float64");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kFloat32), Col("double", "double")), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kTimestampTz), Col("date", "date")),
            "date but incoming is timestamptz");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kTimestampTz), Col("datetime", "datetime(6)")), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kBytes), Col("varchar", "varchar(10)")),
            "varchar(10) but incoming is bytes");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kJson), Col("geometry", "geometry")),
            "geometry, which sluice cannot write");
}

TEST(MysqlTypesTest, CreatedColumnTypes) {
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kUInt64), false), "BIGINT UNSIGNED");
  EXPECT_EQ(DdlTypeFor(DataType::Decimal(65, 30), false), "DECIMAL(65,30)");
  EXPECT_EQ(DdlTypeFor(DataType::Decimal(0, 0), false), "LONGTEXT");
  EXPECT_EQ(DdlTypeFor(DataType::Decimal(80, 2), false), "LONGTEXT");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kString), false), "LONGTEXT");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kString), true), "VARCHAR(255)");
  EXPECT_EQ(DdlTypeFor(DataType{TypeId::kString, 40, 0}, false), "VARCHAR(40)");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kTimestampTz), false), "DATETIME(6)");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kBytes), false), "LONGBLOB");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kUuid), false), "CHAR(36)");
  EXPECT_EQ(DdlTypeFor(DataType::Of(TypeId::kJson), false), "JSON");
}

}  // namespace
}  // namespace sluice::mysql
