#include "connectors/mysql/binlog_stream/added_defaults.h"

#include <gtest/gtest.h>

namespace sluice::mysql::binlog_stream {
namespace {

// The field after SetAddedDefault: "=value", "?unknown", or "" (the older rows hold NULL).
std::string Fill(ColumnDefault c, TypeId type = TypeId::kString,
                 ZeroDate zero_date = ZeroDate::kError) {
  Field f{"n", DataType::Of(type)};
  SetAddedDefault(c, zero_date, f);
  if (f.added_default) return "=" + *f.added_default;
  if (!f.added_default_unknown.empty()) return "?" + f.added_default_unknown;
  return "";
}

ColumnDefault Explicit(std::string sql, std::string data_type) {
  ColumnDefault c;
  c.column_default = std::move(sql);
  c.data_type = std::move(data_type);
  c.column_type = c.data_type;
  return c;
}

ColumnDefault NotNull(std::string data_type, std::string column_type = "") {
  ColumnDefault c;
  c.nullable = false;
  c.data_type = std::move(data_type);
  c.column_type = column_type.empty() ? c.data_type : std::move(column_type);
  return c;
}

// COLUMN_DEFAULT as MariaDB 10.11 shows it (checked against the server).
TEST(AddedDefaults, MariadbConstants) {
  EXPECT_EQ(Fill(Explicit("-12.50", "decimal"), TypeId::kDecimal), "=-12.50");
  EXPECT_EQ(Fill(Explicit("0.00001", "double"), TypeId::kFloat64), "=0.00001");
  EXPECT_EQ(Fill(Explicit("'x''y\\\\z ü€'", "varchar")), "=x'y\\z ü€");
  EXPECT_EQ(Fill(Explicit("'a\\nb'", "varchar")), "=a\nb");
  EXPECT_EQ(Fill(Explicit("''", "varchar")), "=");
  EXPECT_EQ(Fill(Explicit("'2020-01-02'", "date"), TypeId::kDate), "=2020-01-02");
  EXPECT_EQ(Fill(Explicit("NULL", "varchar")), "");
}

TEST(AddedDefaults, NotAConstant) {
  EXPECT_EQ(Fill(Explicit("current_timestamp()", "datetime")), "?DEFAULT current_timestamp()");
  EXPECT_EQ(Fill(Explicit("(1 + 2)", "int")), "?DEFAULT (1 + 2)");
  // A TIMESTAMP's text is read in the session's zone: not carried as text.
  EXPECT_EQ(Fill(Explicit("'2020-01-02 00:00:00'", "timestamp")), "?DEFAULT '2020-01-02 00:00:00'");
  ColumnDefault serial = NotNull("int");
  serial.extra = "auto_increment";
  EXPECT_EQ(Fill(serial), "?AUTO_INCREMENT");
}

TEST(AddedDefaults, MariadbImplicitDefaultsOfNotNullColumns) {
  EXPECT_EQ(Fill(NotNull("int"), TypeId::kInt32), "=0");
  EXPECT_EQ(Fill(NotNull("decimal"), TypeId::kDecimal), "=0");
  EXPECT_EQ(Fill(NotNull("varchar")), "=");
  EXPECT_EQ(Fill(NotNull("time"), TypeId::kTime), "=00:00:00");
  EXPECT_EQ(Fill(NotNull("enum", "enum('P''s','q')")), "=P's");
  // A zero date: NULL when the source reads zero dates as NULL, unknown otherwise.
  EXPECT_EQ(Fill(NotNull("date"), TypeId::kDate, ZeroDate::kNull), "");
  EXPECT_EQ(Fill(NotNull("datetime"), TypeId::kTimestamp),
            "?NOT NULL and no DEFAULT (MariaDB's implicit default of a datetime column)");
  EXPECT_EQ(Fill(NotNull("bit", "bit(3)")),
            "?NOT NULL and no DEFAULT (MariaDB's implicit default of a bit(3) column)");
  ColumnDefault nullable;
  nullable.data_type = "int";
  EXPECT_EQ(Fill(nullable, TypeId::kInt32), "");
}

TEST(AddedDefaults, MysqlGivesBareValues) {
  ColumnDefault c = Explicit("it's", "varchar");
  c.mariadb = false;
  EXPECT_EQ(Fill(c), "=it's");
  c = Explicit("CURRENT_TIMESTAMP", "datetime");
  c.mariadb = false;
  c.extra = "DEFAULT_GENERATED";
  EXPECT_EQ(Fill(c), "?DEFAULT CURRENT_TIMESTAMP");
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
