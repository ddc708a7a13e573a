#include "connectors/sqlite/sqlite_types.h"

#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_codec.h"
#include "connectors/sqlite/sqlite_config.h"
#include "core/value_text.h"

namespace sluice::sqlite {
namespace {

TEST(SqliteTypesTest, AffinityFollowsSqliteRules) {
  EXPECT_EQ(AffinityOf("INTEGER"), Affinity::kInteger);
  EXPECT_EQ(AffinityOf("UNSIGNED BIG INT"), Affinity::kInteger);
  EXPECT_EQ(AffinityOf("VARCHAR(20)"), Affinity::kText);
  EXPECT_EQ(AffinityOf("clob"), Affinity::kText);
  EXPECT_EQ(AffinityOf(""), Affinity::kBlob);
  EXPECT_EQ(AffinityOf("BLOB"), Affinity::kBlob);
  EXPECT_EQ(AffinityOf("DOUBLE"), Affinity::kReal);
  EXPECT_EQ(AffinityOf("DECIMAL(10,2)"), Affinity::kNumeric);
  EXPECT_EQ(AffinityOf("DATETIME"), Affinity::kNumeric);
  // "CHARINT" has INT first: the order of the rules matters.
  EXPECT_EQ(AffinityOf("CHARINT"), Affinity::kInteger);
}

TEST(SqliteTypesTest, MapsDeclaredTypes) {
  auto map = [](std::string_view d) {
    std::optional<DataType> t = MapDeclaredType(d);
    return t ? TypeName(*t) : std::string("untyped");
  };
  EXPECT_EQ(map("INTEGER"), "int64");
  EXPECT_EQ(map("int"), "int64");
  EXPECT_EQ(map("BIGINT"), "int64");
  EXPECT_EQ(map("TINYINT"), "int8");
  EXPECT_EQ(map("smallint"), "int16");
  EXPECT_EQ(map("MEDIUMINT"), "int32");
  EXPECT_EQ(map("UNSIGNED BIG INT"), "uint64");
  EXPECT_EQ(map("UBIGINT"), "uint64");
  EXPECT_EQ(map("int(10)  unsigned"), "uint32");
  EXPECT_EQ(map("REAL"), "float64");
  EXPECT_EQ(map("DOUBLE PRECISION"), "float64");
  EXPECT_EQ(map("FLOAT"), "float64");
  EXPECT_EQ(map("DECIMAL(10, 2)"), "decimal(10,2)");
  EXPECT_EQ(map("NUMERIC(65,30)"), "decimal(65,30)");
  EXPECT_EQ(map("NUMERIC"), "decimal");
  EXPECT_EQ(map("TEXT"), "string");
  EXPECT_EQ(map("VARCHAR(255)"), "string");
  EXPECT_EQ(map("CHARACTER(20)"), "string");
  EXPECT_EQ(map("NVARCHAR(100)"), "string");
  EXPECT_EQ(map("CLOB"), "string");
  EXPECT_EQ(map("BLOB"), "bytes");
  EXPECT_EQ(map("BOOLEAN"), "bool");
  EXPECT_EQ(map("DATE"), "date");
  EXPECT_EQ(map("DATETIME"), "timestamp");
  EXPECT_EQ(map("TIMESTAMP"), "timestamp");
  EXPECT_EQ(map("TIMESTAMPTZ"), "timestamptz");
  EXPECT_EQ(map("TIME"), "time");
  EXPECT_EQ(map("JSON"), "json");
  EXPECT_EQ(map("UUID"), "uuid");
  EXPECT_EQ(map(""), "untyped");
  EXPECT_EQ(map("GEOMETRY"), "untyped");
  // Unknown names fall back to their affinity.
  EXPECT_EQ(map("MYINTEGER"), "int64");
  EXPECT_EQ(map("SHORTTEXT"), "string");
  EXPECT_EQ(map("FLOATY"), "float64");
  // SQLite's documented trap: "FLOATING POINT" contains "INT", so it has INTEGER affinity.
  EXPECT_EQ(map("FLOATING POINT"), "int64");
  EXPECT_EQ(MapDeclaredType("VARCHAR(255)")->precision, 255);
  EXPECT_EQ(MapDeclaredType("TIMESTAMP(3)")->scale, 3);
}

TEST(SqliteTypesTest, CreatedTypesMapBackAndKeepValuesExact) {
  const DataType types[] = {
      DataType::Of(TypeId::kBool),        DataType::Of(TypeId::kInt8),
      DataType::Of(TypeId::kInt16),       DataType::Of(TypeId::kInt32),
      DataType::Of(TypeId::kInt64),       DataType::Of(TypeId::kUInt8),
      DataType::Of(TypeId::kUInt16),      DataType::Of(TypeId::kUInt32),
      DataType::Of(TypeId::kUInt64),      DataType::Of(TypeId::kFloat32),
      DataType::Of(TypeId::kFloat64),     DataType::Decimal(65, 30),
      DataType::Decimal(10, 0),           DataType::Of(TypeId::kDecimal),
      DataType::Of(TypeId::kString),      DataType{TypeId::kString, 40, 0},
      DataType::Of(TypeId::kBytes),       DataType::Of(TypeId::kDate),
      DataType::Of(TypeId::kTime),        DataType{TypeId::kTimestamp, 0, 6},
      DataType::Of(TypeId::kTimestampTz), DataType::Of(TypeId::kJson),
      DataType::Of(TypeId::kUuid),
  };
  for (const DataType& t : types) {
    std::string declared = DeclaredTypeFor(t);
    std::optional<DataType> back = MapDeclaredType(declared);
    ASSERT_TRUE(back.has_value()) << declared;
    EXPECT_EQ(*back, t) << declared << " came back as " << TypeName(*back);
  }
  // The affinities that keep values exact (see sqlite_types.h).
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Decimal(10, 2))), Affinity::kText);
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Of(TypeId::kUInt64))), Affinity::kText);
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Of(TypeId::kFloat64))), Affinity::kBlob);
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Of(TypeId::kFloat32))), Affinity::kBlob);
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Of(TypeId::kJson))), Affinity::kText);
  EXPECT_EQ(AffinityOf(DeclaredTypeFor(DataType::Of(TypeId::kInt64))), Affinity::kInteger);
}

TEST(SqliteTypesTest, ChecksWritability) {
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kInt64), "TEXT"), "TEXT but incoming is int64");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kInt32), "BIGINT"), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kInt32), "REAL"), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kInt64), "REAL"), "REAL but incoming is int64");
  EXPECT_EQ(CheckWritable(DataType::Decimal(10, 2), "DECIMAL(12,4)"), "");
  EXPECT_EQ(CheckWritable(DataType::Decimal(10, 2), "REAL"), "REAL but incoming is decimal(10,2)");
  EXPECT_EQ(CheckWritable(DataType::Decimal(10, 0), "INTEGER"), "");
  EXPECT_EQ(CheckWritable(DataType::Decimal(10, 2), "TEXT"), "");
  EXPECT_EQ(CheckWritable(DataType::Decimal(10, 2), "INTEGER"),
            "INTEGER but incoming is decimal(10,2)");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kString), "INTEGER"),
            "INTEGER but incoming is string");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kDate), "TEXT"), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kDate), "INTEGER"), "INTEGER but incoming is date");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kBytes), "BLOB"), "");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kBytes), "TEXT"), "TEXT but incoming is bytes");
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kBytes), ""), "");  // untyped takes anything
  EXPECT_EQ(CheckWritable(DataType::Of(TypeId::kNull), "INTEGER"), "");
}

TEST(SqliteTypesTest, ParsesUrls) {
  EXPECT_EQ(*PathFromUrl("sqlite:///abs/path.db"), "/abs/path.db");
  EXPECT_EQ(*PathFromUrl("sqlite://relative.db"), "relative.db");
  EXPECT_EQ(*PathFromUrl("sqlite:relative.db"), "relative.db");
  EXPECT_EQ(*PathFromUrl("sqlite:dir/sub.db"), "dir/sub.db");
  EXPECT_FALSE(PathFromUrl("mysql://x").has_value());
  EXPECT_FALSE(PathFromUrl("sqlite://").has_value());
}

// The fast path must never claim a text is canonical when CanonicalDecimal would change it.
TEST(SqliteTypesTest, CanonicalDecimalFastPathAgreesWithValueText) {
  const char* texts[] = {
      "0",      "1.50",    "-1.50",
      "007",    "1.5",     "-0",
      "-0.00",  "0.00",    "12",
      "12.",    ".5",      "1e3",
      "+1",     "123.456", "99.99",
      "100.00", "0.05",    "-12345678901234567890.123456789012345678901234567890"};
  const std::pair<uint16_t, uint16_t> types[] = {{0, 0}, {10, 2}, {4, 2}, {3, 0}, {65, 30}};
  for (const char* text : texts) {
    for (auto [p, s] : types) {
      if (!IsCanonicalDecimal(text, p, s)) continue;
      Result<std::string> canonical = CanonicalDecimal(text, p, s);
      ASSERT_TRUE(canonical.has_value()) << text << " decimal(" << p << "," << s << ")";
      EXPECT_EQ(*canonical, text) << "decimal(" << p << "," << s << ")";
    }
  }
  EXPECT_TRUE(IsCanonicalDecimal("1.50", 10, 2));
  EXPECT_FALSE(IsCanonicalDecimal("1.5", 10, 2));
  EXPECT_FALSE(IsCanonicalDecimal("100.00", 4, 2));
}

}  // namespace
}  // namespace sluice::sqlite
